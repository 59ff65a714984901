"""The App Home view at its fullest: every list capped with "and N more", within Slack's 100 blocks and
3000 characters a section whatever was typed, and nothing typed pings anyone."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings

from bot.digest.period import Period
from bot.digest.ranking import ThemeInPeriod, Trend
from bot.digest.weight import Weight
from bot.home.reads import Owed, Upcoming, WeekFigures
from handlers.views.home import FOLLOW_UPS_SHOWN, HOME_MAX_BLOCKS, HomeContent, home_view
from storage.models import (
    Account,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    OutboxKind,
    OutboxMessage,
    ScheduledCall,
    ThemeKind,
    ThemeStatus,
)
from tests.support.fake_slack import slack_would_reject
from tests.unit.views.test_views import make_interview, typed

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def full_home(text: str) -> HomeContent:
    account = Account(team_id="T1", name=text[:200] or "Acme", normalized_name="acme")
    follow_ups = [
        FollowUp(
            id=n,
            kind=FollowUpKind.SUMMARY if n % 2 else FollowUpKind.PROMISE,
            description=text[:2000] or "x",
            due_at=NOW + timedelta(hours=n - 20),
            state=FollowUpState.SNOOZED if n % 3 else FollowUpState.OPEN,
            remind_at=NOW + timedelta(hours=1),
            interview_id=n,
            interview=make_interview(text, [text[:300]]),
        )
        for n in range(1, 31)
    ]
    calls = [
        ScheduledCall(
            id=n,
            account=account,
            starts_at=NOW + timedelta(hours=n),
            ends_at=NOW + timedelta(hours=n, minutes=30),
            goal=text[:1000] or None,
            participants=["U1"],
            created_by="U1",
        )
        for n in range(8)
    ]
    theme = ThemeInPeriod(
        theme_id=1,
        name=text[:200] or "x",
        kind=ThemeKind.PAIN,
        accounts=3,
        mentions=4,
        last_seen=date(2026, 11, 23),
        accounts_ever=3,
        history=(0,) * 8,
        trend=Trend.NEW,
    )
    undelivered = [
        OutboxMessage(
            kind=OutboxKind.INTERVIEW_SAVED,
            channel_id="U1",
            about=text[:300] or "x",
            error="channel_not_found",
        )
    ] * 10
    return HomeContent(
        tz=ZoneInfo("Asia/Tokyo"),
        now=NOW,
        owed=Owed(follow_ups[:FOLLOW_UPS_SHOWN], total=30, overdue=19),
        calls=Upcoming(calls[:5], total=8),
        interviews=[make_interview(text, [text[:300]] * 5)] * 10,
        week=WeekFigures(Period(end=date(2026, 11, 25)), interviews=40, accounts=12, top_pains=[theme] * 3),
        undelivered=undelivered,
    )


@settings(max_examples=30, deadline=None)
@given(typed)
def test_a_full_home_fits_slack_whatever_was_typed(text: str) -> None:
    view = home_view(full_home(text)).to_dict()
    assert len(view["blocks"]) <= HOME_MAX_BLOCKS
    assert slack_would_reject(view=view) == []
    sent = json.dumps(view, ensure_ascii=False)
    assert "<!channel>" not in sent
    assert "<@U1>" not in sent.replace("organised by <@U1>", "").replace("Our side: <@U1>", "")


def test_each_list_is_capped_and_says_how_many_more() -> None:
    view = home_view(full_home("Approvals get lost")).to_dict()
    sent = json.dumps(view)
    listed = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith("fu:")]
    assert len(listed) == FOLLOW_UPS_SHOWN
    assert "and 20 more" in sent and "and 3 more" in sent  # follow-ups; calls
    assert "What you owe (19 overdue)" in sent


def test_the_week_shows_a_top_pains_status_when_not_open() -> None:
    content = full_home("Slow reports")
    theme = content.week.top_pains[0]
    shipped = replace(theme, status=ThemeStatus.SHIPPED)
    week = replace(content.week, top_pains=[shipped, replace(theme, name="Okta logouts")])
    shown = json.dumps(home_view(replace(content, week=week)).to_dict(), ensure_ascii=False)
    assert "1. Slow reports · 🚢 shipped: 3 accounts" in shown
    assert "2. Okta logouts: 3 accounts" in shown


def test_the_week_shows_each_top_pains_weight_as_the_digest_does() -> None:
    content = full_home("Slow reports")
    theme = content.week.top_pains[0]
    weighed = replace(theme, weight=Weight(3, 420_000, 2, (("<!here> Enterprise", 2), ("SMB", 1))))
    unknown = replace(theme, name="Okta logouts", weight=Weight(3, 0, 0, ()))
    week = replace(content.week, top_pains=[weighed, unknown])
    shown = json.dumps(home_view(replace(content, week=week)).to_dict(), ensure_ascii=False)
    expected = "3 accounts · $420k ARR (ARR known for 2 of 3) · &lt;!here&gt; Enterprise 2, SMB 1"
    assert f"1. Slow reports: {expected}" in shown  # a typed segment, escaped
    assert "2. Okta logouts: 3 accounts" in shown  # nothing known: the count, as before
