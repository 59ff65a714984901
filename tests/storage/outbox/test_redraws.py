"""Posts left behind by an edit, on SQLite and PostgreSQL: the edit's transaction says so, one replica at a
time redraws a post (a lease), an edit made while a post is drawn is drawn next, and a holder that died
leaves the post to whoever ticks after its lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot.outbox.queue import LEASE, Posted, enqueue, redraw
from bot.outbox.redraws import Redraw, claim_redraws, record_redrawn
from storage.db import Database
from storage.models import OutboxKind, OutboxMessage, OutboxState

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
TEAM = "T0001"
INTERVIEW = 7


def saved(db: Database, *, sent: bool = True, kind: OutboxKind = OutboxKind.INTERVIEW_SAVED) -> int:
    """A confirmation of interview INTERVIEW, posted in Slack (`sent`) or still to go."""

    def add(session: Session) -> int:
        message_id = enqueue(
            session=session,
            team_id=TEAM,
            user_id="U0001",
            kind=kind,
            channel_id="U0001",
            text="Saved: exports",
            about="the confirmation",
            interview_id=INTERVIEW,
            now=NOW,
        )
        if sent:
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            message.state, message.posted_channel_id, message.message_ts = OutboxState.SENT, "D0001", "1.0"
        return message_id

    return db.run(add)


def edit(
    db: Database,
    text: str,
    *,
    now: datetime = NOW,
    kind: OutboxKind = OutboxKind.INTERVIEW_SAVED,
    withdrawn: bool = False,
) -> Posted | None:
    """The message redrawn as an edit (or, `withdrawn`, an unshare) would: where its post is, if sent."""
    return db.run(
        lambda s: redraw(
            session=s,
            team_id=TEAM,
            interview_id=INTERVIEW,
            kind=kind,
            text=text,
            blocks=None,
            now=now,
            withdrawn=withdrawn,
        )
    )


def claimed(db: Database, replica: str, now: datetime, ids: list[int] | None = None) -> list[Redraw]:
    return db.run(lambda s: claim_redraws(session=s, now=now, replica=replica, limit=10, message_ids=ids))


def recorded(db: Database, drawn: Redraw, replica: str, now: datetime = NOW) -> Redraw | None:
    return db.run(lambda s: record_redrawn(session=s, redraw=drawn, replica=replica, now=now))


def redraw_at(db: Database, message_id: int) -> datetime | None:
    with db.read() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        return message.redraw_at


def test_an_edit_of_a_posted_message_leaves_it_to_redraw_until_a_redraw_is_recorded(
    database: Database,
) -> None:
    message_id = saved(database)
    assert claimed(database, "replica-1", NOW) == []  # nothing is behind yet
    edit(database, "Saved: exports and imports")
    assert redraw_at(database, message_id) == NOW
    (drawn,) = claimed(database, "replica-1", NOW, [message_id])
    assert (drawn.id, drawn.channel_id, drawn.ts, drawn.text) == (
        message_id,
        "D0001",
        "1.0",
        "Saved: exports and imports",
    )
    assert recorded(database, drawn, "replica-1") is None
    assert redraw_at(database, message_id) is None
    assert claimed(database, "replica-2", NOW + LEASE * 2) == []


def test_a_message_not_posted_yet_is_not_redrawn_it_goes_out_as_edited(database: Database) -> None:
    message_id = saved(database, sent=False)
    edit(database, "Saved: exports and imports")
    assert redraw_at(database, message_id) is None
    assert claimed(database, "replica-1", NOW + LEASE * 2) == []


def test_a_withdrawn_share_that_was_posted_is_redrawn_saying_so(database: Database) -> None:
    message_id = saved(database, kind=OutboxKind.INTERVIEW_SHARED)
    edit(database, "No longer shared here.", kind=OutboxKind.INTERVIEW_SHARED, withdrawn=True)
    (drawn,) = claimed(database, "replica-1", NOW)
    assert (drawn.id, drawn.text) == (message_id, "No longer shared here.")


def test_a_withdrawn_share_not_sent_yet_never_goes_out(database: Database) -> None:
    message_id = saved(database, sent=False, kind=OutboxKind.INTERVIEW_SHARED)
    assert edit(database, "No longer shared here.", kind=OutboxKind.INTERVIEW_SHARED, withdrawn=True) is None
    with database.read() as session:
        assert session.get(OutboxMessage, message_id) is None  # nothing left for a sender to claim


def test_one_replica_at_a_time_draws_a_post_and_a_dead_holder_is_taken_over(database: Database) -> None:
    message_id = saved(database)
    edit(database, "Saved: exports and imports")
    (held,) = claimed(database, "replica-1", NOW)
    assert claimed(database, "replica-2", NOW + LEASE - timedelta(seconds=1)) == []
    (taken,) = claimed(database, "replica-2", NOW + LEASE)  # replica-1 died holding it
    assert taken.id == message_id
    assert recorded(database, held, "replica-1") is None  # the dead holder's late record changes nothing
    assert redraw_at(database, message_id) == NOW + LEASE + LEASE
    assert recorded(database, taken, "replica-2", NOW + LEASE) is None
    assert redraw_at(database, message_id) is None


def test_an_edit_made_while_a_post_is_drawn_is_drawn_next_by_the_holder(database: Database) -> None:
    message_id = saved(database)
    edit(database, "Saved: exports and imports")
    (drawing,) = claimed(database, "replica-1", NOW)
    # The person edits again while the first redraw is on its way: that edit's own redraw finds the post
    # held, and leaves it to the holder...
    edit(database, "Saved: exports, imports and SSO", now=NOW + timedelta(seconds=1))
    assert claimed(database, "replica-2", NOW + timedelta(seconds=1), [message_id]) == []
    # ...which, recording the older text, gets the newer one to draw.
    again = recorded(database, drawing, "replica-1", NOW + timedelta(seconds=2))
    assert again is not None and again.text == "Saved: exports, imports and SSO"
    assert recorded(database, again, "replica-1", NOW + timedelta(seconds=3)) is None
    assert redraw_at(database, message_id) is None
