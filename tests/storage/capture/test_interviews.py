"""Storage on SQLite and PostgreSQL: one account per name, workspaces apart, follow-ups planned right,
times back in UTC."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.accounts.names import get_or_create_account, search_accounts
from bot.capture.interviews import InterviewDraft, LoggedInterview, log_interview, recent_interviews
from bot.errors import InvalidInput
from storage.db import Database
from storage.models import Account, FollowUp, FollowUpKind
from tests.conftest import interview_count

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def draft(**overrides: object) -> InterviewDraft:
    fields: dict[str, object] = {
        "account": "Acme",
        "kind": "discovery",
        "held_on": date(2026, 11, 23),
        "pains": "Reports are slow",
    }
    fields.update(overrides)
    return InterviewDraft(**fields)  # type: ignore[arg-type]


def log(db: Database, team_id: str = "T1", user_id: str = "U1", **overrides: object) -> LoggedInterview:
    with db.transaction() as session:
        return log_interview(
            session=session,
            team_id=team_id,
            user_id=user_id,
            draft=draft(**overrides),
            now=NOW,
            tz=PARIS,
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )


def test_one_account_whatever_the_spelling(database: Database) -> None:
    for name in ("ACME Inc.", "Acme", "acme", "  Acme,  Inc ", "ACME LLC"):
        log(database, account=name)
    with database.transaction() as session:
        accounts = session.scalars(select(Account)).all()
        assert [(a.name, a.normalized_name) for a in accounts] == [("ACME Inc.", "acme")]
    assert interview_count(database) == 5


def test_the_same_new_account_created_at_once_is_one_account(database: Database) -> None:
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def create(name: str) -> None:
        try:
            barrier.wait()
            with database.transaction() as session:
                get_or_create_account(session=session, team_id="T1", name=name)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(n,)) for n in ["Globex", "GLOBEX", "globex corp"] * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 1


def test_workspaces_never_see_each_other(database: Database) -> None:
    log(database, team_id="T1", user_id="U1", account="Acme", pains="T1 secret pain")
    log(database, team_id="T2", user_id="U1", account="Acme", pains="T2 secret pain")
    with database.transaction() as session:
        mine = recent_interviews(session=session, team_id="T1", user_id="U1")
        assert [p.text for i in mine for p in i.pains] == ["T1 secret pain"]
        assert len(session.scalars(select(Account)).all()) == 2  # one "Acme" per workspace
        assert [a.team_id for a in search_accounts(session=session, team_id="T2", query="ac")] == ["T2"]


def test_search_puts_prefix_matches_first(database: Database) -> None:
    for name in ("Big Acme", "Acme", "Acorn", "100% Pure"):
        log(database, account=name)
    with database.transaction() as session:
        assert [a.name for a in search_accounts(session=session, team_id="T1", query="acm")] == [
            "Acme",
            "Big Acme",
        ]
        # Punctuation is not part of a name's key: "%" is no wildcard, it lists like an empty query.
        assert len(search_accounts(session=session, team_id="T1", query="%")) == 4
        assert [a.name for a in search_accounts(session=session, team_id="T1", query="100")] == ["100% Pure"]


def test_follow_ups_are_planned_from_what_was_captured(database: Database) -> None:
    logged = log(database, promises="Send the pricing sheet by 2026-11-27\nIntroduce our CTO")
    due = {(f.kind, f.description): f.due_at for f in logged.follow_ups}
    assert due[(FollowUpKind.THANK_YOU, "Send Acme a thank-you email")] == NOW + timedelta(hours=24)
    assert due[(FollowUpKind.SUMMARY, "Write the summary of the call with Acme")] == NOW + timedelta(hours=48)
    # A promise with a date is due at 09:00 on that date, in the owner's zone (Paris: UTC+1 in November).
    assert due[(FollowUpKind.PROMISE, "Send the pricing sheet")] == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert due[(FollowUpKind.PROMISE, "Introduce our CTO")] == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)

    with database.transaction() as session:
        stored = session.scalars(select(FollowUp).order_by(FollowUp.due_at)).all()
        assert all(f.due_at.tzinfo is not None and f.due_at.utcoffset() == timedelta(0) for f in stored)
        assert {f.owner_id for f in stored} == {"U1"}


def test_no_thank_you_when_sent_and_no_summary_when_interpreted(database: Database) -> None:
    logged = log(database, thank_you_sent=True, interpretation="They need faster month-end close")
    assert logged.follow_ups == []


def test_a_call_logged_days_later_is_due_now_not_in_the_past(database: Database) -> None:
    logged = log(database, held_on=date(2026, 11, 16))
    assert {f.kind: f.due_at for f in logged.follow_ups}[FollowUpKind.THANK_YOU] == NOW


def test_invalid_drafts_store_nothing(database: Database) -> None:
    with pytest.raises(InvalidInput) as caught:
        log(database, account="", pains="", held_on=date(2046, 1, 1))
    assert set(caught.value.fields) == {"account", "pains", "held_on"}
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_an_account_keeps_the_date_of_its_latest_interview(database: Database) -> None:
    """The digest's coverage reads it: a call logged late, about an older conversation, does not make
    the account look quieter than it is."""
    log(database, held_on=date(2026, 11, 20))
    log(database, held_on=date(2026, 11, 23), account="ACME inc")
    log(database, held_on=date(2026, 10, 1))
    with database.read() as session:
        assert session.scalars(select(Account.last_held_on)).all() == [date(2026, 11, 23)]
