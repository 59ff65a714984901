"""Reminders: which follow-ups are due, who sends them, and what a person's answer changes.

The database is the only state. A tick claims deliveries (one DM per person, listing all their due
follow-ups) in one short transaction; the DM is sent outside it; the result is recorded in another. At
most one delivery per person is pending (a partial unique index), and each carries a lease: a replica
that dies leaves its deliveries to be taken over once the lease runs out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, func, literal, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.accounts.history import AccountHistory, account_history
from bot.config import WorkingHours
from bot.followups.working_hours import next_working_day_start
from bot.loop.tells import TellList, tell_lists
from bot.people.timezones import find_person, person_for
from bot.studies.guide import StudyGuide, StudyRecap, call_guides, interview_recaps
from storage.leases import Lease
from storage.models import (
    OWED,
    DeliveryState,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    Person,
    ReminderDelivery,
    ScheduledCall,
    UTCDateTime,
)

LEASE = timedelta(minutes=2)
RETRY_AFTER_FAILURE = timedelta(minutes=1)
DELIVERY = Lease(
    ReminderDelivery.lease_owner,
    ReminderDelivery.lease_until,
    open=ReminderDelivery.state == DeliveryState.PENDING,
)
# A delivery lists at most this many follow-ups; the rest wait for the next tick (Slack's 50 blocks).
MAX_ITEMS_PER_DELIVERY = 20
# What drawing a reminder reads of each follow-up's interview, loaded with it.
RENDERING = (
    selectinload(FollowUp.interview).selectinload(Interview.account),
    selectinload(FollowUp.interview).selectinload(Interview.pains),
    selectinload(FollowUp.scheduled_call).selectinload(ScheduledCall.account),
)


@dataclass(frozen=True)
class ReminderPolicy:
    working_hours: WorkingHours | None
    max_resends: int = 3
    lease: timedelta = LEASE


class _NothingDue(Exception):
    pass


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    team_id: str
    owner_id: str
    # The previous holder's lease ran out: its DM may be in Slack already, so look before sending.
    takeover: bool


def claim_due(
    *, session: Session, now: datetime, replica: str, lease: timedelta, limit: int
) -> list[Claimed]:
    """Claim up to `limit` deliveries: ones whose lease ran out, then one per person with due follow-ups.

    Costs what is due, not what is stored: both queries start from partial indexes holding only
    pending deliveries and follow-ups with a reminder time.
    """
    claimed: list[Claimed] = []
    for delivery in DELIVERY.take_over(session, replica, now=now, lease=lease, limit=limit):
        delivery.attempts += 1
        claimed.append(
            Claimed(
                delivery.id,
                delivery.team_id,
                delivery.owner_id,
                takeover=delivery.send_started_at is not None,
            )
        )

    pending = exists().where(
        ReminderDelivery.state == DeliveryState.PENDING,
        ReminderDelivery.team_id == FollowUp.team_id,
        ReminderDelivery.owner_id == FollowUp.owner_id,
    )
    owners = session.execute(
        select(FollowUp.team_id, FollowUp.owner_id)
        .where(FollowUp.remind_at <= now, ~pending)
        .group_by(FollowUp.team_id, FollowUp.owner_id)
        .order_by(func.min(FollowUp.remind_at))
        .limit(max(0, limit - len(claimed)))
    ).all()
    for team_id, owner_id in owners:
        delivery = ReminderDelivery(
            team_id=team_id,
            owner_id=owner_id,
            follow_up_ids=[],
            lease_owner=replica,
            lease_until=now + lease,
            attempts=0,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(delivery)
                session.flush()  # takes this person's one pending slot, or fails if it is taken
                # Only now read what is due: a replica that sent this person's reminders and recorded
                # them after our first look has committed by the time our insert succeeds.
                delivery.follow_up_ids = list(
                    session.scalars(
                        select(FollowUp.id)
                        .where(
                            FollowUp.team_id == team_id,
                            FollowUp.owner_id == owner_id,
                            FollowUp.remind_at <= now,
                        )
                        .order_by(FollowUp.remind_at, FollowUp.id)
                        .limit(MAX_ITEMS_PER_DELIVERY)
                    )
                )
                if not delivery.follow_up_ids:
                    raise _NothingDue()
                session.flush()
        except (IntegrityError, _NothingDue):
            continue  # another replica has this person, or has just reminded them
        claimed.append(Claimed(delivery.id, team_id, owner_id, takeover=False))
    return claimed


@dataclass
class DeliveryWork:
    """What a claimed delivery needs to be sent: the follow-ups still worth a reminder, the person, the
    history of each account a prep DM is about, the guide of each call in a study (by call id), the
    study recap of each summary owed for an interview in one (by interview id), and the accounts each
    closing-the-loop follow-up lists (by follow-up id)."""

    delivery: ReminderDelivery
    items: list[FollowUp]
    person: Person | None
    histories: dict[int, AccountHistory]
    guides: dict[int, StudyGuide] = field(default_factory=dict)
    recaps: dict[int, StudyRecap] = field(default_factory=dict)
    tells: dict[int, TellList] = field(default_factory=dict)


def load_delivery(*, session: Session, delivery_id: int, replica: str) -> DeliveryWork | None:
    """The delivery if this replica still holds it; None if another took it over or it is done."""
    delivery = session.get(ReminderDelivery, delivery_id)
    if delivery is None or delivery.state != DeliveryState.PENDING or delivery.lease_owner != replica:
        return None
    listed = items_by_id(session=session, team_id=delivery.team_id, ids=delivery.follow_up_ids)
    items = [item for item in listed if item.state in OWED]
    person = find_person(session, delivery.team_id, delivery.owner_id)
    calls = [i.scheduled_call for i in items if i.kind == FollowUpKind.PREP and i.scheduled_call is not None]
    team_id = delivery.team_id
    histories = {
        call.account_id: account_history(session=session, team_id=team_id, account_id=call.account_id)
        for call in calls
    }
    guides = call_guides(session=session, team_id=team_id, calls=calls)
    recaps = summary_recaps(session=session, team_id=team_id, items=items)
    tells = tell_lists(session=session, team_id=team_id, items=items)
    return DeliveryWork(delivery, items, person, histories, guides, recaps, tells)


def summary_recaps(*, session: Session, team_id: str, items: list[FollowUp]) -> dict[int, StudyRecap]:
    """The study recap of each summary still owed for an interview in a study: the reminder's draft."""
    owed = [
        i.interview_id for i in items if i.kind == FollowUpKind.SUMMARY and i.interview_id and i.state in OWED
    ]
    return interview_recaps(session=session, team_id=team_id, interview_ids=owed)


@dataclass(frozen=True)
class RecordedDelivery:
    """What recording a sent reminder DM found (see `record_sent`)."""

    held: bool
    gone: bool
    follow_up_ids: list[int]


def _take(session: Session, delivery_id: int, replica: str, **values: object) -> Any:
    """Set `values` on the delivery if this replica still holds it: its team_id, owner_id and
    follow_up_ids, or None if not. One statement (UPDATE … RETURNING), no read after it."""
    returning = (ReminderDelivery.team_id, ReminderDelivery.owner_id, ReminderDelivery.follow_up_ids)
    return DELIVERY.change(
        session, replica, ReminderDelivery.id == delivery_id, returning=returning, **values
    )


def renew_lease(*, session: Session, delivery_id: int, replica: str, now: datetime, lease: timedelta) -> bool:
    """Hold the delivery a full lease longer, right before sending; False if another replica took it
    over meanwhile (a stall longer than the lease), in which case this one must not send."""
    return DELIVERY.renew(
        session, replica, ReminderDelivery.id == delivery_id, now=now, lease=lease, send_started_at=now
    )


def record_sent(
    *,
    session: Session,
    delivery_id: int,
    replica: str,
    channel_id: str,
    message_ts: str,
    now: datetime,
    tz: ZoneInfo,
    policy: ReminderPolicy,
    held_back: dict[int, datetime] | None = None,
    known_channel: str | None = None,
) -> RecordedDelivery:
    """Mark the delivery sent and move each listed follow-up to its next reminder. Not `held` when the
    lease was lost meanwhile (the new holder will find this DM in Slack and record it itself), or when
    the delivery is `gone`: every follow-up it listed was deleted while it was being sent.
    `follow_up_ids`: what it lists now, which a deletion meanwhile may have shortened.

    `held_back` maps follow-ups that were left out of the DM (outside working hours) to their new time.
    `known_channel`: the person's DM channel as the sender read it; the person is written only when the
    DM went elsewhere (their first DM, addressed to their user id).

    The listed follow-ups move in one UPDATE, whatever their number: they share the DM's time and zone,
    so their next reminder is the same moment, or none (reminded enough, or said once: a prep, a debrief).
    """
    delivery = _take(
        session,
        delivery_id,
        replica,
        state=DeliveryState.SENT,
        channel_id=channel_id,
        message_ts=message_ts,
        sent_at=now,
    )
    if delivery is None:
        gone = session.get(ReminderDelivery, delivery_id) is None
        return RecordedDelivery(held=False, gone=gone, follow_up_ids=[])
    held_back = held_back or {}
    listed = [i for i in delivery.follow_up_ids if i not in held_back]
    on_the_clock = FollowUp.kind.in_([k for k in FollowUpKind if k.on_the_clock])
    at_now = literal(now, UTCDateTime())
    # After a reminder: the next working day while resends remain (the first reminder is not a resend),
    # else none (the item stays open, and shows as overdue). A SET expression reads the row as it was.
    reminded_enough = FollowUp.reminders_sent + 1 > policy.max_resends
    next_at = literal(next_working_day_start(now, tz, policy.working_hours), UTCDateTime())
    if listed:
        session.execute(
            update(FollowUp)
            .where(
                FollowUp.team_id == delivery.team_id,
                FollowUp.id.in_(listed),
                FollowUp.state.in_(OWED),
            )
            .values(
                reminders_sent=FollowUp.reminders_sent + 1,
                last_reminded_at=now,
                remind_at=case((on_the_clock, null()), (reminded_enough, null()), else_=next_at),
                state=case(
                    (on_the_clock, literal(FollowUpState.DONE.value)), else_=literal(FollowUpState.OPEN.value)
                ),
                closed_at=case((on_the_clock, at_now), else_=FollowUp.closed_at),
            )
            .execution_options(synchronize_session=False)
        )
    for until in set(held_back.values()):
        session.execute(
            update(FollowUp)
            .where(
                FollowUp.team_id == delivery.team_id,
                FollowUp.id.in_([i for i, t in held_back.items() if t == until]),
                FollowUp.state.in_(OWED),
            )
            .values(remind_at=until)
            .execution_options(synchronize_session=False)
        )
    if known_channel != channel_id:
        _remember_dm_channel(session, delivery.team_id, delivery.owner_id, channel_id)
    return RecordedDelivery(held=True, gone=False, follow_up_ids=list(delivery.follow_up_ids))


def _remember_dm_channel(session: Session, team_id: str, user_id: str, channel_id: str) -> None:
    person = person_for(session, team_id, user_id)
    if person.dm_channel_id != channel_id:
        person.dm_channel_id = channel_id


def record_undeliverable(*, session: Session, delivery_id: int, replica: str, error: str) -> bool:
    """Slack said it can never be delivered (user gone, …): stop reminding, and say why."""
    delivery = _take(session, delivery_id, replica, state=DeliveryState.FAILED, error=error[:64])
    if delivery is None:
        return False
    session.execute(
        update(FollowUp)
        .where(FollowUp.team_id == delivery.team_id, FollowUp.id.in_(delivery.follow_up_ids))
        .values(remind_at=None, undeliverable=error[:64])
    )
    return True


def defer(*, session: Session, delivery_id: int, replica: str, until: datetime) -> bool:
    """Send nothing now (paused, or outside the person's hours): remind at `until` instead."""
    delivery = _take(session, delivery_id, replica, state=DeliveryState.DEFERRED)
    if delivery is None:
        return False
    session.execute(
        update(FollowUp)
        .where(
            FollowUp.team_id == delivery.team_id,
            FollowUp.id.in_(delivery.follow_up_ids),
            FollowUp.remind_at.is_not(None),
        )
        .values(remind_at=until)
    )
    return True


def retry_later(
    *,
    session: Session,
    delivery_id: int,
    replica: str,
    now: datetime,
    after: timedelta = RETRY_AFTER_FAILURE,
    not_sent: bool = False,
) -> None:
    """Slack failed in a way that may heal: keep the claim, and let any replica try again `after`.
    `not_sent`: Slack answered (a 429, an error), so nothing went out and a retry need not look first."""
    values: dict[str, object] = {"lease_until": now + after, "attempts": ReminderDelivery.attempts + 1}
    if not_sent:
        values["send_started_at"] = None
    _take(session, delivery_id, replica, **values)


def items_by_id(*, session: Session, team_id: str, ids: list[int]) -> list[FollowUp]:
    """Follow-ups listed in a reminder, for drawing it again after a click."""
    return list(
        session.scalars(
            select(FollowUp)
            .where(FollowUp.team_id == team_id, FollowUp.id.in_(ids))
            .options(*RENDERING)
            .order_by(FollowUp.due_at, FollowUp.id)
        )
    )


# The latest DMs of a person looked at for one that lists a follow-up: a follow-up is reminded a few
# times at most (resends, snoozes), on the days after it is due.
DMS_LOOKED_AT = 20


@dataclass(frozen=True)
class SentReminder:
    channel_id: str
    message_ts: str
    follow_up_ids: list[int]


def reminders_listing(
    *, session: Session, team_id: str, user_id: str, follow_up_ids: Collection[int]
) -> list[SentReminder]:
    """The reminder DMs sent to this person that list any of these follow-ups (of their latest DMs, newest
    first), as Slack knows them: where each is, and every follow-up it lists."""
    rows = session.execute(
        select(ReminderDelivery.channel_id, ReminderDelivery.message_ts, ReminderDelivery.follow_up_ids)
        .where(
            ReminderDelivery.team_id == team_id,
            ReminderDelivery.owner_id == user_id,
            ReminderDelivery.state == DeliveryState.SENT,
        )
        .order_by(ReminderDelivery.id.desc())
        .limit(DMS_LOOKED_AT)
    ).all()
    wanted = set(follow_up_ids)
    return [
        SentReminder(channel, ts, [int(i) for i in ids])
        for channel, ts, ids in rows
        if channel and ts and wanted.intersection(ids or [])
    ]
