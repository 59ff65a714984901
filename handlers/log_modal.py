"""The log modal: open it, search accounts while people type, and store what they submit."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot.accounts.names import ACCOUNT_NAME_MAX, normalize_account_name, search_accounts
from bot.capture.interviews import InterviewDraft, LoggedInterview, log_interview
from bot.errors import InvalidInput
from bot.outbox.queue import enqueue
from bot.people.permissions import Act
from bot.people.timezones import zone
from handlers.deps import Actor, Deps
from handlers.views.common import (
    MAX_PARTICIPANTS,
    as_dicts,
    as_object,
    fallback_text,
    is_channel_id,
    is_user_id,
)
from handlers.views.interview import saved_interview_message, shared_interview_message
from handlers.views.log_modal import (
    TEXT_FIELDS,
    LogField,
    LogModal,
    LogModalMetadata,
    LogModalPrefill,
    account_option,
    log_modal,
)
from handlers.web_api.client import call
from storage.models import Interview, OutboxKind

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
) -> None:
    """Open the modal, then ack: the trigger_id dies after 3 s, and Slack waits for the ack anyway.

    The default date is today in the user's zone. If that zone is not known yet, the modal opens with
    today's UTC date, the zone is looked up after the ack, and the date corrected in place if it differs.
    """
    team_id, user_id = actor.team_id, actor.user_id
    tz = deps.timezones.known(team_id, user_id)
    today = datetime.now(tz or UTC).date()

    def build(day: date) -> Any:
        return log_modal(
            today=day,
            user_id=user_id,
            metadata=LogModalMetadata(channel_id=channel_id, tz=str(tz) if tz else None),
            prefill=prefill,
        )

    opened = call(deps.interactive_client.views_open, trigger_id=trigger_id, view=build(today))
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


def input_value(state: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The value Slack reports for an input block of a submitted view (each block holds one element)."""
    block = state.get(str(block_id)) or {}
    value = next(iter(block.values()), {}) if isinstance(block, dict) else {}
    return value if isinstance(value, dict) else {}


def parse_log_form(state: dict[str, Any]) -> InterviewDraft:
    """The submitted view state as a draft; nothing is judged here, only read."""

    def text(field: LogField) -> str | None:
        value = input_value(state, field).get("value")
        return value if isinstance(value, str) else None

    def checked(field: LogField) -> bool:
        return bool(input_value(state, field).get("selected_options"))

    account = as_object(input_value(state, LogField.ACCOUNT).get("selected_option")).get("value")
    kind = as_object(input_value(state, LogField.KIND).get("selected_option")).get("value")
    raw_date = input_value(state, LogField.HELD_ON).get("selected_date")
    try:
        held_on = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        held_on = None
    participants = [
        u for u in input_value(state, LogField.PARTICIPANTS).get("selected_users") or [] if is_user_id(u)
    ][:MAX_PARTICIPANTS]
    channel = input_value(state, LogField.SHARE_CHANNEL).get("selected_conversation")
    return InterviewDraft(
        account=account,
        kind=kind,
        held_on=held_on,
        participants=participants,
        recording_permission=checked(LogField.RECORDING_PERMISSION),
        thank_you_sent=checked(LogField.THANK_YOU_SENT),
        **{field.value: text(field) for field in TEXT_FIELDS},
        share_channel=channel if isinstance(channel, str) and is_channel_id(channel) else None,
    )


def submit_log_modal(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Store the interview and its messages in one transaction, inside Slack's 3 s (so a failure keeps the
    modal and the text open), then ack, then send the messages: the confirmation DM first, then the
    channel post. What fails to send is retried by the outbox; nothing is lost with the process."""
    draft = parse_log_form(view.get("state", {}).get("values", {}))
    metadata = LogModalMetadata.loads(view.get("private_metadata"))
    tz = deps.timezones.known(actor.team_id, actor.user_id) or zone(metadata.tz)
    settings = deps.settings

    def store(session: Session) -> list[int]:
        now = datetime.now(UTC)
        logged = log_interview(
            session=session,
            team_id=actor.team_id,
            user_id=actor.user_id,
            draft=draft,
            now=now,
            tz=tz,
            thank_you_after=settings.thank_you_after,
            summary_after=settings.summary_after,
            working_hours=settings.working_hours,
            source_view_id=view.get("id"),
        )
        if not logged.created:  # the same submission again was stored and announced the first time
            return []
        return _record_messages(session, logged, actor.user_id, tz, now)

    try:
        messages = deps.db.run(store)
    except InvalidInput as exc:
        ack(response_action="errors", errors=exc.fields)
        return
    ack()
    deps.send_after_commit(messages)
    if messages:  # stored now, not a repeat: it is on the Home of the author and of our side of the call
        for user_id in dict.fromkeys([actor.user_id, *draft.participants]):
            deps.home.changed(team_id=actor.team_id, user_id=user_id)


def _record_messages(
    session: Session, logged: LoggedInterview, user_id: str, tz: ZoneInfo, now: datetime
) -> list[int]:
    """The confirmation DM and, when the author chose a channel, the share: recorded with the interview."""
    interview = logged.interview
    account = interview.account.name
    messages = [
        _record(
            session,
            interview,
            user_id,
            now,
            OutboxKind.INTERVIEW_SAVED,
            user_id,
            f"Saved your interview with {account}.",
            saved_interview_message(interview, logged.follow_ups, tz),
            f"the confirmation of your interview with {account}",
        )
    ]
    share = record_share(session=session, interview=interview, user_id=user_id, now=now)
    return messages + ([share] if share is not None else [])


def record_share(*, session: Session, interview: Interview, user_id: str, now: datetime) -> int | None:
    """The interview's share into its channel, recorded to go out after commit (when it has a channel,
    on logging or when an edit picks another one); its outbox id."""
    if interview.share_channel_id is None:
        return None
    account = interview.account.name
    # chat:write.public lets the bot post in any public channel; private ones need an invite.
    return _record(
        session,
        interview,
        user_id,
        now,
        OutboxKind.INTERVIEW_SHARED,
        interview.share_channel_id,
        f"Interview with {account}",
        shared_interview_message(interview),
        f"your interview with {account}",
    )


def _record(
    session: Session,
    interview: Interview,
    user_id: str,
    now: datetime,
    kind: OutboxKind,
    channel: str,
    text: str,
    blocks: list[Any],
    about: str,
) -> int:
    return enqueue(
        session=session,
        team_id=interview.team_id,
        user_id=user_id,
        kind=kind,
        channel_id=channel,
        text=fallback_text(text),
        blocks=as_dicts(blocks),
        about=about,
        interview_id=interview.id,
        now=now,
    )
