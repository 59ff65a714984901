"""Study sheets built by hand, without storage: what the sheet's outputs (CSV, matrix, alt text, terminal
text) are tested on."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.studies.sheet import Sheet, sheet_of
from storage.models import Answer

S, C, M, N = Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED, Answer.NOT_DISCUSSED
POINTS = [
    (1, "Teams re-key deals by hand"),
    (2, "They would pay for two-way sync"),
    (3, "Admins set it up alone"),
]
# Five accounts, Acme twice: its later call contradicts point 1 (that answer wins) and does not discuss
# point 2 (the earlier answer stands). P1: 2 ✓ 1 ✗ 1 ~ (accounts disagree); P2: 1 ✓ 1 ✗ (disagree, thin);
# P3: 1 ✗ (thin).
INTERVIEWS = [
    (10, date(2026, 11, 2), "Acme"),
    (11, date(2026, 11, 9), "Globex"),
    (12, date(2026, 11, 10), "Initech"),
    (13, date(2026, 11, 16), "Acme"),
    (14, date(2026, 11, 17), "Hooli"),
    (15, date(2026, 11, 18), "Umbrella"),
]
ANSWERS = [
    (10, 1, S, "we re-key every deal"),
    (10, 2, S, "would pay for it"),
    (11, 1, S, "two people copy deals daily"),
    (12, 1, M, None),
    (13, 1, C, "they automated it with Zapier since"),
    (13, 2, N, None),
    (14, 1, S, None),
    (14, 3, C, "IT must approve every app"),
    (15, 2, C, "not a budget line this year"),
]
# Point words as long as people write them (up to the form's 300 characters).
LONG_POINTS = [
    "Teams re-key deals by hand every week between the CRM and the billing system",
    "They would pay for two-way sync",
    "Admins can set it up alone without IT",
    "Sales ops own the pipeline data",
    "The mobile app matters more than the desktop for reps on the road",
    "Reports are built in spreadsheets at month end",
    "Finance needs an audit trail of every change to a deal, with who changed it, when and why, exported "
    "to their own tools every night so that the auditors can read it without asking anyone for access",
    "Single sign-on is a must before buying",
    "They already tried Zapier and gave up",
    "Data quality is the main worry",
    "Budgets are decided in the fourth quarter",
    "A free trial would convince them",
]
ACCOUNT_NAMES = [
    "Acme", "Aperture Science", "Black Mesa", "Cyberdyne", "Dunder Mifflin", "Globex", "Gringotts Bank",
    "Hooli", "Initech", "Massive Dynamic", "Monsters Inc", "Oscorp", "Pied Piper", "Soylent",
    "Stark Industries", "Tyrell", "Umbrella Corporation International Holdings", "Vandelay Industries",
    "Wayne Enterprises", "Wonka",
]  # fmt: skip


def small_sheet(*, closed: bool = False) -> Sheet:
    """5 accounts × 3 points (6 interviews)."""
    return sheet_of(
        study_id=7, name="CRM sync", goal="Is two-way sync worth building?", closed=closed,
        points=POINTS, interviews=INTERVIEWS, answers=ANSWERS,
    )  # fmt: skip


def big_sheet(
    accounts: int = 20, points: int = 12, *, seed: int = 3, names: list[str] | None = None
) -> Sheet:
    """`accounts` × `points` with answers drawn at random (the same for a seed), one or two calls each."""
    rng = random.Random(seed)
    names = names or [ACCOUNT_NAMES[a % 20] + (f" {a // 20}" if a >= 20 else "") for a in range(accounts)]
    texts = [(p + 1, LONG_POINTS[p % 12] + (f" ({p // 12})" if p >= 12 else "")) for p in range(points)]
    interviews, answers, call = [], [], 100
    for name in names:
        for _ in range(rng.choice((1, 1, 2))):
            call += 1
            interviews.append((call, date(2026, 11, 1) + timedelta(days=rng.randrange(30)), name))
            answers += [
                (call, p, rng.choice((S, S, S, C, M, N)), rng.choice((None, "we re-key every deal")))
                for p, _ in texts
                if rng.random() < 0.8
            ]
    return sheet_of(
        study_id=8, name="CRM sync, Q4 round", goal="Is two-way CRM sync worth building?", closed=False,
        points=texts, interviews=interviews, answers=answers,
    )  # fmt: skip


def empty_sheet() -> Sheet:
    """A study with its points and no interview yet."""
    return sheet_of(
        study_id=9, name="Pricing", goal="Would they pay per seat?", closed=False,
        points=POINTS, interviews=[], answers=[],
    )  # fmt: skip
