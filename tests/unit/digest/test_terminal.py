"""The digest as text: periods named as they are, counts in the number they take, and nothing marked new
or emerging when there is nothing to compare with."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.digest.period import Period
from bot.digest.ranking import emerging_reason
from bot.digest.terminal import digest_text
from tests.support.digests import digest, pain

WEEK = Period(end=date(2026, 12, 8))  # 1 – 7 December 2026


def test_one_interview_with_one_account_and_two_with_one() -> None:
    assert "What was heard: 1 interview with 1 account\n" in digest_text(
        digest(WEEK, interviews=1, accounts=1)
    )
    assert "What was heard: 2 interviews with 1 account\n" in digest_text(
        digest(WEEK, interviews=2, accounts=1)
    )
    assert "What was heard: 2 interviews with 2 accounts\n" in digest_text(
        digest(WEEK, interviews=2, accounts=2)
    )


def test_a_theme_raised_by_one_account_and_said_once_is_counted_in_the_singular() -> None:
    text = digest_text(digest(WEEK, [pain(1, "Slow reports", 1, (1, 0), ever=2)]))
    assert "Slow reports: 1 account this week (2 ever)" in text


def test_the_first_digest_marks_nothing_new_or_emerging_and_says_why() -> None:
    text = digest_text(digest(WEEK, [pain(1, "Slow reports", 5), pain(2, "Bad invoices", 3)]))
    assert "first digest: no earlier periods to compare with" in text
    assert "· new" not in text and "Emerging" not in text and "🆕" not in text
    assert "before:" not in text  # no "accounts in the weeks before: 0 0 0 …"
    assert "Slow reports: 5 accounts this week (5 ever)\n" in text  # no trend word at all


def test_no_interview_in_the_periods_before_but_older_ones_says_so() -> None:
    text = digest_text(digest(WEEK, [pain(1, "Slow reports", 5)], first=False))
    assert "No interview in the 8 weeks before: nothing to compare with" in text
    assert "first digest" not in text and "· new" not in text


def test_a_week_with_history_shows_its_trend_and_what_emerges() -> None:
    rising = pain(1, "Slow reports", 5, (0, 0, 1, 0, 0, 0, 1, 0))
    rising = replace(rising, emerging=emerging_reason(5, rising.history, WEEK))
    text = digest_text(digest(WEEK, [rising, pain(2, "Bad invoices", 2, (2, 2, 2, 2, 2, 2, 2, 2))]))
    assert "Customer digest, 1 – 7 Dec 2026\n" in text
    assert "Slow reports: 5 accounts this week (7 ever) · rising" in text
    assert "accounts in the 8 weeks before: 0 0 1 0 0 0 1 0" in text
    assert "Emerging\n  - Slow reports: 5 accounts this week, 0.2 a week before" in text
    assert "compare with" not in text


def test_a_28_day_digest_never_says_week() -> None:
    period = Period(end=date(2026, 12, 8), days=28)
    text = digest_text(digest(period, [pain(1, "Slow reports", 5, (1, 2, 1))]))
    assert "Customer digest, 10 Nov – 7 Dec 2026\n" in text
    assert "Slow reports: 5 accounts in these 28 days (9 ever)" in text
    assert "accounts in the 3 periods of 28 days before (from 18 Aug 2026): 1 2 1" in text
    assert "week" not in text.lower()
    quiet = digest_text(digest(period, interviews=0, accounts=0))
    assert "No interview was logged in these 28 days." in quiet and "week" not in quiet


def test_a_366_day_digest_carries_both_years_and_marks_nothing_new_with_nothing_older() -> None:
    period = Period(end=date(2026, 12, 8), days=366)
    text = digest_text(digest(period, [pain(n, f"Pain {n}", 14 - n) for n in range(14)]))
    assert text.startswith("Customer digest, 7 Dec 2025 – 7 Dec 2026\n")
    assert "first digest: no earlier periods to compare with" in text
    assert "· new" not in text and "Emerging" not in text and "week" not in text.lower()
