"""A study where the loop uses it, over real storage (SQLite and PostgreSQL): the sheet as it stood on a
day, the study a scheduled call is part of and its guide, a call's recap for its summary, and each open
study's progress over a digest's period (what moved, what still lacks evidence) at a bounded cost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event

from bot.capture.interviews import InterviewDraft, log_interview
from bot.digest.content import build_digest
from bot.digest.period import Period
from bot.digest.terminal import digest_text
from bot.followups.calls import CallDraft, schedule_call
from bot.studies.answers import PointReply, set_study
from bot.studies.guide import call_guides, interview_recap, study_for_call, summary_draft
from bot.studies.period import studies_in_period
from bot.studies.sheet import build_sheet
from bot.studies.store import StudyForm, close_study, create_study
from storage.db import Database
from storage.models import Answer, ScheduledCall
from tests.storage.studies.test_studies import FORM  # the same three-point study

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday: the digest covers 16 – 22 November
PERIOD = Period.ending_at(NOW, ZoneInfo("UTC"))
S, C, M = Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED


def log(db: Database, account: str, held_on: date, team_id: str = "T1") -> int:
    with db.transaction() as session:
        logged = log_interview(
            session=session,
            team_id=team_id,
            user_id="U1",
            draft=InterviewDraft(account=account, kind="discovery", held_on=held_on, pains="sync is manual"),
            now=NOW + timedelta(days=7),  # logged once all had happened
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
        return logged.interview.id


def new_study(
    db: Database, form: StudyForm = FORM, team_id: str = "T1", by: str = "U1"
) -> tuple[int, list[int]]:
    with db.transaction() as session:
        study = create_study(session=session, team_id=team_id, by=by, form=form, now=NOW - timedelta(days=30))
        return study.id, [p.id for p in study.points]


def into(
    db: Database,
    study_id: int,
    interview_id: int,
    *replies: tuple[int, Answer, str | None],
    by: str = "U1",
    team_id: str = "T1",
) -> None:
    with db.transaction() as session:
        set_study(
            session=session,
            team_id=team_id,
            interview_id=interview_id,
            study_id=study_id,
            replies=[PointReply(p, a, e) for p, a, e in replies],
            by=by,
            now=NOW,
        )


def crm_sync(db: Database) -> tuple[int, list[int]]:
    """Two calls before the period, three in it, one after its end:

    before 16 Nov: P1 supported by Acme and Globex; P2 mixed for Globex.
    in the period: Umbrella supports P1 (on its first day); Acme now contradicts P1; Initech supports P2.
    after it (25 Nov): Hooli supports P3, which the period's sheet must not see."""
    study_id, (p1, p2, p3) = new_study(db)
    into(db, study_id, log(db, "Acme", date(2026, 11, 2)), (p1, S, "we re-key every deal"))
    into(db, study_id, log(db, "Globex", date(2026, 11, 10)), (p1, S, None), (p2, M, "maybe, if cheap"))
    into(db, study_id, log(db, "Acme", date(2026, 11, 17)), (p1, C, "they use Zapier now"))
    into(db, study_id, log(db, "Initech", date(2026, 11, 18)), (p2, S, "we'd pay <$5> & more"))
    into(db, study_id, log(db, "Umbrella", date(2026, 11, 16)), (p1, S, None))  # the first day
    into(db, study_id, log(db, "Hooli", date(2026, 11, 25)), (p3, S, "IT lets us"))
    return study_id, [p1, p2, p3]


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    for engine in db.engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        for engine in db.engines:
            event.remove(engine, "before_cursor_execute", count)


def test_the_sheet_until_a_day_holds_only_the_interviews_held_before_it(database: Database) -> None:
    study_id, _ = crm_sync(database)
    with database.read() as session:
        then = build_sheet(session=session, team_id="T1", study_id=study_id, until=date(2026, 11, 16))
        now = build_sheet(session=session, team_id="T1", study_id=study_id)
        next_day = build_sheet(session=session, team_id="T1", study_id=study_id, until=date(2026, 11, 17))
    assert (then.interviews, [r.account for r in then.rows]) == (2, ["Acme", "Globex"])
    one, two, three = then.points
    assert (one.supports, one.contradicts, two.mixed, three.spoken) == (2, 0, 1, 0)
    assert [s.interview_id for s in one.evidence] == [s.interview_id for s in now.points[0].evidence[-2:]]
    assert [s.account for s in now.points[0].evidence] == ["Acme", "Umbrella", "Globex", "Acme"]
    # Umbrella's call on the 16th is not before the 16th, and is before the 17th.
    assert "Umbrella" not in [r.account for r in then.rows] and next_day.interviews == 3
    assert now.interviews == 6 and now.points[0].contradicts == 1 and now.points[2].supports == 1


def test_a_closed_study_until_a_day_before_it_closed_is_built_from_its_interviews(database: Database) -> None:
    study_id, _ = crm_sync(database)
    with database.transaction() as session:
        frozen = build_sheet(session=session, team_id="T1", study_id=study_id).as_json()
        close_study(
            session=session, team_id="T1", study_id=study_id, by="U1", conclusion="Build it.", now=NOW,
            frozen=frozen,
        )  # fmt: skip
    with database.read() as session:
        before = build_sheet(session=session, team_id="T1", study_id=study_id, until=date(2026, 11, 16))
        after = build_sheet(session=session, team_id="T1", study_id=study_id, until=date(2026, 12, 1))
    assert before.closed and before.interviews == 2
    assert after.closed and after.interviews == 6  # the frozen sheet: it closed before that day


def schedule(
    db: Database, by: str, account: str = "Acme", team_id: str = "T1", study_id: int | None = None
) -> ScheduledCall:
    with db.transaction() as session:
        call = schedule_call(
            session=session,
            team_id=team_id,
            user_id=by,
            draft=CallDraft(
                account=account,
                starts_at=NOW + timedelta(days=1),
                ends_at=NOW + timedelta(days=1, hours=1),
                participants=["U9"],
            ),
            now=NOW,
            prep_before=timedelta(minutes=30),
        ).call
        call.study_id = study_id  # as the schedule modal stores the study picked
        return call


def test_a_call_is_in_the_study_it_was_scheduled_into_while_it_is_open(database: Database) -> None:
    study_id, _ = crm_sync(database)  # logged into it by U1
    theirs = schedule(database, by="U1", account="Brand new account", study_id=study_id)
    others = schedule(database, by="U1")  # the same organiser, no study picked: nothing guessed
    with database.read() as session:
        study = study_for_call(session, "T1", theirs)
        assert study is not None and study.id == study_id
        assert study_for_call(session, "T1", others) is None
        guides = call_guides(session=session, team_id="T1", calls=[theirs, others])
    assert list(guides) == [theirs.id]
    guide = guides[theirs.id]
    assert (guide.name, guide.goal) == (FORM.name, FORM.goal)
    # P1: Acme, Globex, Umbrella and (after the period) nobody else: 3 accounts, enough. P2: Globex and
    # Initech: thin. P3: Hooli only.
    assert [(p.number, p.text, p.spoken, p.thin) for p in guide.points] == [
        (1, "Teams re-key deals by hand", 3, False),
        (2, "They would pay for two-way sync", 2, True),
        (3, "Admins can set it up alone", 1, True),
    ]
    assert [p.spoken for p in guide.without_counts().points] == [None, None, None]
    with database.transaction() as session:
        close_study(
            session=session, team_id="T1", study_id=study_id, by="U1", conclusion="Done.", now=NOW, frozen={}
        )
    with database.read() as session:
        assert study_for_call(session, "T1", theirs) is None  # a closed study guides no call


def test_another_workspaces_study_guides_no_call(database: Database) -> None:
    study_id, _ = crm_sync(database)
    theirs = schedule(database, by="U1", team_id="T2", study_id=study_id)  # a T1 study on a T2 call
    with database.read() as session:
        assert study_for_call(session, "T2", theirs) is None


def test_a_calls_recap_frames_its_summary_around_the_goal_and_the_points_it_touched(
    database: Database,
) -> None:
    study_id, (p1, _, p3) = new_study(database)
    call = log(database, "Acme", date(2026, 11, 17))
    into(database, study_id, call, (p1, S, "we re-key every deal"), (p3, C, None))
    aside = log(database, "Globex", date(2026, 11, 18))
    with database.read() as session:
        recap = interview_recap(session=session, team_id="T1", interview_id=call)
        assert interview_recap(session=session, team_id="T1", interview_id=aside) is None
        assert interview_recap(session=session, team_id="T2", interview_id=call) is None
    assert recap is not None
    assert summary_draft(recap, limit=3000).splitlines() == [
        f"Goal: {FORM.goal}",
        "Points this call touched:",
        "P1 Teams re-key deals by hand (supports): “we re-key every deal”",
        "P3 Admins can set it up alone (contradicts)",
        "Not discussed: P2 They would pay for two-way sync",
        "What we learned:",
    ]


def test_each_open_study_says_what_moved_in_the_period_and_what_lacks_evidence(database: Database) -> None:
    study_id, _ = crm_sync(database)
    closed_id, _ = new_study(database, StudyForm("Closed one", "A goal", "A point"))
    with database.transaction() as session:
        close_study(
            session=session, team_id="T1", study_id=closed_id, by="U1", conclusion="x", now=NOW, frozen={}
        )
    new_study(database, team_id="T2")  # another workspace's
    with database.read() as session:
        (crm,) = studies_in_period(
            session=session, team_id="T1", start=PERIOD.start, end=PERIOD.end, today=NOW.date()
        )
    assert (crm.study_id, crm.interviews_in_period, crm.interviews, crm.target) == (study_id, 3, 5, 8)
    assert crm.days_left == 25
    moved = {m.number: (m.before, m.after) for m in crm.moved}
    assert set(moved) == {1, 2}
    before, after = moved[1]
    assert (before.supports, before.contradicts, after.supports, after.contradicts) == (2, 0, 2, 1)
    before, after = moved[2]
    assert (before.supports, before.mixed, after.supports, after.mixed) == (0, 1, 1, 1)
    # P3 was spoken to only after the period's end: still without evidence in it.
    assert [n for n, _ in crm.unspoken] == [3]
    assert [(n, p.spoken) for n, p in crm.thin] == [(2, 2)]


def test_the_digest_carries_the_open_studies_and_the_terminal_prints_them(database: Database) -> None:
    crm_sync(database)
    with database.read() as session:
        digest = build_digest(session=session, team_id="T1", period=PERIOD, now=NOW)
    assert [s.name for s in digest.studies] == ["CRM sync"]
    text = digest_text(digest)
    part = text[text.index("Open studies") :]
    assert "  - CRM sync: 3 interviews this week, 5 of 8 in all, 25 days left\n" in part
    assert (
        "moved this week: 1. Teams re-key deals by hand: contradicted by 0 → 1; now supported by 2 of "
        "4 accounts, contradicted by 1, not discussed by 1" in part
    )
    assert "moved this week: 2. They would pay for two-way sync: supported by 0 → 1;" in part
    assert "still without evidence: 3. Admins can set it up alone\n" in part
    assert "thin (fewer than 3 accounts): 2. They would pay for two-way sync (2 accounts so far)" in part


def test_the_progress_of_studies_costs_the_same_whatever_they_hold(database: Database) -> None:
    crm_sync(database)

    def read() -> int:
        with database.read() as session, statements(database) as seen:
            studies_in_period(
                session=session, team_id="T1", start=PERIOD.start, end=PERIOD.end, today=NOW.date()
            )
        return len(seen)

    small = read()
    more_id, (q1, _) = new_study(database, StudyForm("Pricing", "Who pays?", "Per seat\nPer team"))
    for n in range(12):
        into(
            database, more_id, log(database, f"Account {n}", date(2026, 11, 16 + n % 7)), (q1, S, f"said {n}")
        )
    assert read() == small
