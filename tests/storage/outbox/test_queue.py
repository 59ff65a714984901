"""The outbox's claims on SQLite and PostgreSQL: replicas ticking at once send each message once, a lease
that runs out is taken over (looking first when the message may be out), back-off grows, and a message is
given up after a day."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import event

from bot.outbox.queue import (
    GIVE_UP_AFTER,
    LEASE,
    backoff,
    claim_due,
    enqueue,
    retry_later,
    start_sending,
    undelivered,
)
from handlers.senders.outbox import METADATA_EVENT, OutboxSender
from handlers.web_api.client import make_client
from storage.db import Database
from storage.models import OutboxKind, OutboxMessage, OutboxState
from tests.support.fake_slack import FakeSlack

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def record(db: Database, count: int, *, team_id: str = "T0001", now: datetime = NOW) -> list[int]:
    def add(session: object) -> list[int]:
        return [
            enqueue(
                session=session,  # type: ignore[arg-type]
                team_id=team_id,
                user_id=f"U{n % 7:04d}",
                kind=OutboxKind.INTERVIEW_SAVED,
                channel_id=f"U{n % 7:04d}",
                text=f"Saved your interview #{n}",
                about=f"the confirmation of interview #{n}",
                now=now,
            )
            for n in range(count)
        ]

    return db.run(add)


def test_three_replicas_ticking_at_once_send_each_message_once(database: Database) -> None:
    ids = record(database, 120)

    # Each claim holds its transaction a moment after reading what is due, so claims overlap: only the
    # database's locking keeps two replicas off the same rows.
    @event.listens_for(database.engine, "after_cursor_execute")
    def slow_claim(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM outbox_messages" in statement:
            time.sleep(0.05)

    with FakeSlack(token="xoxb-test") as fake:
        fake.add_users(*{f"U{n % 7:04d}" for n in range(120)})
        fake.delay("chat.postMessage", 0.002)  # sending takes a moment, so the ticks overlap
        senders = [OutboxSender(db=database, client=_client(fake), replica=f"replica-{n}") for n in range(3)]
        start = threading.Barrier(len(senders))

        def run(sender: OutboxSender) -> None:
            start.wait()
            sender.tick()

        threads = [threading.Thread(target=run, args=(s,)) for s in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for sender in senders:
            sender.close()
        posted = Counter(
            c.args["metadata"]["event_payload"]["outbox_id"]
            for c in fake.calls("chat.postMessage")
            if c.args["metadata"]["event_type"] == METADATA_EVENT
        )
    assert sorted(posted) == sorted(ids) and set(posted.values()) == {1}
    with database.read() as session:
        rows = session.query(OutboxMessage).all()
        assert {r.state for r in rows} == {OutboxState.SENT}
        # The work was shared, not done by one replica while the others waited.
        assert len({r.lease_owner for r in rows}) > 1


def _client(fake: FakeSlack) -> WebClient:

    return make_client(token="xoxb-test", base_url=fake.url)


def test_a_message_claimed_right_after_commit_is_not_claimed_by_a_tick(database: Database) -> None:
    (message_id,) = record(database, 1)
    assert [
        m.id
        for m in database.run(
            lambda s: claim_due(session=s, message_ids=[message_id], now=NOW, replica="a", limit=1)
        )
    ] == [message_id]
    assert database.run(lambda s: claim_due(session=s, now=NOW, replica="b", limit=10)) == []
    assert (
        database.run(lambda s: claim_due(session=s, message_ids=[message_id], now=NOW, replica="b", limit=1))
        == []
    )
    # Its holder died: once the lease is over another takes it, as a takeover only if it had started posting.
    (taken,) = database.run(lambda s: claim_due(session=s, now=NOW + LEASE, replica="b", limit=10))
    assert not taken.takeover
    assert database.run(
        lambda s: start_sending(session=s, message_id=message_id, replica="b", now=NOW + LEASE)
    )
    (again,) = database.run(lambda s: claim_due(session=s, now=NOW + 3 * LEASE, replica="c", limit=10))
    assert again.takeover
    # The one that lost it cannot record anything any more.
    assert not database.run(lambda s: start_sending(session=s, message_id=message_id, replica="b", now=NOW))


def test_back_off_grows_to_an_hour_and_a_message_is_given_up_after_a_day(database: Database) -> None:
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert backoff(40) == timedelta(hours=1)
    (message_id,) = record(database, 1)
    now = NOW
    while True:
        (claimed,) = database.run(lambda s, now=now: claim_due(session=s, now=now, replica="a", limit=1))
        assert claimed.id == message_id  # not before its time: the loop moves to exactly that moment
        given_up = database.run(
            lambda s, now=now: (
                retry_later(session=s, message_id=message_id, replica="a", now=now, error="internal_error")
                is not None
            )
        )
        with database.read() as session:
            row = session.get(OutboxMessage, message_id)
            assert row is not None
        if given_up:
            break
        assert row.next_attempt_at == now + backoff(row.attempts)
        now = row.next_attempt_at
    assert row.state == OutboxState.FAILED and now - NOW >= GIVE_UP_AFTER - timedelta(hours=1)
    assert row.error is not None and row.error.startswith(f"gave up after {row.attempts} attempts")
    # Retry-After, when Slack says it, wins over the back-off.
    (other,) = record(database, 1, now=now)
    database.run(lambda s: claim_due(session=s, now=now, replica="a", limit=1))
    database.run(
        lambda s: retry_later(
            session=s, message_id=other, replica="a", now=now, error="ratelimited", wait=timedelta(seconds=7)
        )
    )
    with database.read() as session:
        assert session.get(OutboxMessage, other).next_attempt_at == now + timedelta(seconds=7)


def test_failures_shown_are_the_persons_own_in_their_workspace(database: Database) -> None:
    (mine,) = record(database, 1)
    (theirs,) = record(database, 1, team_id="T0002")
    for message_id in (mine, theirs):
        database.run(
            lambda s, m=message_id: claim_due(session=s, message_ids=[m], now=NOW, replica="a", limit=1)
        )
        database.run(
            lambda s, m=message_id: retry_later(
                session=s, message_id=m, replica="a", now=NOW + GIVE_UP_AFTER, error="internal_error"
            )
        )
    with database.read() as session:
        shown = undelivered(session=session, team_id="T0001", user_id="U0000", since=NOW)
        assert [m.id for m in shown] == [mine]
        assert undelivered(session=session, team_id="T0001", user_id="U0001", since=NOW) == []
