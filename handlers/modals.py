"""Opening a modal the bot may redraw later, and redrawing one: a redraw names its view by the id a click
or a submission carries, so it goes ahead only for a view the bot recorded opening for the same person
(bot.outbox.shown); anything else is one line in the log and nothing redrawn. And storing a submission
before its ack (`stored`), the form kept open when what was typed needs fixing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.models.views import View
from slack_sdk.web import SlackResponse
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.logs import clip
from bot.outbox.shown import modal_opened_for, remember_modal
from handlers.deps import Actor, Deps
from handlers.views.common import in_modal
from handlers.web_api.client import call
from storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


def open_modal(
    deps: Deps, actor: Actor, *, trigger_id: Any, view: View | dict[str, Any], push: bool = False
) -> SlackResponse:
    """views.open (or views.push, on top of the modal clicked in), then the view's id recorded for this
    person, before the ack: their next click may reach another replica at once."""
    client = deps.interactive_client
    opened = call(client.views_push if push else client.views_open, trigger_id=trigger_id, view=view)
    view_id = (opened.get("view") or {}).get("id")
    if isinstance(view_id, str) and view_id:
        now = datetime.now(UTC)
        try:
            deps.db.run(
                lambda session: remember_modal(
                    session=session, team_id=actor.team_id, user_id=actor.user_id, view_id=view_id, now=now
                )
            )
        except DatabaseUnavailable as exc:  # the modal is open; it only will not be redrawn
            log.warning("could not record modal %s as opened (%s): it will not be redrawn", view_id, exc)
    return opened


def open_over(deps: Deps, actor: Actor, body: dict[str, Any], view: View) -> None:
    """Open `view` for a click: on top of the modal it came from (views.push), else on its own."""
    open_modal(deps, actor, trigger_id=body.get("trigger_id"), view=view, push=in_modal(body))


def opened_for(session: Session, actor: Actor, view_id: object, *, what: str) -> str | None:
    """`view_id` when the bot opened that view for `actor`, recently enough to redraw it; else None, and
    one line in the log. Asked before the ack by a submission that redraws after it: the answer then
    does not depend on the database still answering."""
    if not isinstance(view_id, str) or not view_id:
        return None
    if modal_opened_for(
        session=session,
        team_id=actor.team_id,
        user_id=actor.user_id,
        view_id=view_id,
        now=datetime.now(UTC),
    ):
        return view_id
    log.warning("will not redraw %s: view %s is not one opened for %s", what, clip(view_id), actor.user_id)
    return None


def redraw_modal(
    deps: Deps,
    actor: Actor,
    view_id: object,
    view: View | dict[str, Any],
    *,
    what: str,
    client: WebClient | None = None,
    view_hash: str | None = None,
) -> bool:
    """views.update of `view_id` with `view`, if the bot opened that view for `actor`; whether it was
    redrawn. `view_hash`: only if the view is still as the click saw it. A failure in Slack is raised, as
    `call` raises it."""
    if not isinstance(view_id, str) or not view_id:
        return False
    with deps.db.read() as session:
        mine = opened_for(session, actor, view_id, what=what)
    if mine is None:
        return False
    guard = {"hash": view_hash} if view_hash else {}
    call((client or deps.client).views_update, view_id=mine, view=view, **guard)
    return True


def stored(ack: Ack, deps: Deps, store: Callable[[Session], T]) -> T | None:
    """A submission stored in one transaction inside Slack's 3 s, then acked: what `store` returned. Input
    the person can fix keeps the modal open, each field saying what is wrong (quietly: not an error of
    the bot's), and gives None."""
    try:
        result = deps.db.run(store)
    except InvalidInput as exc:
        ack(response_action="errors", errors=exc.fields)
        return None
    ack()
    return result
