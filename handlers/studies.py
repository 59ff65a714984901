"""`/interview study`: the workspace's studies listed with their progress; one started or edited in a form;
a study shown point by point; closed with its conclusion (its sheet frozen, its summary posted once to
its channel) and reopened. Who may change a study (its owners, workspace admins) is asked again on every
click and every submission: what a modal showed is never taken for a permission."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.errors import BotError, InvalidInput
from bot.outbox.queue import enqueue
from bot.people.permissions import Act
from bot.studies.sheet import build_sheet
from bot.studies.store import (
    StudyClosed,
    StudyForm,
    StudyNotFound,
    StudyProgress,
    close_study,
    create_study,
    find_study,
    get_study,
    is_owner,
    list_studies,
    live_points,
    name_key,
    open_studies,
    reopen_study,
    update_study,
)
from handlers.deps import Actor, Deps
from handlers.modals import open_modal, open_over, redraw_modal
from handlers.views.common import as_dicts, as_object, id_number
from handlers.views.studies import (
    StudyAction,
    StudyField,
    StudyMetadata,
    StudyView,
    on_fields,
    studies_list,
    unknown_study_message,
)
from handlers.views.study_form import (
    close_modal,
    parse_conclusion,
    parse_study_form,
    study_form,
    submitted_values,
)
from handlers.views.study_sheet import StudyPage, send_sheet_button, study_view, summary_message
from storage.models import OutboxKind, Study, StudyState

NEW = "new"  # `/interview study new`: so no study may be called that
RESERVED_NAME = "“new” is how `/interview study new` starts a study: pick another name."


def register(app: App) -> None:
    app.action(StudyAction.NEW)(new_clicked)
    app.action(StudyAction.OPEN)(open_clicked)
    app.action(StudyAction.EDIT)(edit_clicked)
    app.action(StudyAction.CLOSE)(close_clicked)
    app.action(StudyAction.REOPEN)(reopen_clicked)
    app.view_submission(StudyView.FORM)(submit_form)
    app.view_submission(StudyView.CLOSE)(submit_close)


def study_command(*, ack: Ack, text: str, actor: Actor, deps: Deps, trigger_id: str) -> None:
    """`/interview study` (the list), `study new` (the form), `study NAME` (that study)."""
    deps.require(actor, Act.STUDY)
    name = text.strip()
    if not name:
        view = _list_view(actor, deps)
    elif name.lower() == NEW:
        view = study_form(None, metadata=StudyMetadata())
    else:
        with deps.db.read() as session:
            study = find_study(session=session, team_id=actor.team_id, name=name)
            if study is None:
                names = [s.name for s in open_studies(session=session, team_id=actor.team_id)]
                ack(text=unknown_study_message(name, names), response_type="ephemeral")
                return
            study_id = study.id
        view = _page_view(actor, deps, study_id, StudyMetadata())
    open_modal(deps, actor, trigger_id=trigger_id, view=view)
    ack()


def _today(actor: Actor, deps: Deps) -> date:
    """Today where the person is (days left to a study's end are theirs)."""
    return datetime.now(deps.timezones.known(actor.team_id, actor.user_id) or ZoneInfo("UTC")).date()


def _admin(actor: Actor, deps: Deps) -> bool:
    """Whether the person may change any study (a workspace admin or owner; Slack not answering: no)."""
    return deps.may(actor, Act.CHANGE_STUDY)


def _list_view(actor: Actor, deps: Deps) -> View:
    with deps.db.read() as session:
        studies = list_studies(session=session, team_id=actor.team_id)
    theirs = {s.study_id for s in studies if actor.user_id in s.owners}
    # Slack is asked whether they are an admin only when it would show them more.
    others = len(theirs) < len(studies)
    changeable = {s.study_id for s in studies} if others and _admin(actor, deps) else theirs
    return studies_list(studies, today=_today(actor, deps), changeable=changeable)


def _page(session: Session, actor: Actor, study_id: int) -> StudyPage:
    study = get_study(session=session, team_id=actor.team_id, study_id=study_id)
    sheet = build_sheet(session=session, team_id=actor.team_id, study_id=study_id)
    progress = StudyProgress(
        study_id=study.id,
        name=study.name,
        goal=study.goal,
        state=study.state,
        interviews=sheet.interviews,  # a closed study's: as frozen
        accounts=len(sheet.rows),
        target_interviews=study.target_interviews,
        ends_on=study.ends_on,
        owners=tuple(o.user_id for o in study.owners),
        conclusion=study.conclusion,
    )
    return StudyPage(progress, sheet, target_accounts=study.target_accounts, channel_id=study.channel_id)


def _page_view(actor: Actor, deps: Deps, study_id: int, metadata: StudyMetadata) -> View:
    """The study's view. Slack shows a few evidence lines per point: the whole sheet goes out as files, by
    its "Send me the sheet" button (handlers.study_files)."""
    with deps.db.read() as session:
        page = _page(session, actor, study_id)
    may_change = actor.user_id in page.progress.owners or _admin(actor, deps)
    return study_view(
        page,
        today=_today(actor, deps),
        may_change=may_change,
        metadata=replace(metadata, study_id=study_id),
        outputs=[send_sheet_button(study_id)],
    )


def _clicked(body: dict[str, Any]) -> int:
    clicked = id_number(as_object((body.get("actions") or [{}])[0]).get("value"))
    if clicked is None:
        raise BotError("That button is out of date: open /interview study again.")
    return clicked


def _origin(body: dict[str, Any]) -> StudyMetadata:
    """The views a click's change must draw again: the list it came from, or the study's view and the
    list below that."""
    view = as_object(body.get("view"))
    view_id = view.get("id") if isinstance(view.get("id"), str) else None
    if view.get("callback_id") == StudyView.LIST:
        return StudyMetadata(list_view_id=view_id)
    if view.get("callback_id") == StudyView.SHEET:
        below = StudyMetadata.loads(view.get("private_metadata"))
        return StudyMetadata(list_view_id=below.list_view_id, study_view_id=view_id)
    return StudyMetadata()


def _may_change(actor: Actor, deps: Deps, study_id: int) -> Study:
    """The study, when this person may change it: an owner, or a workspace admin; else NotAllowed, in the
    permission module's words. Asked anew on every click and submission."""
    deps.require(actor, Act.STUDY)
    with deps.db.read() as session:
        study = get_study(session=session, team_id=actor.team_id, study_id=study_id)
        owner = is_owner(study, actor.user_id)
    deps.require(actor, Act.CHANGE_STUDY, is_owner=owner)
    return study


def _redraw(deps: Deps, actor: Actor, where: StudyMetadata, study_id: int | None) -> None:
    """After a change, draw again the views below, so none shows the study as it was."""

    def work() -> None:
        if where.study_view_id and study_id is not None:
            page = _page_view(actor, deps, study_id, StudyMetadata(list_view_id=where.list_view_id))
            redraw_modal(deps, actor, where.study_view_id, page, what="a study's view")
        if where.list_view_id:
            redraw_modal(deps, actor, where.list_view_id, _list_view(actor, deps), what="the studies list")

    deps.after_ack(work)


def new_clicked(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.STUDY)
    open_over(deps, actor, body, study_form(None, metadata=_origin(body)))
    ack()


def open_clicked(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.STUDY)
    below = StudyMetadata(list_view_id=_origin(body).list_view_id)
    open_over(deps, actor, body, _page_view(actor, deps, _clicked(body), below))
    ack()


def edit_clicked(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    study_id = _clicked(body)
    _may_change(actor, deps, study_id)
    with deps.db.read() as session:
        study = get_study(session=session, team_id=actor.team_id, study_id=study_id)
        form = StudyForm(
            name=study.name,
            goal=study.goal,
            points="\n".join(p.text for p in live_points(study)),
            owners=tuple(o.user_id for o in study.owners),
            target_interviews=study.target_interviews,
            target_accounts=study.target_accounts,
            ends_on=study.ends_on,
            channel_id=study.channel_id,
        )
    open_over(deps, actor, body, study_form(form, metadata=replace(_origin(body), study_id=study_id)))
    ack()


def close_clicked(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    study_id = _clicked(body)
    study = _may_change(actor, deps, study_id)
    if study.state is StudyState.CLOSED:
        raise StudyClosed(study.name)
    metadata = replace(_origin(body), study_id=study_id)
    open_over(deps, actor, body, close_modal(name=study.name, channel_id=study.channel_id, metadata=metadata))
    ack()


def reopen_clicked(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    study_id = _clicked(body)
    _may_change(actor, deps, study_id)
    now = datetime.now(UTC)
    deps.db.run(lambda s: reopen_study(session=s, team_id=actor.team_id, study_id=study_id, now=now))
    ack()
    _redraw(deps, actor, _origin(body), study_id)


def submit_form(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """A new study stored, or a study's edit (its owners and admins only: asked again here, whatever the
    form's metadata says). Fields to fix keep the form open, each saying what is wrong."""
    deps.require(actor, Act.STUDY)
    metadata = StudyMetadata.loads(view.get("private_metadata"))
    editing = metadata.study_id
    if editing is not None:
        _may_change(actor, deps, editing)
    form, problems = parse_study_form(submitted_values(view))
    if name_key(form.name) == NEW:
        problems[StudyField.NAME] = RESERVED_NAME
    if problems:
        ack(response_action="errors", errors=problems)
        return
    now = datetime.now(UTC)

    def store(session: Session) -> int:
        team_id = actor.team_id
        if editing is None:
            return create_study(session=session, team_id=team_id, by=actor.user_id, form=form, now=now).id
        return update_study(session=session, team_id=team_id, study_id=editing, form=form, now=now).id

    try:
        study_id = deps.db.run(store)
    except InvalidInput as exc:
        ack(response_action="errors", errors=on_fields(exc.fields))
        return
    if metadata.list_view_id or metadata.study_view_id:
        ack()
        _redraw(deps, actor, metadata, study_id)
        return
    # Started from `/interview study new`: the form becomes the study it made.
    ack(response_action="update", view=_page_view(actor, deps, study_id, StudyMetadata()))


def submit_close(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """The study closed with its conclusion and its sheet frozen; its summary posted to its channel by the
    one transaction that moved it from open to closed (the outbox then delivers it once, whichever
    replica sends): a submission sent twice, or handled by two replicas, posts it once."""
    metadata = StudyMetadata.loads(view.get("private_metadata"))
    if metadata.study_id is None:
        raise StudyNotFound()
    study_id = metadata.study_id
    _may_change(actor, deps, study_id)
    conclusion = parse_conclusion(submitted_values(view))
    now = datetime.now(UTC)

    def close(session: Session) -> list[int]:
        study = get_study(session=session, team_id=actor.team_id, study_id=study_id, lock=True)
        if study.state is StudyState.CLOSED:  # closed meanwhile: by the same submission, or another
            return []
        sheet = build_sheet(session=session, team_id=actor.team_id, study_id=study_id)
        close_study(
            session=session,
            team_id=actor.team_id,
            study_id=study_id,
            by=actor.user_id,
            conclusion=conclusion,
            now=now,
            frozen=sheet.as_json(),
        )
        if not study.channel_id:
            return []
        text, blocks = summary_message(sheet, conclusion.strip())
        # A post into a channel someone chose, as an interview's share is: one that cannot be delivered
        # (the bot is not in the channel, it is archived) is told to the one who closed the study.
        return [
            enqueue(
                session=session,
                team_id=actor.team_id,
                user_id=actor.user_id,
                kind=OutboxKind.STUDY_SUMMARY,
                channel_id=study.channel_id,
                text=text,
                blocks=as_dicts(blocks),
                about=f"the summary of the study “{study.name}”",
                now=now,
            )
        ]

    try:
        messages = deps.db.run(close)
    except InvalidInput as exc:
        ack(response_action="errors", errors=on_fields(exc.fields, fallback=StudyField.CONCLUSION))
        return
    ack()
    deps.send_after_commit(messages)
    _redraw(deps, actor, metadata, study_id)
