"""Editing an interview, on SQLite and PostgreSQL: fields updated in place, lines matched by text (an
unchanged one keeps its row and theme), promises re-planned, the edit recorded, workspaces apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.capture.edits import Edited, edit_interview
from bot.capture.interviews import InterviewDraft
from bot.digest.content import build_digest
from bot.digest.period import Period
from bot.errors import InterviewGone, InvalidInput, NotTheAuthor
from bot.search.query import parse_query
from bot.search.service import search_interviews
from bot.themes.recount import recount_marked_themes
from storage.db import Database
from storage.models import (
    Account,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    InterviewEdit,
    Pain,
    Theme,
    ThemeKind,
)
from tests.storage.capture.test_interviews import NOW, PARIS, draft, log

LATER = NOW + timedelta(hours=2)


def edit(
    db: Database, interview_id: int, changed: InterviewDraft, *, by: str = "U1", team_id: str = "T1"
) -> Edited:
    with db.transaction() as session:
        return edit_interview(
            session=session,
            team_id=team_id,
            interview_id=interview_id,
            draft=changed,
            by=by,
            now=LATER,
            tz=PARIS,
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )


def recounted(db: Database, theme_id: int) -> bool:
    """The edit left the theme marked, its counts as they were; counting the marked themes again (what
    follows the edit's answer) clears the mark."""
    with db.read() as session:
        theme = session.get(Theme, theme_id)
        assert theme is not None
        marked, size = theme.recount_due_at == LATER, theme.size
    counted = recount_marked_themes(db)
    with db.read() as session:
        theme = session.get(Theme, theme_id)
        return marked and size == 2 and counted == 1 and (theme is None or theme.recount_due_at is None)


def promises(db: Database) -> dict[str, FollowUp]:
    with db.read() as session:
        return {
            f.description: f
            for f in session.scalars(select(FollowUp).where(FollowUp.kind == FollowUpKind.PROMISE))
        }


def test_fields_change_in_place_and_the_edit_is_recorded(database: Database) -> None:
    original = draft(pains="Reports are slow\nExports break", notes="First notes", goal="Learn about reports")
    logged = log(database, **vars(original))
    pain_ids = {p.text: p.id for p in logged.interview.pains}
    changed = replace(original, pains="Exports break\nThe API times out", notes="Better notes", kind="demo")
    edited = edit(database, logged.interview.id, changed)
    assert edited.changed == ["kind", "pains", "notes"]
    with database.read() as session:
        pains = session.scalars(select(Pain).order_by(Pain.position)).all()
        assert [(p.text, p.position) for p in pains] == [("Exports break", 0), ("The API times out", 1)]
        assert pains[0].id == pain_ids["Exports break"]  # the unchanged line is the same row
        (record,) = session.scalars(select(InterviewEdit)).all()
        assert (record.team_id, record.edited_by, record.edited_at) == ("T1", "U1", LATER)
        assert record.fields == ["kind", "pains", "notes"]
        found = search_interviews(session=session, team_id="T1", query=parse_query("times out"))
        gone = search_interviews(session=session, team_id="T1", query=parse_query("slow"))
        assert len(found.found) == 1 and gone.found == []
    # Submitting the same again changes nothing and records nothing.
    assert edit(database, logged.interview.id, changed).changed == []
    with database.read() as session:
        assert len(session.scalars(select(InterviewEdit)).all()) == 1


def test_promises_removed_closed_new_planned_unchanged_kept(database: Database) -> None:
    original = draft(promises="Send the pricing sheet by 2026-11-30\nIntroduce the CTO")
    logged = log(database, **vars(original))
    before = promises(database)
    snoozed_until = NOW + timedelta(days=1)
    with database.transaction() as session:
        item = session.get(FollowUp, before["Introduce the CTO"].id)
        item.state, item.remind_at = FollowUpState.SNOOZED, snoozed_until
    edited = edit(
        database, logged.interview.id, replace(original, promises="Introduce the CTO\nShare the roadmap")
    )
    assert edited.changed == ["promises"]
    after = promises(database)
    removed = after["Send the pricing sheet"]
    assert (removed.state, removed.remind_at, removed.closed_at) == (FollowUpState.SKIPPED, None, LATER)
    kept = after["Introduce the CTO"]
    assert (kept.id, kept.state, kept.remind_at) == (
        before["Introduce the CTO"].id,
        FollowUpState.SNOOZED,
        snoozed_until,
    )
    new = after["Share the roadmap"]
    assert new.state == FollowUpState.OPEN and new.owner_id == "U1" and new.team_id == "T1"
    # Planned as logging plans it: three days after the call, 9:00 in the author's zone.
    assert new.due_at == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert [f.description for f in edited.added] == ["Share the roadmap"]
    assert [f.description for f in edited.closed] == ["Send the pricing sheet"]


def test_a_promise_already_kept_stays_done_when_its_line_goes(database: Database) -> None:
    original = draft(promises="Send the pricing sheet")
    logged = log(database, **vars(original))
    with database.transaction() as session:
        item = session.get(FollowUp, promises(database)["Send the pricing sheet"].id)
        item.state, item.closed_at, item.remind_at = FollowUpState.DONE, NOW, None
    edited = edit(database, logged.interview.id, replace(original, promises=None))
    kept = promises(database)["Send the pricing sheet"]
    assert (kept.state, kept.closed_at) == (FollowUpState.DONE, NOW) and edited.closed == []


def test_a_promise_given_another_date_is_due_then(database: Database) -> None:
    original = draft(promises="Send the pricing sheet by 2026-11-30")
    logged = log(database, **vars(original))
    edit(database, logged.interview.id, replace(original, promises="Send the pricing sheet by 2026-12-04"))
    moved = promises(database)["Send the pricing sheet"]
    assert moved.due_at == moved.remind_at == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_filling_the_interpretation_and_sending_thanks_close_what_was_owed(database: Database) -> None:
    logged = log(database)
    edit(database, logged.interview.id, draft(interpretation="They need speed", thank_you_sent=True))
    with database.read() as session:
        states = {f.kind: f.state for f in session.scalars(select(FollowUp))}
    assert states == {FollowUpKind.THANK_YOU: FollowUpState.DONE, FollowUpKind.SUMMARY: FollowUpState.DONE}


def test_thanks_ticked_on_edit_count_once_in_the_digest(database: Database) -> None:
    """The thank-you owed is closed by the edit; the ticked box does not count it a second time."""
    logged = log(database)
    log(database, account="Globex", thank_you_sent=True)  # ticked when logged: no follow-up, counted once
    edit(database, logged.interview.id, draft(thank_you_sent=True))
    with database.read() as session:
        health = build_digest(
            session=session, team_id="T1", period=Period.ending_at(NOW + timedelta(days=1), UTC), now=LATER
        ).follow_ups
    assert (health.thank_yous, health.thank_yous_on_time) == (2, 2)


def test_a_new_account_moves_the_lines_and_the_theme_counts_again(database: Database) -> None:
    logged = log(database, pains="Reports are slow")
    other = log(database, account="Globex", pains="Reports take ages")
    with database.transaction() as session:
        theme = Theme(team_id="T1", kind=ThemeKind.PAIN, name="Slow reports", created_at=NOW, updated_at=NOW)
        session.add(theme)
        session.flush()
        for pain in session.scalars(select(Pain)):
            pain.theme_id = theme.id
        theme.size, theme.accounts = 2, 2
        theme_id = theme.id
    edit(database, logged.interview.id, draft(account="Globex", pains="Reports are slow"))
    assert recounted(database, theme_id)
    with database.read() as session:
        theme = session.get(Theme, theme_id)
        assert (theme.size, theme.accounts) == (2, 1)
        globex = session.scalar(select(Account).where(Account.name == "Globex"))
        assert {p.account_id for p in session.scalars(select(Pain))} == {globex.id}
        acme = session.scalar(select(Account).where(Account.name == "Acme"))
        assert acme.last_held_on is None and globex.last_held_on == date(2026, 11, 23)
    assert other.interview.id != logged.interview.id


def test_a_removed_line_leaves_its_theme_and_a_hand_placed_unchanged_line_stays(database: Database) -> None:
    logged = log(database, pains="Reports are slow\nExports break")
    with database.transaction() as session:
        theme = Theme(team_id="T1", kind=ThemeKind.PAIN, name="Mixed", created_at=NOW, updated_at=NOW)
        session.add(theme)
        session.flush()
        for pain in session.scalars(select(Pain)):
            pain.theme_id, pain.placed_by = theme.id, "U9"
        theme.size = 2
        theme_id = theme.id
    edit(database, logged.interview.id, draft(pains="Reports are slow\nExports break badly"))
    assert recounted(database, theme_id)
    with database.read() as session:
        rows = {p.text: (p.theme_id, p.placed_by, p.embedded_with) for p in session.scalars(select(Pain))}
        assert rows == {"Reports are slow": (theme_id, "U9", None), "Exports break badly": (None, None, None)}
        assert session.get(Theme, theme_id).size == 1


@pytest.mark.parametrize("named_by", [None, "U9"])
def test_a_label_that_may_quote_a_line_edited_away_is_redone_unless_a_person_named_it(
    database: Database, named_by: str | None
) -> None:
    logged = log(database, pains="Reports are slow\nExports break")
    with database.transaction() as session:
        theme = Theme(
            team_id="T1",
            kind=ThemeKind.PAIN,
            name="Slow reports and exports",
            named_by=named_by,
            created_at=NOW,
            updated_at=NOW,
            labelled_at=NOW,
            labelled_size=2,
        )
        session.add(theme)
        session.flush()
        for pain in session.scalars(select(Pain)):
            pain.theme_id = theme.id
        theme.size, theme_id = 2, theme.id
    edit(database, logged.interview.id, draft(pains="Reports are slow"))
    assert recounted(database, theme_id)
    with database.read() as session:
        kept = session.get(Theme, theme_id)
        assert kept is not None and kept.size == 1
        assert kept.labelled_size == (None if named_by is None else 2)


def test_only_the_author_of_this_workspace_edits_and_the_draft_is_checked(database: Database) -> None:
    logged = log(database)
    with pytest.raises(NotTheAuthor):
        edit(database, logged.interview.id, draft(notes="mine now"), by="U2")
    with pytest.raises(InterviewGone):
        edit(database, logged.interview.id, draft(notes="theirs"), team_id="T2")
    with pytest.raises(InvalidInput) as bad:
        edit(database, logged.interview.id, draft(pains="", notes=""))
    assert set(bad.value.fields) == {"pains"}
    with database.read() as session:
        assert session.scalars(select(InterviewEdit)).all() == []
