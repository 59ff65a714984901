"""Topics above themes: themes of one area grouped, counted by distinct accounts, kept through regroups,
and corrected by people (rename, move a theme, merge, split) in ways the next regroup keeps. The lines'
vectors are set by hand here (areas and pains as directions), so what should group is known exactly."""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import select

from bot.capture.interviews import InterviewDraft, log_interview
from bot.themes.corrections import NEW_TOPIC, merge_topics, move_to_topic, rename_topic
from bot.themes.grouping import GroupingPolicy, normalize
from bot.themes.topics import SameTopic, TopicNotFound, list_topics
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from storage.db import Database
from storage.models import Theme, ThemeKind, Topic

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
SCHEDULE = UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7))
# The pain each line says, by area: three lines each, from three accounts.
AREAS = {"sign-in": ["okta", "saml"], "billing": ["charge", "invoice"], "mobile": ["crash"]}
DIMS = 256


def direction(name: str) -> np.ndarray:
    return normalize(np.random.default_rng(zlib.crc32(name.encode())).normal(size=DIMS))[0]


class ByArea:
    """Each line is its area's direction, its pain's and a little of its own: lines of one pain 0.85
    alike, pains of one area 0.4, areas nothing."""

    name = "by-area"
    policy = GroupingPolicy(join_at=0.6, group_at=0.7, smooth_floor=0.99, topic_at=0.35)

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            pain = text.split()[0]
            area = next((a for a, pains in AREAS.items() if pain in pains), pain)
            mix = 0.4**0.5 * direction(area) + 0.45**0.5 * direction("pain " + pain)
            rows.append(mix + 0.15**0.5 * direction("line " + text))
        return normalize(np.array(rows)) if rows else np.zeros((0, DIMS), np.float32)


def log(db: Database, account: str, pains: list[str], held_on: date = date(2026, 11, 20)) -> None:
    with db.transaction() as session:
        log_interview(
            session=session,
            team_id="T1",
            user_id="U1",
            draft=InterviewDraft(account=account, kind="discovery", held_on=held_on, pains="\n".join(pains)),
            now=NOW,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )


def seed(db: Database) -> None:
    for pains in AREAS.values():
        for pain in pains:
            for n in range(3):
                log(db, f"{pain} customer {n}", [f"{pain} trouble, said the {n}th way"])
    # One account raised both sign-in pains: the topic counts it once.
    log(db, "Both", ["okta trouble again", "saml trouble again"])


def tick(db: Database, at: datetime = NOW) -> None:
    UpkeepJob(db=db, embedder=ByArea(), replica="r1", schedule=SCHEDULE).tick(at)


def tree(db: Database) -> dict[str, set[str]]:
    """Each topic's name and the pains (first words of its themes' lines) under it."""
    with db.read() as session:
        out = {}
        for topic in list_topics(session=session, team_id="T1", kind=ThemeKind.PAIN):
            themes = session.scalars(select(Theme).where(Theme.id.in_(topic.themes))).all()
            out[topic.name] = {t.name.split()[0].lower() for t in themes}
        return out


def topic_of(db: Database, pain: str) -> int | None:
    with db.read() as session:
        themes = session.scalars(select(Theme).where(Theme.team_id == "T1")).all()
        return next(t.topic_id for t in themes if t.name.split()[0].lower() == pain)


def test_themes_of_one_area_are_one_topic_counted_by_distinct_accounts(database: Database) -> None:
    seed(database)
    tick(database)
    assert sorted(tree(database).values(), key=sorted) == [{"charge", "invoice"}, {"crash"}, {"okta", "saml"}]
    with database.read() as session:
        topics = {
            frozenset(t.themes): t for t in list_topics(session=session, team_id="T1", kind=ThemeKind.PAIN)
        }
        by_size = sorted(topics.values(), key=lambda t: -t.accounts)
    # Sign-in: 3 + 3 accounts and "Both", which raised both of its pains: 7, not 8.
    assert [(t.accounts, t.lines) for t in by_size] == [(7, 8), (6, 6), (3, 3)]
    # A topic of one theme is named as the theme.
    with database.read() as session:
        crash = session.scalars(select(Theme).where(Theme.name.ilike("crash%"))).one()
        assert session.get(Topic, crash.topic_id).name == crash.name


def test_a_topic_keeps_its_id_and_a_given_name_through_new_lines_and_a_full_regroup(
    database: Database,
) -> None:
    seed(database)
    tick(database)
    sign_in = topic_of(database, "okta")
    with database.transaction() as session:
        rename_topic(
            session=session, team_id="T1", topic_id=sign_in, name="Sign-in and SSO", by="U9", now=NOW
        )
    log(database, "Late", ["okta trouble once more", "saml trouble once more"])
    tick(database, NOW + timedelta(minutes=5))
    tick(database, NOW + timedelta(days=8))  # the weekly full regroup
    assert topic_of(database, "okta") == topic_of(database, "saml") == sign_in
    assert tree(database)["Sign-in and SSO"] == {"okta", "saml"}


def test_a_theme_a_person_moved_stays_in_its_topic_and_an_emptied_topic_goes(database: Database) -> None:
    seed(database)
    tick(database)
    billing, mobile = topic_of(database, "charge"), topic_of(database, "crash")
    with database.transaction() as session:
        crash = session.scalars(select(Theme).where(Theme.name.ilike("crash%"))).one()
        moved = move_to_topic(
            session=session, team_id="T1", theme_ids=[crash.id], to=billing, by="U9", now=NOW
        )
        assert moved.id == billing
        assert session.get(Topic, mobile) is None  # left with no theme, it went
    tick(database, NOW + timedelta(days=8))
    assert topic_of(database, "crash") == billing
    assert tree(database)[next(n for n, p in tree(database).items() if "charge" in p)] == {
        "charge",
        "invoice",
        "crash",
    }


def test_merged_and_split_topics_are_kept_through_a_full_regroup(database: Database) -> None:
    seed(database)
    tick(database)
    sign_in, billing = topic_of(database, "okta"), topic_of(database, "charge")
    with database.transaction() as session:
        merge_topics(session=session, team_id="T1", source_id=billing, target_id=sign_in, by="U9", now=NOW)
        with pytest.raises(SameTopic):
            merge_topics(
                session=session, team_id="T1", source_id=sign_in, target_id=sign_in, by="U9", now=NOW
            )
        with pytest.raises(TopicNotFound):
            merge_topics(
                session=session, team_id="T2", source_id=sign_in, target_id=billing, by="U9", now=NOW
            )
    tick(database, NOW + timedelta(days=8))
    assert {topic_of(database, p) for p in ("okta", "saml", "charge", "invoice")} == {sign_in}

    with database.transaction() as session:
        saml = session.scalars(select(Theme).where(Theme.name.ilike("saml%"))).one()
        split = move_to_topic(
            session=session, team_id="T1", theme_ids=[saml.id], to=NEW_TOPIC, by="U9", now=NOW
        )
    tick(database, NOW + timedelta(days=16))
    assert topic_of(database, "saml") == split.id != sign_in
    assert topic_of(database, "okta") == topic_of(database, "invoice") == sign_in


def test_another_workspace_never_sees_a_topic(database: Database) -> None:
    seed(database)
    tick(database)
    with database.read() as session:
        assert list_topics(session=session, team_id="T2", kind=ThemeKind.PAIN) == []
        assert list_topics(session=session, team_id="T1", kind=ThemeKind.REQUEST) == []
    with database.transaction() as session, pytest.raises(TopicNotFound):
        rename_topic(
            session=session, team_id="T2", topic_id=topic_of(database, "okta"), name="x", by="U9", now=NOW
        )


def test_the_digest_ranks_topics_by_distinct_accounts_with_their_pains_under_them(database: Database) -> None:
    from bot.digest.content import build_digest
    from bot.digest.period import Period

    seed(database)  # sign-in: 3 + 3 accounts and one that raised both; billing 3 + 3; mobile 3
    log(
        database, "Long ago", ["okta trouble, months back"], held_on=date(2026, 9, 1)
    )  # before the weeks shown
    tick(database)
    with database.read() as session:
        digest = build_digest(
            session=session,
            team_id="T1",
            period=Period.ending_at(NOW + timedelta(days=1), ZoneInfo("UTC")),
            now=NOW,
        )
    topics = digest.pains.topics
    assert [(t.accounts, len(t.pains)) for t in topics] == [(7, 2), (6, 2), (3, 1)]
    sign_in, billing, mobile = topics
    # Each pain keeps its own count under its topic; the account that raised both counts once above.
    assert sorted(p.accounts for p in sign_in.pains) == [4, 4]
    # Ever: the account from long ago too, read from the topic's kept count.
    assert sign_in.accounts == 7 and sign_in.accounts_ever == 8
    assert {p.name.split()[0].lower() for p in billing.pains} == {"charge", "invoice"}
    assert mobile.name == mobile.pains[0].name  # a topic of one pain is that pain


def test_a_topics_kept_count_of_accounts_follows_new_lines(database: Database) -> None:
    seed(database)
    tick(database)

    def kept() -> int:
        with database.read() as session:
            return session.get(Topic, topic_of(database, "okta")).accounts

    assert kept() == 7  # 3 + 3 and the account that raised both, once
    log(database, "Newcomer", ["okta trouble for the newcomer"])
    tick(database, NOW + timedelta(minutes=5))
    assert kept() == 8
    log(database, "Both", ["saml trouble once more"])  # an account the topic has already: no change
    tick(database, NOW + timedelta(minutes=10))
    assert kept() == 8


def test_a_topic_of_one_theme_follows_its_themes_new_name(database: Database) -> None:
    from bot.themes.corrections import rename

    seed(database)
    tick(database)
    with database.transaction() as session:
        crash = session.scalars(select(Theme).where(Theme.name.ilike("crash%"))).one()
        rename(session=session, team_id="T1", theme_id=crash.id, name="App crashes", by="U9", now=NOW)
    log(database, "Another", ["charge trouble for another"])  # a pass happens when new lines come
    tick(database, NOW + timedelta(minutes=5))
    with database.read() as session:
        assert session.get(Topic, topic_of(database, "app")).name == "App crashes"


def test_a_topics_trend_counts_its_pains_raised_before_not_only_this_periods(database: Database) -> None:
    # Billing: "charge" raised by three accounts the week before, "invoice" by three this week. The topic
    # was raised both weeks: not new, nor back after a quiet spell; its pain "invoice" alone is new.
    from bot.digest.content import build_digest
    from bot.digest.period import Period
    from bot.digest.ranking import Trend

    for n in range(3):
        log(database, f"charge customer {n}", [f"charge trouble, said the {n}th way"], date(2026, 11, 13))
        log(database, f"invoice customer {n}", [f"invoice trouble, said the {n}th way"])
    log(database, "Earlier", ["okta trouble, weeks back"], held_on=date(2026, 10, 20))  # a baseline exists
    tick(database)
    assert topic_of(database, "charge") == topic_of(database, "invoice")
    with database.read() as session:
        digest = build_digest(
            session=session,
            team_id="T1",
            period=Period.ending_at(NOW + timedelta(days=1), ZoneInfo("UTC")),
            now=NOW,
        )
    (billing,) = digest.pains.topics
    assert [p.name.split()[0].lower() for p in billing.pains] == ["invoice"]
    assert billing.pains[0].trend is Trend.NEW
    assert billing.accounts == 3 and billing.history[-1] == 3, billing.history
    assert billing.trend not in (Trend.NEW, Trend.BACK)
