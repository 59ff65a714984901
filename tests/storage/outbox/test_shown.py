"""What the bot showed whom (bot.outbox.shown): a modal is found for the person it was opened for, in their
workspace, for a day; a person's old rows go as they open another, nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.outbox.shown import MODAL_LIFETIME, modal_opened_for, remember_modal, reminder_sent_to
from storage.db import Database
from storage.models import DeliveryState, OpenedModal, ReminderDelivery

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def opened(db: Database, team_id: str, user_id: str, view_id: str, now: datetime = NOW) -> bool:
    with db.read() as session:
        return modal_opened_for(session=session, team_id=team_id, user_id=user_id, view_id=view_id, now=now)


def remember(db: Database, team_id: str, user_id: str, view_id: str, now: datetime) -> None:
    db.run(lambda s: remember_modal(session=s, team_id=team_id, user_id=user_id, view_id=view_id, now=now))


def test_a_modal_is_found_for_its_person_in_its_workspace_for_a_day(database: Database) -> None:
    remember(database, "T1", "U1", "V1", NOW)
    assert opened(database, "T1", "U1", "V1")
    assert not opened(database, "T1", "U2", "V1")  # someone else
    assert not opened(database, "T2", "U1", "V1")  # the same user id in another workspace
    assert not opened(database, "T1", "U1", "V2")  # another view
    assert opened(database, "T1", "U1", "V1", NOW + MODAL_LIFETIME)
    assert not opened(database, "T1", "U1", "V1", NOW + MODAL_LIFETIME + timedelta(seconds=1))


def test_a_persons_old_rows_go_as_they_open_another_and_nobody_elses(database: Database) -> None:
    remember(database, "T1", "U1", "V1", NOW)
    remember(database, "T1", "U2", "V2", NOW)  # another person's, as old
    remember(database, "T2", "U1", "V3", NOW)  # the same user id elsewhere, as old
    remember(database, "T1", "U1", "V4", NOW + timedelta(hours=1))  # not yet a day later: V1 stays
    later = NOW + MODAL_LIFETIME + timedelta(minutes=1)
    remember(database, "T1", "U1", "V5", later)
    with database.read() as session:
        left = set(session.scalars(select(OpenedModal.view_id)))
    assert left == {"V2", "V3", "V4", "V5"}


def test_a_reminder_dm_is_found_for_the_person_it_was_sent_to_in_their_workspace(database: Database) -> None:
    def sent(team_id: str, owner_id: str, channel_id: str, ts: str, ids: list[int]) -> None:
        with database.transaction() as session:
            session.add(
                ReminderDelivery(
                    team_id=team_id,
                    owner_id=owner_id,
                    state=DeliveryState.SENT,
                    follow_up_ids=ids,
                    lease_owner="r1",
                    lease_until=NOW,
                    channel_id=channel_id,
                    message_ts=ts,
                )
            )

    sent("T1", "U1", "D1", "1.1", [7, 8])
    sent("T1", "U2", "D2", "2.2", [9])
    sent("T2", "U1", "D1", "3.3", [10])

    def found(team_id: str, user_id: str, channel_id: str, ts: str) -> list[int] | None:
        with database.read() as session:
            return reminder_sent_to(
                session=session, team_id=team_id, user_id=user_id, channel_id=channel_id, message_ts=ts
            )

    assert found("T1", "U1", "D1", "1.1") == [7, 8]
    assert found("T1", "U1", "D2", "2.2") is None  # another person's DM
    assert found("T1", "U1", "D1", "3.3") is None  # recorded in another workspace
    assert found("T2", "U1", "D1", "1.1") is None
    assert found("T1", "U1", "D1", "9.9") is None  # never sent
