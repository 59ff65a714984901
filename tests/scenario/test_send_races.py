"""A person edits, unshares or deletes an interview at the very moment a message about it is being posted
(its confirmation, its share, a reminder DM listing its follow-ups): Slack ends up showing what is
stored, and nothing of a deleted interview.

On PostgreSQL each race is forced: right after Slack took the first post, the person's change starts
and is held open, with what it read, while the sender records and posts; the test lets it commit once
the sender is done or waits on the change's lock. SQLite runs one write transaction at a time, so there
these orders cannot occur. A change that commits between the post and its record, and a replica that
takes over a message another one posted, are raced on both.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
import time_machine
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.capture import removal
from bot.outbox import queue
from handlers.senders import reminders
from handlers.senders.outbox import METADATA_EVENT, OutboxSender
from handlers.senders.reminders import METADATA_EVENT as REMINDER_EVENT
from handlers.senders.reminders import ReminderSender
from handlers.web_api.client import post_message
from storage.db import Database
from storage.models import Account, Interview, OutboxKind, OutboxState
from tests.conftest import RunningBot
from tests.scenario.test_outbox import MidPost, delivered, logged_unsent, outbox
from tests.support.after_ack import after_ack_done
from tests.support.forms import submit_log_modal

TEAM = "T0001"
Held = tuple[threading.Event, threading.Event]


def held_open(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str, *, before: bool) -> Held:
    """`module.name` made to stop (before or after it runs) until the test lets it go on."""
    real = getattr(module, name)
    reached, go = threading.Event(), threading.Event()

    def stopping(*args: Any, **kwargs: Any) -> Any:
        if before:
            reached.set()
            assert go.wait(30)
        out = real(*args, **kwargs)
        if not before:
            reached.set()
            assert go.wait(30)
        return out

    monkeypatch.setattr(module, name, stopping)
    return reached, go


def waiting_on_a_lock(db: Database) -> bool:
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with db.engine.connect() as conn:
        return bool(conn.execute(text(query)).scalar())


def raced(
    bot: RunningBot,
    send: Callable[[Callable[[], None]], object],
    change: Callable[[Session], Any],
    held: Held,
) -> Any:
    """`send(during)` posts, calling `during` once right after Slack took the first post; there `change`
    starts in a transaction of its own, held open where `held` stops it until the sender is done or
    waits on its lock. Returns what `change` returned."""
    reached, go = held
    result: dict[str, Any] = {}
    changer = threading.Thread(target=lambda: result.setdefault("change", bot.db.run(change)))

    def during() -> None:
        changer.start()
        assert reached.wait(30)

    posting = threading.Thread(target=lambda: send(during))
    posting.start()
    assert reached.wait(30)
    deadline = time.monotonic() + 30
    while posting.is_alive() and not waiting_on_a_lock(bot.db) and time.monotonic() < deadline:
        posting.join(0.05)
    go.set()
    changer.join(30)
    posting.join(30)
    assert not changer.is_alive() and not posting.is_alive()
    return result.get("change")


def outbox_sent(bot: RunningBot) -> Callable[[Callable[[], None]], object]:
    """Send the interview's unsent outbox messages, as right after the commit."""
    ids = [m.id for m in outbox(bot)]

    def send(during: Callable[[], None]) -> object:
        sender = OutboxSender(db=bot.db, client=MidPost(bot.deps.client, during), replica="replica-2")
        try:
            return sender.send_now(ids)
        finally:
            sender.close()

    return send


def rewriting(
    change: Callable[..., Any], interview_id: int, kind: OutboxKind, text: str, **how: Any
) -> Callable[[Session], Any]:
    """The outbox's side of an edit (`queue.redraw`) or of an unshare (`withdrawn=True`)."""
    return lambda session: change(
        session=session, team_id=TEAM, interview_id=interview_id, kind=kind, text=text, blocks=None, **how
    )


@pytest.fixture
def postgres_only(bot: RunningBot) -> None:
    if bot.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: these orders cannot occur")


def shown(bot: RunningBot, channel: str | None = None) -> list[dict[str, Any]]:
    """The messages the bot posted (into `channel`, or anywhere) that Slack still shows, as they read."""
    posts = [p for p in bot.fake.calls("chat.postMessage") if channel in (None, p.args["channel"])]
    found = [bot.fake.message_at(str(p.response["channel"]), str(p.response["ts"])) for p in posts]
    return [m for m in found if m is not None]


def test_a_deletion_while_the_confirmation_is_recorded_leaves_nothing_in_slack(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, postgres_only: None
) -> None:
    interview_id = logged_unsent(bot)
    held = held_open(monkeypatch, removal, "_apply", before=True)  # what goes is read, not gone yet

    def delete(session: Session) -> Any:
        return removal.remove_interviews(session=session, team_id=TEAM, interview_ids=[interview_id])

    assert raced(bot, outbox_sent(bot), delete, held).interviews == 1
    assert shown(bot) == [] and outbox(bot) == []


def test_an_edit_while_the_confirmation_is_recorded_is_what_slack_shows(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, postgres_only: None
) -> None:
    interview_id = logged_unsent(bot)
    held = held_open(monkeypatch, queue, "_latest", before=False)  # the message is read, not changed yet

    edit = rewriting(queue.redraw, interview_id, OutboxKind.INTERVIEW_SAVED, "Saved: exports and imports")
    raced(bot, outbox_sent(bot), edit, held)
    dm, _ = outbox(bot)
    (posted,) = delivered(bot, dm.id)
    now = bot.fake.message_at(str(posted.response["channel"]), str(posted.response["ts"]))
    assert now is not None and now["text"] == "Saved: exports and imports"
    assert dm.state == OutboxState.SENT and dm.text == "Saved: exports and imports"


def test_a_share_withdrawn_while_the_confirmation_is_posted_never_stays_in_its_channel(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, postgres_only: None
) -> None:
    interview_id = logged_unsent(bot)
    held = held_open(monkeypatch, queue, "_latest", before=False)

    unshare = rewriting(
        queue.redraw, interview_id, OutboxKind.INTERVIEW_SHARED, "No longer shared here.", withdrawn=True
    )
    raced(bot, outbox_sent(bot), unshare, held)
    # The share waited for the withdrawal, found its message gone, and was never posted.
    assert shown(bot, "C0TEAM") == [] and bot.fake.calls("chat.delete") == []
    assert [m.kind for m in outbox(bot)] == [OutboxKind.INTERVIEW_SAVED]


def test_a_replica_taking_over_a_posted_message_shows_an_edit_made_meanwhile(
    bot: RunningBot, clock: time_machine.Traveller
) -> None:
    interview_id = logged_unsent(bot)
    # A replica claims the confirmation, posts it, and dies before it can record that it did.
    now = datetime.now(UTC)
    claimed = bot.db.run(lambda s: queue.claim_due(session=s, now=now, replica="dead", limit=10))
    (dm,) = [m for m in claimed if m.kind == OutboxKind.INTERVIEW_SAVED]
    assert bot.db.run(lambda s: queue.start_sending(session=s, message_id=dm.id, replica="dead", now=now))
    posted = post_message(
        bot.deps.client,
        channel=dm.channel_id,
        text=dm.text,
        blocks=dm.blocks,
        metadata={"event_type": METADATA_EVENT, "event_payload": {"outbox_id": dm.id}},
    )
    # The person edits: the message is not recorded as sent, so the edit leaves it to the sender.
    edit = rewriting(queue.redraw, interview_id, OutboxKind.INTERVIEW_SAVED, "Saved: exports and imports")
    assert bot.db.run(edit) is None
    clock.shift(timedelta(minutes=3))  # the dead replica's lease runs out
    sender = OutboxSender(db=bot.db, client=bot.deps.client, replica="replica-2")
    try:
        sender.tick()
    finally:
        sender.close()
    assert len(delivered(bot, dm.id)) == 1  # found in Slack, not posted again...
    now_shown = bot.fake.message_at(str(posted["channel"]), str(posted["ts"]))
    assert now_shown is not None and now_shown["text"] == "Saved: exports and imports"  # ...and redrawn


# Reminder DMs -------------------------------------------------------------------------------------


def reminded(
    monkeypatch: pytest.MonkeyPatch, sender: ReminderSender
) -> Callable[[Callable[[], None]], object]:
    """Run the reminder sender's tick, `during` called once right after Slack took the first DM."""

    def send(during: Callable[[], None]) -> object:
        once = [during]

        def posting(*args: Any, **kwargs: Any) -> Any:
            response = post_message(*args, **kwargs)
            if once:
                once.pop()()
            return response

        monkeypatch.setattr(reminders, "post_message", posting)
        return sender.tick()

    return send


def due_for_two_accounts(bot: RunningBot, clock: time_machine.Traveller) -> dict[str, int]:
    """Two interviews with a promise each, logged by the same person; three days on, everything is due
    and goes out in one DM. Returns each account's interview id."""
    for account in ("Acme", "Globex"):
        submit_log_modal(bot, account=account, promises=f"Send {account} the deck tomorrow")
    after_ack_done(bot.deps)
    clock.shift(timedelta(days=3))
    with bot.db.read() as session:
        rows = session.execute(select(Account.name, Interview.id).join(Interview.account)).all()
    return {name: interview_id for name, interview_id in rows}


def reminder_shown(bot: RunningBot) -> dict[str, Any] | None:
    (dm,) = [
        c
        for c in bot.fake.calls("chat.postMessage")
        if (c.args.get("metadata") or {}).get("event_type") == REMINDER_EVENT
    ]
    return bot.fake.message_at(str(dm.response["channel"]), str(dm.response["ts"]))


def deleting(*interview_ids: int) -> Callable[[Session], Any]:
    return lambda session: removal.remove_interviews(
        session=session, team_id=TEAM, interview_ids=list(interview_ids)
    )


def test_an_interview_deleted_while_its_reminder_is_recorded_leaves_the_dm_without_it(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller, monkeypatch: pytest.MonkeyPatch
) -> None:
    interviews = due_for_two_accounts(bot, clock)
    reminded(monkeypatch, sender)(lambda: bot.db.run(deleting(interviews["Acme"])))  # commits right away
    shown = json.dumps(reminder_shown(bot))
    assert "Send Acme the deck" not in shown and "Send Globex the deck" in shown


def test_an_interview_deleted_while_its_only_reminder_is_recorded_takes_the_dm_down(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller, monkeypatch: pytest.MonkeyPatch
) -> None:
    interviews = due_for_two_accounts(bot, clock)
    reminded(monkeypatch, sender)(lambda: bot.db.run(deleting(*interviews.values())))
    assert reminder_shown(bot) is None


def test_a_deletion_held_open_while_a_reminder_is_recorded_leaves_the_dm_without_it(
    bot: RunningBot,
    sender: ReminderSender,
    clock: time_machine.Traveller,
    monkeypatch: pytest.MonkeyPatch,
    postgres_only: None,
) -> None:
    interviews = due_for_two_accounts(bot, clock)
    # Held before it reads where its follow-ups were shown: the pending DM is locked, nothing read yet.
    held = held_open(monkeypatch, removal, "_posted", before=True)
    assert raced(bot, reminded(monkeypatch, sender), deleting(interviews["Acme"]), held).interviews == 1
    shown = json.dumps(reminder_shown(bot))
    assert "Send Acme the deck" not in shown and "Send Globex the deck" in shown
