"""The owners' daily summary through signed requests and the fake Slack: three calls logged with the log
modal for accounts another person owns make exactly one DM to that owner, the next day once their working
hours have started (New York, where the fake's users live), and none before; a guest who owns an account
hears nothing of the team's calls, and an owner Slack does not know (a mistyped id) is not asked after on
every tick."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from handlers.senders.outbox import METADATA_EVENT
from handlers.senders.owner_summaries import OwnerSummaries
from tests.conftest import RunningBot
from tests.scenario.test_accounts import make_account
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID

OWNER, GUEST, NOBODY = "U0OWNER", "U0GUEST", "U0NOBODY"
WEDNESDAY_9AM_NEW_YORK = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture
def backend() -> str:
    """SQLite: this is about Slack; the summaries' claims are tested on both in tests/storage."""
    return "sqlite"


@pytest.fixture
def summaries(bot: RunningBot) -> Iterator[OwnerSummaries]:
    """The scheduler's owner-summaries job for the `bot`, as a replica runs it; the test calls tick()."""
    deps = bot.deps
    yield OwnerSummaries(
        db=bot.db,
        client=deps.client,
        team_id=deps.team_id,
        timezones=deps.timezones,
        roles=deps.roles,
        working_hours=deps.config.working_hours,
        send_outbox=deps.outbox.send_now,
    )


def dms_to(bot: RunningBot, user_id: str) -> list:
    return [
        c
        for c in bot.fake.calls("chat.postMessage")
        if c.args["channel"] == user_id and (c.args.get("metadata") or {}).get("event_type") == METADATA_EVENT
    ]


def test_three_calls_with_an_owners_accounts_make_one_dm_in_their_working_hours(
    bot: RunningBot, summaries: OwnerSummaries, clock: time_machine.Traveller
) -> None:
    bot.fake.add_users(OWNER)
    bot.fake.set_user(GUEST, is_restricted=True)
    for name in ("Acme", "Globex", "Initech"):
        make_account(bot, name=name, owner_id=OWNER)
    make_account(bot, name="Hooli", owner_id=GUEST)
    make_account(bot, name="Wayne", owner_id=NOBODY)
    # Tuesday in New York: three calls with the owner's accounts, one each with the guest's and the
    # nobody's, by someone else.
    submit_log_modal(bot, "Acme", pains="Month-end takes two days\nNo audit trail", contact_name="Dana")
    submit_log_modal(bot, "Globex", pains="Exports time out")
    submit_log_modal(bot, "Initech", pains="SSO breaks weekly")
    submit_log_modal(bot, "Hooli", pains="Their secret plans")
    submit_log_modal(bot, "Wayne", pains="Nobody owns this")
    bot.fake.wait_for("chat.postMessage", count=5)  # the confirmations, to the logger
    assert summaries.tick() == 0  # the same day: nothing

    clock.move_to(WEDNESDAY_9AM_NEW_YORK - timedelta(minutes=1))
    assert summaries.tick() == 0
    assert dms_to(bot, OWNER) == []

    clock.move_to(WEDNESDAY_9AM_NEW_YORK + timedelta(seconds=30))
    assert summaries.tick() == 1
    (dm,) = dms_to(bot, OWNER)
    assert dm.args["text"] == "3 calls with your accounts yesterday"
    shown = str(dm.args["blocks"])
    for account, pain in (("Acme", "Month-end takes two days"), ("Globex", "Exports"), ("Initech", "SSO")):
        assert f"*{account}*" in shown and pain in shown and f"`/interview list {account}`" in shown
    assert f"logged by <@{USER_ID}>" in shown and "with Dana" in shown and "No audit trail" not in shown
    assert "Hooli" not in shown and "Wayne" not in shown

    # Later ticks, that day and the next, send nothing more; the guest and the nobody hear nothing at all.
    for later in (timedelta(minutes=1), timedelta(hours=3), timedelta(days=1)):
        clock.move_to(WEDNESDAY_9AM_NEW_YORK + later)
        assert summaries.tick() == 0
    assert len(dms_to(bot, OWNER)) == 1
    tried = {c.args["channel"] for c in bot.fake.calls("chat.postMessage", include_rejected=True)}
    assert GUEST not in tried and NOBODY not in tried
    # Slack was asked who the nobody is once an hour at most (a role is trusted that long), not each tick.
    asked = [c for c in bot.fake.calls("users.info", include_rejected=True) if c.args.get("user") == NOBODY]
    assert 1 <= len(asked) <= 4, len(asked)
