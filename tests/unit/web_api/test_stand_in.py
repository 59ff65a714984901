"""The stand-in for Slack of `run --dry-slack`, driven through a real slack_sdk WebClient: it answers what
the bot asks at start and what it looks up, and logs one line for each call that would change Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from handlers.web_api.stand_in import TEAM_ID, StandInSlack
from tests.support.logs import captured_log


@pytest.fixture
def slack() -> Iterator[WebClient]:
    with StandInSlack() as stand_in:
        yield WebClient(token="xoxb-dry-slack", base_url=stand_in.url)


def said(log: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in log.splitlines() if "handlers.web_api.stand_in" in line]


def test_what_the_bot_asks_at_start_and_looks_up_is_answered_and_not_logged(slack: WebClient) -> None:
    with captured_log() as log:
        assert slack.auth_test()["team_id"] == TEAM_ID
        assert slack.users_list(limit=200)["members"] == []
        person = slack.users_info(user="U123")["user"]
        assert (person["id"], person["tz"], person["is_admin"]) == ("U123", "UTC", True)
        assert slack.conversations_open(users="U123")["channel"]["id"] == "D123"
        assert slack.conversations_history(channel="C1")["messages"] == []
    assert said(log.getvalue()) == []


def test_each_call_that_would_change_slack_is_one_line(slack: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Log an interview"}, "blocks": []}
    with captured_log() as log:
        posted = slack.chat_postMessage(channel="C123", text="Saved your interview\nwith Acme.")
        slack.chat_update(channel="C123", ts=posted["ts"], text="Edited")
        opened = slack.views_open(trigger_id="1.2.3", view=modal)
        slack.views_update(
            view_id=opened["view"]["id"], view={**modal, "title": {**modal["title"], "text": "Saved"}}
        )
        slack.views_publish(user_id="U123", view={"type": "home", "blocks": [{"type": "divider"}]})
        slack.files_upload_v2(channel="C123", content=b"png", filename="digest.png", title="Top pains")
        slack.api_call("reactions.add", json={"channel": "C123", "name": "eyes"})
        root = slack.base_url.removesuffix("api/")
        assert WebhookClient(f"{root}response/1").send(text="3 interviews found").status_code == 200
    assert said(log.getvalue()) == [
        "would post to C123: Saved your interview\\nwith Acme.",
        f"would update the message {posted['ts']} in C123: Edited",
        'would open the modal "Log an interview"',
        'would redraw the modal as "Saved"',
        "would publish the App Home of U123: (1 block)",
        "would upload Top pains to C123",
        "would call reactions.add",
        "would answer in the conversation: 3 interviews found",
    ]
