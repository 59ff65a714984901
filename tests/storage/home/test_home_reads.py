"""What App Home reads of one person, on SQLite and PostgreSQL: their open follow-ups (overdue first,
counted), their calls that have not ended, and the reminder DMs that list a follow-up; never another
person's, never another workspace's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.home.reads import open_follow_ups, upcoming_calls
from bot.reminders.deliveries import reminders_listing
from storage.db import Database
from storage.models import (
    Account,
    DeliveryState,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    ReminderDelivery,
    ScheduledCall,
)

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
ME, THEM = "U0001", "U0002"


def _follow_up(
    team: str, owner: str, hours: int, *, state: FollowUpState = FollowUpState.OPEN, **kw
) -> FollowUp:
    return FollowUp(
        team_id=team,
        owner_id=owner,
        kind=kw.pop("kind", FollowUpKind.PROMISE),
        description=kw.pop("description", f"due in {hours}h"),
        due_at=NOW + timedelta(hours=hours),
        state=state,
        **kw,
    )


def test_open_follow_ups_are_mine_overdue_first_and_counted(database: Database) -> None:
    with database.transaction() as s:
        s.add_all(
            [
                _follow_up("T0001", ME, 5),
                _follow_up("T0001", ME, -30),
                _follow_up("T0001", ME, -2, state=FollowUpState.SNOOZED),
                _follow_up("T0001", ME, 1, state=FollowUpState.DONE),
                _follow_up("T0001", ME, 2, state=FollowUpState.SKIPPED),
                _follow_up("T0001", ME, 3, kind=FollowUpKind.PREP),  # shown as a call instead
                _follow_up("T0001", THEM, -40),
                _follow_up("T0002", ME, -50),
            ]
        )
    with database.read() as s:
        owed = open_follow_ups(session=s, team_id="T0001", user_id=ME, now=NOW, limit=2)
        assert [f.description for f in owed.items] == ["due in -30h", "due in -2h"]
        assert (owed.total, owed.overdue) == (3, 2)
        everything = open_follow_ups(session=s, team_id="T0001", user_id=ME, now=NOW, limit=10)
        assert [f.description for f in everything.items] == ["due in -30h", "due in -2h", "due in 5h"]


def test_upcoming_calls_are_those_i_am_on_that_have_not_ended(database: Database) -> None:
    with database.transaction() as s:
        acme = Account(team_id="T0001", name="Acme", normalized_name="acme")
        other = Account(team_id="T0002", name="Acme", normalized_name="acme")
        s.add_all([acme, other])
        s.flush()

        def call(account: Account, hours: int, people: list[str], name: str) -> ScheduledCall:
            scheduled = ScheduledCall(
                team_id=account.team_id,
                account_id=account.id,
                starts_at=NOW + timedelta(hours=hours),
                ends_at=NOW + timedelta(hours=hours, minutes=30),
                goal=name,
                participants=people,
                created_by=people[0],
            )
            s.add(scheduled)
            s.flush()
            for person in people:
                s.add(
                    _follow_up(
                        account.team_id, person, hours, kind=FollowUpKind.PREP, scheduled_call_id=scheduled.id
                    )
                )
            return scheduled

        call(acme, 48, [THEM, ME], "later, organised by them")
        call(acme, 2, [ME], "soon")
        call(acme, -1, [ME], "ended")
        call(acme, 3, [THEM], "not mine")
        call(other, 1, [ME], "elsewhere")
        call(acme, 0, [ME], "going on now")
    with database.read() as s:
        mine = upcoming_calls(
            session=s, team_id="T0001", user_id=ME, now=NOW + timedelta(minutes=10), limit=2
        )
        assert [c.goal for c in mine.calls] == ["going on now", "soon"]
        assert mine.total == 3
        assert mine.calls[0].account.name == "Acme"


def test_reminders_listing_a_follow_up_are_the_sent_dms_that_carry_it(database: Database) -> None:
    def delivery(
        team: str, owner: str, ids: list[int], state: DeliveryState, ts: str | None
    ) -> ReminderDelivery:
        return ReminderDelivery(
            team_id=team,
            owner_id=owner,
            state=state,
            follow_up_ids=ids,
            lease_owner="r1",
            lease_until=NOW,
            channel_id="D0001" if ts else None,
            message_ts=ts,
        )

    with database.transaction() as s:
        s.add_all(
            [
                delivery("T0001", ME, [7, 8], DeliveryState.SENT, "1.1"),
                delivery("T0001", ME, [9], DeliveryState.SENT, "1.2"),
                delivery("T0001", ME, [8], DeliveryState.SENT, "1.3"),
                delivery("T0001", ME, [8], DeliveryState.FAILED, None),
                delivery("T0001", ME, [8], DeliveryState.DEFERRED, None),
                delivery("T0001", THEM, [8], DeliveryState.SENT, "2.1"),
                delivery("T0002", ME, [8], DeliveryState.SENT, "3.1"),
            ]
        )
    with database.read() as s:
        sent = reminders_listing(session=s, team_id="T0001", user_id=ME, follow_up_ids={8})
    assert [(r.channel_id, r.message_ts, r.follow_up_ids) for r in sent] == [
        ("D0001", "1.3", [8]),
        ("D0001", "1.1", [7, 8]),
    ]
