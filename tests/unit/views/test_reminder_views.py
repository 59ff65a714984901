"""Reminder DMs are built as plain dicts (the scheduler's hot path): each block must be exactly what
slack_sdk.models would send for it, and within Slack's limits whatever people typed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.accounts.history import AccountHistory
from handlers.views.reminders import ITEM_BLOCK, follow_up_ids, reminder_message
from storage.models import (
    Account,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    InterviewKind,
    Pain,
    ScheduledCall,
)
from tests.support.fake_slack import slack_would_reject

NOW = datetime(2026, 11, 24, 15, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")
ACCOUNT = "Acme & <Co>"
KINDS = [FollowUpKind.PROMISE, FollowUpKind.THANK_YOU, FollowUpKind.SUMMARY]


def interview(interpretation: str | None, account: str = ACCOUNT) -> Interview:
    held = Interview(
        id=7,
        team_id="T1",
        account=Account(id=3, team_id="T1", name=account, normalized_name="acme"),
        kind=InterviewKind.DISCOVERY,
        held_on=date(2026, 11, 23),
        logged_by="U1",
        contact_name="Ann Smith",
        interpretation=interpretation,
    )
    held.pains = [Pain(text="slow <exports>", position=0), Pain(text="@channel pings", position=1)]
    return held


def items(n: int, text: str = "Send the deck <@U1> & more", account: str = ACCOUNT) -> list[FollowUp]:
    """n follow-ups of every kind and state: some with an interview, one done, one skipped, one not due."""
    out = []
    for k in range(n):
        item = FollowUp(
            id=100 + k,
            team_id="T1",
            owner_id="U1",
            kind=KINDS[k % len(KINDS)],
            description=f"{text} {k}",
            due_at=NOW - timedelta(days=k % 4, hours=k),
            state=FollowUpState.OPEN,
            interview_id=7 if k % 2 == 0 else None,
        )
        item.interview = interview(text if k % 3 else None, account) if k % 2 == 0 else None
        item.state = {1: FollowUpState.DONE, 2: FollowUpState.SKIPPED}.get(k, FollowUpState.OPEN)
        if k == 3:
            item.due_at = NOW + timedelta(days=2)
        out.append(item)
    return out


def call_items(goal: str | None = "Learn <why> & how") -> list[FollowUp]:
    call = ScheduledCall(
        id=9,
        team_id="T1",
        account_id=3,
        starts_at=NOW + timedelta(hours=1),
        ends_at=NOW + timedelta(hours=2),
        goal=goal,
        participants=["U1"],
        created_by="U1",
    )
    call.account = Account(id=3, team_id="T1", name=ACCOUNT, normalized_name="acme")
    out = []
    for n, kind in enumerate((FollowUpKind.PREP, FollowUpKind.DEBRIEF)):
        item = FollowUp(
            id=201 + n,
            team_id="T1",
            owner_id="U1",
            kind=kind,
            description=kind.value,
            due_at=NOW,
            state=FollowUpState.OPEN,
            scheduled_call_id=9,
        )
        item.scheduled_call, item.interview = call, None
        out.append(item)
    return out


HISTORY = AccountHistory(
    last_interviews=[(date(2026, 11, 1), "discovery", ["slow <x>", "y"]), (date(2026, 10, 1), "demo", [])],
    recurring_pains=[("slow & <z>", 3), ("one", 1)],
    open_follow_ups=["send <deck>"],
)


def assert_as_slack_sdk_sends_it(blocks: list[dict]) -> None:
    """Every block is what slack_sdk.models serializes for it (which also checks Slack's lengths), and the
    message is one Slack takes."""
    for block in blocks:
        model = Block.parse(block)
        assert model is not None, block
        assert model.to_dict() == block
    assert json.loads(json.dumps(blocks)) == blocks  # plain JSON: no objects left to serialize
    assert slack_would_reject(message={"channel": "D1", "text": "x", "blocks": blocks}) == []


@pytest.mark.parametrize("count", [1, 2, 5, 8, 9, 20, 60])
def test_reminders_are_what_slack_sdk_would_send(count: int) -> None:
    blocks = reminder_message(items(count), TOKYO, NOW)
    assert_as_slack_sdk_sends_it(blocks)
    assert len(blocks) <= 50
    listed = follow_up_ids(blocks)
    assert listed == [i.id for i in items(count)][: len(listed)]
    if count == 60:
        assert "every word is saved" in json.dumps(blocks[-1])


def test_prep_and_debrief_are_what_slack_sdk_would_send() -> None:
    prep, debrief = call_items()
    assert_as_slack_sdk_sends_it(reminder_message([prep], TOKYO, NOW, histories={3: HISTORY}))
    assert_as_slack_sdk_sends_it(reminder_message(call_items(goal=None)[:1], TOKYO, NOW))
    assert_as_slack_sdk_sends_it(reminder_message([debrief, *items(4)], TOKYO, NOW, histories={}))


def test_the_draft_and_buttons_read_as_before() -> None:
    blocks = reminder_message(items(2), TOKYO, NOW)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "2 follow-ups are due", "emoji": True},
    }
    assert blocks[1]["text"]["text"] == (
        "*Send the deck &lt;@U1&gt; &amp; more 0* · Acme &amp; &lt;Co&gt;\n"
        "due now (was due Wed 25 Nov, 00:00)"
    )
    actions = blocks[2]
    assert [e.get("action_id") for e in actions["elements"]] == [
        "followup_done",
        "followup_snooze",
        "followup_skip",
    ]
    assert [o["value"] for o in actions["elements"][1]["options"]] == [
        "1h:100",
        "tomorrow:100",
        "next_week:100",
    ]
    assert blocks[3]["text"]["text"] == "~Send the deck &lt;@U1&gt; &amp; more 1~ ✅ Done"


MARKS = ["&", "<", ">", "a", " ", "\n", "*", "~", "é", "😀", "@channel", "<!here>"]
# What people type, up to the longest a promise line may be (the promises field): mixed, or one mark
# repeated (every `&` becomes 5 characters once escaped).
typed = st.one_of(
    st.lists(st.sampled_from(MARKS), min_size=1, max_size=300).map("".join),
    st.tuples(st.sampled_from(MARKS), st.integers(1, 2000)).map(lambda mark_n: mark_n[0] * mark_n[1]),
).map(lambda text: text[:2000])


@settings(max_examples=40, deadline=None)
@given(typed, st.text(min_size=1, max_size=200), st.sampled_from([3, 12]))
def test_reminders_fit_slack_whatever_was_typed(text: str, account: str, count: int) -> None:
    """Long descriptions of characters mrkdwn escapes (each `&` becomes 5) still fit each section."""
    blocks = reminder_message(items(count, text, account), TOKYO, NOW)
    assert_as_slack_sdk_sends_it(blocks)
    sent = json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in sent and "<!here>" not in sent and "<@U1>" not in sent
    assert all(b.get("block_id", ITEM_BLOCK).startswith(("fu", ITEM_BLOCK)) for b in blocks)
