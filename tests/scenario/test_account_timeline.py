"""`/interview list ACCOUNT`: one account's timeline, whatever its spelling: its interviews newest first,
the themes it raised and who else raised them, what is still owed to it, who talked to it and when."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from handlers.views.interview import InterviewAction
from tests.conftest import RunningBot
from tests.support.after_ack import after_ack_done
from tests.support.clock import today
from tests.support.forms import submit_log_modal

SCHEDULE = UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7))
REPORTS = ["Reports take forever to build", "Building the monthly report eats my whole Friday"]


def texts(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_an_account_timeline_across_spellings_people_and_accounts(
    bot: RunningBot, elsewhere: RunningBot, semantic: Embedder
) -> None:
    bot.fake.add_users("U0002")
    submit_log_modal(bot, "Acme", held_on=today(-20), pains=REPORTS[0], thank_you_sent=True)
    submit_log_modal(
        bot,
        "ACME Inc.",
        user_id="U0002",
        held_on=today(-3),
        pains="Exports to CSV time out",
        promises="Send the pricing sheet",
        thank_you_sent=True,
    )
    submit_log_modal(bot, "Globex", pains=REPORTS[1], thank_you_sent=True)  # the same pain, another account
    submit_log_modal(elsewhere, "Acme", pains="Another workspace's secret")
    after_ack_done(bot.deps)
    after_ack_done(elsewhere.deps)
    UpkeepJob(db=bot.db, embedder=semantic, replica="test", schedule=SCHEDULE).tick()

    body = bot.slack.command("list acme").json()
    assert body["response_type"] == "ephemeral"
    shown = texts(body["blocks"])
    assert "2 interviews" in shown and "<@U0001> (1×" in shown and "<@U0002> (1×" in shown
    # Newest first: the call three days ago before the one twenty days ago.
    listed = [b["text"]["text"] for b in body["blocks"] if b.get("accessory")]
    assert len(listed) == 2 and "Exports to CSV time out" in listed[0] and REPORTS[0] in listed[1]
    assert "1 other account raised it too" in shown  # the reports theme, Globex too
    assert "Send the pricing sheet" in shown and "<!date^" in shown
    assert "Another workspace's secret" not in shown
    assert "Globex" not in shown
    buttons = [b["accessory"] for b in body["blocks"] if (b.get("accessory") or {}).get("action_id")]
    assert [b["action_id"] for b in buttons] == [InterviewAction.OPEN] * 2

    # Open shows the interview itself.
    bot.slack.block_action(InterviewAction.OPEN, block_id="timeline", value=buttons[0]["value"])
    opened = bot.fake.wait_for("views.open")[-1]
    assert "Exports to CSV time out" in texts(opened.args["view"]["blocks"])

    # The other workspace's Acme is its own.
    theirs = texts(elsewhere.slack.command("list Acme").json()["blocks"])
    assert "Another workspace's secret" in theirs and "Exports" not in theirs


def test_an_unknown_account_is_said_with_the_names_it_may_have_meant(bot: RunningBot) -> None:
    submit_log_modal(bot, "Acme Corporation")
    body = bot.slack.command("list Acm").json()
    assert body["response_type"] == "ephemeral"
    assert "I don't know an account called Acm" in body["text"] and "*Acme Corporation*" in body["text"]
    none = bot.slack.command("list <!channel>").json()["text"]
    assert "<!channel>" not in none  # shown as typed, pinging nobody
