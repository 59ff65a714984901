"""Done / Snooze / Skip on reminder DMs and on App Home (the same buttons), and the summary modal. Every
click updates the DM in place, so no stale buttons remain, wherever it was clicked: a click on the Home
redraws the reminder DMs that list the item; and the person's Home is republished. A click on an item
already closed says so.

The clicked message is redrawn only when the bot recorded sending it to the one who clicked, in their
workspace, and with what that record says it lists: the channel, ts and blocks of a click are Slack's to
fill in, and a forged one could name another person's DM, or a channel post.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.capture.interviews import write_summary
from bot.followups.actions import Change, NotYours, Snooze, close, snooze, snooze_until
from bot.followups.calls import get_call
from bot.logs import clip
from bot.loop.tells import tell_account
from bot.outbox.shown import reminder_sent_to
from bot.reminders.deliveries import items_by_id, reminders_listing, summary_recaps
from handlers.deps import Actor, Deps
from handlers.log_modal import open_log_modal
from handlers.senders.reminders import redraw_reminder
from handlers.views.common import as_object, id_number
from handlers.views.log_modal import LogModalPrefill
from handlers.views.loop import LoopAction, parse_told
from handlers.views.reminders import (
    MENU_DONE,
    MENU_SKIP,
    ReminderAction,
    decode,
)
from handlers.views.summary import SummaryModal, parse_summary, summary_modal
from handlers.web_api.client import call
from storage.models import FollowUpState

log = logging.getLogger(__name__)

_ALREADY = {
    FollowUpState.DONE: "That one was already marked done.",
    FollowUpState.SKIPPED: "That one was already skipped.",
}


def register(app: App) -> None:
    app.action(ReminderAction.DONE)(on_button)
    app.action(ReminderAction.SKIP)(on_button)
    app.action(ReminderAction.SNOOZE)(on_choice)
    app.action(ReminderAction.MENU)(on_choice)
    app.action(LoopAction.TOLD)(on_told)
    app.action(ReminderAction.WRITE_SUMMARY)(open_summary)
    app.action(ReminderAction.LOG_CALL)(log_scheduled_call)
    app.view_submission(SummaryModal.CALLBACK_ID)(submit_summary)


def on_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps, respond: Respond
) -> None:
    verb = MENU_DONE if action["action_id"] == ReminderAction.DONE else MENU_SKIP
    _apply(ack, body, actor, deps, respond, verb, id_number(action.get("value")) or 0)


def on_choice(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps, respond: Respond
) -> None:
    decoded = decode(str(as_object(action.get("selected_option")).get("value") or ""))
    if decoded is None:
        ack()
        return
    _apply(ack, body, actor, deps, respond, *decoded)


def _apply(
    ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps, respond: Respond, verb: str, follow_up_id: int
) -> None:
    now = datetime.now(UTC)

    def change(session: Any) -> Change | None:
        if verb in (MENU_DONE, MENU_SKIP):
            state = FollowUpState.DONE if verb == MENU_DONE else FollowUpState.SKIPPED
            return close(
                session=session,
                team_id=actor.team_id,
                user_id=actor.user_id,
                follow_up_id=follow_up_id,
                state=state,
                now=now,
            )
        until = snooze_until(Snooze(verb), now=now, tz=deps.zone_of(actor), hours=deps.config.working_hours)
        return snooze(
            session=session,
            team_id=actor.team_id,
            user_id=actor.user_id,
            follow_up_id=follow_up_id,
            until=until,
        )

    _settle(ack, body, actor, deps, respond, follow_up_id, change)


def on_told(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps, respond: Respond
) -> None:
    """Told on one account of a closing-the-loop follow-up: that account is told; the last one closes it."""
    parsed = parse_told(action.get("value"))
    if parsed is None:
        ack()
        return
    follow_up_id, account_id = parsed
    now = datetime.now(UTC)

    def change(session: Any) -> Change | None:
        return tell_account(
            session=session,
            team_id=actor.team_id,
            user_id=actor.user_id,
            follow_up_id=follow_up_id,
            account_id=account_id,
            now=now,
        )

    _settle(ack, body, actor, deps, respond, follow_up_id, change)


def _settle(
    ack: Ack,
    body: dict[str, Any],
    actor: Actor,
    deps: Deps,
    respond: Respond,
    follow_up_id: int,
    change: Callable[[Any], Change | None],
) -> None:
    """Apply a click's change, answer it, and redraw what shows the follow-up."""
    try:
        result = deps.db.run(change)
    except NotYours:
        ack()
        _tell(respond, "That reminder belongs to someone else.")
        return
    except ValueError:  # an option value we never sent
        ack()
        return
    ack()
    if result is not None and result.already in _ALREADY:
        _tell(respond, _ALREADY[result.already])
    if result is None:  # no such follow-up in this workspace (a forged or very old click)
        deps.after_ack(lambda: redraw(deps, actor, body))
        return
    deps.home.changed(team_id=actor.team_id, user_id=actor.user_id)
    deps.after_ack(lambda: redraw_everywhere(deps, actor, body, follow_up_id))


def _tell(respond: Respond, text: str) -> None:
    """A line under the clicked reminder, for the clicker alone. Slack sends a response_url with every
    click in a message; a click without one (forged, or from a modal) gets no line."""
    if respond.response_url:
        respond(text=text, response_type="ephemeral", replace_original=False)


def redraw(deps: Deps, actor: Actor, body: dict[str, Any]) -> tuple[str, str] | None:
    """Draw the reminder again from what the database says now, in place of the clicked message; where
    it is, or None when the click came from elsewhere (App Home) or named a message the bot did not
    send this person as a reminder."""
    message, container = as_object(body.get("message")), as_object(body.get("container"))
    channel = as_object(body.get("channel")).get("id") or container.get("channel_id")
    ts = message.get("ts") or container.get("message_ts")
    if not (isinstance(channel, str) and channel and isinstance(ts, str) and ts):
        return None
    with deps.db.read() as session:
        ids = reminder_sent_to(
            session=session, team_id=actor.team_id, user_id=actor.user_id, channel_id=channel, message_ts=ts
        )
    if ids is None:
        log.warning(
            "did not redraw the message clicked (%s, %s): not a reminder sent to %s",
            clip(channel),
            clip(ts),
            actor.user_id,
        )
        return None
    redraw_reminder(deps.db, deps.client, actor.team_id, deps.zone_of(actor), channel, ts, ids)
    return channel, ts


def redraw_everywhere(deps: Deps, actor: Actor, body: dict[str, Any], follow_up_id: int) -> None:
    """The clicked message (if the click came from one), then every other reminder DM listing the item."""
    redrawn = redraw(deps, actor, body)
    redraw_reminders_of(deps, actor, follow_up_id, besides=redrawn)


def redraw_reminders_of(
    deps: Deps, actor: Actor, follow_up_id: int, *, besides: tuple[str, str] | None = None
) -> None:
    """Redraw every reminder DM sent to the person that lists this follow-up (as the delivery recorded
    where it went), but the one at `besides`, redrawn already."""
    with deps.db.read() as session:
        sent = reminders_listing(
            session=session, team_id=actor.team_id, user_id=actor.user_id, follow_up_ids={follow_up_id}
        )
    for reminder in sent:
        if (reminder.channel_id, reminder.message_ts) != besides:
            redraw_reminder(
                deps.db,
                deps.client,
                actor.team_id,
                deps.zone_of(actor),
                reminder.channel_id,
                reminder.message_ts,
                reminder.follow_up_ids,
            )


def open_summary(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps, respond: Respond
) -> None:
    follow_up_id = id_number(action.get("value")) or 0
    with deps.db.read() as session:
        items = items_by_id(session=session, team_id=actor.team_id, ids=[follow_up_id])
        item = items[0] if items else None
        view = None
        if item and item.owner_id == actor.user_id:
            recap = summary_recaps(session=session, team_id=actor.team_id, items=[item]).get(
                item.interview_id or 0
            )
            view = summary_modal(item, origin=_origin(body), recap=recap)
    if view is None:
        ack()
        _tell(respond, "I can't find that follow-up any more.")
        return
    call(deps.interactive_client.views_open, trigger_id=body["trigger_id"], view=view)
    ack()


def _origin(body: dict[str, Any]) -> dict[str, Any]:
    """Where the reminder message is, so the summary modal can redraw it once saved (if it is one sent to
    this person: what it lists is read from that record, not from the click)."""
    return {
        "channel": as_object(body.get("channel")).get("id"),
        "ts": as_object(body.get("message")).get("ts"),
    }


def submit_summary(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    follow_up_id, summary, origin = parse_summary(view)
    if not summary:
        ack(
            response_action="errors", errors={SummaryModal.SUMMARY_BLOCK: "Write the summary, or close this."}
        )
        return
    now = datetime.now(UTC)
    deps.db.run(
        lambda session: write_summary(
            session=session,
            team_id=actor.team_id,
            user_id=actor.user_id,
            follow_up_id=follow_up_id,
            summary=summary,
            now=now,
        )
    )
    ack()
    deps.home.changed(team_id=actor.team_id, user_id=actor.user_id)
    body: dict[str, Any] = {}
    if origin.get("channel") and origin.get("ts"):
        body = {"channel": {"id": origin["channel"]}, "message": {"ts": origin["ts"]}}
    deps.after_ack(lambda: redraw_everywhere(deps, actor, body, follow_up_id))


def log_scheduled_call(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps
) -> None:
    """The debrief's "Log it": the log modal, with the call's account, goal and people filled in."""
    with deps.db.read() as session:
        scheduled = get_call(
            session=session, team_id=actor.team_id, call_id=id_number(action.get("value")) or 0
        )
        # Only a call this person was on fills the form: a click naming another's shows an empty one.
        theirs = scheduled and actor.user_id in (scheduled.created_by, *scheduled.participants)
        prefill = (
            LogModalPrefill(
                account=scheduled.account.name,
                goal=scheduled.goal,
                participants=tuple(scheduled.participants),
            )
            if scheduled and theirs
            else LogModalPrefill()
        )
        study_id = scheduled.study_id if scheduled and theirs else None  # picked when it was scheduled
    open_log_modal(
        ack=ack, actor=actor, deps=deps, trigger_id=body["trigger_id"], prefill=prefill, study_id=study_id
    )
