"""`/interview themes` shows topics above themes, and people correct them there: rename a topic, move a
theme to another topic or to a new one of its own (a split), merge two topics; what they did survives the
weekly full regroup, and nobody reaches another workspace's topics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.themes.corrections import NEW_TOPIC
from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from handlers.views.themes import ThemeMenu, ThemesAction, ThemesView, theme_menu_value
from storage.models import Theme, Topic
from tests.conftest import RunningBot
from tests.scenario.test_themes import (
    LOGINS,
    REPORTS,
    SCHEDULE,
    chosen,
    grouped,
    open_list,
    redrawn,
    theme_of,
)


def topic_menu(
    bot: RunningBot, view: dict[str, Any], verb: ThemeMenu, number: int, *, action: str
) -> dict[str, Any]:
    pushed = len(bot.fake.calls("views.push"))
    response = bot.slack.block_action(
        action,
        block_id="b",
        view=view,
        type="overflow",
        selected_option={
            "value": theme_menu_value(verb, number),
            "text": {"type": "plain_text", "text": "x"},
        },
    )
    assert response.status == 200
    call = bot.fake.calls("views.push")[pushed]
    assert call.response["ok"], call.response
    return call.response["view"]


def topic_of(bot: RunningBot, text: str) -> Topic:
    theme = theme_of(bot, text)
    with bot.db.read() as session:
        topic = session.get(Topic, theme.topic_id)
        assert topic is not None
        session.expunge(topic)
        return topic


def full_regroup(bot: RunningBot, semantic: Embedder, weeks: int = 1) -> None:
    later = datetime.now(UTC) + timedelta(days=8 * weeks)
    assert UpkeepJob(db=bot.db, embedder=semantic, replica="test", schedule=SCHEDULE).tick(later)


def test_the_list_is_a_tree_of_topics_with_their_themes(bot: RunningBot, semantic: Embedder) -> None:
    grouped(bot, semantic)
    reports, logins = topic_of(bot, REPORTS[0]), topic_of(bot, LOGINS[0])
    assert reports.id != logins.id
    text = str(open_list(bot)["blocks"])
    assert "2 themes in 2 topics" in text
    # Each topic heads its themes, with its own count of accounts; each theme under it, marked so.
    assert f"*{reports.name}* · 1 theme from 2 accounts" in text
    assert text.index(f"*{reports.name}* · ") < text.index(f"› *{theme_of(bot, REPORTS[0]).name}*")


def test_rename_a_topic_and_it_keeps_the_name_through_a_full_regroup(
    bot: RunningBot, semantic: Embedder
) -> None:
    grouped(bot, semantic)
    topic = topic_of(bot, REPORTS[0])
    view = open_list(bot)
    rename = topic_menu(bot, view, ThemeMenu.RENAME_TOPIC, topic.id, action=ThemesAction.TOPIC_MENU)
    values = {
        ThemesView.NAME_BLOCK: {ThemesView.VALUE: {"type": "plain_text_input", "value": "Reporting <!here>"}}
    }
    assert bot.slack.view_submission(rename, values).accepted
    assert "Reporting &lt;!here&gt;" in str(redrawn(bot, view["id"]).args["view"])
    full_regroup(bot, semantic)
    after = topic_of(bot, REPORTS[0])
    assert (after.id, after.name, after.named_by) == (topic.id, "Reporting <!here>", "U0001")


def test_move_a_theme_to_another_topic_then_split_it_off_again(bot: RunningBot, semantic: Embedder) -> None:
    grouped(bot, semantic)
    reports, logins = topic_of(bot, REPORTS[0]), topic_of(bot, LOGINS[0])
    view = open_list(bot)
    login_theme = theme_of(bot, LOGINS[0]).id
    move = topic_menu(bot, view, ThemeMenu.TOPIC, login_theme, action=ThemesAction.THEME_MENU)
    assert bot.slack.view_submission(move, chosen(ThemesView.TARGET_BLOCK, str(reports.id))).accepted
    assert topic_of(bot, LOGINS[0]).id == reports.id and theme_of(bot, LOGINS[0]).topic_placed_by == "U0001"
    with bot.db.read() as session:
        assert session.get(Topic, logins.id) is None  # emptied, it went
    full_regroup(bot, semantic)
    assert topic_of(bot, LOGINS[0]).id == reports.id  # kept where the person put it

    view = open_list(bot)
    split = topic_menu(
        bot, view, ThemeMenu.TOPIC, theme_of(bot, LOGINS[0]).id, action=ThemesAction.THEME_MENU
    )
    assert bot.slack.view_submission(split, chosen(ThemesView.TARGET_BLOCK, NEW_TOPIC)).accepted
    alone = topic_of(bot, LOGINS[0])
    assert alone.id != reports.id and topic_of(bot, REPORTS[0]).id == reports.id
    full_regroup(bot, semantic, weeks=2)
    assert topic_of(bot, LOGINS[0]).id == alone.id


def test_merge_two_topics_and_a_forged_topic_is_refused(bot: RunningBot, semantic: Embedder) -> None:
    grouped(bot, semantic)
    reports, logins = topic_of(bot, REPORTS[0]), topic_of(bot, LOGINS[0])
    view = open_list(bot)
    merge = topic_menu(bot, view, ThemeMenu.MERGE_TOPIC, logins.id, action=ThemesAction.TOPIC_MENU)
    assert bot.slack.view_submission(merge, chosen(ThemesView.TARGET_BLOCK, str(reports.id))).accepted
    assert topic_of(bot, LOGINS[0]).id == topic_of(bot, REPORTS[0]).id == reports.id
    assert "2 themes in 1 topic" in str(redrawn(bot, view["id"]).args["view"])
    full_regroup(bot, semantic)
    assert topic_of(bot, LOGINS[0]).id == reports.id

    # Another workspace's topic, forged into a merge as its target: refused, nothing moves.
    theirs = bot.db.run(lambda s: _other_workspace_topic(s))
    answer = bot.slack.view_submission(merge, chosen(ThemesView.TARGET_BLOCK, str(theirs)))
    assert answer.status == 200 and not answer.accepted
    with bot.db.read() as session:
        assert (
            session.scalars(select(Theme.topic_id).where(Theme.team_id == "T0001")).all() == [reports.id] * 2
        )
        assert session.get(Topic, theirs) is not None


def _other_workspace_topic(session: Any) -> int:
    topic = Topic(team_id="T0002", kind="pain", name="Theirs")
    session.add(topic)
    session.flush()
    return topic.id


def test_search_results_say_which_topics_an_interviews_pains_are_in(
    bot: RunningBot, semantic: Embedder
) -> None:
    grouped(bot, semantic)
    reports = topic_of(bot, REPORTS[0])
    with bot.db.transaction() as session:
        session.get(Topic, reports.id).name = "Reporting <!channel>"
    body = bot.slack.command("search monthly report").json()
    shown = "\n".join(
        b["text"]["text"] for b in body["blocks"] if b.get("type") == "section" and "accessory" in b
    )
    assert "_Topics:_ Reporting &lt;!channel&gt;" in shown and "<!channel>" not in json.dumps(body)
    logins = topic_of(bot, LOGINS[0])
    assert logins.name not in shown  # only the topics of the interviews found


def test_the_home_weeks_top_pains_name_their_topic(bot: RunningBot, semantic: Embedder) -> None:
    from tests.scenario.test_home import open_home

    grouped(bot, semantic)
    reports = topic_of(bot, REPORTS[0])
    with bot.db.transaction() as session:
        session.get(Topic, reports.id).name = "Reporting & <exports>"
    home = json.dumps(open_home(bot), ensure_ascii=False)
    week = home[home.index("Top pains") :]
    assert f"{theme_of(bot, REPORTS[0]).name} (Reporting &amp; &lt;exports&gt;): 2 accounts" in week
    # A topic of one theme named as the theme is not said twice.
    assert f"{theme_of(bot, LOGINS[0]).name}: 2 accounts" in week
