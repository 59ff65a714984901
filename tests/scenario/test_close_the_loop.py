"""Closing the loop through signed requests and the fake Slack: a theme raised by four accounts, logged by
two people, three of the accounts with owners (one of them also logged a call), is marked shipped in
`/interview themes`. On the next tick each person gets one reminder DM listing their accounts with what
each said and a note to send; Told on one account leaves the others open; the status set back and forth
sends nothing more; someone who left is skipped and whoever shipped it hears so; three replicas on
PostgreSQL still ask each person once."""

from __future__ import annotations

import contextlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from bot.digest.content import build_digest
from bot.digest.period import Period
from bot.reminders.deliveries import ReminderPolicy
from handlers.senders import loop as loop_sender
from handlers.senders.loop import LoopPlanner
from handlers.senders.reminders import ReminderSender
from handlers.views.digest import status_change_blocks
from handlers.views.loop import LoopAction, told_value
from handlers.views.themes import ThemeMenu, ThemesView
from storage.models import Account, CustomerTell, FollowUp, FollowUpState, Interview, ThemeStatus
from tests.conftest import RunningBot
from tests.scenario.test_reminders import reminders
from tests.scenario.test_theme_status import values
from tests.scenario.test_themes import menu, open_list
from tests.support.after_ack import after_ack_done
from tests.support.loop import O1, O2, P1, P2, raised
from tests.support.slack_requests import TEAM_ID, USER_ID

RELEASE = "https://example.com/releases/5.2"


def heard(bot: RunningBot) -> tuple[int, dict[str, int]]:
    """The four calls logged, the owners set, the pains in one theme: its id and each call's id."""
    for person in (P1, P2, O1, O2):
        bot.fake.set_user(person)
    return raised(bot.db, TEAM_ID, datetime.now(UTC))


def set_status(bot: RunningBot, theme_id: int, status: ThemeStatus, *, tell: bool = False) -> None:
    modal = menu(bot, open_list(bot), ThemeMenu.STATUS, theme_id)
    submitted = values(status.value, "Exports now stream", RELEASE)
    if tell:
        submitted[ThemesView.TELL_BLOCK] = {
            ThemesView.VALUE: {"type": "checkboxes", "selected_options": [{"value": ThemesView.TELL}]}
        }
    assert bot.slack.view_submission(modal, submitted).accepted
    after_ack_done(bot.deps)


def policy(bot: RunningBot) -> ReminderPolicy:
    return ReminderPolicy(
        working_hours=bot.deps.config.working_hours, max_resends=bot.deps.config.max_resends
    )


@pytest.fixture
def planner(bot: RunningBot) -> LoopPlanner:
    return LoopPlanner(db=bot.db, client=bot.deps.client)


def dm_to(bot: RunningBot, person: str) -> Any:
    (dm,) = [c for c in reminders(bot) if c.args["channel"] == person]
    return dm


def follow_up_of(bot: RunningBot, person: str) -> FollowUp:
    with bot.db.read() as session:
        (item,) = session.scalars(
            select(FollowUp).where(FollowUp.owner_id == person, FollowUp.theme_id.is_not(None))
        )
        return item


def account_id(bot: RunningBot, name: str) -> int:
    with bot.db.read() as session:
        found = session.scalar(select(Account.id).where(Account.name == name))
        assert found is not None
        return found


def told_button(blocks: list[dict[str, Any]], value: str) -> bool:
    return any((b.get("accessory") or {}).get("value") == value for b in blocks)


def test_shipping_asks_each_person_once_about_their_accounts_and_told_is_per_account(
    bot: RunningBot, sender: ReminderSender, planner: LoopPlanner, clock: time_machine.Traveller
) -> None:
    theme_id, _ = heard(bot)
    set_status(bot, theme_id, ThemeStatus.SHIPPED)
    assert planner.tick() == 1
    assert sender.tick().sent == 4
    assert sorted(c.args["channel"] for c in reminders(bot)) == sorted([P1, P2, O1, O2])
    dm = dm_to(bot, P1)
    shown = json.dumps(dm.args["blocks"], ensure_ascii=False)
    for name in ("Acme", "Beta", "Delta"):
        assert f"*{name}*" in shown
    assert "*Cobalt*" not in shown  # P1 neither logged nor owns it
    # Each account's own words, its date and contact, and a note to send that quotes them with the link.
    assert "“Exports are slow on big stores” · 02 Nov 2026 · Jane Roe" in shown
    assert (
        "Hi Jane,\\n\\nWhen we spoke on 02 November, you told us: “Exports are slow on big stores”" in shown
    )
    assert RELEASE in shown and "Does this solve it for you?" in shown
    owner_dm = json.dumps(dm_to(bot, O2).args["blocks"], ensure_ascii=False)
    assert "*Cobalt*" in owner_dm and "*Delta*" not in owner_dm

    # Told on Delta: the DM is drawn again with Delta told, Acme and Beta still to tell.
    item = follow_up_of(bot, P1)
    delta = told_value(item.id, account_id(bot, "Delta"))
    updates = len(bot.fake.calls("chat.update"))
    response = bot.slack.block_action(
        LoopAction.TOLD,
        block_id="b",
        message=dm.response["message"],
        channel_id=dm.response["channel"],
        response_url=bot.fake.response_url,
        user_id=P1,
        value=delta,
    )
    assert response.status == 200
    after_ack_done(bot.deps)
    redrawn = bot.fake.calls("chat.update")[updates]
    assert redrawn.args["ts"] == dm.response["ts"]
    blocks = redrawn.args["blocks"]
    assert not told_button(blocks, delta) and "*Delta* · ✅ told" in json.dumps(blocks, ensure_ascii=False)
    assert told_button(blocks, told_value(item.id, account_id(bot, "Acme")))
    assert follow_up_of(bot, P1).state is FollowUpState.OPEN
    # Someone else's Told is refused, and changes nothing.
    bot.slack.block_action(
        LoopAction.TOLD,
        block_id="b",
        message=dm.response["message"],
        channel_id=dm.response["channel"],
        response_url=bot.fake.response_url,
        user_id=P2,
        value=told_value(item.id, account_id(bot, "Acme")),
    )
    with bot.db.read() as session:
        marked = dict(
            session.execute(
                select(Account.name, CustomerTell.told_at)
                .join(Account, Account.id == CustomerTell.account_id)
                .where(CustomerTell.follow_up_id == item.id)
            ).all()
        )
    assert marked["Acme"] is None and marked["Delta"] is not None
    # The digest's status changes say how many accounts were told.
    now = datetime.now(UTC)
    with bot.db.read() as session:
        digest = build_digest(
            session=session, team_id=TEAM_ID, period=Period.last_days(now, ZoneInfo("UTC")), now=now
        )
    assert "told 1 of 4" in json.dumps([b.to_dict() for b in status_change_blocks(digest.status_changes)])
    # A week on, the change is behind, and the digest still says how far the telling has got.
    later = now + timedelta(days=8)
    with bot.db.read() as session:
        digest = build_digest(
            session=session, team_id=TEAM_ID, period=Period.last_days(later, ZoneInfo("UTC")), now=later
        )
    assert digest.status_changes == []
    shown = json.dumps([b.to_dict() for b in status_change_blocks([], digest.telling)], ensure_ascii=False)
    assert "customers still being told" in shown and "told 1 of 4 accounts" in shown

    # Back and forth: nothing more is planned, nothing more is sent.
    set_status(bot, theme_id, ThemeStatus.IN_PROGRESS)
    set_status(bot, theme_id, ThemeStatus.SHIPPED)
    planner.tick()
    assert sender.tick().sent == 0
    assert len(reminders(bot)) == 4


def test_a_line_deleted_before_shipping_is_not_listed(
    bot: RunningBot, sender: ReminderSender, planner: LoopPlanner, clock: time_machine.Traveller
) -> None:
    theme_id, ids = heard(bot)
    with bot.db.transaction() as session:
        session.delete(session.get(Interview, ids["Beta"]))
    set_status(bot, theme_id, ThemeStatus.SHIPPED)
    planner.tick()
    sender.tick()
    shown = json.dumps(dm_to(bot, P1).args["blocks"], ensure_ascii=False)
    assert "*Acme*" in shown and "*Delta*" in shown and "Beta" not in shown and "every Monday" not in shown


def test_someone_who_left_is_skipped_and_whoever_shipped_it_is_told(
    bot: RunningBot, sender: ReminderSender, planner: LoopPlanner, clock: time_machine.Traveller
) -> None:
    theme_id, _ = heard(bot)
    bot.fake.set_user(P1, deleted=True)
    set_status(bot, theme_id, ThemeStatus.SHIPPED)
    assert planner.tick() == 1
    bot.deps.outbox.tick()
    sender.tick()
    assert P1 not in {c.args["channel"] for c in reminders(bot)}
    (note,) = [
        c for c in bot.fake.calls("chat.postMessage") if "left the workspace" in str(c.args.get("text"))
    ]
    assert note.args["channel"] == USER_ID  # who set it shipped
    # Acme has its owner, Delta its other logger: only Beta was heard by P1 alone.
    assert "<@U0LOGGER1>" in note.args["text"] and "Nobody else heard it from Beta" in note.args["text"]


def test_wont_do_asks_only_when_ticked(
    bot: RunningBot, sender: ReminderSender, planner: LoopPlanner, clock: time_machine.Traveller
) -> None:
    theme_id, _ = heard(bot)
    set_status(bot, theme_id, ThemeStatus.WONT_DO)
    assert planner.tick() == 0 and sender.tick().sent == 0
    set_status(bot, theme_id, ThemeStatus.OPEN)
    set_status(bot, theme_id, ThemeStatus.WONT_DO, tell=True)
    assert planner.tick() == 1 and sender.tick().sent == 4
    shown = json.dumps(dm_to(bot, P2).args["blocks"], ensure_ascii=False)
    assert "decided not to work on it for now" in shown and "won't be done" in shown


@pytest.mark.postgres
def test_three_replicas_ticking_at_once_ask_each_person_once(
    replicas: list[RunningBot], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = replicas[0]
    # Tuesday 10:00 in New York, in everyone's working hours.
    with time_machine.travel(datetime.combine(date(2026, 11, 24), time(15, 0), tzinfo=UTC), tick=True):
        theme_id, _ = heard(first)
        set_status(first, theme_id, ThemeStatus.SHIPPED)
        # Each replica reads the change as due, then waits for the others to have read it too.
        together = threading.Barrier(len(replicas), timeout=2)
        real = loop_sender.people_to_ask

        def read_then_wait(**kw: Any) -> set[str]:
            people = real(**kw)
            with contextlib.suppress(threading.BrokenBarrierError):
                together.wait()
            return people

        monkeypatch.setattr(loop_sender, "people_to_ask", read_then_wait)
        planners = [LoopPlanner(db=bot.db, client=bot.deps.client) for bot in replicas]
        senders = [
            ReminderSender(
                db=bot.db,
                client=bot.deps.client,
                timezones=bot.deps.timezones,
                policy=policy(bot),
                replica=f"replica-{n}",
            )
            for n, bot in enumerate(replicas)
        ]

        def tick(n: int) -> int:
            planned = planners[n].tick()
            senders[n].tick()
            return planned

        try:
            with ThreadPoolExecutor(len(replicas)) as pool:
                assert sorted(pool.map(tick, range(len(replicas)))) == [0, 0, 1]
        finally:
            for sender in senders:
                sender.close()
        assert sorted(c.args["channel"] for c in reminders(first)) == sorted([P1, P2, O1, O2])
        with first.db.read() as session:
            owners = list(session.scalars(select(FollowUp.owner_id).where(FollowUp.theme_id == theme_id)))
        assert sorted(owners) == sorted([P1, P2, O1, O2])
