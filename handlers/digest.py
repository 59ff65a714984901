"""`/interview digest`: the subscriptions modal (subscribe, edit, post now, unsubscribe), the shorthand
`subscribe` / `unsubscribe` / `preview` subcommands, and the digest's "Open interview" button."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from bot.capture.interviews import get_interview
from bot.digest.content import build_digest
from bot.digest.period import Period
from bot.digest.subscriptions import (
    DEFAULT_TIME,
    DEFAULT_WEEKDAY,
    Schedule,
    find_by_channel,
    get_subscription,
    list_subscriptions,
    parse_time,
    parse_weekday,
    schedule_of,
    subscribe,
    unsubscribe,
    valid_timezone,
)
from bot.errors import BotError, InvalidInput
from bot.people.permissions import Act
from bot.people.timezones import zone
from bot.text import escape_mrkdwn, fallback_text, truncate
from handlers.channels import find_channel, linked_channel, ready_channel
from handlers.deps import Actor, Deps
from handlers.errors import message_for
from handlers.modals import open_modal, redraw_modal
from handlers.study_pick import study_shown
from handlers.views.common import (
    as_object,
    channel_mention,
    id_number,
    json_object,
    user_mention,
)
from handlers.views.digest import preview_message
from handlers.views.interview import InterviewAction, interview_modal
from handlers.views.subscriptions import (
    DigestModal,
    SubscriptionForm,
    SubscriptionRow,
    parse_subscription,
    subscriptions_modal,
)
from handlers.web_api.client import call
from handlers.web_api.refusals import SlackPermanentError, slack_said
from storage.models import DigestSubscription, QuietWeek, RankBy

log = logging.getLogger(__name__)

USAGE = (
    "`/interview digest` opens the digest's settings; `/interview digest preview [arr]` shows this week's to "
    "you (`arr`: its themes ranked by their accounts' ARR); "
    "`/interview digest subscribe #channel [weekday] [HH:MM]`; `/interview digest unsubscribe #channel`."
)


def register(app: App) -> None:
    app.view_submission(DigestModal.CALLBACK_ID)(submit_subscription)
    app.action(DigestModal.POST_NOW)(post_now)
    app.action(DigestModal.EDIT)(edit_subscription)
    app.action(DigestModal.UNSUBSCRIBE)(unsubscribe_clicked)
    app.action(InterviewAction.OPEN)(open_interview)


def digest_command(
    *, ack: Ack, respond: Respond, text: str, command: dict[str, Any], actor: Actor, deps: Deps
) -> None:
    deps.require(actor, Act.DIGEST)
    words = text.split()
    verb = words[0].lower() if words else ""
    if verb == "":
        open_digest(ack=ack, actor=actor, deps=deps, trigger_id=command["trigger_id"])
    elif verb == "preview" and (rank_by := _preview_ranking(words[1:])) is not None:
        preview(ack=ack, actor=actor, deps=deps, rank_by=rank_by)
    elif verb == "subscribe" and len(words) >= 2:
        # Checking the channel asks Slack: answer at once, and say how it went through response_url.
        ack(response_type="ephemeral", text="Subscribing…")
        deps.after_ack(
            lambda: respond(
                response_type="ephemeral",
                replace_original=True,
                text=_said(lambda: subscribe_from_command(words[1:], actor=actor, deps=deps)),
            )
        )
    elif verb == "unsubscribe" and len(words) == 2:
        ack(response_type="ephemeral", text=unsubscribe_from_command(words[1], actor=actor, deps=deps))
    else:
        ack(response_type="ephemeral", text=USAGE)


def _preview_ranking(args: list[str]) -> RankBy | None:
    """`preview` ranks by distinct accounts, `preview arr` by ARR; None for anything else (the usage)."""
    if not args:
        return RankBy.ACCOUNTS
    word = args[0].lower()
    return RankBy(word) if len(args) == 1 and word in {r.value for r in RankBy} else None


def _said(answer: Callable[[], str]) -> str:
    """The answer, or what went wrong (someone else's subscription, Slack or the database away) in the
    words the error handler uses: after the ack, the answer is all the person sees."""
    try:
        return answer()
    except Exception as error:
        return message_for(error)


def _typed(word: str) -> str:
    """What the person typed, shown back safely: escaped, so `<!channel>` pings nobody, and short."""
    return escape_mrkdwn(truncate(word, 80, "…"))


def _may_change(actor: Actor, deps: Deps, subscription: DigestSubscription) -> None:
    """Only whoever set the subscription up, or a workspace admin, changes it (NotAllowed otherwise)."""
    deps.require(actor, Act.CHANGE_SUBSCRIPTION, is_owner=subscription.created_by == actor.user_id)


def _may_subscribe(actor: Actor, deps: Deps, channel_id: str | None, editing: object = None) -> None:
    """Subscribing changes the edited subscription, or the channel's own if it has one: checked before
    Slack is asked anything about the channel (the bot joins a public one)."""
    with deps.db.read() as session:
        if isinstance(editing, int):
            changed = get_subscription(session=session, team_id=actor.team_id, subscription_id=editing)
        elif channel_id:
            changed = find_by_channel(session=session, team_id=actor.team_id, channel_id=channel_id)
        else:
            changed = None
    if changed is not None:
        _may_change(actor, deps, changed)


def preview(*, ack: Ack, actor: Actor, deps: Deps, rank_by: RankBy = RankBy.ACCOUNTS) -> None:
    """This week's digest (the last 7 days, today included), to the caller alone."""
    now = datetime.now(UTC)
    tz = deps.timezones.known(actor.team_id, actor.user_id) or UTC
    period = Period.last_days(now, tz)
    with deps.db.read() as session:
        digest = build_digest(session=session, team_id=actor.team_id, period=period, now=now, rank_by=rank_by)
    # Mentions in a message only the caller sees ping nobody.
    text, blocks = preview_message(digest, user_mention)
    ack(response_type="ephemeral", text=fallback_text(text), blocks=blocks)


def _form(actor: Actor, deps: Deps, **fields: Any) -> SubscriptionForm:
    tz = deps.timezones.known(actor.team_id, actor.user_id)
    return SubscriptionForm(timezone=str(tz) if tz else "UTC", **fields)


def _rows(actor: Actor, deps: Deps) -> list[SubscriptionRow]:
    with deps.db.read() as session:
        return [
            SubscriptionRow(s.id, s.channel_id, schedule_of(s).describe(), s.paused_reason, s.rank_by)
            for s in list_subscriptions(session=session, team_id=actor.team_id)
        ]


def open_digest(*, ack: Ack, actor: Actor, deps: Deps, trigger_id: str) -> None:
    """Open the modal, then ack (the trigger_id dies after 3 s). The timezone defaults to the person's;
    when the bot does not know it yet, the modal opens with UTC and is corrected once Slack says."""
    opened = open_modal(
        deps, actor, trigger_id=trigger_id, view=subscriptions_modal(_form(actor, deps), _rows(actor, deps))
    )
    ack()
    if deps.timezones.known(actor.team_id, actor.user_id) is not None:
        return

    def correct_timezone() -> None:
        zone = deps.zone_of(actor)
        view = opened.get("view") or {}
        if str(zone) == "UTC":
            return
        try:
            call(
                deps.client.views_update,
                view_id=view.get("id"),
                hash=view.get("hash"),  # the person may have typed into it meanwhile: then leave it
                view=subscriptions_modal(SubscriptionForm(timezone=str(zone)), _rows(actor, deps)),
            )
        except (SlackApiError, SlackPermanentError, OSError) as exc:
            log.info("could not correct the digest modal's timezone: %s", slack_said(exc) or exc)

    deps.after_ack(correct_timezone)


def subscribe_from_command(args: list[str], *, actor: Actor, deps: Deps) -> str:
    """`#channel [weekday] [HH:MM]`: what to answer."""
    weekday, at = DEFAULT_WEEKDAY, DEFAULT_TIME
    for word in args[1:]:
        if (day := parse_weekday(word)) is not None:
            weekday = day
        elif (moment := parse_time(word)) is not None:
            at = moment
        else:
            return (
                f"I didn't understand “{_typed(word)}”: give a weekday (monday) and a time (09:00). {USAGE}"
            )
    try:
        channel_id = find_channel(deps.client, args[0])
        if channel_id is None:
            return f"I can't find the channel “{_typed(args[0])}”: pick it with `/interview digest`."
        _may_subscribe(actor, deps, channel_id)
        problem = ready_channel(deps.client, channel_id)
        if problem:
            return problem
        tz = deps.zone_of(actor)
    except (SlackApiError, SlackPermanentError, OSError) as exc:
        log.warning("digest subscribe: Slack failed: %s", slack_said(exc) or exc)
        return "Slack didn't answer just now; nothing changed. Try again in a minute."
    schedule = Schedule(weekday, at, str(tz))
    now = datetime.now(UTC)
    deps.db.run(
        lambda s: subscribe(
            session=s,
            team_id=actor.team_id,
            channel_id=channel_id,
            schedule=schedule,
            by=actor.user_id,
            now=now,
        )
    )
    return f"{channel_mention(channel_id)} gets the digest {schedule.describe()}, starting next time."


def unsubscribe_from_command(raw: str, *, actor: Actor, deps: Deps) -> str:
    channel_id = linked_channel(raw)
    if not channel_id:
        with deps.db.read() as session:
            names = [s.channel_id for s in list_subscriptions(session=session, team_id=actor.team_id)]
        return "Name the channel as Slack links it (#channel), or use `/interview digest`." + (
            " Subscribed: " + ", ".join(channel_mention(c) for c in names) if names else ""
        )
    mention = channel_mention(channel_id)
    with deps.db.read() as session:
        existing = find_by_channel(session=session, team_id=actor.team_id, channel_id=channel_id)
    if existing is None:
        return f"{mention} had no digest subscription."
    _may_change(actor, deps, existing)
    gone = deps.db.run(lambda s: unsubscribe(session=s, team_id=actor.team_id, channel_id=channel_id))
    return f"{mention} gets no more digests." if gone else f"{mention} had no digest subscription."


def submit_subscription(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], actor: Actor, deps: Deps
) -> None:
    deps.require(actor, Act.DIGEST)
    values = as_object(as_object(view.get("state")).get("values"))
    form = parse_subscription(values if isinstance(values, dict) else {})
    editing = json_object(view.get("private_metadata")).get("editing")
    _may_subscribe(actor, deps, form.channel_id, editing)
    errors: dict[str, str] = {}
    if not form.channel_id:
        errors[DigestModal.CHANNEL] = "Pick a channel."
    if form.weekday is None:
        errors[DigestModal.WEEKDAY] = "Pick a day."
    if form.at is None:
        errors[DigestModal.TIME] = "Pick a time."
    if valid_timezone(form.timezone) is None:
        errors[DigestModal.TIMEZONE] = "An IANA timezone, like Europe/Paris or America/New_York."
    if not errors:
        problem = ready_channel(deps.interactive_client, str(form.channel_id))
        if problem:
            errors[DigestModal.CHANNEL] = problem[:150]
    if errors:
        raise InvalidInput(errors)
    schedule = Schedule(int(form.weekday or 0), form.at or DEFAULT_TIME, form.timezone.strip(), form.quiet)
    now = datetime.now(UTC)

    def save(session: Any) -> None:
        if isinstance(editing, int):  # an edit may move the subscription to another channel
            old = get_subscription(session=session, team_id=actor.team_id, subscription_id=editing)
            clash = find_by_channel(session=session, team_id=actor.team_id, channel_id=str(form.channel_id))
            if clash is not None and clash.id != old.id:
                raise InvalidInput(
                    {DigestModal.CHANNEL: "That channel has its own subscription: edit that one."}
                )
            old.channel_id = str(form.channel_id)
            session.flush()
        subscribe(
            session=session,
            team_id=actor.team_id,
            channel_id=str(form.channel_id),
            schedule=schedule,
            by=actor.user_id,
            now=now,
            rank_by=form.rank_by,
        )

    deps.db.run(save)
    ack(response_action="update", view=subscriptions_modal(_form(actor, deps), _rows(actor, deps)))


def _clicked(body: dict[str, Any]) -> int:
    clicked = id_number(as_object((body.get("actions") or [{}])[0]).get("value"))
    if clicked is None:
        raise BotError("That button is out of date: open /interview digest again.")
    return clicked


def _redraw(body: dict[str, Any], actor: Actor, deps: Deps, form: SubscriptionForm | None = None) -> None:
    redraw_modal(
        deps,
        actor,
        as_object(body.get("view")).get("id"),
        subscriptions_modal(form or _form(actor, deps), _rows(actor, deps)),
        what="the digest's settings",
        client=deps.interactive_client,
    )


def post_now(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    ack()
    subscription_id = _clicked(body)
    with deps.db.read() as session:
        sub = get_subscription(session=session, team_id=actor.team_id, subscription_id=subscription_id)
    _may_change(actor, deps, sub)
    deps.after_ack(lambda: deps.digest.post_now(team_id=actor.team_id, subscription_id=subscription_id))


def edit_subscription(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    ack()
    with deps.db.read() as session:
        sub = get_subscription(session=session, team_id=actor.team_id, subscription_id=_clicked(body))
        _may_change(actor, deps, sub)
        schedule = schedule_of(sub)
        form = SubscriptionForm(
            timezone=schedule.timezone,
            weekday=schedule.weekday,
            at=schedule.at,
            quiet=QuietWeek(schedule.quiet),
            channel_id=sub.channel_id,
            editing=sub.id,
            rank_by=sub.rank_by,
        )
    _redraw(body, actor, deps, form)


def unsubscribe_clicked(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    ack()
    subscription_id = _clicked(body)
    with deps.db.read() as session:
        _may_change(
            actor,
            deps,
            get_subscription(session=session, team_id=actor.team_id, subscription_id=subscription_id),
        )

    def remove(session: Any) -> None:
        sub = get_subscription(session=session, team_id=actor.team_id, subscription_id=subscription_id)
        unsubscribe(session=session, team_id=actor.team_id, channel_id=sub.channel_id)

    deps.db.run(remove)
    _redraw(body, actor, deps)


def open_interview(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """The digest's "Open interview": the interview in a modal (never another workspace's)."""
    interview_id = _clicked(body)
    with deps.db.read() as session:
        interview = get_interview(session=session, team_id=actor.team_id, interview_id=interview_id)
        tz = deps.timezones.known(actor.team_id, actor.user_id) or zone(None)
        if interview is None:
            ack()
            raise BotError("That interview is gone: it was deleted.")
        # Guests open only the interviews they took part in (the Home and /interview list show them).
        took_part = actor.user_id in {interview.logged_by, *(p.user_id for p in interview.participants)}
        deps.require(actor, Act.OPEN_INTERVIEW, is_owner=took_part)
        # Someone else's interview shows Delete to a workspace admin only (checked again on the click):
        # anyone else would only be refused. Slack not answering: no Delete.
        admin = interview.logged_by != actor.user_id and deps.may(actor, Act.DELETE_INTERVIEW)
        shown = study_shown(session, interview, actor.user_id)
        view = interview_modal(interview, viewer_id=actor.user_id, tz=tz, admin=admin, study=shown)
    open_modal(deps, actor, trigger_id=body.get("trigger_id"), view=view)
    ack()
