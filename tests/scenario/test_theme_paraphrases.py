"""Paraphrases of one pain hold together, as a new team would log them: one interview at a time through
the log modal, the themes' upkeep ticking between. Each set is a pain said 6 to 8 ways (brand names,
abbreviations, symptoms), by one account or by several; a few one-off pains stay apart."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from storage.models import Pain, ThemeKind
from tests.conftest import RunningBot
from tests.support.forms import submit_log_modal

SCHEDULE = UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7))

# (the pain, who said it: one account, or None for a different account each time, its paraphrases)
SETS: dict[str, tuple[str | None, list[str]]] = {
    "single sign-on": (
        "Stark Industries",
        [
            "Okta login fails every Monday morning",
            "Our SSO keeps timing out and kicks people back to the sign-in page",
            "Single sign-on is broken again for the sales team",
            "SAML authentication errors whenever we log in",
            "Can't get into the app through Okta, it just spins",
            "People are logged out of their SSO session several times a day",
            "Signing in with our identity provider fails half the time",
            "The Azure AD sign-on redirect loops forever",
            "SSO with Okta keeps logging us out",
        ],
    ),
    "onboarding": (
        None,
        [
            "Setting up a new hire's account takes us two days",
            "Onboarding a new teammate is slow and entirely manual",
            "Adding new users means clicking through ten screens each",
            "Every time someone joins we spend hours provisioning them",
            "Inviting a new colleague to the workspace is a chore",
            "Getting new employees set up in the tool takes forever",
            "There's no bulk way to add the people who start on Monday",
        ],
    ),
    "exports": (
        None,
        [
            "The CSV export times out on big reports",
            "Exporting data to Excel is broken",
            "Downloading our data as a spreadsheet fails halfway",
            "Export to .csv gives garbled characters",
            "We can't get a clean export of our records into Google Sheets",
            "The export button does nothing for large tables",
        ],
    ),
    "billing": (
        "Wayne Enterprises",
        [
            "Our invoice shows the wrong amount again",
            "We were double charged this month",
            "Billing sent an invoice with last year's VAT number",
            "The credit card charge doesn't match the invoice",
            "Invoices arrive late so finance can't close the month",
            "We keep getting billed for seats we removed",
        ],
    ),
    "mobile crashes": (
        None,
        [
            "The iOS app crashes when I open a photo",
            "Android app force-closes on startup",
            "The mobile app freezes and quits whenever I switch tabs",
            "On my iPhone the app keeps crashing",
            "App crashes on Samsung phones after the last update",
            "The phone app dies as soon as I upload a picture",
        ],
    ),
}
ONE_OFFS = [
    "The calendar sync duplicates every meeting",
    "Search never finds tickets older than a month",
    "Email notifications land in spam",
    "The API rate limit is too low for our nightly sync",
    "The French translation of the settings page is wrong",
]
# Keyword traps (issue 21): a line that shares a word with a set but is another problem, each said by an
# account of its own, and the set whose theme it must stay out of. "crashes on login" is a mobile crash
# (it may join that set's theme), not a sign-on failure; "where to start after signing up" is about first
# steps, not single sign-on; "export button missing for guests" is about what guests may do, not about
# exports failing.
TRAPS: dict[str, str] = {
    "Mobile app crashes on login": "single sign-on",
    "People do not know where to start after signing up": "single sign-on",
    "The export button is missing for guest users": "exports",
}
# The traps kept out of the set they share a word with, by either model, live and after a full regroup.
# Not yet "export button missing for guests": both models put it with the exports, its nearest lines
# (issue 21, keyword traps; benchmarks/README.md says what was measured). When it stays out, this moves.
KEPT_APART = ["Mobile app crashes on login", "People do not know where to start after signing up"]


def interviews() -> list[tuple[str, str]]:
    """(account, pain) for every line, in an order a team might log them: the sets interleaved."""
    lines = [
        (account or f"{name.title()} customer {n}", pain)
        for name, (account, pains) in SETS.items()
        for n, pain in enumerate(pains)
    ]
    lines += [(f"One-off {n}", pain) for n, pain in enumerate(ONE_OFFS)]
    lines += [(f"Trap {n}", pain) for n, pain in enumerate(TRAPS)]
    random.Random(11).shuffle(lines)
    return lines


def partition(bot: RunningBot) -> dict[str, int | None]:
    with bot.db.read() as session:
        return dict(session.execute(select(Pain.text, Pain.theme_id)).all())


def holding(themes: dict[str, int | None]) -> list[str]:
    """The sets that are one theme holding nothing else (the trap lines aside: see `kept_apart`)."""
    held = []
    for name, (_, pains) in SETS.items():
        (theme,) = {themes[p] for p in pains} if len({themes[p] for p in pains}) == 1 else {None}
        others = [t for text, t in themes.items() if text not in TRAPS]
        if theme is not None and sum(t == theme for t in others) == len(pains):
            held.append(name)
    return held


def kept_apart(themes: dict[str, int | None]) -> list[str]:
    """The trap lines in no theme that holds most of the set they share a word with."""
    apart = []
    for trap, name in TRAPS.items():
        held = Counter(themes[p] for p in SETS[name][1] if themes[p] is not None)
        if themes[trap] is None or not held or themes[trap] != held.most_common(1)[0][0]:
            apart.append(trap)
    return apart


def same_groups(a: dict[str, int | None], b: dict[str, int | None]) -> bool:
    """Whether two groupings of the same lines put the same lines together (ids aside)."""

    def groups(themes: dict[str, int | None]) -> set[frozenset[str]]:
        by: dict[int, set[str]] = {}
        for text, theme in themes.items():
            if theme is not None:
                by.setdefault(theme, set()).add(text)
        return {frozenset(g) for g in by.values()}

    return a.keys() == b.keys() and groups(a) == groups(b)


def logged_one_at_a_time(
    bot: RunningBot, semantic: Embedder
) -> tuple[dict[str, int | None], dict[str, int | None]]:
    """Every interview through the modal, the upkeep job ticking after each. Returns the live grouping, and
    the grouping the weekly full regroup makes from scratch of the same lines."""
    upkeep = UpkeepJob(db=bot.db, embedder=semantic, replica="test", schedule=SCHEDULE)
    now = datetime.now(UTC)
    for n, (account, pain) in enumerate(interviews()):
        submit_log_modal(bot, account, pains=pain)
        upkeep.tick(now + timedelta(minutes=n))
    live = partition(bot)
    assert upkeep.tick(now + timedelta(days=8))[("T0001", ThemeKind.PAIN)].rebuilt
    return live, partition(bot)


def parts(themes: dict[str, int | None]) -> dict[str, list[int]]:
    """For each set, how many of its lines each theme holds (largest first), a line in no theme
    counting 1: [8] is a set in one theme, [4, 3, 1] one split in three."""
    out = {}
    for name, (_, pains) in SETS.items():
        counts: dict[object, int] = {}
        for n, pain in enumerate(pains):
            key = themes[pain] if themes[pain] is not None else ("pool", n)
            counts[key] = counts.get(key, 0) + 1
        out[name] = sorted(counts.values(), reverse=True)
    return out


def test_paraphrase_sets_hold_together_live_and_in_a_full_regroup_and_one_offs_stay_apart(
    bot: RunningBot, semantic: Embedder
) -> None:
    live, full = logged_one_at_a_time(bot, semantic)
    assert same_groups(live, full)
    assert all(live[p] is None for p in ONE_OFFS)
    # Four of the five sets hold (the nine sign-on lines of one account one theme), each a theme of its own
    # lines only. Onboarding does not with the light
    # model: four of its lines are one theme, two more another, and "no bulk way to add the people who
    # start on Monday" stays in the pool, less than 0.35 alike to any other line in the model's space
    # (with a smoothing floor of 0.4, three stayed there). When it holds, this figure moves.
    assert holding(live) == ["single sign-on", "exports", "billing", "mobile crashes"]
    assert parts(live)["onboarding"] == [4, 2, 1]
    assert kept_apart(live) == kept_apart(full) == KEPT_APART


# Run once, its clock at a fixed moment: what the stronger model groups does not hang on the hour, and the
# test above takes the same path at every clock start, with the light model, in a third of the time.
@pytest.mark.own_clock
def test_with_the_stronger_model_every_paraphrase_set_is_one_theme(
    clock: time_machine.Traveller, bot: RunningBot, mpnet: Embedder
) -> None:
    live, full = logged_one_at_a_time(bot, mpnet)
    assert same_groups(live, full)
    assert all(live[p] is None for p in ONE_OFFS)
    # Every set is one theme holding nothing else, the nine sign-on lines of one account included. The two
    # sign-on lines the stronger model once put with the mobile crashes ("Okta login fails every Monday
    # morning", "Can't get into the app through Okta, it just spins") stay with sign-on since the trap
    # lines joined the sheet: they lower how close the lines are, and so the cut that follows it, by a
    # hundredth (0.597 to 0.591 before the ninth sign-on line came), and that is enough. A narrow margin.
    assert holding(live) == ["single sign-on", "onboarding", "exports", "billing", "mobile crashes"]
    assert parts(live)["single sign-on"] == [9] and parts(live)["mobile crashes"] == [6]
    assert kept_apart(live) == kept_apart(full) == KEPT_APART
