"""Removing interviews, and forgetting an account, on SQLite and PostgreSQL: everything hanging off an
interview goes with it, themes follow, and nothing of another account or workspace moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select

from bot.capture.interviews import InterviewDraft, log_interview
from bot.capture.removal import forget_account, preview_forget, preview_removal, remove_interviews
from bot.followups.calls import CallDraft, schedule_call
from bot.outbox.queue import Posted, enqueue
from bot.search.query import parse_query
from bot.search.service import search_interviews
from bot.themes.embeddings import from_bytes
from storage.db import Database
from storage.models import (
    Account,
    CustomerRequest,
    DeliveryState,
    FollowUp,
    Interview,
    OutboxKind,
    OutboxMessage,
    OutboxState,
    Pain,
    Participant,
    Quote,
    ReminderDelivery,
    ScheduledCall,
    Theme,
)
from tests.support.themed import group_pains

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
TABLES = (Interview, Pain, CustomerRequest, Quote, Participant, FollowUp, OutboxMessage, ScheduledCall)


def log(db: Database, team_id: str, account: str, pains: str, user_id: str = "U1", **texts: str) -> int:
    draft = InterviewDraft(
        account=account, kind="discovery", held_on=date(2026, 11, 20), pains=pains, **texts
    )
    with db.transaction() as session:
        logged = log_interview(
            session=session,
            team_id=team_id,
            user_id=user_id,
            draft=draft,
            now=NOW,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
        enqueue(
            session=session,
            team_id=team_id,
            user_id=user_id,
            kind=OutboxKind.INTERVIEW_SAVED,
            channel_id=user_id,
            text="Saved",
            about="the confirmation",
            now=NOW,
            interview_id=logged.interview.id,
        )
        return logged.interview.id


@dataclass
class World:
    acme: list[int]
    globex: int
    other_team: int
    shared_theme: int
    acme_theme: int
    other_team_theme: int


def seed(db: Database) -> World:
    acme = [
        log(
            db, "T1", "Acme", "Reports are slow\nAcme only pain", quotes="We hate Fridays", requests="Faster"
        ),
        log(db, "T1", "ACME Inc.", "Acme only pain again", user_id="U2", promises="Send the deck"),
    ]
    globex = log(db, "T1", "Globex", "Building reports takes ages")
    other = log(db, "T2", "Acme", "Reports are slow\nAcme only pain")
    with db.transaction() as session:
        schedule_call(
            session=session,
            team_id="T1",
            user_id="U1",
            draft=CallDraft(
                account="acme", starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=1)
            ),
            now=NOW,
            prep_before=timedelta(hours=2),
        )
        # Reminder DMs waiting to go out: U1's lists an Acme and a Globex follow-up, U2's only Acme's.
        u1 = [
            f.id
            for f in session.scalars(select(FollowUp).where(FollowUp.interview_id.in_([acme[0], globex])))
        ]
        u2 = [f.id for f in session.scalars(select(FollowUp).where(FollowUp.interview_id == acme[1]))]
        for owner, ids in (("U1", u1), ("U2", u2)):
            session.add(
                ReminderDelivery(
                    team_id="T1", owner_id=owner, follow_up_ids=ids, lease_owner="r1", lease_until=NOW
                )
            )
    groups = [["Reports are slow", "Building reports takes ages"], ["Acme only pain", "Acme only pain again"]]
    shared, solo = group_pains(db, "T1", groups)
    (other_theme,) = group_pains(db, "T2", [["Reports are slow", "Acme only pain"]])
    with db.transaction() as session:  # the upkeep job labelled the shared theme from both its lines
        theme = session.get(Theme, shared)
        assert theme is not None
        theme.labelled_at, theme.labelled_size = NOW, 2
    return World(acme, globex, other, shared, solo, other_theme)


def counts(db: Database, team_id: str) -> dict[str, int]:
    with db.read() as session:
        return {
            m.__tablename__: int(
                session.scalar(select(func.count()).select_from(m).where(m.team_id == team_id)) or 0
            )
            for m in (*TABLES, Account, Theme, ReminderDelivery)
        }


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def found(db: Database, team_id: str, text: str) -> list[str]:
    with db.read() as session:
        page = search_interviews(session=session, team_id=team_id, query=parse_query(text))
        return [f.account for f in page.found]


def test_removing_an_interview_takes_what_hangs_off_it_and_themes_follow(database: Database) -> None:
    world = seed(database)
    assert found(database, "T1", "hate fridays") == ["Acme"]
    before_other_team = counts(database, "T2")
    with database.read() as session:
        shared_before = from_bytes(session.get(Theme, world.shared_theme).centroid)
        preview = preview_removal(session=session, team_id="T1", interview_ids=[world.acme[0]])
    with database.transaction() as session:
        removed = remove_interviews(session=session, team_id="T1", interview_ids=[world.acme[0]], now=NOW)
    assert removed == preview
    assert (removed.interviews, removed.pains, removed.requests, removed.quotes) == (1, 2, 1, 1)
    assert (removed.follow_ups, removed.open_follow_ups, removed.reminders) == (2, 2, 2)
    assert (removed.deliveries, removed.memberships, removed.outbox) == (1, 2, 1)
    assert removed.themes_gone == () and removed.themes_shrunk == 2 and removed.concerned == ("U1",)

    with database.read() as session:
        assert session.get(Interview, world.acme[0]) is None
        for model in (Pain, CustomerRequest, Quote, Participant, FollowUp):
            assert session.scalars(select(model).where(model.interview_id == world.acme[0])).all() == []
        assert (
            session.scalars(select(OutboxMessage).where(OutboxMessage.interview_id == world.acme[0])).all()
            == []
        )
        # U1's reminder DM now lists only Globex's follow-up; U2's is untouched.
        u1 = session.scalar(select(ReminderDelivery).where(ReminderDelivery.owner_id == "U1"))
        globex_fus = set(session.scalars(select(FollowUp.id).where(FollowUp.interview_id == world.globex)))
        assert u1 is not None and set(u1.follow_up_ids) == globex_fus
        shared = session.get(Theme, world.shared_theme)
        assert shared is not None and (shared.size, shared.accounts) == (1, 1)
        (left,) = session.scalars(select(Pain).where(Pain.theme_id == shared.id))
        assert left.text == "Building reports takes ages"
        # The centroid is now its one remaining line's vector.
        assert cosine(from_bytes(shared.centroid), from_bytes(left.embedding)) > 0.999
        assert cosine(shared_before, from_bytes(left.embedding)) < 0.99
        # Its label may hold the words of the line that went: the upkeep job labels it again.
        assert shared.labelled_size is None
        solo = session.get(Theme, world.acme_theme)
        assert solo is not None and solo.size == 1
    assert found(database, "T1", "hate fridays") == []
    assert found(database, "T1", "reports") == ["Globex"]
    assert counts(database, "T2") == before_other_team


def test_everyone_whose_app_home_showed_it_is_concerned(database: Database) -> None:
    """Not only its author: who took part, who owns one of its follow-ups, who is on a call that goes."""
    world = seed(database)
    with database.transaction() as session:
        session.add(Participant(team_id="T1", interview_id=world.acme[0], user_id="U3"))
        promise = session.scalars(select(FollowUp).where(FollowUp.interview_id == world.acme[0])).first()
        assert promise is not None
        promise.owner_id = "U5"
        call = session.scalar(select(ScheduledCall).where(ScheduledCall.team_id == "T1"))
        assert call is not None
        call.participants, call.created_by = ["U4"], "U6"
        acme = session.scalar(select(Account.id).where(Account.team_id == "T1", Account.name == "Acme"))
    with database.read() as session:
        assert preview_forget(session=session, team_id="T1", account_id=acme).concerned == (
            "U1",
            "U2",
            "U3",
            "U4",
            "U5",
            "U6",
        )
    with database.transaction() as session:
        removed = remove_interviews(session=session, team_id="T1", interview_ids=[world.acme[0]], now=NOW)
    assert removed.concerned == ("U1", "U3", "U5")


def test_forgetting_an_account_leaves_nothing_of_it_and_nothing_else_moves(database: Database) -> None:
    world = seed(database)
    before_other_team = counts(database, "T2")
    with database.read() as session:
        acme = session.scalar(
            select(Account).where(Account.team_id == "T1", Account.normalized_name == "acme")
        )
        assert acme is not None
        preview = preview_forget(session=session, team_id="T1", account_id=acme.id)
    with database.transaction() as session:
        removed = forget_account(session=session, team_id="T1", account_id=acme.id, now=NOW)
    assert removed is not None and removed == preview and removed.account_name == "Acme"
    assert (removed.interviews, removed.pains, removed.quotes, removed.scheduled_calls, removed.accounts) == (
        2,
        3,
        1,
        1,
        1,
    )
    # Thank-you and summary for each interview, the promise, the call's prep and debrief.
    assert (removed.follow_ups, removed.open_follow_ups) == (7, 7)
    assert removed.deliveries == 2 and len(removed.themes_gone) == 1
    assert removed.themes_gone[0] in ("Acme only pain", "Acme only pain again")
    assert sorted(removed.concerned) == ["U1", "U2"]

    with database.read() as session:
        assert session.get(Account, acme.id) is None
        assert session.scalars(select(Interview).where(Interview.account_id == acme.id)).all() == []
        assert session.scalars(select(ScheduledCall).where(ScheduledCall.team_id == "T1")).all() == []
        assert session.get(Theme, world.acme_theme) is None
        shared = session.get(Theme, world.shared_theme)
        assert shared is not None and shared.size == 1
        # U2's reminder DM listed only Acme's follow-ups: it is gone, it never goes out.
        pending = session.scalars(
            select(ReminderDelivery).where(ReminderDelivery.state == DeliveryState.PENDING)
        ).all()
        assert [d.owner_id for d in pending] == ["U1"]
        left = {m.__tablename__: n for m, n in ((Interview, 1), (Pain, 1), (Quote, 0), (FollowUp, 2))}
    got = counts(database, "T1")
    assert {k: got[k] for k in left} == left and got["accounts"] == 1 and got["themes"] == 1
    assert found(database, "T1", "reports") == ["Globex"]
    assert counts(database, "T2") == before_other_team
    assert found(database, "T2", "acme only pain") == ["Acme"]


def test_another_workspaces_interview_is_never_removed(database: Database) -> None:
    world = seed(database)
    before = counts(database, "T2")
    with database.transaction() as session:
        removed = remove_interviews(session=session, team_id="T1", interview_ids=[world.other_team], now=NOW)
    assert removed.interviews == 0 and removed.pains == 0
    assert counts(database, "T2") == before
    with database.read() as session:
        theme = session.get(Theme, world.other_team_theme)
        assert theme is not None and theme.size == 2


def test_a_removal_says_where_the_sent_messages_about_it_are_and_only_those(database: Database) -> None:
    acme = [log(database, "T1", "Acme", "Exports fail"), log(database, "T1", "Acme", "Slow search")]
    globex = log(database, "T1", "Globex", "Exports fail")
    with database.transaction() as session:
        for n, interview_id in enumerate([acme[0], globex]):  # acme[1]'s DM is still to send
            message = session.scalar(select(OutboxMessage).where(OutboxMessage.interview_id == interview_id))
            message.state, message.posted_channel_id, message.message_ts = OutboxState.SENT, "D1", f"1.{n}"
    with database.transaction() as session:
        account_id = session.scalar(select(Account.id).where(Account.name == "Acme"))
        forgotten = forget_account(session=session, team_id="T1", account_id=account_id, now=NOW)
    assert forgotten is not None and forgotten.posted == (Posted("D1", "1.0"),)
    with database.transaction() as session:
        removed = remove_interviews(session=session, team_id="T1", interview_ids=[globex], now=NOW)
    assert removed.posted == (Posted("D1", "1.1"),)
