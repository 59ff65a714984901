"""The weight behind each theme in the digest: its period's accounts' ARR summed and their segments, in
Slack and the terminal; ranking by ARR on request; and the single-account pain of a large account with its
ARR."""

from __future__ import annotations

import json

from sqlalchemy import event, select

from bot.accounts.attributes import set_workspace_currency
from bot.digest.terminal import digest_text
from handlers.views.digest import digest_message, digest_replies
from storage.db import Database
from storage.models import Account, RankBy
from tests.storage.digest.test_digest import digest_of, week  # noqa: F401  (the fixture)
from tests.support.digest_data import ONBOARDING, REPORTS

TEAM = "T0001"
# Reports: five accounts, four with an ARR ($370k), three of them Enterprise. Onboarding: three
# accounts, two with an ARR ($2.5M): fewer accounts, far more revenue. Stark alone: the largest.
WEIGHTS: dict[str, tuple[int | None, str | None]] = {
    "Acme": (100_000, "Enterprise"),
    "Globex": (50_000, "SMB"),
    "Initech": (20_000, "SMB"),
    "Umbrella": (200_000, "Enterprise"),
    "Hooli": (None, "Enterprise"),
    "Wayne": (2_000_000, "Enterprise"),
    "Wonka": (500_000, "Mid <market>"),
    "Tyrell": (None, None),
    "Stark": (5_000_000, "Enterprise"),
}


def _weigh(db: Database) -> None:
    with db.transaction() as session:
        for account in session.scalars(select(Account).where(Account.team_id == TEAM)):
            account.arr, account.segment = WEIGHTS.get(account.name, (None, None))


def _texts(blocks: list) -> str:  # type: ignore[type-arg]
    return json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)


def _theme(digest, accounts: set[str]):  # type: ignore[no-untyped-def]
    """The ranked pain whose quotes come from these accounts."""
    return next(t for t in digest.pains.recurring if {w.account for w in t.words} <= accounts)


def test_each_theme_shows_its_accounts_arr_and_segments(week: Database) -> None:  # noqa: F811
    _weigh(week)
    digest = digest_of(week)
    reports = _theme(digest, set(REPORTS))
    onboarding = _theme(digest, set(ONBOARDING))
    assert reports.weight is not None and onboarding.weight is not None
    assert reports.weight.words() == "5 accounts · $370k ARR (ARR known for 4 of 5) · Enterprise 3, SMB 2"
    assert (
        onboarding.weight.words()
        == "3 accounts · $2.5M ARR (ARR known for 2 of 3) · Enterprise 1, Mid <market> 1"
    )
    # By distinct accounts (the default), the five small accounts come first.
    assert digest.pains.recurring.index(reports) < digest.pains.recurring.index(onboarding)
    # A topic carries the weight of its themes' accounts, each counted once.
    topic = next(t for t in digest.pains.topics if reports in t.pains)
    assert topic.weight is not None and topic.weight.accounts == topic.accounts
    assert topic.weight.arr >= 370_000

    text = digest_text(digest)
    assert "      5 accounts · $370k ARR (ARR known for 4 of 5) · Enterprise 3, SMB 2" in text
    assert "by the number of accounts that raised their pains" in text
    _, channel = digest_message(digest, str)
    shown = _texts(channel)
    assert "$370k ARR (ARR known for 4 of 5) · Enterprise 3, SMB 2" in shown
    # A segment is typed by people: escaped in Slack.
    assert "Mid &lt;market&gt; 1" in shown and "Mid <market>" not in shown


def test_ranking_by_arr_puts_the_revenue_first(week: Database) -> None:  # noqa: F811
    _weigh(week)
    digest = digest_of(week, rank_by=RankBy.ARR)
    reports = _theme(digest, set(REPORTS))
    onboarding = _theme(digest, set(ONBOARDING))
    assert digest.pains.recurring.index(onboarding) < digest.pains.recurring.index(reports)
    arrs = [t.weight.arr for t in digest.pains.recurring if t.weight is not None]
    assert arrs == sorted(arrs, reverse=True)
    topic_arrs = [t.weight.arr for t in digest.pains.topics if t.weight is not None]
    assert topic_arrs == sorted(topic_arrs, reverse=True)
    assert onboarding in digest.pains.topics[0].pains
    text = digest_text(digest)
    assert "Top topics, by the ARR of the accounts that raised their pains" in text
    assert "by the ARR of the accounts" in _texts(digest_message(digest, str)[1])


def test_the_largest_accounts_lone_pain_shows_its_arr(week: Database) -> None:  # noqa: F811
    _weigh(week)
    with week.transaction() as session:
        set_workspace_currency(session=session, team_id=TEAM, currency="EUR")
    digest = digest_of(week)
    stark = [t for t in digest.pains.single if t.words and t.words[0].account == "Stark"]
    assert stark and all(t.weight is not None and t.weight.arr == 5_000_000 for t in stark)
    assert "(Stark, EUR 5M ARR)" in digest_text(digest)
    replies = dict(digest_replies(digest))
    assert "(Stark, EUR 5M ARR)" in _texts(replies["Pains one account raised"])


def test_a_workspace_that_keeps_no_arr_sees_no_weight(week: Database) -> None:  # noqa: F811
    digest = digest_of(week)
    assert all(t.weight is not None and t.weight.words() is None for t in digest.pains.recurring)
    assert " ARR" not in digest_text(digest)
    assert "mentions (Stark)" in digest_text(digest)  # an account of unknown ARR reads as before
    assert " ARR" not in _texts(digest_message(digest, str)[1])


def test_the_weight_costs_one_query_by_the_periods_account_ids(week: Database) -> None:  # noqa: F811
    _weigh(week)
    engine = week.engines[-1]  # the one reads go through
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        digest_of(week, rank_by=RankBy.ARR)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    weighing = [s for s in statements if "accounts.arr" in s]
    # One for the whole digest (pains and requests alike), by the period's account ids: never per theme.
    assert len(weighing) == 1 and "accounts.id IN" in weighing[0], weighing
