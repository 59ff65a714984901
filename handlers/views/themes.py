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
    InputBlock,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.text import escape_mrkdwn, truncate
from bot.themes.corrections import NEW_THEME
from bot.themes.lookalikes import LookAlike
from bot.themes.store import THEME_NAME_MAX, ThemeLine, ThemeSummary
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
    KIND_BLOCK = "themes_kind"
    POOL_BLOCK = "themes_pool"
    LOOK_ALIKES_BLOCK = "themes_look_alikes"
    NAME_BLOCK = "themes_name"
    TARGET_BLOCK = "themes_target"
    VALUE = "value"


class ThemesAction(StrEnum):
    KIND = "themes_kind"
    THEME_MENU = "themes_theme_menu"
    SHOW_POOL = "themes_show_pool"
    MOVE_LINE = "themes_move_line"
    MERGE_LOOK_ALIKE = "themes_merge_look_alike"
    DISMISS_LOOK_ALIKE = "themes_dismiss_look_alike"


class ThemeMenu(StrEnum):
    """The verbs of a theme's overflow menu; each option's value is `verb:theme_id`."""

    LINES = "lines"
    RENAME = "rename"
    MERGE = "merge"


OUT_OF_THEMES = "none"
_NOUN = {ThemeKind.PAIN: ("pain", "pains"), ThemeKind.REQUEST: ("request", "requests")}


@dataclass(frozen=True)
class ThemesMetadata:
    """What a themes modal needs to know when it is used: which list it belongs to, and which views to
    draw again after a change."""

    kind: str = ThemeKind.PAIN.value
    theme_id: int | None = None  # the theme a lines/rename/merge modal is about (None: the pool)
    line_id: int | None = None  # the line a move modal is about
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
        for name in ("theme_id", "line_id"):
            if isinstance(data.get(name), int) and id_number(data[name]) is not None:
                fields[name] = data[name]
        return cls(**fields)


def _count(n: int, kind: ThemeKind) -> str:
    one, many = _NOUN[kind]
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
) -> View:
    """The root view: pairs of themes that look alike, then themes ranked by how many accounts raised
    them, each with its menu."""
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
                    f"No {_NOUN[kind][1]} grouped yet. Themes form as interviews are logged: "
                    f"when two or more {_NOUN[kind][1]} say the same thing in different words."
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
        shown = themes[: min(THEMES_SHOWN, room)]
        summary = f"{total} theme{'' if total == 1 else 's'}, raised by the most accounts first."
        if total > len(shown):
            summary += f" Showing the first {len(shown)}."
        blocks += [*head, context(summary)]
        blocks += [_theme_section(theme) for theme in shown]
        blocks += tail
    return modal(
        callback_id=ThemesView.LIST,
        title="Themes",
        submit=None,
        close="Done",
        blocks=blocks[:MODAL_MAX_BLOCKS],
        private_metadata=metadata.dumps(),
    )


def _kind_option(kind: ThemeKind) -> Option:
    return Option(value=kind.value, text="Pains" if kind is ThemeKind.PAIN else "Requests")


def _theme_section(theme: ThemeSummary) -> SectionBlock:
    renamed = " ✎" if theme.named_by else ""
    counts = f"{_count(theme.lines, theme.kind)} from {_accounts(theme.accounts)}"
    line = f"*{escape_mrkdwn(theme.name)}*{renamed}\n{counts}"
    return section(
        line,
        accessory=OverflowMenuElement(
            action_id=ThemesAction.THEME_MENU,
            options=[
                Option(
                    value=theme_menu_value(ThemeMenu.LINES, theme.id), text=f"Show its {_NOUN[theme.kind][1]}"
                ),
                Option(value=theme_menu_value(ThemeMenu.RENAME, theme.id), text="Rename"),
                Option(value=theme_menu_value(ThemeMenu.MERGE, theme.id), text="Merge into another…"),
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


def rename_modal(*, current: str, metadata: ThemesMetadata) -> View:
    return modal(
        callback_id=ThemesView.RENAME,
        title="Rename the theme",
        submit="Rename",
        private_metadata=metadata.dumps(),
        blocks=[
            InputBlock(
                block_id=ThemesView.NAME_BLOCK,
                label=plain("Name"),
                hint=plain("Kept as you write it: regrouping never renames a theme a person named.", 2000),
                element=PlainTextInputElement(
                    action_id=ThemesView.VALUE,
                    initial_value=truncate(current, THEME_NAME_MAX, ""),
                    max_length=THEME_NAME_MAX,
                ),
            )
        ],
    )


def _theme_options(themes: list[ThemeSummary], *, leave_out: int | None) -> list[Option]:
    return [
        Option(value=str(t.id), text=truncate(f"{t.name} ({t.lines})", OPTION_TEXT_MAX, "…"))
        for t in themes
        if t.id != leave_out
    ]


def merge_modal(*, source: ThemeSummary, others: list[ThemeSummary], metadata: ThemesMetadata) -> View:
    options = _theme_options(others, leave_out=source.id)[:OPTIONS_MAX]
    blocks: list[Block] = [
        SectionBlock(
            text=mrkdwn(
                f"Every {_NOUN[source.kind][0]} of *{escape_mrkdwn(source.name)}* joins the theme you pick, "
                "and stays there whatever the regrouping does."
            )
        )
    ]
    if options:
        blocks.append(
            InputBlock(
                block_id=ThemesView.TARGET_BLOCK,
                label=plain("Merge into"),
                element=StaticSelectElement(action_id=ThemesView.VALUE, options=options),
            )
        )
    else:
        blocks.append(context("There is no other theme to merge it into yet."))
    return modal(
        callback_id=ThemesView.MERGE,
        title="Merge themes",
        submit="Merge" if options else None,
        blocks=blocks,
        private_metadata=metadata.dumps(),
    )


def move_modal(
    *, line: str, current: int | None, themes: list[ThemeSummary], metadata: ThemesMetadata
) -> View:
    special = [Option(value=NEW_THEME, text="A new theme of its own")]
    if current is not None:
        special.append(Option(value=OUT_OF_THEMES, text="Out of any theme"))
    options = special + _theme_options(themes, leave_out=current)[: OPTIONS_MAX - len(special)]
    return modal(
        callback_id=ThemesView.MOVE,
        title="Move to a theme",
        submit="Move",
        private_metadata=metadata.dumps(),
        blocks=[
            section(f"“{escape_mrkdwn(line)}”"),
            InputBlock(
                block_id=ThemesView.TARGET_BLOCK,
                label=plain("Move it to"),
                element=StaticSelectElement(action_id=ThemesView.VALUE, options=options),
            ),
        ],
    )


def selected(view: dict[str, Any], block_id: str) -> str | None:
    """The value a submitted themes modal carries in `block_id`: a select's choice or a text."""
    values = as_object(as_object(view.get("state")).get("values"))
    state = as_object(as_object(values.get(block_id)).get(ThemesView.VALUE))
    option = state.get("selected_option")
    if isinstance(option, dict):
        return str(option.get("value") or "") or None
    value = state.get("value")
    return str(value) if value else None
