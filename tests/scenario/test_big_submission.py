"""A submission at the log modal's own limits (every text field at its max_length, as short lines: hundreds
of pains, requests, quotes and promises), and an edit changing a thousand lines: Slack gets its answer with
the interview stored whole, and the rest (the confirmation DM or its redraw, the share, theme placement)
follows after the answer, from what the database recorded: a restart right after the answer loses none
of it, the next tick of any replica does it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.capture.interviews import FIELD_MAX
from bot.search.query import parse_query
from bot.search.service import search_interviews
from bot.themes.embeddings import LexicalEmbedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import upkeep_due
from handlers.senders.outbox import OutboxSender
from handlers.views.log_modal import TEXT_FIELDS
from storage.models import (
    CustomerRequest,
    FollowUp,
    FollowUpKind,
    Interview,
    Pain,
    Quote,
    Theme,
    ThemeKind,
)
from tests.conftest import RunningBot
from tests.scenario.test_edit import click_edit_in_dm, opened_form
from tests.scenario.test_themes import SCHEDULE
from tests.support.after_ack import after_ack_done
from tests.support.fake_slack import DEFAULT_TZ
from tests.support.forms import log_form, open_log_modal
from tests.support.slack_requests import TEAM_ID, USER_ID

LINE = 7  # characters a line takes with its newline: "pa0012" and "\n"


def lines(tag: str, limit: int) -> str:
    """Numbered short lines, exactly `limit` characters (the last line padded)."""
    body = "\n".join(f"{tag}{n:04d}" for n in range(limit // LINE))
    return body + "x" * (limit - len(body))


def at_limits(tag: str = "") -> dict[str, str]:
    """Every text field of the log modal at its max_length: the one-line ones as one line."""
    texts: dict[str, str] = {}
    for field in TEXT_FIELDS:
        name, limit = field.value, FIELD_MAX[field.value]
        if name == "recording_url":
            texts[name] = ("https://recordings.example/" + "a" * limit)[:limit]
        elif name in ("contact_name", "contact_role"):
            texts[name] = "D" * limit
        else:
            texts[name] = lines(tag + name[:2], limit)
    return texts


def values(texts: dict[str, str]) -> dict[str, Any]:
    today = datetime.now(ZoneInfo(DEFAULT_TZ)).date().isoformat()
    return log_form(account="Acme", held_on=today, **texts)


def count(bot: RunningBot, model: Any, *where: Any) -> int:
    with bot.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def found(bot: RunningBot, typed: str) -> int:
    with bot.db.read() as session:
        return len(search_interviews(session=session, team_id=TEAM_ID, query=parse_query(typed)).found)


def upkeep(bot: RunningBot) -> UpkeepJob:
    return UpkeepJob(db=bot.db, embedder=LexicalEmbedder(), replica="replica-2", schedule=SCHEDULE)


def another_replica_ticks(bot: RunningBot) -> None:
    """The outbox and themes jobs of a replica that was not the one answering (or of it, restarted)."""
    sender = OutboxSender(db=bot.db, client=bot.deps.client, replica="replica-2")
    try:
        sender.tick()
    finally:
        sender.close()
    upkeep(bot).tick()


def died_after_answering(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing handed over to run after the answer ever runs: the process stops as Slack gets it."""
    monkeypatch.setitem(vars(bot.deps), "after_ack", lambda work: None)  # deps is frozen: its own __dict__


def submit_at_limits(bot: RunningBot) -> None:
    view = open_log_modal(bot)
    response = bot.slack.view_submission(view, values(at_limits()))
    assert response.status == 200 and response.body == b"", response.body  # stored, the modal closes


def test_a_submission_at_the_modals_limits_is_answered_stored_whole_then_confirmed_and_grouped(
    bot: RunningBot,
) -> None:
    per_field = 3000 // LINE
    submit_at_limits(bot)
    # At the answer: every line stored and searchable...
    assert count(bot, Pain) == count(bot, CustomerRequest) == count(bot, Quote) == per_field
    assert count(bot, FollowUp, FollowUp.kind == FollowUpKind.PROMISE) == 2000 // LINE
    assert found(bot, "pa0000") == found(bot, f"qu{per_field - 2:04d}") == 1  # the last is padded
    # ...and no line placed in a theme on the way: the database says it is the themes job's to do.
    assert count(bot, Pain, Pain.embedded_with.is_not(None)) == 0
    with bot.db.read() as session:
        assert (TEAM_ID, ThemeKind.PAIN) in upkeep_due(
            session=session, now=datetime.now(ZoneInfo("UTC")), method="lexical-v1", schedule=SCHEDULE
        )
    # After the answer: the confirmation DM, drawn within Slack's limits (the fake refuses others)...
    (dm,) = bot.fake.wait_for("chat.postMessage")
    assert dm.args["channel"] == USER_ID and "pa0000" in str(dm.args["blocks"])
    # ...and on the themes job's tick, every line placed (in a theme, or in the pool until one forms).
    upkeep(bot).tick()
    assert count(bot, Pain, Pain.embedded_with.is_(None)) == 0


def test_a_restart_right_after_the_answer_loses_none_of_a_submissions_work(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    died_after_answering(bot, monkeypatch)
    submit_at_limits(bot)
    assert count(bot, Interview) == 1
    assert bot.fake.calls("chat.postMessage") == []  # the process died before sending anything
    another_replica_ticks(bot)
    (dm,) = bot.fake.wait_for("chat.postMessage")
    assert dm.args["channel"] == USER_ID and "Acme" in dm.args["text"]
    assert count(bot, Pain, Pain.embedded_with.is_(None)) == 0


GROUP = 4  # pains per theme, as placed by hand below


def in_themes(bot: RunningBot) -> list[int]:
    """The logged pains in themes of GROUP lines each, as a live workspace has them; the themes' ids, in
    the order of their lines."""
    ids = []
    with bot.db.transaction() as session:
        pains = list(session.scalars(select(Pain).order_by(Pain.position)))
        now = datetime.now(ZoneInfo("UTC"))
        for start in range(0, len(pains), GROUP):
            members = pains[start : start + GROUP]
            theme = Theme(
                team_id=TEAM_ID,
                kind=ThemeKind.PAIN,
                name=members[0].text,
                size=len(members),
                accounts=1,
                created_at=now,
                updated_at=now,
            )
            session.add(theme)
            session.flush()
            ids.append(theme.id)
            for pain in members:
                pain.theme_id = theme.id
    return ids


def edit_a_thousand_lines(bot: RunningBot, dm: Any) -> dict[str, int]:
    click_edit_in_dm(bot, dm)
    form = opened_form(bot)
    texts = at_limits()
    changed = {"pains": 334, "requests": 333, "quotes": 333}
    for name, n in changed.items():
        old = texts[name].split("\n")
        texts[name] = "\n".join(["z" + line[1:] for line in old[:n]] + old[n:])
    response = bot.slack.view_submission(form, values(texts))
    assert response.status == 200 and response.body == b"", response.body
    return changed


def test_an_edit_of_a_thousand_lines_is_answered_and_its_dm_and_themes_follow_even_after_a_restart(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit_at_limits(bot)
    (dm,) = bot.fake.wait_for("chat.postMessage")
    themes = in_themes(bot)
    died_after_answering(bot, monkeypatch)
    changed = edit_a_thousand_lines(bot, dm)
    # Stored at the answer: the changed lines wait for the themes job, search finds them already...
    assert count(bot, Pain, Pain.text.like("z%"), Pain.embedded_with.is_(None)) == changed["pains"]
    assert found(bot, "za0000") == 1 and found(bot, "pa0000") == 0
    # ...and the themes they left are marked, their counts as they were: nothing counted on the way.
    assert count(bot, Theme, Theme.recount_due_at.is_not(None)) == -(-changed["pains"] // GROUP)
    assert count(bot, Theme, Theme.size == GROUP) == len(themes)
    assert bot.fake.calls("chat.update") == []  # the process died before redrawing anything
    another_replica_ticks(bot)
    (update,) = bot.fake.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (dm.response["channel"], dm.response["ts"])
    shown = bot.fake.message_at(str(dm.response["channel"]), str(dm.response["ts"]))
    assert shown is not None and "za0000" in str(shown["blocks"]) and "pa0000" not in str(shown["blocks"])
    assert count(bot, Pain, Pain.embedded_with.is_(None)) == 0
    # Every theme counted again: none is marked, and each says how many lines it holds.
    assert count(bot, Theme, Theme.recount_due_at.is_not(None)) == 0
    assert theme_sizes(bot) == members(bot)
    # Done once: another tick has nothing left to redraw.
    another_replica_ticks(bot)
    assert len(bot.fake.calls("chat.update")) == 1


def test_the_themes_an_edit_took_lines_from_are_counted_again_right_after_the_answer(bot: RunningBot) -> None:
    submit_at_limits(bot)
    (dm,) = bot.fake.wait_for("chat.postMessage")
    themes = in_themes(bot)
    changed = edit_a_thousand_lines(bot, dm)
    after_ack_done(bot.deps)  # no tick of the themes job: the request's own work after its answer
    assert count(bot, Theme, Theme.recount_due_at.is_not(None)) == 0
    # Those left with no line are gone, the one that kept some shrank, the others are as they were.
    emptied = changed["pains"] // GROUP
    assert theme_sizes(bot) == {
        themes[emptied]: GROUP - changed["pains"] % GROUP,
        **{theme_id: GROUP for theme_id in themes[emptied + 1 :]},
    }
    assert theme_sizes(bot) == members(bot)


def theme_sizes(bot: RunningBot) -> dict[int, int]:
    with bot.db.read() as session:
        return {t.id: t.size for t in session.scalars(select(Theme).where(Theme.kind == ThemeKind.PAIN))}


def members(bot: RunningBot) -> dict[int, int]:
    with bot.db.read() as session:
        rows = session.execute(
            select(Pain.theme_id, func.count()).where(Pain.theme_id.is_not(None)).group_by(Pain.theme_id)
        )
        return {theme_id: n for theme_id, n in rows}
