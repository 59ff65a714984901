"""`/interview log` end to end: signed requests to the real endpoint, the fake Slack records the rest."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from handlers.views.log_modal import LogField, LogModal
from storage.models import Account, FollowUp, FollowUpKind, Interview, Pain
from tests.conftest import RunningBot, interview_count
from tests.support.after_ack import after_ack_done
from tests.support.clock import today
from tests.support.forms import log_form, open_log_modal, submit_log_modal
from tests.support.slack_requests import USER_ID


def test_log_command_opens_the_modal_before_answering(bot: RunningBot) -> None:
    view = open_log_modal(bot)
    assert view["callback_id"] == LogModal.CALLBACK_ID
    account = next(b for b in view["blocks"] if b.get("block_id") == LogField.ACCOUNT)
    assert account["element"]["initial_option"]["value"] == "Acme"
    held_on = next(b for b in view["blocks"] if b.get("block_id") == LogField.HELD_ON)
    assert held_on["element"]["initial_date"] == today()


def test_submitting_stores_the_interview_and_sends_the_dm(bot: RunningBot) -> None:
    view = open_log_modal(bot)
    values = log_form(
        held_on=today(),
        pains="Month-end reports take two days\nNo audit trail for approvals",
        requests="An Excel export",
        quotes="I spend every Friday on this",
        contact_name="Dana",
        contact_role="Head of Finance",
        promises=f"Send the pricing sheet by {today(7)}",
    )
    response = bot.slack.view_submission(view, values)
    assert response.status == 200
    assert response.body in (b"", b"{}") or response.json() is None

    dm = bot.fake.wait_for("chat.postMessage")[0]
    assert dm.args["channel"] == USER_ID
    shown = str(dm.args["blocks"])
    assert "Month-end reports take two days" in shown
    assert "Dana" in shown

    with bot.db.transaction() as session:
        interview = session.scalars(select(Interview)).one()
        assert interview.account.name == "Acme"
        assert [p.text for p in interview.pains] == [
            "Month-end reports take two days",
            "No audit trail for approvals",
        ]
        kinds = sorted(f.kind for f in session.scalars(select(FollowUp)))
        assert kinds == sorted([FollowUpKind.THANK_YOU, FollowUpKind.SUMMARY, FollowUpKind.PROMISE])
        thank_you = session.scalars(select(FollowUp).where(FollowUp.kind == FollowUpKind.THANK_YOU)).one()
        assert abs(thank_you.due_at - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)


def test_ten_submissions_at_once_store_ten_interviews(bot: RunningBot) -> None:
    view = open_log_modal(bot)
    names = [f"Customer {i}" for i in range(10)]

    def submit(i: int) -> bool:
        values = log_form(account=names[i], held_on=today(), pains=f"Pain number {i}")
        return bot.slack.view_submission({**view, "id": f"VSUB{i:04d}"}, values).accepted

    with ThreadPoolExecutor(max_workers=10) as pool:
        taken = list(pool.map(submit, range(10)))
    assert taken == [True] * 10
    bot.fake.wait_for("chat.postMessage", count=10)
    with bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Interview)) == 10
        assert session.scalar(select(func.count()).select_from(Account)) == 10
        assert session.scalar(select(func.count()).select_from(Pain)) == 10


def test_the_same_view_submitted_twice_is_stored_once(bot: RunningBot) -> None:
    view = {**open_log_modal(bot), "id": "VTWICE"}
    values = log_form(held_on=today(), pains="Slow onboarding")
    assert bot.slack.view_submission(view, values).accepted
    assert bot.slack.view_submission(view, values).accepted
    bot.fake.wait_for("chat.postMessage")
    after_ack_done(bot.deps)  # a second DM would have gone out by now
    assert interview_count(bot.db) == 1
    assert len(bot.fake.calls("chat.postMessage", include_rejected=True)) == 1


@pytest.mark.parametrize("bot_env", [{"FOLLOWUP_THANK_YOU_AFTER": "2h", "FOLLOWUP_SUMMARY_AFTER": "3h"}])
@time_machine.travel(datetime(2026, 11, 23, 20, 0, tzinfo=UTC), tick=True)
def test_a_user_far_from_utc_logs_in_their_own_day_and_hours(bot: RunningBot) -> None:
    # 20:00 UTC on Monday the 23rd is 05:00 on Tuesday the 24th in Tokyo.
    bot.fake.set_user(USER_ID, tz="Asia/Tokyo")
    open_log_modal(bot)
    bot.fake.wait_for("views.update")  # the zone is learned after the first open
    assert bot.slack.command("log Acme").status == 200
    view = bot.fake.calls("views.open")[-1].args["view"]
    held_on = next(b for b in view["blocks"] if b.get("block_id") == LogField.HELD_ON)
    assert held_on["element"]["initial_date"] == "2026-11-24"

    response = bot.slack.view_submission(view, log_form(held_on="2026-11-24", pains="Slow exports"))
    assert response.status == 200 and not response.body, response.body
    dm = bot.fake.wait_for("chat.postMessage")[0]
    shown = json.dumps(dm.args["blocks"], ensure_ascii=False)
    # Due in 2 h and 3 h (07:00 and 08:00 in Tokyo): the reminders wait for working hours, 09:00 there.
    assert shown.count("Tue 24 Nov, 09:00") == 2
    with bot.db.transaction() as session:
        due = {f.kind: f.due_at for f in session.scalars(select(FollowUp))}
    assert (
        timedelta(hours=2)
        <= due[FollowUpKind.THANK_YOU] - datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
        < timedelta(hours=2, minutes=1)
    )
    assert (
        timedelta(hours=3)
        <= due[FollowUpKind.SUMMARY] - datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
        < timedelta(hours=3, minutes=1)
    )


def suggest(bot: RunningBot, typed: str) -> list[dict]:
    response = bot.slack.block_suggestion(
        {"id": "V1", "callback_id": LogModal.CALLBACK_ID, "type": "modal"},
        block_id=LogField.ACCOUNT,
        action_id=LogModal.ACCOUNT_SEARCH,
        value=typed,
    )
    assert response.status == 200
    return response.json()["options"]


def test_account_search_offers_known_accounts_and_a_new_one(bot: RunningBot) -> None:
    submit_log_modal(bot, "ACME Inc.")
    submit_log_modal(bot, "Acorn Labs")
    bot.fake.wait_for("chat.postMessage", count=2)

    options = suggest(bot, "ac")
    assert [o["value"] for o in options] == ["ac", "ACME Inc.", "Acorn Labs"]
    assert options[0]["text"]["text"].startswith("➕ New account")

    # "acme" is ACME Inc.: no second account is offered.
    assert [o["value"] for o in suggest(bot, "acme")] == ["ACME Inc."]
    assert [o["value"] for o in suggest(bot, "Globex")] == ["Globex"]


def test_account_search_never_shows_another_workspace(bot: RunningBot, elsewhere: RunningBot) -> None:
    submit_log_modal(bot, "Initech")
    bot.fake.wait_for("chat.postMessage")
    response = elsewhere.slack.block_suggestion(
        {"id": "V1", "callback_id": LogModal.CALLBACK_ID, "type": "modal"},
        block_id=LogField.ACCOUNT,
        action_id=LogModal.ACCOUNT_SEARCH,
        value="Init",
    )
    assert [o["value"] for o in response.json()["options"]] == ["Init"]


def test_share_to_a_private_channel_without_the_bot_tells_the_user_how_to_fix_it(bot: RunningBot) -> None:
    bot.fake.answer("chat.postMessage", {"ok": True, "channel": "D1", "ts": "1.1"})  # the DM
    bot.fake.fail("chat.postMessage", "not_in_channel")  # the channel post
    submit_log_modal(bot, "Acme", share_channel="G0PRIVATE")
    calls = bot.fake.wait_for("chat.postMessage", count=3, include_rejected=True)
    assert calls[1].args["channel"] == "G0PRIVATE"
    told = calls[2]
    assert told.args["channel"] == USER_ID
    assert "/invite" in told.args["text"] and "saved" in told.args["text"]


@time_machine.travel(datetime(2026, 11, 23, 12, 0, tzinfo=UTC), tick=True)
def test_timezone_is_learned_once_and_the_date_follows_it(bot: RunningBot) -> None:
    # At noon UTC on the 23rd it is already 02:00 on the 24th in Kiritimati (UTC+14).
    bot.fake.set_user(USER_ID, tz="Pacific/Kiritimati")
    assert bot.slack.command("log").status == 200
    first = bot.fake.calls("views.open")[0].args["view"]
    assert held_on_default(first) == "2026-11-23"  # zone not known yet: UTC's date, at once
    update = bot.fake.wait_for("views.update")[0]
    assert held_on_default(update.args["view"]) == "2026-11-24"  # corrected in place once it is known

    assert bot.slack.command("log").status == 200
    assert held_on_default(bot.fake.calls("views.open")[-1].args["view"]) == "2026-11-24"
    after_ack_done(bot.deps)  # a second lookup would be made after the ack
    assert len(bot.fake.calls("users.info", include_rejected=True)) == 1


def held_on_default(view: dict) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == LogField.HELD_ON)
    return block["element"]["initial_date"]
