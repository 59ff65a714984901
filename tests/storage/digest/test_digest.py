"""The digest over real storage (SQLite and PostgreSQL) with the real semantic model: what a week of
interviews ranks, and how runs are claimed once per subscription and period."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import SectionBlock
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.digest import runs as runs_module
from bot.digest.content import Digest, build_digest
from bot.digest.period import Period
from bot.digest.runs import ClaimedRun, claim_due, claim_now, finish, previous_quoted, record
from bot.digest.subscriptions import Schedule, pause, subscribe
from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from handlers.views.digest import digest_message
from storage.db import Database
from storage.models import DigestRun, DigestRunState, DigestSubscription, RankBy, ThemeKind
from tests.conftest import POSTGRES_URL
from tests.support.digest_data import NOW, REPORTS, SSO, WEEK_END, log, log_the_week, log_theme

UTC_ZONE = ZoneInfo("UTC")
MONDAY_NINE = Schedule(0, time(9, 0), "UTC")


def the_week(db: Database, embedder: Embedder, team_id: str = "T0001") -> None:
    log_the_week(db, team_id=team_id)
    schedule = UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7))
    UpkeepJob(db=db, embedder=embedder, replica="r1", schedule=schedule).tick(now=NOW)


def digest_of(db: Database, team_id: str = "T0001", **kwargs: object) -> Digest:
    with db.read() as session:
        return build_digest(
            session=session, team_id=team_id, period=Period.ending_at(NOW, UTC_ZONE), now=NOW, **kwargs
        )


@pytest.fixture
def week(database: Database, semantic: Embedder) -> Database:
    the_week(database, semantic)
    return database


def test_a_pain_one_account_said_nine_times_stands_apart_from_the_ranking(week: Database) -> None:
    # Apart, not ranked: how accounts outrank mentions inside the ranking is the test after this one.
    digest = digest_of(week)
    assert (digest.heard.interviews, digest.heard.accounts, digest.heard.new_accounts) == (30, 12, 12)
    top = digest.pains.recurring[0]
    assert top.accounts == 5 and top.accounts_ever == 5
    assert {w.account for w in top.words} <= set(REPORTS) and len({w.account for w in top.words}) == 2
    # Stark's single sign-on pains never enter the ranking, however often Stark said them.
    ranked_words = {w.text for t in digest.pains.recurring for w in t.words}
    assert not ranked_words & set(SSO)
    assert all(t.accounts_ever > 1 for t in digest.pains.recurring)
    singles = {w.text for t in digest.pains.single for w in t.words}
    assert singles & set(SSO)
    assert all(t.accounts_ever == 1 for t in digest.pains.single)
    # All nine are there, grouped apart (or, for a line the model could not place, in no theme yet).
    stark = sum(t.mentions for t in digest.pains.single if t.words[0].account == "Stark")
    assert stark >= 6 and stark + digest.pains.unthemed >= len(SSO)


def test_more_accounts_outrank_more_mentions(database: Database) -> None:
    # Two accounts said it eight times, the latest in the week and first logged: every tie-breaker
    # favours it. Three accounts said the other once each. Accounts decide.
    days = [WEEK_END - timedelta(days=n) for n in range(7, 0, -1)]  # 16 … 22 November
    often = log_theme(
        database,
        "Exports time out",
        [
            (account, days[3 + n % 4], f"{account}'s export timed out, take {n}")
            for n in range(4)
            for account in ("Acme", "Globex")
        ],
    )
    widely = log_theme(
        database,
        "Reports are slow",
        [(account, days[0], f"{account}: reports are slow") for account in ("Initech", "Umbrella", "Hooli")],
    )
    digest = digest_of(database)
    ranked = [(t.theme_id, t.accounts, t.mentions) for t in digest.pains.recurring]
    assert ranked == [(widely, 3, 3), (often, 2, 8)], "ranked by mentions before accounts"
    # And so the channel reads it: the top pain is the one more accounts raised.
    _, blocks = digest_message(digest, lambda user: user)
    lines = [b.text.text for b in blocks if isinstance(b, SectionBlock) and b.text is not None]
    (first,) = [line for line in lines if line.startswith("*1. ")]
    assert "Reports are slow" in first and "3 accounts" in first, first


def test_requests_stand_apart_from_pains(week: Database) -> None:
    digest = digest_of(week)
    csv = digest.requests.recurring[0]
    assert csv.kind is ThemeKind.REQUEST and csv.accounts == 3
    pain_ids = {t.theme_id for t in [*digest.pains.recurring, *digest.pains.single]}
    request_ids = {t.theme_id for t in [*digest.requests.recurring, *digest.requests.single]}
    assert pain_ids and request_ids and not pain_ids & request_ids
    assert csv.words and all("csv" in w.text.lower() for w in csv.words)


def test_a_new_theme_five_accounts_raised_at_once_is_emerging(week: Database) -> None:
    # The week alone has nothing to compare with (see test_baseline.py): emerging needs an earlier call.
    assert digest_of(week).emerging == []
    log(week, "Acme", WEEK_END - timedelta(days=60), notes=["The first call, eight weeks before"])
    digest = digest_of(week)
    (emerging,) = [t for t in digest.emerging if t.accounts == 5]
    assert emerging.emerging == "5 accounts this week, 0 a week before"
    assert emerging.history == (0,) * 8


def test_the_next_digest_quotes_other_lines(week: Database) -> None:
    first = digest_of(week)
    second = digest_of(week, already_quoted=first.quoted())
    top_first, top_second = first.pains.recurring[0], second.pains.recurring[0]
    assert top_first.theme_id == top_second.theme_id
    assert {w.source for w in top_first.words}.isdisjoint({w.source for w in top_second.words})
    assert len(top_second.words) == 2


def test_another_workspace_never_shows(week: Database, semantic: Embedder) -> None:
    digest = digest_of(week, team_id="T0002")
    assert digest.quiet and digest.pains.recurring == [] and digest.follow_ups.open == 0


def test_follow_up_health_counts_the_team_not_a_person(week: Database) -> None:
    health = digest_of(week).follow_ups
    # Each of the 30 interviews owes a thank-you and a summary; none was done, none is late yet.
    assert (health.open, health.overdue, health.thank_yous, health.thank_yous_on_time) == (60, 0, 30, 0)
    with week.read() as session:
        later = build_digest(
            session=session,
            team_id="T0001",
            period=Period.ending_at(NOW, UTC_ZONE),
            now=NOW + timedelta(days=3),
        )
    assert later.follow_ups.overdue == 60


# ----------------------------------------------------------------------------------------- runs
DUE = datetime(2026, 11, 30, 9, tzinfo=UTC)


def subscribed(db: Database, channels: int = 1, *, at: datetime = DUE - timedelta(days=3)) -> None:
    with db.transaction() as session:
        for n in range(channels):
            subscribe(
                session=session,
                team_id="T0001",
                channel_id=f"C{n:04d}",
                schedule=MONDAY_NINE,
                by="U1",
                now=at,
            )


def runs(db: Database) -> list[tuple[str, datetime, DigestRunState]]:
    with db.read() as session:
        return [
            (r.subscription.channel_id, r.period_end, r.state)
            for r in session.scalars(select(DigestRun).order_by(DigestRun.id))
        ]


def test_nothing_is_due_before_its_time_and_a_period_is_claimed_once(database: Database) -> None:
    subscribed(database)
    assert database.run(lambda s: claim_due(session=s, now=DUE - timedelta(minutes=1), replica="a")) == []
    (claimed,) = database.run(lambda s: claim_due(session=s, now=DUE, replica="a"))
    assert (claimed.channel_id, claimed.period_end, claimed.takeover) == ("C0000", DUE, False)
    assert database.run(lambda s: claim_due(session=s, now=DUE + timedelta(minutes=1), replica="b")) == []
    # Once: one run for the period, and the subscription moved on to the next one.
    assert runs(database) == [("C0000", DUE, DigestRunState.PENDING)]
    with database.read() as session:
        moved_on = session.scalars(select(DigestSubscription.next_due_at)).one()
    assert moved_on == DUE + timedelta(days=7), "the subscription stayed on the period it claimed"


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL not set")
def test_a_subscription_paused_after_a_replica_read_it_is_neither_claimed_nor_resumed(
    postgres_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica reads a due subscription; before it claims it, another replica's post finds the channel
    archived and pauses it. The claim, made with what was read, must find it moved on. (SQLite writers
    take turns from the start of their transaction, so only PostgreSQL can interleave them.)"""
    database = postgres_database
    subscribed(database)
    claim_read = runs_module._claim_subscription

    def paused_meanwhile(session: Session, sub: DigestSubscription, *args: object) -> DigestRun | None:
        assert sub.next_due_at == DUE  # read before the pause
        database.run(
            lambda s: pause(session=s, subscription_id=sub.id, reason="the channel was archived", now=DUE)
        )
        return claim_read(session, sub, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(runs_module, "_claim_subscription", paused_meanwhile)
    claimed = database.run(lambda s: claim_due(session=s, now=DUE, replica="a"))
    assert claimed == [], "claimed with a next_due_at read before the pause"
    monkeypatch.undo()
    assert runs(database) == []
    with database.read() as session:
        sub = session.scalars(select(DigestSubscription)).one()
        assert (sub.next_due_at, sub.paused_reason) == (None, "the channel was archived"), "un-paused"
    assert database.run(lambda s: claim_due(session=s, now=DUE + timedelta(days=7), replica="a")) == []


def test_fifty_subscriptions_due_at_once_are_each_claimed_by_one_replica(database: Database) -> None:
    subscribed(database, channels=50)
    barrier = threading.Barrier(3)
    claimed: list[str] = []
    lock = threading.Lock()

    def replica(name: str) -> None:
        barrier.wait()
        while True:
            got = database.run(lambda s: claim_due(session=s, now=DUE, replica=name, limit=7))
            if not got:
                return
            with lock:
                claimed.extend(run.channel_id for run in got)

    threads = [threading.Thread(target=replica, args=(f"r{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(claimed) == [f"C{n:04d}" for n in range(50)]
    assert len(runs(database)) == 50


def test_a_digest_missed_while_down_is_posted_late_once_within_its_week(database: Database) -> None:
    subscribed(database)
    late = DUE + timedelta(days=2)
    (claimed,) = database.run(lambda s: claim_due(session=s, now=late, replica="a"))
    assert claimed.period_end == DUE
    posted = DigestRunState.SENT
    database.run(lambda s: finish(session=s, run_id=claimed.run_id, replica="a", now=late, state=posted))
    assert database.run(lambda s: claim_due(session=s, now=late + timedelta(hours=1), replica="b")) == []
    assert runs(database) == [("C0000", DUE, DigestRunState.SENT)]


def test_older_misses_are_recorded_and_only_the_current_period_posts(database: Database) -> None:
    subscribed(database)
    back = DUE + timedelta(days=15)  # down over two Mondays and a day
    (claimed,) = database.run(lambda s: claim_due(session=s, now=back, replica="a"))
    assert claimed.period_end == DUE + timedelta(days=14)
    assert runs(database) == [
        ("C0000", DUE, DigestRunState.MISSED),
        ("C0000", DUE + timedelta(days=7), DigestRunState.MISSED),
        ("C0000", DUE + timedelta(days=14), DigestRunState.PENDING),
    ]


def test_a_run_whose_poster_died_is_taken_over_after_its_lease(database: Database) -> None:
    subscribed(database)
    (run,) = database.run(lambda s: claim_due(session=s, now=DUE, replica="dead"))
    database.run(lambda s: record(session=s, run_id=run.run_id, replica="dead", now=DUE, send_started_at=DUE))
    assert database.run(lambda s: claim_due(session=s, now=DUE + timedelta(minutes=4), replica="b")) == []
    (taken,) = database.run(lambda s: claim_due(session=s, now=DUE + timedelta(minutes=6), replica="b"))
    assert taken.run_id == run.run_id and taken.takeover  # it may have posted: look first
    # The dead one, back, can no longer record anything for it.
    assert not database.run(
        lambda s: record(session=s, run_id=run.run_id, replica="dead", now=DUE, replies_posted=1)
    )


def test_post_now_makes_one_run_and_remembers_what_it_quoted(database: Database) -> None:
    subscribed(database)
    with database.read() as session:
        sub_id = session.scalars(select(DigestSubscription.id)).one()
    now = DUE - timedelta(days=1)

    def post_now(team_id: str) -> ClaimedRun | None:
        return database.run(
            lambda s: claim_now(session=s, team_id=team_id, subscription_id=sub_id, now=now, replica="a")
        )

    run = post_now("T0001")
    assert run is not None
    assert post_now("T0001") is None  # the same minute: one run
    assert post_now("T0002") is None  # another workspace's subscription id
    database.run(lambda s: record(session=s, run_id=run.run_id, replica="a", now=now, quoted=[["pain", 7]]))
    sent = DigestRunState.SENT
    database.run(lambda s: finish(session=s, run_id=run.run_id, replica="a", now=now, state=sent))
    with database.read() as session:
        assert previous_quoted(session=session, subscription_id=sub_id, before=DUE) == [["pain", 7]]


def test_a_subscription_keeps_its_ranking_and_each_run_carries_it(database: Database) -> None:
    subscribed(database, 2)

    def resubscribe(channel: str, **rank: RankBy) -> None:
        database.run(
            lambda s: subscribe(
                session=s, team_id="T0001", channel_id=channel, schedule=MONDAY_NINE, by="U1", now=DUE, **rank
            )
        )

    def rankings() -> dict[str, RankBy]:
        with database.read() as session:
            return dict(
                session.execute(select(DigestSubscription.channel_id, DigestSubscription.rank_by)).all()
            )

    assert rankings() == {"C0000": RankBy.ACCOUNTS, "C0001": RankBy.ACCOUNTS}  # the default
    resubscribe("C0001", rank_by=RankBy.ARR)
    # `/interview digest subscribe` gives a day and a time only: the ranking stays as the modal saved it.
    resubscribe("C0001")
    assert rankings() == {"C0000": RankBy.ACCOUNTS, "C0001": RankBy.ARR}
    claimed = database.run(lambda s: claim_due(session=s, now=DUE + timedelta(days=7), replica="a"))
    assert {(run.channel_id, run.rank_by) for run in claimed} == {
        ("C0000", RankBy.ACCOUNTS),
        ("C0001", RankBy.ARR),
    }
    with database.read() as session:
        sub_id = session.scalars(
            select(DigestSubscription.id).where(DigestSubscription.channel_id == "C0001")
        ).one()
    now_run = database.run(
        lambda s: claim_now(session=s, team_id="T0001", subscription_id=sub_id, now=DUE, replica="a")
    )
    assert now_run is not None and now_run.rank_by is RankBy.ARR  # "Post now" ranks as the schedule does
    resubscribe("C0001", rank_by=RankBy.ACCOUNTS)
    assert rankings()["C0001"] is RankBy.ACCOUNTS
