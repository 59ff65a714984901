"""A week of interviews for digest tests: 30 interviews across 12 accounts, held 16–22 November 2026.

- slow reports: raised by 5 accounts, once each, in different words;
- single sign-on: raised 9 times, all by one account (Stark);
- onboarding: 3 accounts; a CSV export is requested by 3 accounts, dark mode by one;
- a few one-off pains, and a quote with a mention and markup in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.capture.interviews import InterviewDraft, log_interview
from bot.themes.store import new_theme, refresh
from storage.db import Database
from storage.models import Pain, ThemeKind

WEEK_END = date(2026, 11, 23)  # a Monday: the digest posted that morning covers 16–22 November
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

REPORTS = {
    "Acme": "Reports take forever to build",
    "Globex": "Building the monthly report eats my whole Friday",
    "Initech": "It takes hours to put our reporting together every month",
    "Umbrella": "Our monthly reporting is painfully slow to produce",
    "Hooli": "Creating reports takes far too long",
}
SSO = [
    "SSO login fails every morning",
    "Okta sign-in breaks again and again",
    "People get kicked out of their SSO sessions",
    "Single sign-on stops working after the weekend",
    "Our SAML login keeps failing",
    "Logging in through Okta fails for half the team",
    "SSO sessions expire every hour",
    "The single sign-on page loops forever",
    "Every Monday nobody can log in with SSO",
]
ONBOARDING = {
    "Wayne": "Setting up a new teammate takes days",
    "Wonka": "Onboarding new users is slow and manual",
    "Tyrell": "Adding a new colleague to the workspace takes forever",
}
ONE_OFFS = {
    "Cyberdyne": "The mobile app crashes when I upload a photo",
    "Soylent": "Your invoices show the wrong VAT number",
    "Oscorp": "The calendar sync duplicates every meeting",
}
CSV_REQUEST = {
    "Acme": "A CSV export of every report",
    "Globex": "Let us export to CSV",
    "Wayne": "CSV download",
}
HOSTILE_QUOTE = "<!channel> this is *urgent* <@U0BOSS> & <https://evil.example|click>"
FOLLOW_UP_CALLS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Soylent",
    "Oscorp",
]


def log(
    db: Database,
    account: str,
    held_on: date,
    *,
    pains: Sequence[str] = (),
    requests: Sequence[str] = (),
    quotes: Sequence[str] = (),
    notes: Sequence[str] = (),
    team_id: str = "T0001",
    user_id: str = "U0001",
    now: datetime = NOW,
) -> None:
    draft = InterviewDraft(
        account=account,
        kind="discovery",
        held_on=held_on,
        pains="\n".join(pains) or None,
        requests="\n".join(requests) or None,
        quotes="\n".join(quotes) or None,
        notes="\n".join(notes) or None,
    )
    with db.transaction() as session:
        log_interview(
            session=session,
            team_id=team_id,
            user_id=user_id,
            draft=draft,
            now=now,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )


def log_the_week(db: Database, team_id: str = "T0001") -> None:
    """The 30 interviews; `team_id` lets a test fill another workspace with the same week."""
    days = [WEEK_END - timedelta(days=n) for n in range(7, 0, -1)]  # 16 … 22 November
    calls: list[tuple[str, dict[str, list[str]], str]] = []
    for account, pain in REPORTS.items():
        quote = HOSTILE_QUOTE if account == "Acme" else f"{account}: we lose a day on it"
        csv = [CSV_REQUEST[account]] if account in CSV_REQUEST else []
        calls.append((account, {"pains": [pain], "quotes": [quote], "requests": csv}, "U0001"))
    calls += [("Stark", {"pains": [pain]}, "U0002") for pain in SSO]
    for account, pain in ONBOARDING.items():
        csv = [CSV_REQUEST[account]] if account in CSV_REQUEST else []
        calls.append((account, {"pains": [pain], "requests": csv}, "U0001"))
    for account, pain in ONE_OFFS.items():
        calls.append(
            (account, {"pains": [pain], "requests": ["Dark mode"] if account == "Oscorp" else []}, "U0001")
        )
    # Follow-up calls without new pains: 30 interviews across 12 accounts.
    calls += [
        (account, {"quotes": [f"{account} is happy with support"], "notes": ["Follow-up call"]}, "U0003")
        for account in FOLLOW_UP_CALLS
    ]
    assert len(calls) == 30 and len({account for account, _, _ in calls}) == 12
    for n, (account, lines, user_id) in enumerate(calls):
        log(db, account, days[n % 7], team_id=team_id, user_id=user_id, **lines)


def log_theme(
    db: Database, name: str, lines: Sequence[tuple[str, date, str]], *, team_id: str = "T0001"
) -> int:
    """One interview per (account, day, pain), each pain put into one theme called `name` by hand, as a
    person would place them: a digest test that needs exact themes without the model. The theme's id."""
    for account, held_on, pain in lines:
        log(db, account, held_on, pains=[pain], team_id=team_id)
    with db.transaction() as session:
        theme = new_theme(session, team_id, ThemeKind.PAIN, name, NOW)
        texts = [pain for _, _, pain in lines]
        for line in session.scalars(select(Pain).where(Pain.team_id == team_id, Pain.text.in_(texts))):
            line.theme_id, line.placed_by = theme.id, "U0001"
        session.flush()
        refresh(session=session, theme=theme, now=NOW, name_it=False)
        return theme.id
