"""`/interview search TEXT`: interviews found by what was said and heard, a page at a time (Previous and
Next redraw the same ephemeral message); each result's Open is the interview's own button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.errors import BotError
from bot.people.permissions import Act
from bot.search.query import parse_query
from bot.search.service import search_interviews
from bot.text import fallback_text
from handlers.deps import Actor, Deps
from handlers.views.common import as_object
from handlers.views.search import USAGE, SearchAction, parse_page_value, search_message, search_text


def register(app: App) -> None:
    app.action(SearchAction.NEXT)(turn_page)
    app.action(SearchAction.PREVIOUS)(turn_page)


def _page(*, typed: str, page: int, actor: Actor, deps: Deps) -> tuple[list[Any], str]:
    with deps.db.read() as session:
        result = search_interviews(
            session=session, team_id=actor.team_id, query=parse_query(typed), page=page
        )
    return search_message(result, typed), fallback_text(search_text(result))


def search_command(*, ack: Ack, text: str, actor: Actor, deps: Deps) -> None:
    """The first page, as the command's own (ephemeral) answer: a search takes milliseconds."""
    deps.require(actor, Act.SEARCH)
    if parse_query(text).empty:
        ack(text=USAGE, response_type="ephemeral")
        return
    blocks, fallback = _page(typed=text, page=0, actor=actor, deps=deps)
    ack(text=fallback, blocks=blocks, response_type="ephemeral")


def turn_page(ack: Ack, body: dict[str, Any], respond: Respond, actor: Actor, deps: Deps) -> None:
    ack()
    deps.require(actor, Act.SEARCH)
    clicked = parse_page_value(as_object((body.get("actions") or [{}])[0]).get("value"))
    if clicked is None:
        raise BotError("That button is out of date: search again with /interview search.")
    if not respond.response_url:
        return  # nowhere to redraw (Slack always sends one with a click in a message)
    typed, page = clicked
    blocks, fallback = _page(typed=typed, page=page, actor=actor, deps=deps)
    respond(text=fallback, blocks=blocks, response_type="ephemeral", replace_original=True)
