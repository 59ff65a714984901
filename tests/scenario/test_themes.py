"""`/interview themes` as people use it: the list, rename, merge, move, and workspaces kept apart."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.themes.corrections import NEW_THEME
from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from handlers.views.log_modal import LogModal
from handlers.views.themes import (
    OUT_OF_THEMES,
    ThemeMenu,
    ThemesAction,
    ThemesView,
    theme_menu_value,
)
from storage.models import Account, Pain, Theme
from tests.conftest import RunningBot
from tests.support.after_ack import after_ack_done
from tests.support.fake_slack import Call
from tests.support.forms import submit_log_modal

REPORTS = ["Reports take forever to build", "Building the monthly report eats my whole Friday"]
LOGINS = ["We get logged out all the time", "The session expires constantly, so I keep logging back in"]
SCHEDULE = UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7))


def grouped(bot: RunningBot, semantic: Embedder, team_id: str = "T0001") -> None:
    for n, pain in enumerate(REPORTS + LOGINS):
        submit_log_modal(bot, f"Customer {n}", pains=pain, team_id=team_id)
    bot.fake.wait_for("chat.postMessage", count=len(REPORTS + LOGINS))
    UpkeepJob(db=bot.db, embedder=semantic, replica="test", schedule=SCHEDULE).tick()


def theme_of(bot: RunningBot, text: str, team_id: str = "T0001") -> Theme:
    with bot.db.read() as session:
        theme_id = session.scalar(select(Pain.theme_id).where(Pain.team_id == team_id, Pain.text == text))
        theme = session.get(Theme, theme_id)
        assert theme is not None
        session.expunge(theme)
        return theme


def open_list(bot: RunningBot, team_id: str = "T0001") -> dict[str, Any]:
    opened = len(bot.fake.calls("views.open"))
    assert bot.slack.command("themes", team_id=team_id).status == 200
    call = bot.fake.calls("views.open")[opened]
    assert call.response["ok"], call.response
    return call.response["view"]


def menu(bot: RunningBot, view: dict[str, Any], verb: ThemeMenu, theme_id: int) -> dict[str, Any]:
    pushed = len(bot.fake.calls("views.push"))
    value = theme_menu_value(verb, theme_id)
    response = bot.slack.block_action(
        ThemesAction.THEME_MENU,
        block_id="b",
        view=view,
        type="overflow",
        selected_option={"value": value, "text": {"type": "plain_text", "text": verb.value}},
    )
    assert response.status == 200
    call = bot.fake.calls("views.push")[pushed]
    assert call.response["ok"], call.response
    return call.response["view"]


def redrawn(bot: RunningBot, view_id: str, timeout: float = 5.0) -> Call:
    """The first views.update of `view_id`.

    Not simply the latest views.update: when the user's date differs from UTC's (in New York, from
    19:00 or 20:00 to midnight), each log modal has its default date corrected by one, after the ack.
    """
    deadline = time.monotonic() + timeout
    seen = 0
    while True:
        left = max(0.0, deadline - time.monotonic())
        updates = bot.fake.wait_for("views.update", count=seen + 1, timeout=left)
        for update in updates[seen:]:
            if update.args.get("view_id") == view_id:
                return update
        seen = len(updates)


def theme_updates(bot: RunningBot) -> list[Call]:
    """Every views.update the themes surface made, refused ones too (not the log modals' date fixes)."""
    return [
        c
        for c in bot.fake.calls("views.update", include_rejected=True)
        if (c.args.get("view") or {}).get("callback_id") != LogModal.CALLBACK_ID
    ]


def chosen(block_id: str, value: str) -> dict[str, Any]:
    return {block_id: {ThemesView.VALUE: {"type": "static_select", "selected_option": {"value": value}}}}


def test_themes_lists_what_many_accounts_said_with_counts(bot: RunningBot, semantic: Embedder) -> None:
    grouped(bot, semantic)
    submit_log_modal(bot, "Loner", pains="The mobile app crashes when I upload a photo")
    UpkeepJob(db=bot.db, embedder=semantic, replica="test", schedule=SCHEDULE).tick()
    with bot.db.transaction() as session:  # the reporting customers' weight, from the CRM
        for account in session.scalars(select(Account).where(Account.name.in_(["Customer 0", "Customer 1"]))):
            account.arr, account.segment = (
                (300_000, "Enterprise") if account.name == "Customer 0" else (None, "SMB")
            )
    view = open_list(bot)
    text = str(view["blocks"])
    assert theme_of(bot, REPORTS[0]).name in text and theme_of(bot, LOGINS[0]).name in text
    assert "2 pains · 2 accounts · $300k ARR (ARR known for 1 of 2) · Enterprise 1, SMB 1" in text
    assert "2 pains from 2 accounts" in text  # logins: their accounts' ARR and segment are unknown
    assert "Not in a theme yet:* 1 pain" in text


def test_rename_from_the_menu_is_kept_and_redraws_the_list(bot: RunningBot, semantic: Embedder) -> None:
    grouped(bot, semantic)
    reports = theme_of(bot, REPORTS[0])
    view = open_list(bot)
    rename = menu(bot, view, ThemeMenu.RENAME, reports.id)
    values = {
        ThemesView.NAME_BLOCK: {
            ThemesView.VALUE: {"type": "plain_text_input", "value": "Slow <!channel> reports"}
        }
    }
    assert bot.slack.view_submission(rename, values).accepted
    assert theme_of(bot, REPORTS[0]).name == "Slow <!channel> reports"
    assert theme_of(bot, REPORTS[0]).named_by == "U0001"
    update = redrawn(bot, view["id"])
    assert update.args["view_id"] == view["id"]
    # Shown as typed, and pinging nobody.
    assert "Slow &lt;!channel&gt; reports" in str(update.args["view"])


def test_a_blank_name_is_refused_on_the_name_field(bot: RunningBot, semantic: Embedder) -> None:
    grouped(bot, semantic)
    reports = theme_of(bot, REPORTS[0])
    rename = menu(bot, open_list(bot), ThemeMenu.RENAME, reports.id)
    values = {ThemesView.NAME_BLOCK: {ThemesView.VALUE: {"type": "plain_text_input", "value": "  \u202e "}}}
    answer = bot.slack.view_submission(rename, values).json()
    assert answer == {
        "response_action": "errors",
        "errors": {ThemesView.NAME_BLOCK: "Give the theme a name."},
    }
    assert theme_of(bot, REPORTS[0]).name == reports.name


def test_merge_from_the_menu_moves_every_line(bot: RunningBot, semantic: Embedder) -> None:
    grouped(bot, semantic)
    reports, logins = theme_of(bot, REPORTS[0]), theme_of(bot, LOGINS[0])
    view = open_list(bot)
    merge = menu(bot, view, ThemeMenu.MERGE, logins.id)
    assert bot.slack.view_submission(merge, chosen(ThemesView.TARGET_BLOCK, str(reports.id))).accepted
    assert {theme_of(bot, t).id for t in REPORTS + LOGINS} == {reports.id}
    assert "4 pains from 4 accounts" in str(redrawn(bot, view["id"]).args["view"])
    after_ack_done(bot.deps)
    assert [c.args["view_id"] for c in theme_updates(bot)] == [view["id"]]  # the list, and nothing else


def test_move_a_line_into_a_new_theme_of_its_own(bot: RunningBot, semantic: Embedder) -> None:
    grouped(bot, semantic)
    logins = theme_of(bot, LOGINS[0])
    listed = open_list(bot)
    lines = menu(bot, listed, ThemeMenu.LINES, logins.id)
    assert LOGINS[1] in str(lines["blocks"])
    with bot.db.read() as session:
        line_id = session.scalar(select(Pain.id).where(Pain.text == LOGINS[1]))
    pushed = len(bot.fake.calls("views.push"))
    assert (
        bot.slack.block_action(ThemesAction.MOVE_LINE, block_id="b", view=lines, value=str(line_id)).status
        == 200
    )
    move = bot.fake.calls("views.push")[pushed].response["view"]
    options = str(move["blocks"])
    assert NEW_THEME in options and OUT_OF_THEMES in options
    assert bot.slack.view_submission(move, chosen(ThemesView.TARGET_BLOCK, NEW_THEME)).accepted
    split = theme_of(bot, LOGINS[1])
    assert split.id != logins.id and split.name == LOGINS[1]
    with bot.db.read() as session:
        assert session.scalar(select(Pain.placed_by).where(Pain.id == line_id)) == "U0001"
    # Both views below are drawn again, and nothing else: the theme's lines (pushed), then the list.
    redrawn(bot, lines["id"])
    redrawn(bot, listed["id"])
    after_ack_done(bot.deps)
    updates = theme_updates(bot)
    assert [c.args["view_id"] for c in updates] == [lines["id"], listed["id"]]
    assert all(c.accepted for c in updates)


def test_a_theme_of_another_workspace_cannot_be_touched(
    bot: RunningBot, elsewhere: RunningBot, semantic: Embedder
) -> None:
    grouped(elsewhere, semantic, team_id="T0OTHER")
    theirs = theme_of(bot, REPORTS[0], team_id="T0OTHER")
    view = open_list(bot)  # my workspace: nothing grouped
    assert "No pains grouped yet" in str(view["blocks"])
    response = bot.slack.block_action(
        ThemesAction.THEME_MENU,
        block_id="b",
        view=view,
        type="overflow",
        selected_option={"value": theme_menu_value(ThemeMenu.RENAME, theirs.id)},
    )
    assert response.status == 200
    assert not bot.fake.calls("views.push")
    (told,) = bot.fake.wait_for("chat.postMessage")
    assert "That theme is gone" in told.args["text"]
    assert theme_of(bot, REPORTS[0], team_id="T0OTHER").name == theirs.name


def test_switching_to_requests_redraws_the_list(bot: RunningBot, semantic: Embedder) -> None:
    grouped(bot, semantic)
    view = open_list(bot)
    response = bot.slack.block_action(
        ThemesAction.KIND,
        block_id=ThemesView.KIND_BLOCK,
        view=view,
        type="static_select",
        selected_option={"value": "request"},
    )
    assert response.status == 200
    update = redrawn(bot, view["id"])  # the list it was switched in, redrawn in place
    assert "No requests grouped yet" in str(update.args["view"])
