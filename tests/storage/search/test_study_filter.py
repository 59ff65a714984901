"""study:NAME on SQLite and PostgreSQL: only the interviews logged into that study, found by its name in
any case, with or without words; an unknown name is said, with the open studies' names; another
workspace's study of the same name is never reached."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.search import service
from bot.studies.answers import set_study
from bot.studies.store import StudyForm, close_study, create_study
from storage.db import Database
from tests.storage.search.test_search import ids, log, search

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


def study(db: Database, name: str, *, team_id: str = "T1") -> int:
    form = StudyForm(name=name, goal="What the study is for.", points="One point\nAnother point")
    with db.transaction() as session:
        return create_study(session=session, team_id=team_id, by="U1", form=form, now=NOW).id


def into(db: Database, study_id: int, *interview_ids: int, team_id: str = "T1") -> None:
    with db.transaction() as session:
        for interview_id in interview_ids:
            set_study(
                session=session,
                team_id=team_id,
                interview_id=interview_id,
                study_id=study_id,
                replies=[],
                by="U1",
                now=NOW,
            )


def test_a_study_keeps_the_search_to_its_interviews_whatever_the_case(database: Database) -> None:
    crm, pricing = study(database, "CRM sync"), study(database, "Pricing")
    older = log(database, account="Acme", held_on=date(2026, 11, 2), pains="Sync loses deals")
    newer = log(database, account="Globex", held_on=date(2026, 11, 9), pains="Sync is slow")
    priced = log(database, account="Acme", held_on=date(2026, 11, 10), pains="Sync costs too much")
    outside = log(database, account="Initech", held_on=date(2026, 11, 11), pains="Sync is broken")
    into(database, crm, older, newer)
    into(database, pricing, priced)
    assert set(ids(database, "sync")) == {older, newer, priced, outside}
    assert set(ids(database, 'sync study:"crm SYNC"')) == {older, newer}
    # A study alone: its interviews, newest first.
    assert ids(database, 'study:"CRM sync"') == [newer, older]
    assert ids(database, "study:pricing") == [priced]
    # With an account too: both must hold.
    assert ids(database, 'sync study:"CRM sync" account:Acme') == [older]
    assert ids(database, "study:Pricing account:Globex") == []
    # Two studies: the interviews of either.
    assert set(ids(database, 'sync study:"CRM sync" study:Pricing')) == {older, newer, priced}
    # Each result says its study; one in none says nothing.
    found = {f.interview_id: f.study for f in search(database, "sync").found}
    assert found == {older: "CRM sync", newer: "CRM sync", priced: "Pricing", outside: None}


def test_the_newest_matches_of_a_study_are_found_however_many_others_match(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CANDIDATES", 3)  # the newest 3 matches of the workspace are ranked
    crm = study(database, "CRM sync")
    early = [log(database, held_on=date(2026, 1, 1 + n), pains="Sync fails") for n in range(2)]
    for n in range(6):  # later matches outside the study, logged after it
        log(database, held_on=date(2026, 6, 1) + timedelta(days=n), pains="Sync fails")
    into(database, crm, *early)
    assert set(ids(database, 'sync study:"CRM sync"')) == set(early)


def test_an_unknown_study_is_said_with_the_open_ones(database: Database) -> None:
    log(database, pains="Sync loses deals")
    study(database, "CRM sync")
    study(database, "Pricing")
    closed = study(database, "Old round")
    with database.transaction() as session:
        close_study(
            session=session, team_id="T1", study_id=closed, by="U1", conclusion="Done.", now=NOW, frozen={}
        )
    page = search(database, "sync study:Onboarding")
    assert page.found == [] and page.unknown_studies == ("Onboarding",)
    assert page.open_studies == ("CRM sync", "Pricing")  # by name; the closed one is not offered
    # A closed study is still searched by its name.
    assert search(database, 'study:"old round"').unknown_studies == ()
    # Known names say nothing of the others.
    assert search(database, "sync study:Pricing").open_studies == ()


def test_another_workspaces_study_of_the_same_name_is_never_reached(database: Database) -> None:
    theirs = study(database, "CRM sync", team_id="T2")
    their_call = log(database, team_id="T2", pains="Sync loses deals")
    into(database, theirs, their_call, team_id="T2")
    log(database, pains="Sync loses deals")
    page = search(database, 'sync study:"CRM sync"')
    assert page.found == [] and page.unknown_studies == ("CRM sync",) and page.open_studies == ()
    mine = study(database, "CRM sync")
    assert ids(database, 'sync study:"CRM sync"') == [] and mine
    assert [f.interview_id for f in search(database, 'study:"CRM sync"', team_id="T2").found] == [their_call]
