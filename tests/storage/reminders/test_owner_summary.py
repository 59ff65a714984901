"""An account owner's daily summary, on SQLite and PostgreSQL: the calls others logged with their accounts
on a day make one DM, queued once their working hours have started the next day (a weekend waits for
Monday, and Monday's covers it); a call the owner was on, or an account with no owner, tells nobody; the
day's row is the claim, so ticks and replicas racing queue it once, and each of its two guards (the check
that the row exists, the primary key) holds alone."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, event, insert, select

from bot.accounts.attributes import change_account
from bot.accounts.names import get_or_create_account
from bot.capture.interviews import InterviewDraft, log_interview
from bot.config import WorkingHours
from bot.followups.actions import pause
from bot.reminders import owner_summary
from bot.reminders.owner_summary import (
    DueSummary,
    due_summaries,
    queue_due_summaries,
    queue_summaries,
    recent_calls,
)
from handlers.views.owner_summary import owner_summary as draw
from storage.db import Database
from storage.models import (
    Account,
    Interview,
    InterviewKind,
    OutboxKind,
    OutboxMessage,
    OwnerSummary,
    Participant,
)
from tests.storage.studies.test_close_once import waiting_for_a_lock

TEAM, OWNER, LOGGER, OTHER = "T1", "U0OWNER", "U0LOGGER", "U0OTHER"
NEW_YORK = ZoneInfo("America/New_York")
HOURS = WorkingHours(time(9), time(18))
TUESDAY = date(2026, 11, 24)
TUESDAY_10AM = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # in New York, where the owner is
WEDNESDAY_9AM = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def own(db: Database, *names: str, owner: str | None = OWNER) -> None:
    def work(session: Any) -> None:
        for name in names:
            account = get_or_create_account(session=session, team_id=TEAM, name=name)
            change_account(session=session, account=account, values={"owner_id": owner})

    db.run(work)


def log(
    db: Database,
    account: str,
    *,
    by: str = LOGGER,
    at: datetime = TUESDAY_10AM,
    held_on: date | None = None,
    participants: tuple[str, ...] = (),
    pains: str = "Reports are slow",
    contact_name: str | None = None,
) -> int:
    draft = InterviewDraft(
        account=account,
        kind="discovery",
        held_on=held_on or at.astimezone(NEW_YORK).date(),
        participants=list(participants),
        pains=pains,
        contact_name=contact_name,
    )
    with db.transaction() as session:
        return log_interview(
            session=session,
            team_id=TEAM,
            user_id=by,
            draft=draft,
            now=at,
            tz=NEW_YORK,
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        ).interview.id


def tick(db: Database, now: datetime, **kwargs: Any) -> list[int]:
    return queue_due_summaries(
        db=db, team_id=TEAM, now=now, hours=HOURS, zone_of=lambda _: NEW_YORK, draw=draw, **kwargs
    )


def summaries(db: Database) -> list[tuple[str, date, int]]:
    with db.read() as session:
        rows = session.scalars(select(OwnerSummary).order_by(OwnerSummary.owner_id, OwnerSummary.day))
        return [(r.owner_id, r.day, r.calls) for r in rows]


def dms(db: Database) -> list[OutboxMessage]:
    with db.read() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_three_calls_with_an_owners_accounts_make_one_dm_once_their_hours_start(database: Database) -> None:
    own(database, "Acme", "Globex", "Initech")
    log(database, "Acme", pains="Month-end takes <!channel> two days\nNo audit trail", contact_name="Dana")
    log(database, "Globex", at=TUESDAY_10AM + timedelta(hours=3))
    log(database, "Initech", by=OTHER, at=TUESDAY_10AM + timedelta(hours=6))
    # Tuesday evening and Wednesday before 09:00 where the owner is: nothing yet.
    for now in (TUESDAY_10AM + timedelta(hours=8), WEDNESDAY_9AM - timedelta(minutes=1)):
        assert tick(database, now) == []
    assert (summaries(database), dms(database)) == ([], [])

    (queued,) = tick(database, WEDNESDAY_9AM)
    assert summaries(database) == [(OWNER, TUESDAY, 3)]
    (dm,) = dms(database)
    assert (dm.id, dm.kind, dm.channel_id, dm.user_id) == (queued, OutboxKind.OWNER_SUMMARY, OWNER, OWNER)
    assert dm.text == "3 calls with your accounts yesterday"
    shown = str(dm.blocks)
    for account in ("Acme", "Globex", "Initech"):
        assert f"`/interview list {account}`" in shown
    assert f"logged by <@{LOGGER}>" in shown and f"logged by <@{OTHER}>" in shown
    assert "with Dana" in shown and "Month-end takes &lt;!channel&gt; two days" in shown
    assert "No audit trail" not in shown  # the first pain only

    # The next ticks, the same day and the next, send nothing more.
    for later in (WEDNESDAY_9AM + timedelta(seconds=30), WEDNESDAY_9AM + timedelta(hours=8)):
        assert tick(database, later) == []
    assert tick(database, WEDNESDAY_9AM + timedelta(days=1)) == []
    assert len(dms(database)) == 1


def test_a_call_the_owner_was_on_or_held_long_before_is_not_counted(database: Database) -> None:
    own(database, "Acme", "Globex", "Initech", "Hooli")
    # They logged it; and even were they not listed on it (the log form always lists its logger).
    logged = log(database, "Acme", by=OWNER)
    with database.transaction() as session:
        session.execute(delete(Participant).where(Participant.interview_id == logged))
    log(database, "Globex", participants=(OWNER,))  # they were on it
    log(database, "Hooli", held_on=TUESDAY - timedelta(days=30))  # last month's call, typed in now
    # Held last week, logged late on Tuesday night: it counts on the day it was logged.
    log(database, "Initech", at=datetime(2026, 11, 25, 4, 30, tzinfo=UTC), held_on=date(2026, 11, 20))
    tick(database, WEDNESDAY_9AM)
    assert summaries(database) == [(OWNER, TUESDAY, 1)]
    (dm,) = dms(database)
    assert dm.text == "1 call with your accounts yesterday"
    assert "Initech" in str(dm.blocks)
    assert not any(name in str(dm.blocks) for name in ("Acme", "Globex", "Hooli"))


def test_an_account_with_no_owner_tells_nobody(database: Database) -> None:
    own(database, "Umbrella", owner=None)
    log(database, "Umbrella")
    log(database, "Brand new account")
    assert tick(database, WEDNESDAY_9AM) == []
    assert (summaries(database), dms(database)) == ([], [])


def test_an_owner_whose_zone_or_role_is_not_known_waits(database: Database) -> None:
    own(database, "Acme")
    log(database, "Acme")
    assert tick(database, WEDNESDAY_9AM, may_see=lambda _: False) == []
    assert (
        queue_due_summaries(
            db=database, team_id=TEAM, now=WEDNESDAY_9AM, hours=HOURS, zone_of=lambda _: None, draw=draw
        )
        == []
    )
    assert (summaries(database), dms(database)) == ([], [])
    assert len(tick(database, WEDNESDAY_9AM + timedelta(minutes=1))) == 1


def test_the_weekends_calls_wait_for_monday_and_go_in_one_dm(database: Database) -> None:
    own(database, "Acme", "Globex")
    thursday = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    log(database, "Acme", at=thursday)
    assert len(tick(database, thursday + timedelta(days=1) - timedelta(hours=1))) == 1  # Friday 09:00
    for day in (1, 2, 3):  # Friday, Saturday and Sunday, 10:00 in New York
        log(database, "Globex" if day % 2 else "Acme", at=thursday + timedelta(days=day))
    for day in (2, 3):  # Saturday and Sunday: not working days
        assert tick(database, thursday + timedelta(days=day, hours=1)) == []
    monday_9am = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    assert tick(database, monday_9am - timedelta(minutes=1)) == []
    assert len(tick(database, monday_9am)) == 1
    assert summaries(database) == [(OWNER, date(2026, 11, 26), 1), (OWNER, date(2026, 11, 29), 3)]
    assert [dm.text for dm in dms(database)] == [
        "1 call with your accounts yesterday",
        "3 calls with your accounts since Friday",
    ]


def due_now(database: Database) -> list[DueSummary]:
    with database.read() as session:
        owners = recent_calls(session=session, team_id=TEAM, now=WEDNESDAY_9AM)
    return due_summaries(owners, zone_of=lambda _: NEW_YORK, now=WEDNESDAY_9AM, hours=HOURS)


def queue(database: Database, due: list[DueSummary]) -> list[int]:
    return database.run(
        lambda session: queue_summaries(session=session, team_id=TEAM, due=due, now=WEDNESDAY_9AM, draw=draw)
    )


def test_without_the_check_the_days_key_alone_keeps_one_summary(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    own(database, "Acme")
    log(database, "Acme")
    due = due_now(database)  # read by two replicas before either wrote
    monkeypatch.setattr(owner_summary, "summed_up", lambda **_: False)
    assert len(queue(database, due)) == 1
    assert queue(database, due) == []
    assert summaries(database) == [(OWNER, TUESDAY, 1)] and len(dms(database)) == 1


def test_the_check_alone_skips_a_summed_up_day_without_trying_to_insert(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    own(database, "Acme")
    log(database, "Acme")
    due = due_now(database)
    assert len(queue(database, due)) == 1

    def no_insert(*_: Any) -> bool:
        raise AssertionError("an insert was tried for a day already summed up")

    monkeypatch.setattr(owner_summary, "insert_once", no_insert)
    assert queue(database, due) == []
    assert len(dms(database)) == 1


def test_two_replicas_at_once_queue_one_summary(database: Database) -> None:
    own(database, "Acme", "Globex")
    log(database, "Acme")
    log(database, "Globex")
    due = due_now(database)  # both replicas read before either writes
    queued: dict[str, list[int]] = {}
    first_inserted, second_started = threading.Event(), threading.Event()

    def replica(name: str, hold: bool) -> None:
        def drawn(summary: DueSummary) -> tuple[str, Any]:
            if hold:  # the row is in, not committed: the second tries while it is held
                first_inserted.set()
                second_started.wait(5)
                waiting_for_a_lock(database)
            return draw(summary)

        if not hold:
            second_started.set()
        queued[name] = database.run(
            lambda session: queue_summaries(
                session=session, team_id=TEAM, due=due, now=WEDNESDAY_9AM, draw=drawn
            )
        )

    first = threading.Thread(target=replica, args=("first", True))
    first.start()
    assert first_inserted.wait(5)
    second = threading.Thread(target=replica, args=("second", False))
    second.start()
    first.join(10)
    second.join(10)
    assert sorted(len(ids) for ids in queued.values()) == [0, 1]
    assert summaries(database) == [(OWNER, TUESDAY, 2)]
    assert [dm.text for dm in dms(database)] == ["2 calls with your accounts yesterday"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_tick_reads_the_last_days_calls_not_the_history(database: Database) -> None:
    """Read from SQLite's query plan, which does not depend on how much is stored (no statistics)."""
    own(database, "Acme")
    with database.transaction() as session:
        account = session.scalar(select(Account.id))
        session.execute(
            insert(Interview),
            [
                {
                    "team_id": TEAM, "account_id": account, "kind": InterviewKind.DISCOVERY,
                    "held_on": TUESDAY - timedelta(days=n), "logged_by": LOGGER,
                    "logged_at": TUESDAY_10AM - timedelta(days=n),
                    "recording_permission": False, "thank_you_sent": True,
                }
                for n in range(500)
            ],
        )  # fmt: skip
    engine = database.engines[-1]  # the one reads go through
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with database.read() as session:
            (owner,) = recent_calls(session=session, team_id=TEAM, now=WEDNESDAY_9AM)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(owner.calls) == 9  # logged in the last nine days
    with engine.connect() as conn:
        plans = [
            [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            for statement, parameters in statements
            if "FROM interviews" in statement
        ]
    assert plans and all(
        any("ix_interviews_team_id_held_on (team_id=? AND held_on>?)" in step for step in plan)
        and not any(step.startswith("SCAN interviews") for step in plan)
        for plan in plans
    ), plans


def test_an_owner_on_vacation_hears_nothing_until_back_then_once_for_the_days_missed(
    database: Database,
) -> None:
    own(database, "Acme")
    log(database, "Acme")
    with database.transaction() as session:
        pause(
            session=session,
            team_id=TEAM,
            user_id=OWNER,
            until=WEDNESDAY_9AM + timedelta(days=2),
            now=TUESDAY_10AM,
        )
    assert tick(database, WEDNESDAY_9AM) == [] and tick(database, WEDNESDAY_9AM + timedelta(days=1)) == []
    assert len(tick(database, WEDNESDAY_9AM + timedelta(days=2))) == 1
    (dm,) = dms(database)
    assert dm.text == "1 call with your accounts since Tuesday"
