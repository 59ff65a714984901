"""The shape guard in front of Bolt: Slack's own payloads pass, shapes Slack never sends are named, and
whatever passes can be read by Bolt without a crash; a response_url is only ever on the hooks host of the
Slack the bot talks to."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_bolt import BoltRequest

from bot.config import DEFAULT_SLACK_API_URL
from handlers.requests.shape import Foreign, Installation, ResponseUrls, describe, foreign, shape_problem
from tests.support.hostile import json_value, nasty_text
from tests.support.slack_requests import Response, SlackSender


def captured(build: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The payload a SlackSender builder would post, caught instead of sent."""
    sent: list[dict[str, Any]] = []

    def interaction(payload: dict[str, Any]) -> Response:
        sent.append(payload)
        return Response(status=200, body=b"", elapsed=0.0)

    sender = SlackSender("127.0.0.1", 9, "secret")
    sender.interaction = interaction  # type: ignore[method-assign]
    getattr(sender, build)(*args, **kwargs)
    return sent[0]


VIEW = {"id": "V1", "type": "modal", "callback_id": "log_interview", "blocks": [], "private_metadata": ""}
SLACKS_OWN = {
    "command": dict(
        token="t",
        team_id="T1",
        user_id="U1",
        command="/interview",
        text="log payload",
        trigger_id="1.2.3",
        response_url="https://hooks.slack.com/x",
    ),
    "view_submission": captured("view_submission", VIEW, {"account": {"a": {"type": "x"}}}),
    "block_actions in a modal": captured("block_action", "themes_kind", block_id="b", view=VIEW),
    "block_actions in a message": captured(
        "block_action", "followup_done", block_id="b", message={"ts": "1.2"}, channel_id="D1"
    ),
    "block_suggestion": captured(
        "block_suggestion", VIEW, block_id="a", action_id="account_search", value="A"
    ),
    "message_action": captured("message_shortcut", "log_from_message", "notes"),
    "event_callback": {
        "type": "event_callback",
        "team_id": "T1",
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"},
        "authorizations": [{"team_id": "T1", "user_id": "UB", "is_bot": True, "enterprise_id": None}],
        "is_ext_shared_channel": False,
    },
    "user_change event (user as an object)": {
        "type": "event_callback",
        "team_id": "T1",
        "event": {"type": "user_change", "user": {"id": "U1", "team_id": "T1", "name": "pat", "tz": "UTC"}},
    },
    "org-wide install (team null)": {
        "type": "shortcut",
        "team": None,
        "user": {"id": "U1", "team_id": "T1"},
        "callback_id": "log_interview_global",
        "trigger_id": "1.2",
        "enterprise": {"id": "E1", "name": "Acme"},
        "is_enterprise_install": True,
    },
    "url_verification": {"type": "url_verification", "challenge": "abc", "token": "t"},
    "ssl_check": {"ssl_check": "1", "token": "t"},
}
T, U = {"id": "T1"}, {"id": "U1", "team_id": "T1"}
WRONG = {
    "view null": ({"type": "view_submission", "team": T, "user": U, "view": None}, "without a view"),
    "view a string": (
        {"type": "view_submission", "team": T, "user": U, "view": "x"},
        "view is not an object",
    ),
    "view without its type": (
        {"type": "view_submission", "team": T, "user": U, "view": {"callback_id": "x"}},
        "without a view",
    ),
    "view blocks a string": (
        {"type": "view_submission", "view": {**VIEW, "blocks": "x"}},
        "view.blocks is not a list",
    ),
    "state values a list": (
        {"type": "view_submission", "view": {**VIEW, "state": {"values": [1]}}},
        "view.state is not an object",
    ),
    "state null": ({"type": "view_submission", "view": {**VIEW, "state": None}}, "view.state"),
    "actions empty": ({"type": "block_actions", "trigger_id": "t", "actions": []}, "without an action"),
    "actions a string": (
        {"type": "block_actions", "trigger_id": "t", "actions": "x"},
        "actions is not a list",
    ),
    "action id a number": (
        {"type": "block_actions", "trigger_id": "t", "actions": [{"action_id": 5}]},
        "actions[]: action_id is not a string",
    ),
    "user a number": (
        {"type": "shortcut", "user": 5, "callback_id": "x", "trigger_id": "t"},
        "user is neither",
    ),
    # Bolt asks the len() of a response_urls that is there at all, null or not.
    "response_urls null": ({"type": "x", "response_urls": None}, "response_urls is not a list"),
    "team id a number": ({"type": "shortcut", "team": {"id": 5}, "callback_id": "x"}, "team has an id"),
    "trigger_id missing": ({"type": "shortcut", "team": T, "callback_id": "x"}, "without a trigger_id"),
    "command without trigger_id": (
        {"command": "/interview", "text": "log"},
        "a command without a trigger_id",
    ),
    "command text a list": (
        {"command": "/interview", "text": ["x"], "trigger_id": "t"},
        "text is not a string",
    ),
    "callback_id a number": ({"type": "shortcut", "callback_id": 5, "trigger_id": "t"}, "callback_id is not"),
    "type a list": ({"type": ["x"]}, "type is not a string"),
    "authorizations a number": ({"type": "event_callback", "authorizations": 5}, "authorizations is not"),
    "event a string": ({"type": "event_callback", "event": "x"}, "event is not an object"),
    "event user a number": ({"type": "event_callback", "event": {"type": "x", "user": 5}}, "event.user"),
    "response_urls a number": ({"type": "view_submission", "response_urls": 5}, "response_urls is not"),
    "channel a number": ({"type": "shortcut", "channel": 5}, "channel is neither"),
}


@pytest.mark.parametrize("name", SLACKS_OWN)
def test_what_slack_sends_passes(name: str) -> None:
    assert shape_problem(SLACKS_OWN[name]) is None


@pytest.mark.parametrize("name", WRONG)
def test_shapes_slack_never_sends_are_named(name: str) -> None:
    body, said = WRONG[name]
    problem = shape_problem(body)
    assert problem is not None and said in problem, problem


def test_describe_names_the_request_for_the_log() -> None:
    clicked = describe(SLACKS_OWN["block_actions in a modal"])
    assert (clicked.kind, clicked.team, clicked.user) == ("block_actions", "T0001", "U0001")
    assert (clicked.id_name, clicked.id) == ("action_id", "themes_kind")
    command = describe(SLACKS_OWN["command"])
    assert (command.kind, command.id_name, command.id, command.team) == (
        "command",
        "command",
        "/interview",
        "T1",
    )
    assert describe({"type": 5, "team": [1], "actions": "x"}).kind is None


# What Bolt reads from every body into the context its listeners and middleware use.
BOLT_READS = (
    "enterprise_id",
    "team_id",
    "user_id",
    "actor_enterprise_id",
    "actor_team_id",
    "actor_user_id",
    "channel_id",
    "thread_ts",
    "response_url",
)
objects = st.dictionaries(nasty_text | st.sampled_from(["type", "view", "team", "user", "event"]), json_value)
shaped = st.fixed_dictionaries(
    {"type": st.sampled_from(["block_actions", "view_submission", "shortcut", "event_callback", "x"])},
    optional={
        "team": json_value,
        "user": json_value,
        "enterprise": json_value,
        "channel": json_value,
        "view": json_value | st.just(VIEW),
        "actions": json_value | st.just([{"action_id": "a"}]),
        "authorizations": json_value,
        "event": json_value | st.just({"type": "app_home_opened", "user": "U1"}),
        "response_urls": json_value,
        "trigger_id": json_value,
        "callback_id": json_value,
        "message": json_value,
        "container": json_value,
        "is_ext_shared_channel": st.booleans(),
    },
)
# Bodies with bare ids where Bolt reads them (team_id, user_id, ...): a number there must not pass either.
bare_ids = st.fixed_dictionaries(
    {"type": st.sampled_from(["x", "event_callback"]), "event": st.just({"type": "app_home_opened"})},
    optional={
        key: json_value | st.integers() | st.just("T1")
        for key in ("team_id", "user_id", "channel_id", "enterprise_id", "response_url")
    },
)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # 100 kB examples
@settings(max_examples=400, derandomize=True, database=None)
@given(body=objects | shaped | bare_ids)
def test_what_passes_the_guard_bolt_can_read(body: dict[str, Any]) -> None:
    """Bolt reads the workspace, person, channel and thread from the body before any listener or
    middleware runs, and crashes on a number where Slack puts an object: the guard lets none through."""
    describe(body)  # never raises, whatever the shape
    if shape_problem(body) is None:
        request = BoltRequest(body=json.loads(json.dumps(body)), mode="socket_mode")  # no crash
        # What Bolt read is an id or nothing: never a number, a list or an object where an id goes.
        read = {key: request.context.get(key) for key in BOLT_READS}
        assert all(v is None or isinstance(v, str) for v in read.values()), read
        foreign(body, GRID)  # never raises either, on what the guard let through
        SLACK.problem(body)  # nor does the response_url rule


HERE = Installation(team_id="T1")
GRID = Installation(team_id="T1", enterprise_id="E1")
US = {"id": "U1", "team_id": "T1"}
ENVELOPE = {"type": "event_callback", "team_id": "T1", "event": {"type": "app_home_opened", "user": "U1"}}

FROM_HERE: dict[str, tuple[Installation, dict[str, Any]]] = {
    "a command": (HERE, {"command": "/interview", "team_id": "T1", "user_id": "U1"}),
    "a click": (HERE, {"type": "block_actions", "team": {"id": "T1"}, "user": US}),
    "a click in a modal": (
        HERE,
        {"type": "block_actions", "team": {"id": "T1"}, "user": US, "view": {"team_id": "T1"}},
    ),
    "an event": (HERE, {**ENVELOPE, "authorizations": [{"team_id": "T1", "is_enterprise_install": False}]}),
    "a click in a Grid workspace": (
        GRID,
        {
            "type": "block_actions",
            "team": {"id": "T1", "enterprise_id": "E1"},
            "enterprise": {"id": "E1"},
            "user": US,
        },
    ),
    "a Grid person named by their org": (
        GRID,
        {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "W1", "team_id": "E1"}},
    ),
    "a command with an empty enterprise_id": (HERE, {"command": "/i", "team_id": "T1", "enterprise_id": ""}),
}

NOT_FROM_HERE: dict[str, tuple[Installation, dict[str, Any], Foreign]] = {
    "a command of another workspace": (HERE, {"command": "/i", "team_id": "T2"}, Foreign("workspace", "T2")),
    "a click of another workspace": (
        HERE,
        {"type": "block_actions", "team": {"id": "T2"}, "user": {"id": "U1", "team_id": "T2"}},
        Foreign("workspace", "T2"),
    ),
    "an event for another installation": (
        HERE,
        {**ENVELOPE, "authorizations": [{"team_id": "T2"}]},
        Foreign("workspace", "T2"),
    ),
    "a modal another installation opened": (
        HERE,
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": US,
            "view": {"app_installed_team_id": "T2"},
        },
        Foreign("workspace", "T2"),
    ),
    "a modal opened in another workspace": (
        HERE,
        {"type": "view_submission", "team": {"id": "T1"}, "user": US, "view": {"team_id": "T2"}},
        Foreign("workspace", "T2"),
    ),
    "an org where the install has none": (
        HERE,
        {"type": "block_actions", "team": {"id": "T1"}, "user": US, "enterprise": {"id": "E9"}},
        Foreign("workspace", "E9"),
    ),
    "another org": (
        GRID,
        {"command": "/i", "team_id": "T1", "enterprise_id": "E9"},
        Foreign("workspace", "E9"),
    ),
    "another org, in the team": (
        GRID,
        {"type": "view_submission", "team": {"id": "T1", "enterprise_id": "E9"}, "user": US},
        Foreign("workspace", "E9"),
    ),
    "an org-wide install": (
        GRID,
        {
            **ENVELOPE,
            "authorizations": [{"team_id": "T1", "enterprise_id": "E1", "is_enterprise_install": True}],
        },
        Foreign("workspace", "an org-wide install"),
    ),
    "no workspace named": (HERE, {"type": "block_actions", "team": None, "user": US}, Foreign("nowhere", "")),
    "a partner in a shared channel": (
        HERE,
        {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U9", "team_id": "T9"}},
        Foreign("person", "T9"),
    ),
    "a partner's message event": (
        HERE,
        {**ENVELOPE, "event": {"type": "app_mention", "user": "U9", "user_team": "T9"}},
        Foreign("person", "T9"),
    ),
    "a partner's user_team": (
        HERE,
        {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U9"}, "user_team": "T9"},
        Foreign("person", "T9"),
    ),
}


@pytest.mark.parametrize("name", FROM_HERE)
def test_a_request_of_the_installation_is_its(name: str) -> None:
    installation, body = FROM_HERE[name]
    assert foreign(body, installation) is None


@pytest.mark.parametrize("name", NOT_FROM_HERE)
def test_a_request_naming_another_workspace_anywhere_is_not_its(name: str) -> None:
    installation, body, why = NOT_FROM_HERE[name]
    assert foreign(body, installation) == why


def test_the_workspace_for_the_log_is_never_the_persons_own() -> None:
    assert (
        describe({"type": "block_actions", "team": None, "user": {"id": "U9", "team_id": "T9"}}).team is None
    )


SLACK = ResponseUrls.of_api(DEFAULT_SLACK_API_URL)
GOV = ResponseUrls.of_api("https://slack-gov.com/api/")
FAKE = ResponseUrls.of_api("http://127.0.0.1:5555/api/")  # a test's fake Slack


@pytest.mark.parametrize(
    ("api_url", "prefix"),
    [
        (DEFAULT_SLACK_API_URL, "https://hooks.slack.com/"),
        ("https://SLACK.COM/api/", "https://hooks.slack.com/"),
        ("https://slack.com:443/api/", "https://hooks.slack.com/"),
        ("http://slack.com/api/", "https://hooks.slack.com/"),  # Slack's hooks are https whatever
        ("https://acme.enterprise.slack.com/api/", "https://hooks.slack.com/"),
        ("https://slack-gov.com/api/", "https://hooks.slack-gov.com/"),
        ("http://127.0.0.1:5555/api/", "http://127.0.0.1:5555/"),
        ("HTTP://LocalHost:80/api/", "http://localhost:80/"),
        ("http://[::1]:5555/api/", "http://[::1]:5555/"),
        # Not Slack's, though they look it: the Web API the bot calls is that host, and so are its hooks.
        ("https://slack.com.evil.example/api/", "https://slack.com.evil.example/"),
        ("https://notslack.com/api/", "https://notslack.com/"),
    ],
)
def test_the_hooks_host_follows_the_web_api_the_bot_calls(api_url: str, prefix: str) -> None:
    assert ResponseUrls.of_api(api_url).prefix == prefix


# As Slack writes them: a command's, a click's, a shortcut's or a modal's (response_urls).
SLACKS_HOOKS = [
    "https://hooks.slack.com/commands/T0001/5123456789012/ZxYwVuTs0123456789abcdEF",
    "https://hooks.slack.com/actions/T0001/5123456789012/ZxYwVuTs0123456789abcdEF",
    "https://hooks.slack.com/app/T0001/5123456789012/ZxYwVuTs0123456789abcdEF",
]
CYRILLIC_A = "\u0430"
NOT_SLACKS_HOOKS = {
    "another host": "https://evil.example/commands/T0001/1/x",
    "a lookalike that begins with it": "https://hooks.slack.com.evil.example/commands/T0001/1/x",
    "a lookalike that ends with it": "https://my-hooks.slack.com/commands/T0001/1/x",
    "its name in the path": "https://evil.example/hooks.slack.com/commands/T0001/1/x",
    "its name as the user info": "https://hooks.slack.com@evil.example/commands/T0001/1/x",
    "its name and port as the user info": "https://hooks.slack.com:443@evil.example/",
    "user info on it": "https://someone@hooks.slack.com/commands/T0001/1/x",
    "plain http": "http://hooks.slack.com/commands/T0001/1/x",
    "another scheme": "ftp://hooks.slack.com/commands/T0001/1/x",
    "https's port written out": "https://hooks.slack.com:443/commands/T0001/1/x",
    "another port": "https://hooks.slack.com:8443/commands/T0001/1/x",
    "uppercase host": "https://HOOKS.SLACK.COM/commands/T0001/1/x",
    "uppercase scheme": "HTTPS://hooks.slack.com/commands/T0001/1/x",
    "a Cyrillic a": f"https://hooks.sl{CYRILLIC_A}ck.com/commands/T0001/1/x",
    "that lookalike in punycode": f"https://hooks.{f'sl{CYRILLIC_A}ck'.encode('idna').decode()}.com/x",
    "an ideographic full stop (IDNA reads a dot)": "https://hooks.slack\u3002com/commands/T0001/1/x",
    "a trailing dot": "https://hooks.slack.com./commands/T0001/1/x",
    "a backslash": "https://hooks.slack.com\\@evil.example/",
    "a fragment before any path": "https://hooks.slack.com#@evil.example/",
    "no path": "https://hooks.slack.com",
    "scheme-relative": "//hooks.slack.com/commands/T0001/1/x",
    "a leading space": " https://hooks.slack.com/commands/T0001/1/x",
    "a tab in the host (parsers drop it)": "https://hooks.sla\tck.com/commands/T0001/1/x",
    "a header after a newline": "https://hooks.slack.com/commands/x\r\nHost: evil.example",
    "a space": "https://hooks.slack.com/commands/T0001/1/x y",
    "non-ASCII in the path": "https://hooks.slack.com/commands/T0001/1/\u00e9",
    "GovSlack's hooks": "https://hooks.slack-gov.com/commands/T0001/1/x",
}


@pytest.mark.parametrize("url", SLACKS_HOOKS)
def test_slacks_hooks_are_allowed(url: str) -> None:
    assert SLACK.allows(url)
    assert GOV.allows(url.replace("hooks.slack.com", "hooks.slack-gov.com"))


@pytest.mark.parametrize("name", NOT_SLACKS_HOOKS)
def test_anything_else_is_not(name: str) -> None:
    assert not SLACK.allows(NOT_SLACKS_HOOKS[name])


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/commands/T0001/1/x",  # commercial Slack's, for a GovSlack bot
        "https://hooks.slack-gov.com.evil.example/commands/T0001/1/x",
        "https://hooks.slack-gov.com@evil.example/",
        "http://hooks.slack-gov.com/commands/T0001/1/x",
    ],
)
def test_a_govslack_bot_takes_only_govslacks_hooks(url: str) -> None:
    assert not GOV.allows(url)


def test_with_a_fake_slack_its_own_origin_and_nothing_else() -> None:
    assert FAKE.allows("http://127.0.0.1:5555/api/response.url")
    for url in (
        "http://127.0.0.1:5556/api/response.url",  # another port of the same machine
        "http://127.0.0.1:55551/api/response.url",  # one that begins with the fake's
        "http://127.0.0.1/api/response.url",
        "http://localhost:5555/api/response.url",
        "https://127.0.0.1:5555/api/response.url",
        "http://127.0.0.1:5555@127.0.0.1:6666/api/response.url",
        "https://hooks.slack.com/commands/T0001/1/x",  # the bot talks to the fake, not to Slack
    ):
        assert not FAKE.allows(url), url


def test_every_response_url_of_a_request_is_checked() -> None:
    hook, elsewhere = SLACKS_HOOKS[0], "http://10.0.0.5:8080/admin"
    item = {"block_id": "b", "action_id": "a", "channel_id": "C1"}
    assert SLACK.problem({"command": "/interview", "response_url": hook}) is None
    assert (
        SLACK.problem({"type": "view_submission", "response_urls": [{**item, "response_url": hook}]}) is None
    )
    assert SLACK.problem({"command": "/interview", "response_url": elsewhere}) == (
        "a response_url outside https://hooks.slack.com/"
    )
    # Bolt answers to the first of response_urls; a listener could read any of them.
    urls = [{**item, "response_url": hook}, {**item, "response_url": elsewhere}]
    assert SLACK.problem({"type": "view_submission", "response_urls": urls}) is not None
    assert SLACK.problem({"type": "view_submission", "response_urls": urls[::-1]}) is not None
    # None to post to is no way to post elsewhere.
    for body in (
        {"type": "block_actions"},
        {"response_url": None},
        {"response_url": ""},
        {"response_urls": []},
    ):
        assert SLACK.problem(body) is None, body
