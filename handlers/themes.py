"""`/interview themes`: see the themes of the workspace; rename, merge, and move a line by hand; merge
or set apart the pairs that look alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.digest.weight import theme_weights
from bot.errors import InvalidInput
from bot.people.permissions import Act
from bot.themes.corrections import (
    NEW_THEME,
    NEW_TOPIC,
    merge,
    merge_topics,
    move,
    move_to_topic,
    rename,
    rename_topic,
)
from bot.themes.lookalikes import dismiss_look_alike, look_alike_pairs, merge_look_alike
from bot.themes.status import parse_status, set_status
from bot.themes.store import (
    ThemeNotFound,
    count_pool,
    count_themes,
    get_line,
    get_theme,
    list_themes,
    summary_of,
    theme_lines,
)
from bot.themes.topics import TopicNotFound, get_topic, list_topics
from handlers.deps import Actor, Deps
from handlers.modals import open_modal, redraw_modal
from handlers.views.common import as_object, id_number
from handlers.views.theme_modals import (
    merge_modal,
    move_modal,
    rename_modal,
    status_modal,
    topic_merge_modal,
    topic_move_modal,
)
from handlers.views.themes import (
    LINES_SHOWN,
    LOOK_ALIKES_SHOWN,
    OPTIONS_MAX,
    OUT_OF_THEMES,
    THEMES_SHOWN,
    ThemeMenu,
    ThemesAction,
    ThemesMetadata,
    ThemesView,
    parse_look_alike,
    parse_theme_menu,
    selected,
    theme_lines_view,
    themes_list,
)
from storage.models import ThemeKind

POOL_TITLE = "Not in a theme yet"


def register(app: App) -> None:
    app.action(ThemesAction.KIND)(switch_kind)
    app.action(ThemesAction.THEME_MENU)(on_theme_menu)
    app.action(ThemesAction.TOPIC_MENU)(on_theme_menu)
    app.action(ThemesAction.SHOW_POOL)(show_pool)
    app.action(ThemesAction.MOVE_LINE)(open_move)
    app.action(ThemesAction.MERGE_LOOK_ALIKE)(on_look_alike)
    app.action(ThemesAction.DISMISS_LOOK_ALIKE)(on_look_alike)
    app.view_submission(ThemesView.RENAME)(submit_rename)
    app.view_submission(ThemesView.MERGE)(submit_merge)
    app.view_submission(ThemesView.MOVE)(submit_move)
    app.view_submission(ThemesView.TOPIC_RENAME)(submit_topic_rename)
    app.view_submission(ThemesView.TOPIC_MERGE)(submit_topic_merge)
    app.view_submission(ThemesView.TOPIC_MOVE)(submit_topic_move)
    app.view_submission(ThemesView.STATUS)(submit_status)


def _list_view(session: Session, actor: Actor, metadata: ThemesMetadata) -> View:
    kind, team_id = metadata.theme_kind, actor.team_id
    themes = list_themes(session=session, team_id=team_id, kind=kind, limit=THEMES_SHOWN)
    return themes_list(
        kind=kind,
        themes=themes,
        weights=theme_weights(session=session, team_id=team_id, kind=kind, theme_ids=[t.id for t in themes]),
        pool=count_pool(session=session, team_id=team_id, kind=kind),
        total=count_themes(session=session, team_id=team_id, kind=kind),
        metadata=metadata,
        look_alikes=look_alike_pairs(session=session, team_id=team_id, kind=kind, limit=LOOK_ALIKES_SHOWN),
        topics=list_topics(session=session, team_id=team_id, kind=kind),
    )


def _lines_view(session: Session, actor: Actor, metadata: ThemesMetadata) -> View:
    kind = metadata.theme_kind
    if metadata.theme_id is None:
        title = POOL_TITLE
    else:
        title = get_theme(session=session, team_id=actor.team_id, theme_id=metadata.theme_id).name
    lines, total = theme_lines(
        session=session, team_id=actor.team_id, theme_id=metadata.theme_id, kind=kind, limit=LINES_SHOWN
    )
    return theme_lines_view(kind=kind, title=title, lines=lines, total=total, metadata=metadata)


def open_themes(*, ack: Ack, actor: Actor, deps: Deps, trigger_id: str) -> None:
    deps.require(actor, Act.THEMES)
    with deps.db.read() as session:
        view = _list_view(session, actor, ThemesMetadata())
    open_modal(deps, actor, trigger_id=trigger_id, view=view)
    ack()


def _view_metadata(body: dict[str, Any]) -> ThemesMetadata:
    return ThemesMetadata.loads(as_object(body.get("view")).get("private_metadata"))


def _view_id(body: dict[str, Any]) -> str | None:
    """The modal a click came from; a click without one (Slack always sends it) redraws nothing."""
    view_id = as_object(body.get("view")).get("id")
    return view_id if isinstance(view_id, str) and view_id else None


def switch_kind(ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    ack()
    chosen = str(as_object(action.get("selected_option")).get("value") or ThemeKind.PAIN.value)
    metadata = ThemesMetadata(kind=chosen)
    view_id = _view_id(body)
    if view_id is None:
        return
    with deps.db.read() as session:
        view = _list_view(session, actor, metadata)
    redraw_modal(deps, actor, view_id, view, what="the themes list", client=deps.interactive_client)


def on_theme_menu(ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    parsed = parse_theme_menu(str(as_object(action.get("selected_option")).get("value") or ""))
    if parsed is None:
        ack()
        return
    verb, theme_id = parsed
    here = _view_metadata(body)
    metadata = ThemesMetadata(kind=here.kind, theme_id=theme_id, list_view_id=_view_id(body))
    with deps.db.read() as session:
        if verb in (ThemeMenu.RENAME_TOPIC, ThemeMenu.MERGE_TOPIC, ThemeMenu.TOPIC):
            view = _topic_modal(session, actor, verb, theme_id, here.theme_kind, _view_id(body))
        elif verb is ThemeMenu.LINES:
            view = _lines_view(session, actor, metadata)
        else:
            theme = get_theme(session=session, team_id=actor.team_id, theme_id=theme_id)
            if verb is ThemeMenu.RENAME:
                view = rename_modal(current=theme.name, metadata=metadata)
            elif verb is ThemeMenu.STATUS:
                view = status_modal(theme=theme, metadata=metadata)
            else:
                # One more than a select holds: the theme itself is left out of its own list.
                others = list_themes(
                    session=session, team_id=actor.team_id, kind=theme.kind, limit=OPTIONS_MAX + 1
                )
                view = merge_modal(
                    source=summary_of(session=session, theme=theme), others=others, metadata=metadata
                )
    open_modal(deps, actor, trigger_id=body["trigger_id"], view=view, push=True)
    ack()


def _topic_modal(
    session: Session, actor: Actor, verb: ThemeMenu, number: int, kind: ThemeKind, list_view_id: str | None
) -> View:
    """A topic's rename or merge modal (`number` is the topic's id), or the modal that moves a theme
    (`number` is the theme's) to another topic or a new one."""
    topics = list_topics(session=session, team_id=actor.team_id, kind=kind)
    if verb is ThemeMenu.TOPIC:
        theme = get_theme(session=session, team_id=actor.team_id, theme_id=number)
        metadata = ThemesMetadata(kind=kind.value, theme_id=theme.id, list_view_id=list_view_id)
        return topic_move_modal(theme=theme.name, current=theme.topic_id, topics=topics, metadata=metadata)
    topic = get_topic(session=session, team_id=actor.team_id, topic_id=number)
    metadata = ThemesMetadata(kind=kind.value, topic_id=topic.id, list_view_id=list_view_id)
    if verb is ThemeMenu.RENAME_TOPIC:
        return rename_modal(current=topic.name, metadata=metadata, topic=True)
    source = next((t for t in topics if t.id == topic.id), None)
    if source is None:  # a topic with no theme left: it goes at the next upkeep pass
        raise TopicNotFound()
    return topic_merge_modal(source=source, others=topics, metadata=metadata)


def show_pool(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    here = _view_metadata(body)
    metadata = ThemesMetadata(kind=here.kind, list_view_id=_view_id(body))
    with deps.db.read() as session:
        view = _lines_view(session, actor, metadata)
    open_modal(deps, actor, trigger_id=body["trigger_id"], view=view, push=True)
    ack()


def open_move(ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    here = _view_metadata(body)
    value = str(action.get("value") or "")
    line_id = id_number(value) or 0
    metadata = ThemesMetadata(
        kind=here.kind,
        theme_id=here.theme_id,
        line_id=line_id,
        list_view_id=here.list_view_id,
        lines_view_id=_view_id(body),
    )
    with deps.db.read() as session:
        line = get_line(session=session, team_id=actor.team_id, kind=here.theme_kind, line_id=line_id)
        themes = list_themes(
            session=session, team_id=actor.team_id, kind=here.theme_kind, limit=OPTIONS_MAX + 1
        )
        view = move_modal(line=line.text, current=line.theme_id, themes=themes, metadata=metadata)
    open_modal(deps, actor, trigger_id=body["trigger_id"], view=view, push=True)
    ack()


def on_look_alike(ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Merge, or Not the same, on a pair of themes that look alike; the list is drawn again without it."""
    deps.require(actor, Act.THEMES)
    pair = parse_look_alike(str(action.get("value") or ""))
    if pair is None:
        ack()
        return
    theme_id, other_id = pair
    act = merge_look_alike if action.get("action_id") == ThemesAction.MERGE_LOOK_ALIKE else dismiss_look_alike
    metadata = ThemesMetadata(kind=_view_metadata(body).kind, list_view_id=_view_id(body))
    _change_and_redraw(ack, deps, actor, metadata, act, theme_id=theme_id, other_id=other_id)


def _redraw(deps: Deps, actor: Actor, metadata: ThemesMetadata) -> None:
    """After a change, draw again the views below the closed modal, so none shows a stale theme."""

    def work() -> None:
        views: list[tuple[str, View]] = []
        with deps.db.read() as session:
            if metadata.lines_view_id:
                below = ThemesMetadata(
                    kind=metadata.kind, theme_id=metadata.theme_id, list_view_id=metadata.list_view_id
                )
                try:
                    views.append((metadata.lines_view_id, _lines_view(session, actor, below)))
                except ThemeNotFound:  # the move emptied it, or a merge made it part of another
                    views.append((metadata.lines_view_id, _gone_view(below)))
            if metadata.list_view_id:
                top = ThemesMetadata(kind=metadata.kind)
                views.append((metadata.list_view_id, _list_view(session, actor, top)))
        for view_id, view in views:
            redraw_modal(deps, actor, view_id, view, what="a themes view below a closed one")

    deps.after_ack(work)


def _gone_view(metadata: ThemesMetadata) -> View:
    return theme_lines_view(
        kind=metadata.theme_kind, title="This theme is gone", lines=[], total=0, metadata=metadata
    )


def _change_and_redraw(
    ack: Ack,
    deps: Deps,
    actor: Actor,
    metadata: ThemesMetadata,
    change: Callable[..., object],
    **fields: object,
) -> None:
    """Store a person's correction before the ack (so an error reaches the modal), then redraw. Every
    correction is `change(session=, team_id=, by=, now=)` with its own `fields`: the person is `by`."""
    now = datetime.now(UTC)
    deps.db.run(
        lambda session: change(session=session, team_id=actor.team_id, by=actor.user_id, now=now, **fields)
    )
    ack()
    _redraw(deps, actor, metadata)


def submit_rename(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    metadata = ThemesMetadata.loads(view.get("private_metadata"))
    _rename(ack, view, actor, deps, metadata, rename, theme_id=metadata.theme_id or 0)


def _rename(
    ack: Ack,
    view: dict[str, Any],
    actor: Actor,
    deps: Deps,
    metadata: ThemesMetadata,
    change: Callable[..., object],
    **which: int,
) -> None:
    """A theme's or a topic's new name, stored and redrawn; a blank one refused on the name field."""
    name = selected(view, ThemesView.NAME_BLOCK) or ""
    try:
        _change_and_redraw(ack, deps, actor, metadata, change, name=name, **which)
    except InvalidInput as exc:  # the service names its field; Slack wants the block that holds it
        ack(response_action="errors", errors={ThemesView.NAME_BLOCK: exc.fields["name"]})


def submit_merge(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    metadata = ThemesMetadata.loads(view.get("private_metadata"))
    _merge_into(ack, view, actor, deps, metadata, merge, "theme", source_id=metadata.theme_id or 0)


def _merge_into(
    ack: Ack,
    view: dict[str, Any],
    actor: Actor,
    deps: Deps,
    metadata: ThemesMetadata,
    change: Callable[..., object],
    what: str,
    *,
    source_id: int,
) -> None:
    """A theme or a topic (`what`) merged into the one picked, or the pick asked for on its field."""
    target_id = id_number(selected(view, ThemesView.TARGET_BLOCK) or "")
    if target_id is None:
        ack(response_action="errors", errors={ThemesView.TARGET_BLOCK: f"Pick the {what} to merge into."})
        return
    _change_and_redraw(ack, deps, actor, metadata, change, source_id=source_id, target_id=target_id)


def submit_move(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    metadata = ThemesMetadata.loads(view.get("private_metadata"))
    choice = selected(view, ThemesView.TARGET_BLOCK) or ""
    to: int | str | None
    if choice == NEW_THEME:
        to = NEW_THEME
    elif choice == OUT_OF_THEMES:
        to = None
    elif (chosen := id_number(choice)) is not None:
        to = chosen
    else:
        ack(response_action="errors", errors={ThemesView.TARGET_BLOCK: "Pick where the line goes."})
        return
    kind, line_id = metadata.theme_kind, metadata.line_id or 0
    _change_and_redraw(ack, deps, actor, metadata, move, kind=kind, line_id=line_id, to=to)


def submit_topic_rename(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    metadata = ThemesMetadata.loads(view.get("private_metadata"))
    _rename(ack, view, actor, deps, metadata, rename_topic, topic_id=metadata.topic_id or 0)


def submit_topic_merge(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    metadata = ThemesMetadata.loads(view.get("private_metadata"))
    _merge_into(ack, view, actor, deps, metadata, merge_topics, "topic", source_id=metadata.topic_id or 0)


def submit_topic_move(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    metadata = ThemesMetadata.loads(view.get("private_metadata"))
    choice = selected(view, ThemesView.TARGET_BLOCK) or ""
    to: int | str | None = NEW_TOPIC if choice == NEW_TOPIC else id_number(choice)
    if to is None:
        ack(response_action="errors", errors={ThemesView.TARGET_BLOCK: "Pick where the theme goes."})
        return
    themes = [metadata.theme_id or 0]
    _change_and_redraw(ack, deps, actor, metadata, move_to_topic, theme_ids=themes, to=to)


STATUS_FIELDS = {
    "status": ThemesView.STATUS_BLOCK,
    "note": ThemesView.NOTE_BLOCK,
    "link": ThemesView.LINK_BLOCK,
}


def submit_status(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.THEMES)
    metadata = ThemesMetadata.loads(view.get("private_metadata"))
    note, link = selected(view, ThemesView.NOTE_BLOCK), selected(view, ThemesView.LINK_BLOCK)
    try:
        status = parse_status(selected(view, ThemesView.STATUS_BLOCK))
        tell = selected(view, ThemesView.TELL_BLOCK) == ThemesView.TELL
        fields = {"theme_id": metadata.theme_id or 0, "status": status, "note": note, "link": link}
        _change_and_redraw(ack, deps, actor, metadata, set_status, tell_wont_do=tell, **fields)
    except InvalidInput as exc:  # the service names its field; Slack wants the block that holds it
        ack(response_action="errors", errors={STATUS_FIELDS[k]: v for k, v in exc.fields.items()})
