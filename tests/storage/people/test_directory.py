"""The member list (users.list) read in bulk: a new install's backlog goes out with no users.info, each
person in their own zone; the read happens on start and once a day, by one replica at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import insert, select

from bot.config import WorkingHours
from bot.people.directory import READ_EVERY, RETRY_AFTER_FAILURE, last_read
from bot.reminders.deliveries import ReminderPolicy
from handlers.senders.reminders import ReminderSender
from handlers.web_api.client import make_client
from handlers.web_api.directory import Directory
from handlers.web_api.timezones import Timezones
from storage.db import Database
from storage.models import DeliveryState, FollowUp, FollowUpKind, FollowUpState, Person, ReminderDelivery
from tests.support.fake_slack import FakeSlack

TOKEN = "xoxb-test"
TEAM = "T0001"
# Tuesday 15:00 UTC: inside 09:00-18:00 in London (15:00), Paris (16:00) and New York (10:00).
TUESDAY_3PM = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
ZONES = {"U0LONDON": "Europe/London", "U1PARIS": "Europe/Paris", "U2NEWYORK": "America/New_York"}
HOURS = WorkingHours(time(9), time(18))


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN, team_id=TEAM) as server:
        for user_id, tz in ZONES.items():
            server.set_user(user_id, tz=tz)
        server.add_users(*(f"UOTHER{n}" for n in range(4)))  # colleagues with nothing due
        server.set_user("UGONE", tz="Asia/Tokyo", deleted=True)
        server.set_user("UAPP", tz="Asia/Tokyo", is_bot=True)
        yield server


def directory(db: Database, fake: FakeSlack, timezones: Timezones, replica: str = "r1") -> Directory:
    client = make_client(token=TOKEN, base_url=fake.url)
    return Directory(team_id=TEAM, db=db, client=client, timezones=timezones, replica=replica, page_size=3)


def seed_backlog(db: Database, now: datetime, per_person: int = 25) -> None:
    """A new install's backlog: follow-ups long due for people the bot never looked up."""
    with db.transaction() as session:
        session.execute(
            insert(FollowUp),
            [
                {
                    "team_id": TEAM,
                    "owner_id": user_id,
                    "kind": FollowUpKind.PROMISE,
                    "description": f"Promise {n} of {user_id}",
                    "due_at": now - timedelta(days=2, minutes=n),
                    "remind_at": now - timedelta(days=2, minutes=n),
                    "state": FollowUpState.OPEN,
                    "reminders_sent": 0,
                    "created_at": now - timedelta(days=3),
                }
                for user_id in ZONES
                for n in range(per_person)
            ],
        )


def stored_zones(db: Database) -> dict[str, tuple[str | None, datetime | None]]:
    with db.read() as session:
        return {p.user_id: (p.tz, p.tz_fetched_at) for p in session.scalars(select(Person))}


def test_a_new_installs_backlog_goes_out_with_no_users_info_each_in_their_zone(
    database: Database, fake: FakeSlack
) -> None:
    with time_machine.travel(TUESDAY_3PM, tick=False):
        seed_backlog(database, TUESDAY_3PM)
        timezones = Timezones(database)
        read = directory(database, fake, timezones).refresh()
        assert read is not None and read.team_id == TEAM
        # 11 listed (3 with a backlog, 4 colleagues, one deactivated, an app, the bot, Slackbot), 3 a page.
        assert read.pages == 4 and len(fake.calls("users.list")) == 4
        stored = stored_zones(database)
        assert {u: tz for u, (tz, _) in stored.items()} == {
            **ZONES,
            **{f"UOTHER{n}": "America/New_York" for n in range(4)},
        }  # no bots, no deactivated account, no Slackbot
        assert all(at == TUESDAY_3PM for _, at in stored.values())  # fresh, for the staleness rule

        sender = ReminderSender(
            db=database,
            client=make_client(token=TOKEN, base_url=fake.url),
            timezones=Timezones(database),  # another process's: it knows nobody in memory
            policy=ReminderPolicy(working_hours=HOURS, max_resends=3),
        )
        try:
            while sender.tick().claimed:
                pass
        finally:
            sender.close()

    assert fake.calls("users.info", include_rejected=True) == []
    posted = fake.calls("chat.postMessage")
    assert len(posted) == 6  # 25 each, 20 a DM
    with database.read() as session:
        items = list(session.scalars(select(FollowUp)))
    assert all(i.reminders_sent == 1 for i in items)
    # Each person's next reminder is the next working day at 09:00 in their own zone.
    for item in items:
        local = item.remind_at.astimezone(ZoneInfo(ZONES[item.owner_id]))  # type: ignore[union-attr]
        assert (local.date().isoformat(), local.time()) == ("2026-11-25", time(9)), item.owner_id
    # And the DM shows due times in the person's zone: due 2 days before 15:00 UTC (less some minutes),
    # so at 09:xx in New York, 14:xx in UTC.
    to_new_york = str(next(c for c in posted if c.args["channel"] == "U2NEWYORK").args["blocks"])
    assert "was due Sun 22 Nov, 09:" in to_new_york and "Sun 22 Nov, 14:" not in to_new_york


def test_the_member_list_is_read_once_a_day_not_on_every_tick(database: Database, fake: FakeSlack) -> None:
    timezones = Timezones(database)
    members = directory(database, fake, timezones)
    with time_machine.travel(TUESDAY_3PM, tick=False) as clock:
        assert members.refresh() is not None
        pages = len(fake.calls("users.list"))
        for _ in range(10):  # ticks every 30 s for five minutes: nothing read
            clock.shift(timedelta(seconds=30))
            assert members.refresh() is None
        clock.shift(timedelta(hours=22))
        assert members.refresh() is None
        assert len(fake.calls("users.list")) == pages
        clock.move_to(TUESDAY_3PM + READ_EVERY)  # a day on, less the margin: before anyone goes stale
        fake.set_user("U1PARIS", tz="Asia/Tokyo")  # travelled
        assert members.refresh() is not None
        assert len(fake.calls("users.list")) == 2 * pages
        assert stored_zones(database)["U1PARIS"] == ("Asia/Tokyo", TUESDAY_3PM + READ_EVERY)
        assert timezones.cached(TEAM, "U1PARIS") == ZoneInfo("Asia/Tokyo")
    with database.read() as session:
        assert last_read(session=session, team_id=TEAM) == TUESDAY_3PM + READ_EVERY


def test_two_replicas_starting_together_read_the_list_once(database: Database, fake: FakeSlack) -> None:
    fake.delay("users.list", 0.2, times=None)  # a read long enough for the other replica to try meanwhile
    replicas = [directory(database, fake, Timezones(database), replica=f"r{n}") for n in range(2)]
    results: list[object] = []
    go = threading.Barrier(len(replicas))

    def start(replica: Directory) -> None:
        go.wait()
        results.append(replica.refresh())

    threads = [threading.Thread(target=start, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r is None for r in results) == [False, True]  # one read it, the other saw it taken
    assert len(fake.calls("users.list")) == 4  # one pass through the pages
    # The one that did not read would also skip it on its next tick: the list is fresh.
    assert all(r.refresh() is None for r in replicas)
    assert len(fake.calls("users.list")) == 4


def test_a_failed_read_is_tried_again_later(database: Database, fake: FakeSlack) -> None:
    members = directory(database, fake, Timezones(database))
    with time_machine.travel(TUESDAY_3PM, tick=False) as clock:
        fake.fail("users.list", "internal_error")
        assert members.refresh() is None
        with database.read() as session:
            assert last_read(session=session, team_id=TEAM) is None
        clock.shift(RETRY_AFTER_FAILURE - timedelta(seconds=1))
        assert members.refresh() is None  # not before the pause: a failing Slack is not hammered
        assert len(fake.calls("users.list", include_rejected=True)) == 1
        clock.shift(timedelta(seconds=2))
        assert members.refresh() is not None
    assert set(ZONES) <= set(stored_zones(database))


def test_a_debrief_said_once_is_not_claimed_again(database: Database, fake: FakeSlack) -> None:
    """A prep or debrief is closed when sent: it must leave the scheduler's index, or it comes back."""
    with time_machine.travel(TUESDAY_3PM, tick=False) as clock:
        with database.transaction() as session:
            session.add(Person(team_id=TEAM, user_id="U1PARIS", tz="Europe/Paris", tz_fetched_at=TUESDAY_3PM))
            session.add(
                FollowUp(
                    team_id=TEAM,
                    owner_id="U1PARIS",
                    kind=FollowUpKind.DEBRIEF,
                    description="How did the call go?",
                    due_at=TUESDAY_3PM - timedelta(minutes=5),
                    remind_at=TUESDAY_3PM - timedelta(minutes=5),
                )
            )
        sender = ReminderSender(
            db=database,
            client=make_client(token=TOKEN, base_url=fake.url),
            timezones=Timezones(database),
            policy=ReminderPolicy(working_hours=HOURS),
        )
        try:
            assert sender.tick().sent == 1
            clock.shift(timedelta(days=1))
            assert sender.tick().claimed == 0
        finally:
            sender.close()
    with database.read() as session:
        item = session.scalars(select(FollowUp)).one()
        deliveries = list(session.scalars(select(ReminderDelivery.state)))
    assert (item.state, item.remind_at, item.reminders_sent) == (FollowUpState.DONE, None, 1)
    assert deliveries == [DeliveryState.SENT]
