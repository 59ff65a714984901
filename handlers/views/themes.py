"""`/interview themes`: the list of themes, and the small modals that rename, merge and move.

The list is the root view; each correction is a modal pushed on top of it, and what it changed is drawn
again in the views below (their ids travel in the typed private_metadata). Pairs of themes that look
alike head the list, each with Merge and Not the same.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    Option,
    OverflowMenuElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.digest.weight import Weight
from bot.text import escape_mrkdwn
from bot.themes.lookalikes import LookAlike
from bot.themes.status import status_mark
from bot.themes.store import ThemeLine, ThemeSummary
from bot.themes.topics import TopicSummary
from handlers.views.common import (
    MODAL_MAX_BLOCKS,
    as_object,
    context,
    id_number,
    json_object,
    modal,
    mrkdwn,
    plain,
    section,
)
from storage.models import ThemeKind

# Themes shown in the list; each takes a block and the head takes a few (a modal holds 100 blocks).
THEMES_SHOWN = 90
# Look-alike pairs heading the list; each takes two blocks, and the themes shown make room for them.
LOOK_ALIKES_SHOWN = 5
# Lines shown for one theme; each takes a block.
LINES_SHOWN = 90
# A static select holds at most 100 options.
OPTIONS_MAX = 100
OPTION_TEXT_MAX = 75


class ThemesView(StrEnum):
    LIST = "themes_list"
    LINES = "themes_lines"
    RENAME = "themes_rename"
    MERGE = "themes_merge"
    MOVE = "themes_move"
    TOPIC_RENAME = "themes_topic_rename"
    TOPIC_MERGE = "themes_topic_merge"
    TOPIC_MOVE = "themes_topic_move"
    STATUS = "themes_status"
    KIND_BLOCK = "themes_kind"
    POOL_BLOCK = "themes_pool"
    LOOK_ALIKES_BLOCK = "themes_look_alikes"
    NAME_BLOCK = "themes_name"
    TARGET_BLOCK = "themes_target"
    STATUS_BLOCK = "themes_status_pick"
    NOTE_BLOCK = "themes_status_note"
    LINK_BLOCK = "themes_status_link"
    TELL_BLOCK = "themes_status_tell"
    TELL = "tell"  # the checkbox's value: ask who heard a won't-do theme to tell their customers
    VALUE = "value"


class ThemesAction(StrEnum):
    KIND = "themes_kind"
    THEME_MENU = "themes_theme_menu"
    TOPIC_MENU = "themes_topic_menu"
    SHOW_POOL = "themes_show_pool"
    MOVE_LINE = "themes_move_line"
    MERGE_LOOK_ALIKE = "themes_merge_look_alike"
    DISMISS_LOOK_ALIKE = "themes_dismiss_look_alike"


class ThemeMenu(StrEnum):
    """The verbs of a theme's overflow menu; each option's value is `verb:theme_id`."""

    LINES = "lines"
    RENAME = "rename"
    MERGE = "merge"
    TOPIC = "topic"  # move the theme to another topic, or to a new one (a split)
    STATUS = "status"  # where it stands: open, planned, in progress, shipped, won't do
    # A topic's menu (its own action): the value's id is the topic's.
    RENAME_TOPIC = "rename_topic"
    MERGE_TOPIC = "merge_topic"


OUT_OF_THEMES = "none"
NOUN = {ThemeKind.PAIN: ("pain", "pains"), ThemeKind.REQUEST: ("request", "requests")}


@dataclass(frozen=True)
class ThemesMetadata:
    """What a themes modal needs to know when it is used: which list it belongs to, and which views to
    draw again after a change."""

    kind: str = ThemeKind.PAIN.value
    theme_id: int | None = None  # the theme a lines/rename/merge modal is about (None: the pool)
    line_id: int | None = None  # the line a move modal is about
    topic_id: int | None = None  # the topic a topic rename/merge modal is about
    list_view_id: str | None = None
    lines_view_id: str | None = None

    @property
    def theme_kind(self) -> ThemeKind:
        return ThemeKind(self.kind) if self.kind in ThemeKind._value2member_map_ else ThemeKind.PAIN

    def dumps(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str | None) -> ThemesMetadata:
        data = json_object(raw)
        fields: dict[str, Any] = {}
        for name in ("kind", "list_view_id", "lines_view_id"):
            if isinstance(data.get(name), str):
                fields[name] = data[name]
        for name in ("theme_id", "line_id", "topic_id"):
            if isinstance(data.get(name), int) and id_number(data[name]) is not None:
                fields[name] = data[name]
        return cls(**fields)


def _count(n: int, kind: ThemeKind) -> str:
    one, many = NOUN[kind]
    return f"{n} {one if n == 1 else many}"


def _accounts(n: int) -> str:
    return f"{n} account" if n == 1 else f"{n} accounts"


def theme_menu_value(verb: ThemeMenu, theme_id: int) -> str:
    return f"{verb.value}:{theme_id}"


def parse_theme_menu(value: str) -> tuple[ThemeMenu, int] | None:
    verb, _, theme_id = value.partition(":")
    number = id_number(theme_id)
    if verb not in ThemeMenu._value2member_map_ or number is None:
        return None
    return ThemeMenu(verb), number


def parse_look_alike(value: str) -> tuple[int, int] | None:
    """The two theme ids a look-alike button carries (`target_id:source_id`)."""
    first, _, second = value.partition(":")
    one, other = id_number(first), id_number(second)
    return (one, other) if one is not None and other is not None else None


def _look_alike_blocks(pairs: list[LookAlike], kind: ThemeKind) -> list[Block]:
    if not pairs:
        return []
    blocks: list[Block] = [
        SectionBlock(
            block_id=ThemesView.LOOK_ALIKES_BLOCK,
            text=mrkdwn(
                "*These look alike.* Merge puts the smaller theme into the larger; either way, "
                "you will not be asked about the pair again."
            ),
        )
    ]
    merge, apart = ThemesAction.MERGE_LOOK_ALIKE, ThemesAction.DISMISS_LOOK_ALIKE
    for pair in pairs[:LOOK_ALIKES_SHOWN]:
        text = (
            f"*{escape_mrkdwn(pair.target_name)}* ({_count(pair.target_lines, kind)}) and "
            f"*{escape_mrkdwn(pair.source_name)}* ({_count(pair.source_lines, kind)})"
        )
        value = f"{pair.target_id}:{pair.source_id}"
        buttons = [
            ButtonElement(action_id=merge, text=plain("Merge"), value=value, style="primary"),
            ButtonElement(action_id=apart, text=plain("Not the same"), value=value),
        ]
        blocks += [
            section(text),
            ActionsBlock(elements=buttons),
        ]
    return [*blocks, DividerBlock()]


def themes_list(
    *,
    kind: ThemeKind,
    themes: list[ThemeSummary],
    pool: int,
    total: int,
    metadata: ThemesMetadata,
    look_alikes: list[LookAlike] | None = None,
    topics: list[TopicSummary] | None = None,
    weights: dict[int, Weight] | None = None,
) -> View:
    """The root view: pairs of themes that look alike, then the tree: topics ranked by how many distinct
    accounts raised their themes, each with its menu and its themes under it (ranked the same way, each
    with its menu and, from `weights`, its accounts' ARR and segments); themes not in a topic yet last."""
    blocks: list[Block] = [
        ActionsBlock(
            block_id=ThemesView.KIND_BLOCK,
            elements=[
                StaticSelectElement(
                    action_id=ThemesAction.KIND,
                    options=[_kind_option(k) for k in ThemeKind],
                    initial_option=_kind_option(kind),
                )
            ],
        )
    ]
    if not themes and not pool:
        blocks.append(
            SectionBlock(
                text=mrkdwn(
                    f"No {NOUN[kind][1]} grouped yet. Themes form as interviews are logged: "
                    f"when two or more {NOUN[kind][1]} say the same thing in different words."
                )
            )
        )
    else:
        head = _look_alike_blocks(look_alikes or [], kind)
        tail: list[Block] = []
        if pool:
            tail = [
                DividerBlock(),
                SectionBlock(
                    block_id=ThemesView.POOL_BLOCK,
                    text=mrkdwn(
                        f"*Not in a theme yet:* {_count(pool, kind)}. They wait until others say the same."
                    ),
                    accessory=ButtonElement(
                        action_id=ThemesAction.SHOW_POOL, text=plain("Show"), value="pool"
                    ),
                ),
            ]
        # What the head, the summary line and the pool leave of the modal's 100 blocks.
        room = MODAL_MAX_BLOCKS - len(blocks) - len(head) - 1 - len(tail)
        tree, shown = _tree(themes[:THEMES_SHOWN], topics or [], room, weights or {})
        summary = f"{total} theme{'' if total == 1 else 's'}"
        if topics:
            summary += f" in {len(topics)} topic{'' if len(topics) == 1 else 's'}"
        summary += ", raised by the most accounts first."
        if total > shown:
            summary += f" Showing the first {shown}."
        blocks += [*head, context(summary), *tree, *tail]
    return modal(
        callback_id=ThemesView.LIST,
        title="Themes",
        submit=None,
        close="Done",
        blocks=blocks[:MODAL_MAX_BLOCKS],
        private_metadata=metadata.dumps(),
    )


def _tree(
    themes: list[ThemeSummary], topics: list[TopicSummary], room: int, weights: dict[int, Weight]
) -> tuple[list[Block], int]:
    """Topics with their themes under them, within `room` blocks; and how many themes that shows."""
    by_id = {t.id: t for t in themes}
    blocks: list[Block] = []
    shown: set[int] = set()
    for topic in topics:
        members = [by_id[t] for t in topic.themes if t in by_id]
        if not members or len(blocks) + 2 > room:
            continue
        blocks.append(_topic_section(topic))
        for theme in members[: room - len(blocks)]:
            blocks.append(_theme_section(theme, weights.get(theme.id), indent=True))
            shown.add(theme.id)
    loose = [t for t in themes if t.id not in shown and not any(t.id in topic.themes for topic in topics)]
    if loose and len(blocks) + 2 <= room and topics:
        blocks.append(context("*Not in a topic yet*"))
    for theme in loose[: max(room - len(blocks), 0)]:
        blocks.append(_theme_section(theme, weights.get(theme.id)))
        shown.add(theme.id)
    return blocks, len(shown)


def _topic_section(topic: TopicSummary) -> SectionBlock:
    renamed = " ✎" if topic.named_by else ""
    counts = (
        f"{len(topic.themes)} theme{'' if len(topic.themes) == 1 else 's'} from {_accounts(topic.accounts)}"
    )
    return section(
        f"*{escape_mrkdwn(topic.name)}*{renamed} · {counts}",
        accessory=OverflowMenuElement(
            action_id=ThemesAction.TOPIC_MENU,
            options=[
                Option(value=theme_menu_value(ThemeMenu.RENAME_TOPIC, topic.id), text="Rename the topic"),
                Option(
                    value=theme_menu_value(ThemeMenu.MERGE_TOPIC, topic.id), text="Merge into another topic…"
                ),
            ],
        ),
    )


def _kind_option(kind: ThemeKind) -> Option:
    return Option(value=kind.value, text="Pains" if kind is ThemeKind.PAIN else "Requests")


def _theme_section(theme: ThemeSummary, weight: Weight | None, *, indent: bool = False) -> SectionBlock:
    renamed = " ✎" if theme.named_by else ""
    counts = f"{_count(theme.lines, theme.kind)} from {_accounts(theme.accounts)}"
    if words := weight.words() if weight is not None else None:
        # "3 pains · 2 accounts · $420k ARR · Enterprise 2", as the digest weighs a theme (segments typed).
        counts = f"{_count(theme.lines, theme.kind)} · {escape_mrkdwn(words)}"
    head = f"{'› ' if indent else ''}*{escape_mrkdwn(theme.name)}*{renamed}{status_mark(theme.status)}"
    line = f"{head}\n{counts}"
    return section(
        line,
        accessory=OverflowMenuElement(
            action_id=ThemesAction.THEME_MENU,
            options=[
                Option(
                    value=theme_menu_value(ThemeMenu.LINES, theme.id), text=f"Show its {NOUN[theme.kind][1]}"
                ),
                Option(value=theme_menu_value(ThemeMenu.RENAME, theme.id), text="Rename"),
                Option(value=theme_menu_value(ThemeMenu.MERGE, theme.id), text="Merge into another…"),
                Option(value=theme_menu_value(ThemeMenu.TOPIC, theme.id), text="Move to another topic…"),
                Option(value=theme_menu_value(ThemeMenu.STATUS, theme.id), text="Set status…"),
            ],
        ),
    )


def theme_lines_view(
    *, kind: ThemeKind, title: str, lines: list[ThemeLine], total: int, metadata: ThemesMetadata
) -> View:
    """One theme's lines (or the pool's), each with a button to move it."""
    blocks: list[Block] = [
        context(
            f"*{escape_mrkdwn(title)}*: {_count(total, kind)}"
            + (f", the latest {len(lines)} shown" if total > len(lines) else "")
            + ". Move one to regroup it by hand: the engine will leave it there."
        )
    ]
    for line in lines[:LINES_SHOWN]:
        by_hand = " · placed by hand" if line.placed_by else ""
        text = f"{escape_mrkdwn(line.text)}\n_{escape_mrkdwn(line.account)}, {line.held_on}{by_hand}_"
        move = ButtonElement(action_id=ThemesAction.MOVE_LINE, text=plain("Move…"), value=str(line.id))
        blocks.append(section(text, accessory=move))
    return modal(
        callback_id=ThemesView.LINES,
        title=title,
        submit=None,
        close="Back",
        blocks=blocks[:MODAL_MAX_BLOCKS],
        private_metadata=metadata.dumps(),
    )


def selected(view: dict[str, Any], block_id: str) -> str | None:
    """The value a submitted themes modal carries in `block_id`: a select's choice, a ticked box or a text."""
    values = as_object(as_object(view.get("state")).get("values"))
    state = as_object(as_object(values.get(block_id)).get(ThemesView.VALUE))
    option = state.get("selected_option")
    if isinstance(option, dict):
        return str(option.get("value") or "") or None
    ticked = state.get("selected_options")
    if isinstance(ticked, list):  # checkboxes: the first ticked value (each such box has one)
        return next((str(o.get("value")) for o in ticked if isinstance(o, dict) and o.get("value")), None)
    value = state.get("value")
    return str(value) if value else None
