"""Look-alike themes in `/interview themes`, as people use them: the pair is offered at the top of the
list, Merge merges it, Not the same hides it for good, and another workspace's themes never show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.themes.corrections import NEW_THEME, move
from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from handlers.views.themes import ThemesAction, ThemesView
from storage.models import DismissedLookAlike, Pain, Theme, ThemeKind
from tests.conftest import RunningBot
from tests.scenario.test_themes import SCHEDULE, open_list, redrawn, theme_of
from tests.support.forms import submit_log_modal

REPORTS = [
    "Reports take forever to build",
    "Building our reports takes forever",
    "Our reports take ages to build",
    "Reports are so slow to build",
]
LOGINS = ["We get logged out all the time", "The session expires constantly, so I keep logging back in"]


def tick(bot: RunningBot, semantic: Embedder, now: datetime | None = None) -> None:
    UpkeepJob(db=bot.db, embedder=semantic, replica="test", schedule=SCHEDULE).tick(now)


def split_reports(bot: RunningBot, semantic: Embedder, team_id: str = "T0001") -> tuple[int, int]:
    """Reports grouped by the engine, then two of them split off into a theme of their own by a person:
    two themes that look alike. Returns (the engine's theme, the split)."""
    logged = len(bot.fake.calls("chat.postMessage"))
    for n, pain in enumerate(REPORTS + LOGINS):
        submit_log_modal(bot, f"Customer {n}", pains=pain, team_id=team_id)
    bot.fake.wait_for("chat.postMessage", count=logged + len(REPORTS + LOGINS))
    tick(bot, semantic)
    reports = theme_of(bot, REPORTS[0], team_id).id
    now = datetime.now(UTC)
    with bot.db.transaction() as session:
        lines = dict(session.execute(select(Pain.text, Pain.id).where(Pain.team_id == team_id)).all())
        split = move(
            session=session,
            team_id=team_id,
            kind=ThemeKind.PAIN,
            line_id=lines[REPORTS[2]],
            to=NEW_THEME,
            by="U0002",
            now=now,
        )
        assert split is not None
        move(
            session=session,
            team_id=team_id,
            kind=ThemeKind.PAIN,
            line_id=lines[REPORTS[3]],
            to=split.id,
            by="U0002",
            now=now,
        )
    tick(bot, semantic)  # the split theme gets its label
    return reports, split.id


def look_alike_buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("action_id") in (ThemesAction.MERGE_LOOK_ALIKE, ThemesAction.DISMISS_LOOK_ALIKE)
    ]


def offered(view: dict[str, Any]) -> bool:
    return any(block.get("block_id") == ThemesView.LOOK_ALIKES_BLOCK for block in view["blocks"])


def click(bot: RunningBot, view: dict[str, Any], action: ThemesAction, team_id: str = "T0001") -> None:
    (button,) = [b for b in look_alike_buttons(view) if b["action_id"] == action]
    response = bot.slack.block_action(action, block_id="b", view=view, value=button["value"], team_id=team_id)
    assert response.status == 200


def test_a_look_alike_pair_is_offered_and_merge_merges_it(bot: RunningBot, semantic: Embedder) -> None:
    reports, split = split_reports(bot, semantic)
    view = open_list(bot)
    assert offered(view)
    text = str(view["blocks"])
    names = {theme_of(bot, REPORTS[0]).name, theme_of(bot, REPORTS[2]).name}
    assert all(name in text for name in names)
    assert [b["value"] for b in look_alike_buttons(view)] == [f"{reports}:{split}"] * 2

    click(bot, view, ThemesAction.MERGE_LOOK_ALIKE)
    with bot.db.read() as session:
        assert session.get(Theme, split).merged_into_id == reports
        placed = dict(
            session.execute(select(Pain.text, Pain.placed_by).where(Pain.theme_id == reports)).all()
        )
    assert placed.keys() == set(REPORTS)
    # The split's lines are now placed by the person who clicked: no regrouping separates them again.
    assert {placed[REPORTS[2]], placed[REPORTS[3]]} == {"U0001"}
    update = redrawn(bot, view["id"])  # the list the click came from (not a log modal's date fix)
    assert update.args["view_id"] == view["id"]
    assert not offered(update.args["view"]) and "4 pains from 4 accounts" in str(update.args["view"])


def test_not_the_same_hides_the_pair_for_good(bot: RunningBot, semantic: Embedder) -> None:
    reports, split = split_reports(bot, semantic)
    view = open_list(bot)
    click(bot, view, ThemesAction.DISMISS_LOOK_ALIKE)
    with bot.db.read() as session:
        (row,) = session.scalars(select(DismissedLookAlike)).all()
        assert (row.team_id, {row.theme_id, row.other_theme_id}, row.dismissed_by) == (
            "T0001",
            {reports, split},
            "U0001",
        )
        assert session.get(Theme, split).merged_into_id is None
    update = redrawn(bot, view["id"])
    assert update.args["view_id"] == view["id"] and not offered(update.args["view"])
    # Not after the weekly regroup either: both themes live on (a person placed the split's lines).
    tick(bot, semantic, datetime.now(UTC) + timedelta(days=8))
    assert theme_of(bot, REPORTS[2]).id == split and theme_of(bot, REPORTS[0]).id == reports
    assert not offered(open_list(bot))


def test_another_workspaces_look_alikes_never_appear(
    bot: RunningBot, elsewhere: RunningBot, semantic: Embedder
) -> None:
    theirs = split_reports(elsewhere, semantic, team_id="T0OTHER")
    assert offered(open_list(elsewhere, team_id="T0OTHER"))
    # My workspace has themes of its own, and nothing that looks alike among them.
    for n, pain in enumerate(LOGINS):
        submit_log_modal(bot, f"Mine {n}", pains=pain)
    bot.fake.wait_for("chat.postMessage", count=len(LOGINS))
    tick(bot, semantic)
    mine = open_list(bot)
    assert "2 pains from 2 accounts" in str(mine["blocks"]) and not offered(mine)
    # A forged click on their pair from my workspace changes nothing, and says so.
    told = len(bot.fake.calls("chat.postMessage"))
    forged = f"{theirs[0]}:{theirs[1]}"
    for action in (ThemesAction.MERGE_LOOK_ALIKE, ThemesAction.DISMISS_LOOK_ALIKE):
        assert bot.slack.block_action(action, block_id="b", view=mine, value=forged).status == 200
    messages = bot.fake.wait_for("chat.postMessage", count=told + 2)[told:]
    assert all("That theme is gone" in m.args["text"] for m in messages)
    with bot.db.read() as session:
        assert session.get(Theme, theirs[1]).merged_into_id is None
        assert session.scalars(select(DismissedLookAlike)).all() == []
    assert offered(open_list(elsewhere, team_id="T0OTHER"))
