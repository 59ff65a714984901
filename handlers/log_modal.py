"""The log modal: open it, search accounts while people type, and store what they submit."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot.accounts.names import ACCOUNT_NAME_MAX, normalize_account_name, search_accounts
from bot.capture.interviews import log_interview
from bot.capture.messages import record_logged
from bot.people.permissions import Act
from bot.people.timezones import zone
from bot.studies.answers import change_study
from handlers.deps import Actor, Deps
from handlers.modals import open_modal, stored
from handlers.study_pick import log_choice
from handlers.views.interview import InterviewBlocks
from handlers.views.log_form import parse_log_form
from handlers.views.log_modal import (
    LogModal,
    LogModalMetadata,
    LogModalPrefill,
    account_option,
    log_modal,
)
from handlers.views.study_pick import parse_study_pick
from handlers.web_api.client import call

log = logging.getLogger(__name__)

STORE_ATTEMPTS = 2
NO_PREFILL = LogModalPrefill()  # one retry rides out a dropped connection or a failover, well within 3 s


def register(app: App) -> None:
    app.options(LogModal.ACCOUNT_SEARCH)(suggest_accounts)
    app.view_submission(LogModal.CALLBACK_ID)(submit_log_modal)


def open_log_modal(
    *,
    ack: Ack,
    actor: Actor,
    deps: Deps,
    trigger_id: str,
    channel_id: str | None = None,
    prefill: LogModalPrefill = NO_PREFILL,
    study_id: int | None = None,
) -> None:
    """Open the modal, then ack: the trigger_id dies after 3 s, and Slack waits for the ack anyway.

    The default date is today in the user's zone. If that zone is not known yet, the modal opens with
    today's UTC date, the zone is looked up after the ack, and the date corrected in place if it differs.
    With studies open, the form offers them (the person's last one picked), and is recorded as opened
    for them: picking a study draws it again (handlers.study_pick).
    """
    team_id, user_id = actor.team_id, actor.user_id
    tz = deps.timezones.known(team_id, user_id)
    today = datetime.now(tz or UTC).date()
    study = log_choice(deps, actor, study_id=study_id)

    def build(day: date) -> Any:
        return log_modal(
            today=day,
            user_id=user_id,
            metadata=LogModalMetadata(channel_id=channel_id, tz=str(tz) if tz else None),
            prefill=prefill,
            study=study,
        )

    if study is None:
        opened = call(deps.interactive_client.views_open, trigger_id=trigger_id, view=build(today))
    else:
        opened = open_modal(deps, actor, trigger_id=trigger_id, view=build(today))
    ack()
    if tz is not None:
        if deps.timezones.is_stale(team_id, user_id):  # people travel: look again, for next time
            deps.after_ack(
                lambda: deps.timezones.resolve(client=deps.client, team_id=team_id, user_id=user_id)
            )
        return

    def correct_default_date() -> None:
        local_today = datetime.now(
            deps.timezones.resolve(client=deps.client, team_id=team_id, user_id=user_id)
        ).date()
        if local_today == today:
            return
        view = opened.get("view") or {}
        try:
            call(
                deps.client.views_update,
                view_id=view.get("id"),
                hash=view.get("hash"),
                view=build(local_today),
            )
        except Exception as exc:  # the user may have moved on; the date is only a default
            log.info("could not correct the default date: %s", exc)

    deps.after_ack(correct_default_date)


def suggest_accounts(ack: Ack, payload: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Known accounts matching what was typed, and the typed name as a new account when it is new. A guest
    is offered only the accounts of their own calls, and the typed name without saying if it is new."""
    typed = " ".join(str(payload.get("value") or "").split())[:ACCOUNT_NAME_MAX]
    everyone = deps.may(actor, Act.SEE_ACCOUNTS)
    with deps.db.read() as session:
        known_to = None if everyone else actor.user_id
        matches = search_accounts(session=session, team_id=actor.team_id, query=typed, known_to=known_to)
        names = [a.name for a in matches]
    options = [account_option(name) for name in names]
    key = normalize_account_name(typed)
    if key and all(normalize_account_name(n) != key for n in names):
        options.insert(0, account_option(typed, label=f"➕ New account: {typed}" if everyone else None))
    ack(options=[o.to_dict() for o in options[:100]])


def submit_log_modal(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Store the interview and its messages in one transaction, inside Slack's 3 s (so a failure keeps the
    modal and the text open), then ack, then send the messages: the confirmation DM first, then the
    channel post. What fails to send is retried by the outbox; nothing is lost with the process."""
    values = view.get("state", {}).get("values", {})
    draft = parse_log_form(values)
    metadata = LogModalMetadata.loads(view.get("private_metadata"))
    tz = deps.timezones.known(actor.team_id, actor.user_id) or zone(metadata.tz)
    config = deps.config

    def store(session: Session) -> list[int]:
        now = datetime.now(UTC)
        logged = log_interview(
            session=session,
            team_id=actor.team_id,
            user_id=actor.user_id,
            draft=draft,
            now=now,
            tz=tz,
            thank_you_after=config.thank_you_after,
            summary_after=config.summary_after,
            working_hours=config.working_hours,
            source_view_id=view.get("id"),
        )
        # In the same transaction: a study refused (closed meanwhile, forged) stores nothing at all.
        pick = parse_study_pick(values) if logged.created else None
        if pick is not None:
            change_study(
                session=session,
                team_id=actor.team_id,
                interview_id=logged.interview.id,
                pick=pick,
                by=actor.user_id,
                now=now,
            )
        # The same submission again was stored and announced the first time: nothing to send.
        return record_logged(session=session, logged=logged, drawing=InterviewBlocks, tz=tz, now=now)

    messages = stored(ack, deps, store)
    if messages:  # stored now, not a repeat: it is on the Home of the author and of our side of the call
        deps.send_after_commit(messages)
        for user_id in dict.fromkeys([actor.user_id, *draft.participants]):
            deps.home.changed(team_id=actor.team_id, user_id=user_id)
