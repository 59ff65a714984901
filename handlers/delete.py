"""Deleting an interview (its Delete button, in the confirmation DM and the interview modal) and
`/interview forget ACCOUNT`: a confirmation that says what will go, then the one removal service.

The author may delete their interview; workspace admins and owners (users.info) may delete anyone's
and forget an account. Who may is checked again when the confirmation is submitted: a submission or a
click carries ids that a forged payload may change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.models.views import View

from bot.accounts.names import find_account, search_accounts
from bot.capture.interviews import get_interview
from bot.capture.removal import Removed, forget_account, preview_forget, preview_removal, remove_interviews
from bot.errors import BotError, InterviewGone
from bot.people.permissions import DELETE_ADMINS, FORGET_ADMINS, Act
from handlers.deps import Actor, Deps
from handlers.errors import message_for
from handlers.modals import open_modal, open_over, opened_for
from handlers.senders.reminders import redraw_reminder
from handlers.views.account import unknown_account_message
from handlers.views.common import as_dicts, as_object, id_number
from handlers.views.delete import (
    DELETED_TEXT,
    FORGET_USAGE,
    RemovalMetadata,
    RemovalModal,
    confirm_delete_modal,
    confirm_forget_modal,
    deleted_message,
    deleted_modal,
    failed_modal,
    forgotten_modal,
    gone_modal,
    working_modal,
)
from handlers.views.interview import InterviewAction
from handlers.web_api.client import quietly, update_quietly
from storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)

NOT_YOURS, ADMINS_ONLY = DELETE_ADMINS, FORGET_ADMINS  # the refusals, as bot.people.permissions words them


def register(app: App) -> None:
    app.action(InterviewAction.DELETE)(ask_delete)
    app.view_submission(RemovalModal.DELETE)(confirm_delete)
    app.view_submission(RemovalModal.FORGET)(confirm_forget)


def _check_may_delete(deps: Deps, actor: Actor, logged_by: str) -> None:
    # Asking Slack only when it matters: the author needs no users.info.
    deps.require(actor, Act.DELETE_INTERVIEW, is_owner=logged_by == actor.user_id)


def _check_admin(deps: Deps, actor: Actor) -> None:
    deps.require(actor, Act.FORGET)


def ask_delete(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """The Delete button: a confirmation that says what will go, on top of the interview modal when
    clicked there (views.push), else in a modal of its own."""
    action = as_object((body.get("actions") or [{}])[0])
    interview_id = id_number(action.get("value"))
    if interview_id is None:
        ack()
        raise BotError("That button is out of date: open the interview again.")
    with deps.db.read() as session:
        interview = get_interview(session=session, team_id=actor.team_id, interview_id=interview_id)
        if interview is None:
            ack()
            raise InterviewGone()
        logged_by = interview.logged_by
        view = confirm_delete_modal(
            interview_id=interview.id,
            account=interview.account.name,
            kind=interview.kind.label,
            held_on=interview.held_on,
            removed=preview_removal(session=session, team_id=actor.team_id, interview_ids=[interview.id]),
        )
    try:
        _check_may_delete(deps, actor, logged_by)
    except BotError:  # not theirs, or Slack could not say whose it may be
        ack()
        raise
    open_over(deps, actor, body, view)
    ack()


def confirm_delete(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Delete, once confirmed: "Deleting…" at once (a removal recounts themes, which may take longer than
    Slack waits), then what was deleted, or why not, in its place."""
    interview_id = RemovalMetadata.loads(view.get("private_metadata")).interview_id
    if interview_id is None:
        raise BotError("That confirmation is out of date: open the interview again.")
    with deps.db.read() as session:
        interview = get_interview(session=session, team_id=actor.team_id, interview_id=interview_id)
        if interview is None:
            raise InterviewGone()
        logged_by, account = interview.logged_by, interview.account.name
        # Where the outcome is drawn: the confirmation submitted, and the interview's modal it was pushed
        # over. The submission names both; each is redrawn only if the bot opened it for this person.
        shown = opened_for(session, actor, view.get("id"), what="the removal's result")
        below = opened_for(session, actor, view.get("previous_view_id"), what="the deleted interview's modal")
    _check_may_delete(deps, actor, logged_by)
    ack(response_action="update", view=working_modal("Deleting the interview…"))

    def delete() -> View:
        removed = deps.db.run(
            lambda session: remove_interviews(
                session=session, team_id=actor.team_id, interview_ids=[interview_id]
            )
        )
        if not removed.interviews:  # deleted by someone else meanwhile
            raise InterviewGone()
        _after_removal(deps, actor, removed)
        if below is not None:
            what = "the deleted interview's modal"
            quietly(deps.client.views_update, what, view_id=below, view=gone_modal())
        return deleted_modal(account=account, removed=removed)

    deps.after_ack(lambda: _finish(deps, shown, delete))


def forget_command(*, ack: Ack, text: str, actor: Actor, deps: Deps, trigger_id: str) -> None:
    """`/interview forget ACCOUNT`: admins and owners only; the confirmation opens straight away (the
    trigger_id lives 3 seconds), saying what will go."""
    name = text.strip()
    if not name:
        ack(text=FORGET_USAGE, response_type="ephemeral")
        return
    _check_admin(deps, actor)
    with deps.db.read() as session:
        account = find_account(session=session, team_id=actor.team_id, name=name)
        if account is None:
            close = [a.name for a in search_accounts(session=session, team_id=actor.team_id, query=name)]
            ack(text=unknown_account_message(name, close), response_type="ephemeral")
            return
        view = confirm_forget_modal(
            account_id=account.id,
            account=account.name,
            removed=preview_forget(session=session, team_id=actor.team_id, account_id=account.id),
        )
    open_modal(deps, actor, trigger_id=trigger_id, view=view)
    ack()


def confirm_forget(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Forget the account, once confirmed: "Forgetting…" at once, then what was removed, or why not."""
    account_id = RemovalMetadata.loads(view.get("private_metadata")).account_id
    if account_id is None:
        raise BotError("That confirmation is out of date: run /interview forget again.")
    _check_admin(deps, actor)
    try:
        with deps.db.read() as session:
            shown = opened_for(session, actor, view.get("id"), what="the removal's result")
    except DatabaseUnavailable as error:  # said in this modal now: nothing could be removed anyway
        ack(response_action="update", view=failed_modal(message_for(error)))
        return
    ack(response_action="update", view=working_modal("Forgetting the account…"))

    def forget() -> View:
        removed = deps.db.run(
            lambda session: forget_account(session=session, team_id=actor.team_id, account_id=account_id)
        )
        if removed is None or removed.account_name is None:
            raise BotError("That account is gone: it was forgotten already.")
        _after_removal(deps, actor, removed)
        return forgotten_modal(account=removed.account_name, removed=removed)

    deps.after_ack(lambda: _finish(deps, shown, forget))


def _finish(deps: Deps, view_id: str | None, remove: Callable[[], View]) -> None:
    """Run the removal after the ack; what it did, or why it did nothing, replaces the "…ing" modal (the
    confirmation submitted, when the bot opened it for this person)."""
    try:
        result = remove()
    except Exception as error:  # gone meanwhile, the database down: said where they are waiting
        result = failed_modal(message_for(error))
    if view_id is not None:
        quietly(deps.client.views_update, "the removal's result", view_id=view_id, view=result)


def _after_removal(deps: Deps, actor: Actor, removed: Removed) -> None:
    """After commit (already after the ack): the App Home of everyone concerned listed what is gone
    (interviews they logged or joined, follow-ups they owned, calls they were on); the messages that
    showed it (the confirmation DM, a share into a channel) now say it was deleted, so none of its
    words stay in Slack."""
    for user_id in removed.concerned:
        deps.home.changed(team_id=actor.team_id, user_id=user_id)
    text, blocks = DELETED_TEXT, as_dicts(deleted_message())
    for posted in removed.posted:
        what = "a message about a deleted interview"
        update_quietly(deps.client, what, channel=posted.channel_id, ts=posted.ts, text=text, blocks=blocks)
    # Reminder DMs already sent list its follow-ups by name: drawn again with what they still list.
    for owner, sent in removed.reminders_sent:
        try:
            tz = deps.zone_of(Actor(actor.team_id, owner))
            redraw_reminder(
                deps.db, deps.client, actor.team_id, tz, sent.channel_id, sent.message_ts, sent.follow_up_ids
            )
        except Exception as exc:  # deleted in Slack, say
            log.info("could not redraw a reminder about a deleted interview: %s", exc)
