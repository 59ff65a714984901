"""A study where the loop meets it, through signed requests and the fake Slack: the prep DM of a call
scheduled by someone running a study lists the study's points and flags the thin ones (a guest gets the
questions without the counts); the summary owed for a call logged into a study is drafted around its
goal and the points the call touched, in the reminder DM (and again when the DM is redrawn) and in the
summary modal; the weekly digest's thread carries each open study's progress, its channel message not."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.digest.subscriptions import DEFAULT_TIME, Schedule, subscribe
from bot.studies.answers import PointReply, set_study
from bot.studies.store import StudyForm, create_study
from handlers.senders.digest import DigestPoster
from handlers.senders.reminders import ReminderSender
from handlers.views.reminders import ReminderAction
from handlers.views.summary import SummaryModal
from storage.models import Answer, FollowUp, FollowUpKind, Interview
from tests.conftest import RunningBot
from tests.scenario.test_digest import texts
from tests.scenario.test_reminders import click, reminders
from tests.scenario.test_schedule import schedule, sent_to
from tests.support.clock import NEW_YORK_TUESDAY_10AM
from tests.support.digest_data import NOW as DIGEST_NOW
from tests.support.digest_data import log
from tests.support.forms import study_form, submit_log_modal
from tests.support.slack_requests import TEAM_ID, USER_ID

S, C, M = Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED
FORM = StudyForm(
    name="CRM <sync>",
    goal="Is two-way CRM sync worth building this quarter?",
    points="Teams re-key deals by hand\nThey would pay for two-way sync\nAdmins can set it up alone",
    target_interviews=8,
    ends_on=date(2026, 12, 18),
)
CHANNEL = "C0DIGEST"


@pytest.fixture
def backend() -> str:
    """SQLite only: these tests are about Slack; a study's reads are tested on both databases in
    tests/storage/studies/."""
    return "sqlite"


def new_study(bot: RunningBot, now: datetime) -> tuple[int, list[int]]:
    def make(session: Any) -> tuple[int, list[int]]:
        study = create_study(session=session, team_id=TEAM_ID, by=USER_ID, form=FORM, now=now)
        return study.id, [p.id for p in study.points]

    return bot.db.run(make)


def into(
    bot: RunningBot, study_id: int, interview_id: int, *replies: tuple[int, Answer, str | None], now: datetime
) -> None:
    bot.db.run(
        lambda session: set_study(
            session=session,
            team_id=TEAM_ID,
            interview_id=interview_id,
            study_id=study_id,
            replies=[PointReply(p, a, e) for p, a, e in replies],
            by=USER_ID,
            now=now,
        )
    )


def logged(bot: RunningBot, account: str, held_on: date, now: datetime) -> int:
    log(bot.db, account, held_on, pains=[f"{account} re-keys deals"], now=now)
    with bot.db.read() as session:
        return session.scalars(select(Interview.id).order_by(Interview.id.desc())).first() or 0


def test_the_prep_dm_of_a_call_in_a_study_lists_its_points_and_flags_the_thin_one(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    now = NEW_YORK_TUESDAY_10AM
    study_id, (p1, p2, _) = new_study(bot, now)
    # Point 1: three accounts have spoken to it; point 2: one; point 3: none.
    for account, day in (("Acme", 16), ("Globex", 17), ("Initech", 18)):
        replies = [(p1, S, f"{account} re-keys every deal")]
        if account == "Globex":
            replies.append((p2, M, "maybe <if cheap>"))
        into(bot, study_id, logged(bot, account, date(2026, 11, day), now), *replies, now=now)
    starts = now + timedelta(hours=3)
    assert schedule(bot, starts=starts, study=study_form(study_id)).status == 200  # in the study; with U0002
    bot.fake.set_user("U0002", is_restricted=True)  # a guest on the call
    clock.move_to(starts - timedelta(minutes=29))
    assert sender.tick().sent == 2
    member = json.dumps(sent_to(bot, USER_ID)[-1].args["blocks"], ensure_ascii=False)
    guest = json.dumps(sent_to(bot, "U0002")[-1].args["blocks"], ensure_ascii=False)
    for prep in (member, guest):
        assert "This call is part of the study “CRM &lt;sync&gt;”" in prep
        assert "*Study goal:* Is two-way CRM sync worth building this quarter?" in prep
        assert "☐ *1.* Teams re-key deals by hand\\n☐ *2.* They would pay for two-way sync" in prep
        assert "☐ *3.* Admins can set it up alone" in prep
    assert "only 1 account has spoken to point 2" in member
    assert "no account has spoken to point 3 yet" in member
    assert "point 1" not in member  # three accounts: not thin
    assert "Acme re-keys deals" in member  # the account's history, besides the guide
    assert "spoken" not in guest and "Acme re-keys deals" not in guest


def test_the_summary_owed_for_a_call_in_a_study_is_drafted_around_it_in_the_dm_and_the_modal(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme")  # a thank-you owed in 24 hours, a summary in 48
    bot.fake.wait_for("chat.postMessage")
    with bot.db.read() as session:
        interview_id = session.scalars(select(Interview.id)).one()
    study_id, (p1, _, p3) = new_study(bot, datetime.now(UTC))
    into(bot, study_id, interview_id, (p1, S, "we <re-key> every deal"), (p3, C, None), now=datetime.now(UTC))
    clock.shift(timedelta(hours=49))
    assert sender.tick().sent == 1
    (dm,) = reminders(bot)
    shown = json.dumps(dm.args["blocks"], ensure_ascii=False)
    assert "A draft around the study “CRM &lt;sync&gt;”" in shown
    assert "Goal: Is two-way CRM sync worth building this quarter?" in shown
    assert "P1 Teams re-key deals by hand (supports): “we &lt;re-key&gt; every deal”" in shown
    assert "P3 Admins can set it up alone (contradicts)" in shown
    assert "Not discussed: P2 They would pay for two-way sync" in shown

    with bot.db.read() as session:
        owed = {f.kind: f.id for f in session.scalars(select(FollowUp))}
    opened = len(bot.fake.calls("views.open"))  # the log modal's
    click(bot, dm, ReminderAction.WRITE_SUMMARY, value=str(owed[FollowUpKind.SUMMARY]))
    view = bot.fake.wait_for("views.open", count=opened + 1)[-1].args["view"]
    block = next(b for b in view["blocks"] if b.get("block_id") == SummaryModal.SUMMARY_BLOCK)
    draft = block["element"]["initial_value"]
    assert draft.startswith(
        "Goal: Is two-way CRM sync worth building this quarter?\nPoints this call touched:"
    )
    assert "P1 Teams re-key deals by hand (supports): “we <re-key> every deal”" in draft  # plain text

    # Snoozing the thank-you redraws the DM: the draft stays.
    click(bot, dm, ReminderAction.SNOOZE, option=f"1h:{owed[FollowUpKind.THANK_YOU]}")
    (update,) = bot.fake.wait_for("chat.update")
    assert "A draft around the study" in json.dumps(update.args["blocks"], ensure_ascii=False)


def test_the_digest_thread_carries_each_open_studys_progress_and_the_channel_message_does_not(
    bot: RunningBot,
) -> None:
    now = DIGEST_NOW  # Monday 23 November 09:00: the digest covers 16 – 22 November
    study_id, (p1, p2, _) = new_study(bot, now - timedelta(days=30))
    # Before the week: Acme supports point 1. In it: Globex supports it and Acme now contradicts it;
    # Initech is mixed on point 2. Point 3: nobody.
    into(bot, study_id, logged(bot, "Acme", date(2026, 11, 9), now), (p1, S, None), now=now)
    into(bot, study_id, logged(bot, "Globex", date(2026, 11, 17), now), (p1, S, None), now=now)
    into(
        bot, study_id, logged(bot, "Acme", date(2026, 11, 18), now), (p1, C, "they <!channel> moved"), now=now
    )
    into(bot, study_id, logged(bot, "Initech", date(2026, 11, 19), now), (p2, M, None), now=now)
    bot.fake.add_users(USER_ID)
    bot.fake.set_channel(CHANNEL, name="customer-voice")
    bot.db.run(
        lambda s: subscribe(
            session=s,
            team_id=TEAM_ID,
            channel_id=CHANNEL,
            schedule=Schedule(0, DEFAULT_TIME, "UTC"),
            by=USER_ID,
            now=now - timedelta(days=7),
        )
    )
    poster = DigestPoster(db=bot.db, client=bot.deps.client, replica="poster-1")
    with time_machine.travel(now, tick=False):
        assert poster.tick(now=now) == 1
    top, *replies = bot.fake.calls("chat.postMessage")
    channel = "\n".join(texts(top.args["blocks"]))
    assert "CRM" not in channel and "open studies" in channel  # only the footer says where they are
    (studies,) = [r for r in replies if "*Open studies*" in texts(r.args["blocks"])]
    assert studies.args["thread_ts"] == top.response["ts"]
    thread = "\n".join(texts(studies.args["blocks"]))
    assert "*CRM &lt;sync&gt;*: 3 interviews this week, 4 of 8 in all, 25 days left" in thread
    assert "_Moved this week:_\n• 1. Teams re-key deals by hand: contradicted by 0 → 1; now" in thread
    assert "• 2. They would pay for two-way sync: mixed for 0 → 1;" in thread
    assert "_Still without evidence:_ 3. Admins can set it up alone" in thread
    assert (
        "_Thin (fewer than 3 accounts):_ 1. Teams re-key deals by hand (2 accounts so far); "
        "2. They would pay for two-way sync (1 account so far)" in thread
    )
    assert "<!channel>" not in json.dumps([r.args for r in replies])
