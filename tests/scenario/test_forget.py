"""`/interview forget ACCOUNT` as an admin uses it: a confirmation with the counts, then nothing of the
account remains (interviews, lines, follow-ups, reminders, scheduled calls, search, themes it alone
raised), while other accounts and workspaces are untouched; nobody else may."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import time_machine
from sqlalchemy import func, select

from bot.followups.calls import CallDraft, schedule_call
from bot.themes.embeddings import from_bytes
from handlers.delete import ADMINS_ONLY
from handlers.senders.reminders import ReminderSender
from handlers.views.delete import RemovalMetadata, RemovalModal
from storage.models import (
    Account,
    FollowUp,
    Interview,
    Pain,
    Quote,
    ReminderDelivery,
    ScheduledCall,
    Theme,
)
from tests.conftest import RunningBot
from tests.scenario.test_delete import confirmed
from tests.scenario.test_reminders import reminders
from tests.scenario.test_search import stored
from tests.support.after_ack import after_ack_done
from tests.support.forms import submit_log_modal
from tests.support.outage import database_outage
from tests.support.slack_requests import TEAM_ID, USER_ID
from tests.support.themed import group_pains

ADMIN = "U0009"
OTHER_TEAM = "T0OTHER"


def counts(bot: RunningBot, team_id: str = TEAM_ID) -> dict[str, int]:
    with bot.db.read() as session:
        return {
            m.__tablename__: int(
                session.scalar(select(func.count()).select_from(m).where(m.team_id == team_id)) or 0
            )
            for m in (Account, Interview, Pain, Quote, FollowUp, ScheduledCall, Theme, ReminderDelivery)
        }


def forget_confirmations(bot: RunningBot) -> list[Any]:
    return [
        c for c in bot.fake.calls("views.open") if c.args["view"].get("callback_id") == RemovalModal.FORGET
    ]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def searched(bot: RunningBot, text: str, team_id: str = TEAM_ID) -> str:
    return json.dumps(bot.slack.command(f"search {text}", team_id=team_id).json())


def seed(bot: RunningBot) -> tuple[int, int]:
    """Acme twice (one pain only it raised, one shared with Globex), Globex, another workspace's Acme, and
    a call with Acme scheduled; the shared theme and Acme's own."""
    stored(bot, account="Acme", pains="Reports are slow\nAcme only pain", quotes="We hate Fridays")
    stored(bot, account="ACME Inc.", day=1, pains="Acme only pain again", promises="Send the deck")
    stored(bot, account="Globex", pains="Building reports takes ages")
    stored(bot, team_id=OTHER_TEAM, account="Acme", pains="Reports are slow\nAcme only pain")
    with bot.db.transaction() as session:
        now = datetime.now(UTC)
        schedule_call(
            session=session,
            team_id=TEAM_ID,
            user_id=USER_ID,
            draft=CallDraft(
                account="Acme", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=1)
            ),
            now=now,
            prep_before=timedelta(hours=2),
        )
    shared, alone = group_pains(
        bot.db,
        TEAM_ID,
        [["Reports are slow", "Building reports takes ages"], ["Acme only pain", "Acme only pain again"]],
    )
    group_pains(bot.db, OTHER_TEAM, [["Reports are slow", "Acme only pain"]])
    return shared, alone


def test_an_admin_forgets_an_account_after_a_confirmation_with_the_counts(
    bot: RunningBot, elsewhere: RunningBot
) -> None:
    shared, alone = seed(bot)
    bot.fake.set_user(ADMIN, is_admin=True)
    with bot.db.read() as session:
        centroid_before = from_bytes(session.get(Theme, shared).centroid)
    theirs = counts(bot, OTHER_TEAM)
    assert bot.slack.command("forget acme", user_id=ADMIN).status == 200
    (opened,) = forget_confirmations(bot)
    said = json.dumps(opened.args["view"]["blocks"])
    assert "*Acme*" in said and "2 interviews" in said and "3 pains" in said and "1 quote" in said
    # Thank-you and summary for each interview, the promise, the call's prep and debrief; all open.
    assert "7 follow-ups (7 open)" in said and "7 pending reminders" in said and "1 scheduled call" in said
    assert "1 theme will disappear" in said and "Acme only pain" in said
    assert counts(bot)["interviews"] == 3  # nothing goes before the confirmation

    done = json.dumps(confirmed(bot, opened.response["view"], user_id=ADMIN))
    assert "Forgot *Acme*" in done and "2 interviews" in done and "3 pains" in done

    ours = counts(bot)
    assert ours == {
        "accounts": 1,
        "interviews": 1,
        "pains": 1,
        "quotes": 0,
        "follow_ups": 2,
        "scheduled_calls": 0,
        "themes": 1,
        "reminder_deliveries": 0,
    }
    with bot.db.read() as session:
        assert session.scalar(select(Account.name).where(Account.team_id == TEAM_ID)) == "Globex"
        assert session.get(Theme, alone) is None
        theme = session.get(Theme, shared)
        assert theme is not None and (theme.size, theme.accounts) == (1, 1)
        (left,) = session.scalars(select(Pain).where(Pain.theme_id == shared))
        # Its centre is worked out again: now its one remaining line's vector.
        assert cosine(from_bytes(theme.centroid), from_bytes(left.embedding)) > 0.999
        assert cosine(centroid_before, from_bytes(left.embedding)) < 0.99
    assert "No interview matches" in searched(bot, "fridays")
    assert "I know no account called" in searched(bot, "reports account:acme")
    assert "Globex" in searched(bot, "reports")
    # The other workspace's Acme is all there.
    assert counts(bot, OTHER_TEAM) == theirs
    assert "Acme" in searched(elsewhere, "acme only pain", team_id=OTHER_TEAM)


def test_someone_who_is_no_admin_cannot_forget_nor_by_a_forged_confirmation(bot: RunningBot) -> None:
    seed(bot)
    before = counts(bot)
    answer = bot.slack.command("forget Acme").json()
    assert answer == {"response_type": "ephemeral", "text": ADMINS_ONLY}
    assert forget_confirmations(bot) == []

    with bot.db.read() as session:
        account_id = session.scalar(
            select(Account.id).where(Account.team_id == TEAM_ID, Account.name == "Acme")
        )
    forged = {
        "type": "modal",
        "callback_id": RemovalModal.FORGET,
        "private_metadata": RemovalMetadata(account_id=account_id).dumps(),
        "blocks": [],
    }
    response = bot.slack.view_submission(forged, {})
    assert response.status == 200 and (response.json() or {}).get("response_action") != "update"
    after_ack_done(bot.deps)
    assert bot.fake.calls("chat.postMessage")[-1].args["text"] == ADMINS_ONLY
    assert counts(bot) == before


def test_an_admin_cannot_forget_another_workspaces_account(bot: RunningBot) -> None:
    stored(bot, account="Acme")
    stored(bot, team_id=OTHER_TEAM, account="Initech")
    bot.fake.set_user(ADMIN, is_owner=True)
    ours, theirs = counts(bot), counts(bot, OTHER_TEAM)
    with bot.db.read() as session:
        account_id = session.scalar(select(Account.id).where(Account.team_id == OTHER_TEAM))
    bot.slack.command("forget Acme", user_id=ADMIN)
    (opened,) = forget_confirmations(bot)
    # Their confirmation, submitted with another workspace's account id in it.
    forged = {**opened.response["view"], "private_metadata": RemovalMetadata(account_id=account_id).dumps()}
    assert "That account is gone" in json.dumps(confirmed(bot, forged, user_id=ADMIN))
    assert counts(bot, OTHER_TEAM) == theirs and counts(bot) == ours


def test_a_database_down_after_the_ack_is_said_in_the_modal(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored(bot, account="Acme")
    bot.fake.set_user(ADMIN, is_admin=True)
    before = counts(bot)
    bot.slack.command("forget Acme", user_id=ADMIN)
    (opened,) = forget_confirmations(bot)
    after_ack = bot.deps.after_ack

    def down_after_the_ack(work: Callable[[], None]) -> Any:
        def down() -> None:
            with database_outage(bot.db):
                work()

        return after_ack(down)

    monkeypatch.setitem(vars(bot.deps), "after_ack", down_after_the_ack)  # deps is frozen: its own __dict__
    said = json.dumps(confirmed(bot, opened.response["view"], user_id=ADMIN))
    assert "can't reach the database" in said
    assert counts(bot) == before


def test_a_database_down_at_the_submission_is_said_at_once(bot: RunningBot) -> None:
    stored(bot, account="Acme")
    bot.fake.set_user(ADMIN, is_admin=True)
    before = counts(bot)
    bot.slack.command("forget Acme", user_id=ADMIN)
    (opened,) = forget_confirmations(bot)
    with database_outage(bot.db):
        answer = bot.slack.view_submission(opened.response["view"], {}, user_id=ADMIN).json()
    # The modal says so in the answer itself: the bot could not even look up where to say it later.
    assert answer["response_action"] == "update"
    assert "can't reach the database" in json.dumps(answer["view"])
    assert counts(bot) == before


def test_an_unknown_account_is_named_with_the_closest_and_no_modal_opens(bot: RunningBot) -> None:
    stored(bot, account="Acme Rockets")
    bot.fake.set_user(ADMIN, is_primary_owner=True)
    answer = bot.slack.command("forget acme", user_id=ADMIN).json()
    assert answer["response_type"] == "ephemeral" and "Did you mean *Acme Rockets*?" in answer["text"]
    assert forget_confirmations(bot) == []
    assert "/interview forget ACCOUNT" in bot.slack.command("forget", user_id=ADMIN).json()["text"]
    assert "/interview forget ACCOUNT" in json.dumps(bot.slack.command("help").json())


def test_no_reminder_about_a_forgotten_account_goes_out(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme", promises="Send the deck")
    submit_log_modal(bot, "Globex")
    bot.fake.set_user(ADMIN, is_admin=True)
    bot.slack.command("forget Acme", user_id=ADMIN)
    (opened,) = forget_confirmations(bot)
    confirmed(bot, opened.response["view"], user_id=ADMIN)
    clock.shift(timedelta(hours=24, minutes=1))
    sender.tick()
    (dm,) = reminders(bot)
    shown = json.dumps(dm.args["blocks"])
    assert "Globex" in shown and "Acme" not in shown
    for _ in range(6):
        clock.shift(timedelta(hours=12))
        sender.tick()
    assert all("Acme" not in json.dumps(c.args["blocks"]) for c in reminders(bot))
