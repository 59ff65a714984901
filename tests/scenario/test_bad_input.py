"""Bad input never gives a 5xx, never loses what was typed, and never lets typed text ping anyone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.capture.interviews import FIELD_MAX
from handlers.views.log_modal import TEXT_FIELDS, LogField
from storage.models import Interview
from tests.conftest import RunningBot, interview_count
from tests.support.after_ack import after_ack_done
from tests.support.clock import today
from tests.support.forms import log_form, open_log_modal

HOSTILE = ["<!channel>", "<!here>", "<@U123>", "<https://x|y>", "&lt;"]
HOSTILE_TEXT = " ".join(HOSTILE)


def shown(call: Any) -> str:
    """A message's blocks as the text Slack received (no Python escapes of invisible characters)."""
    return json.dumps(call.args["blocks"], ensure_ascii=False)


def assert_accepted_by_slack(bot: RunningBot, method: str = "chat.postMessage", count: int = 1) -> list:
    calls = bot.fake.wait_for(method, count=count)
    for call in calls:
        assert isinstance(call.response, dict) and call.response.get("ok"), call.response
    return calls


def assert_no_live_mention(bot: RunningBot) -> None:
    """Nothing that went out to Slack carries a typed mention or link in its raw form."""
    sent = bot.fake.all_text(include_rejected=True)
    for raw in HOSTILE[:4]:
        assert raw not in sent, f"{raw} went out unescaped"


def test_mentions_and_links_in_every_text_field_are_shown_as_typed(bot: RunningBot) -> None:
    view = open_log_modal(bot, "log")
    texts = {
        f.value: HOSTILE_TEXT for f in TEXT_FIELDS if f not in (LogField.RECORDING_URL, LogField.PROMISES)
    }
    texts["promises"] = f"Call back {HOSTILE_TEXT} by {today(3)}"
    values = log_form(account="Acme", held_on=today(), share_channel="C0TEAM", **texts)
    response = bot.slack.view_submission(view, values)
    assert response.status == 200 and not response.body, response.body

    assert_accepted_by_slack(bot, count=2)  # the DM and the channel post
    assert_no_live_mention(bot)
    # Shown, escaped, exactly as typed: the reader sees "<!channel>" and "&lt;" as text.
    dm = bot.fake.calls("chat.postMessage")[0]
    assert "&lt;!channel&gt;" in shown(dm)
    assert "&amp;lt;" in shown(dm)
    with bot.db.transaction() as session:
        stored = session.scalars(select(Interview)).one()
        assert stored.goal == HOSTILE_TEXT
        assert [p.text for p in stored.pains] == [HOSTILE_TEXT]


def test_hostile_account_name_and_subcommand_ping_nobody(bot: RunningBot) -> None:
    response = bot.slack.command("nonsense <!channel> <@U123>")
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "<!channel>" not in str(body) and "<@U123>" not in str(body)

    view = open_log_modal(bot, "log")
    values = log_form(account="<!here> Acme <@U123>", held_on=today(), pains="Slow exports")
    assert bot.slack.view_submission(view, values).accepted
    assert_accepted_by_slack(bot)
    assert_no_live_mention(bot)


def test_every_field_at_its_maximum_length_is_stored_and_fits_slack(bot: RunningBot) -> None:
    view = open_log_modal(bot, "log")
    texts = {}
    for field in TEXT_FIELDS:
        limit = FIELD_MAX[field.value]
        if field == LogField.RECORDING_URL:
            base = "https://example.com/?q="
            texts[field.value] = base + ("a&b=<|>" * limit)[: limit - len(base)]
        elif field == LogField.PROMISES:
            line = f"Send the deck & notes by {today(2)}\n"
            texts[field.value] = (line * (limit // len(line)))[:limit].rsplit("\n", 1)[0]
        else:
            # `&` is the worst case: escaping makes it five characters long.
            texts[field.value] = ("& <b> " * limit)[:limit]
    values = log_form(
        account="A" * FIELD_MAX["account"],
        held_on=today(),
        share_channel="C0TEAM",
        participants=[f"U{n:08d}" for n in range(20)],
        **texts,
    )
    response = bot.slack.view_submission(view, values)
    assert response.status == 200 and not response.body, response.body
    calls = assert_accepted_by_slack(bot, count=2)
    assert all(len(c.args["blocks"]) <= 50 for c in calls)
    with bot.db.transaction() as session:
        stored = session.scalars(select(Interview)).one()
        assert stored.notes == texts["notes"].strip()
        assert len(stored.recording_url or "") == FIELD_MAX["recording_url"]


def test_emoji_and_right_to_left_text_are_kept_as_typed(bot: RunningBot) -> None:
    view = open_log_modal(bot, "log")
    pains = "التقارير الشهرية تأخذ يومين 📊\nהדוחות איטיים מדי 🐢\n👩🏽‍💻 onboarding is slow 🇫🇷"
    values = log_form(
        account="Société Générale 🏦", held_on=today(), pains=pains, quotes="«C'est trop lent» 😩"
    )
    assert bot.slack.view_submission(view, values).accepted
    dm = assert_accepted_by_slack(bot)[0]
    for line in pains.splitlines():
        assert line in shown(dm)
    with bot.db.transaction() as session:
        stored = session.scalars(select(Interview)).one()
        assert [p.text for p in stored.pains] == pains.splitlines()
        assert stored.account.name == "Société Générale 🏦"


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"recording_url": "htp:/not a link"}, "recording_url", "web link"),
        ({"recording_url": "javascript:alert(1)"}, "recording_url", "web link"),
        ({"held_on": "future"}, "held_on", "future"),
        ({"account": None}, "account", "account"),
        ({"account": "🚀🚀"}, "account", "letter or digit"),
        ({"kind": None}, "kind", "kind"),
        ({"kind": "made_up_kind"}, "kind", "kind"),
        ({"held_on": None}, "held_on", "date"),
        ({"pains": None}, "pains", "pain"),
        ({"promises": "Send the contract by 2026-13-45"}, "promises", "not a real date"),
    ],
)
def test_bad_fields_come_back_as_field_errors(
    bot: RunningBot, overrides: dict, field: str, words: str
) -> None:
    view = open_log_modal(bot, "log")
    kwargs = {"held_on": today(), "pains": "Slow exports", **overrides}
    if kwargs["held_on"] == "future":
        kwargs["held_on"] = today(365 * 20)
    response = bot.slack.view_submission(view, log_form(**kwargs))
    assert response.status == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert field in body["errors"], body
    assert words in body["errors"][field].lower()
    after_ack_done(bot.deps)  # what the bot does after its answer is done too: still no DM
    assert interview_count(bot.db) == 0
    assert bot.fake.calls("chat.postMessage", include_rejected=True) == []


def test_an_empty_submission_names_every_required_field(bot: RunningBot) -> None:
    view = open_log_modal(bot, "log")
    response = bot.slack.view_submission(view, log_form(account=None, kind=None, held_on=None))
    errors = response.json()["errors"]
    assert set(errors) >= {"account", "kind", "held_on", "pains"}
    assert interview_count(bot.db) == 0


def test_a_raw_payload_with_missing_state_is_an_error_message_not_a_crash(bot: RunningBot) -> None:
    view = open_log_modal(bot, "log")
    response = bot.slack.view_submission(view, {"garbage": {"x": {"type": "unknown"}}})
    assert response.status == 200
    assert response.json()["response_action"] == "errors"


def test_unknown_subcommand_and_no_subcommand_answer_with_ephemeral_help(bot: RunningBot) -> None:
    for text in ("", "frobnicate", "help"):
        response = bot.slack.command(text)
        assert response.status == 200
        body = response.json()
        assert body["response_type"] == "ephemeral"
        assert "/interview log" in str(body["blocks"])
    assert "frobnicate" in str(bot.slack.command("frobnicate").json()["blocks"])


def test_bad_or_stale_signatures_get_401(bot: RunningBot) -> None:
    body = bot.slack.command_body("log Acme")
    assert bot.slack.post(body, signature="v0=" + "0" * 64).status == 401
    stale = int(datetime.now(UTC).timestamp()) - 60 * 10
    assert bot.slack.post(body, timestamp=stale).status == 401
    assert bot.fake.calls("views.open") == []
