"""Two transactions closing one study at the same moment (a submission sent twice, two replicas): the study
read with `lock=True` is held, so the second waits for the first and sees it closed. Only the transaction
that moved it from open to closed posts its summary."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import text

from bot.studies.store import StudyForm, close_study, create_study, get_study
from storage.db import Database
from storage.models import StudyState

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def waiting_for_a_lock(database: Database) -> None:
    """Return once another session of the test's database waits for a row lock (PostgreSQL); SQLite's
    second writer waits at its BEGIN IMMEDIATE, which no query shows."""
    if database.backend != "postgresql":
        return
    deadline = time.monotonic() + 5
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        with database.engine.connect() as connection:
            if connection.scalar(query):
                return
        time.sleep(0.01)
    raise AssertionError("the second closing never waited for the first's lock")


def test_the_second_of_two_closings_at_once_finds_it_closed(database: Database) -> None:
    with database.transaction() as session:
        form = StudyForm(name="CRM sync", goal="Worth it?", points="One\nTwo")
        study_id = create_study(session=session, team_id="T1", by="U1", form=form, now=NOW).id
    moved: list[bool] = []
    first_closed, second_started = threading.Event(), threading.Event()

    def closing(name: str, hold: bool) -> None:
        with database.transaction() as session:
            if not hold:
                second_started.set()
            study = get_study(session=session, team_id="T1", study_id=study_id, lock=True)
            was_open = study.state is StudyState.OPEN
            close_study(
                session=session, team_id="T1", study_id=study_id, by=name, conclusion=name, now=NOW,
                frozen={},
            )  # fmt: skip
            moved.append(was_open)
            if hold:  # the first keeps its transaction open until the second waits for its lock
                first_closed.set()
                second_started.wait(5)
                waiting_for_a_lock(database)

    first = threading.Thread(target=closing, args=("U1", True))
    first.start()
    assert first_closed.wait(5)
    second = threading.Thread(target=closing, args=("U2", False))
    second.start()
    first.join(10)
    second.join(10)
    assert sorted(moved) == [False, True]
    with database.read() as session:
        study = get_study(session=session, team_id="T1", study_id=study_id)
        assert (study.state, study.closed_by, study.conclusion) == (StudyState.CLOSED, "U1", "U1")
