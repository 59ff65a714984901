"""The small modals of `/interview themes`, pushed on top of the list: rename, merge and move, for themes
and for topics (a theme moved to a new topic of its own is a split)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UrlInputElement,
)
from slack_sdk.models.views import View

from bot.text import escape_mrkdwn, truncate
from bot.themes.corrections import NEW_THEME, NEW_TOPIC
from bot.themes.status import LABEL, LINK_MAX, NOTE_MAX
from bot.themes.store import THEME_NAME_MAX, ThemeSummary
from bot.themes.topics import TopicSummary
from handlers.views.common import context, modal, plain, section
from handlers.views.themes import (
    NOUN,
    OPTION_TEXT_MAX,
    OPTIONS_MAX,
    OUT_OF_THEMES,
    ThemesMetadata,
    ThemesView,
)
from storage.models import Theme, ThemeStatus


def rename_modal(*, current: str, metadata: ThemesMetadata, topic: bool = False) -> View:
    what = "topic" if topic else "theme"
    return modal(
        callback_id=ThemesView.TOPIC_RENAME if topic else ThemesView.RENAME,
        title=f"Rename the {what}",
        submit="Rename",
        private_metadata=metadata.dumps(),
        blocks=[
            InputBlock(
                block_id=ThemesView.NAME_BLOCK,
                label=plain("Name"),
                hint=plain(f"Kept as you write it: regrouping never renames a {what} a person named.", 2000),
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


def _merge(
    *, callback_id: str, what: str, intro: str, options: list[Option], metadata: ThemesMetadata
) -> View:
    """A merge modal: what joins what, and the select of the `what` (theme or topic) to merge into."""
    blocks: list[Block] = [section(intro)]
    if options:
        blocks.append(
            InputBlock(
                block_id=ThemesView.TARGET_BLOCK,
                label=plain("Merge into"),
                element=StaticSelectElement(action_id=ThemesView.VALUE, options=options),
            )
        )
    else:
        blocks.append(context(f"There is no other {what} to merge it into yet."))
    return modal(
        callback_id=callback_id,
        title=f"Merge {what}s",
        submit="Merge" if options else None,
        blocks=blocks,
        private_metadata=metadata.dumps(),
    )


def _status_kept(source: ThemeSummary) -> str:
    """What a merge does to the status: the theme kept takes the more advanced of the two."""
    if source.status is ThemeStatus.OPEN:
        return " The theme you pick keeps its status."
    label = LABEL[source.status].lower()
    return f" This one is *{label}*: the theme you pick becomes {label} too, unless it is further on."


def merge_modal(*, source: ThemeSummary, others: list[ThemeSummary], metadata: ThemesMetadata) -> View:
    return _merge(
        callback_id=ThemesView.MERGE,
        what="theme",
        intro=f"Every {NOUN[source.kind][0]} of *{escape_mrkdwn(source.name)}* joins the theme you pick, "
        "and stays there whatever the regrouping does." + _status_kept(source),
        options=_theme_options(others, leave_out=source.id)[:OPTIONS_MAX],
        metadata=metadata,
    )


def _move(*, callback_id: str, what: str, head: str, options: list[Option], metadata: ThemesMetadata) -> View:
    """A move modal: what moves, and the select of where it goes (a `what`: theme or topic)."""
    return modal(
        callback_id=callback_id,
        title=f"Move to a {what}",
        submit="Move",
        private_metadata=metadata.dumps(),
        blocks=[
            section(head),
            InputBlock(
                block_id=ThemesView.TARGET_BLOCK,
                label=plain("Move it to"),
                element=StaticSelectElement(action_id=ThemesView.VALUE, options=options),
            ),
        ],
    )


def move_modal(
    *, line: str, current: int | None, themes: list[ThemeSummary], metadata: ThemesMetadata
) -> View:
    special = [Option(value=NEW_THEME, text="A new theme of its own")]
    if current is not None:
        special.append(Option(value=OUT_OF_THEMES, text="Out of any theme"))
    options = special + _theme_options(themes, leave_out=current)[: OPTIONS_MAX - len(special)]
    return _move(
        callback_id=ThemesView.MOVE,
        what="theme",
        head=f"“{escape_mrkdwn(line)}”",
        options=options,
        metadata=metadata,
    )


def _topic_options(topics: list[TopicSummary], *, leave_out: int | None) -> list[Option]:
    return [
        Option(value=str(t.id), text=truncate(f"{t.name} ({len(t.themes)})", OPTION_TEXT_MAX, "…"))
        for t in topics
        if t.id != leave_out
    ]


def topic_merge_modal(*, source: TopicSummary, others: list[TopicSummary], metadata: ThemesMetadata) -> View:
    return _merge(
        callback_id=ThemesView.TOPIC_MERGE,
        what="topic",
        intro=f"Every theme of *{escape_mrkdwn(source.name)}* joins the topic you pick, and stays there "
        "whatever the regrouping does.",
        options=_topic_options(others, leave_out=source.id)[:OPTIONS_MAX],
        metadata=metadata,
    )


def topic_move_modal(
    *, theme: str, current: int | None, topics: list[TopicSummary], metadata: ThemesMetadata
) -> View:
    """Where a theme goes: another topic, or a new topic of its own (a split of its topic)."""
    special = [Option(value=NEW_TOPIC, text="A new topic of its own")]
    options = special + _topic_options(topics, leave_out=current)[: OPTIONS_MAX - len(special)]
    head = f"*{escape_mrkdwn(theme)}*: it stays in the topic you pick whatever the regrouping does."
    return _move(
        callback_id=ThemesView.TOPIC_MOVE, what="topic", head=head, options=options, metadata=metadata
    )


def _status_option(status: ThemeStatus) -> Option:
    return Option(value=status.value, text=LABEL[status])


def status_modal(*, theme: Theme, metadata: ThemesMetadata) -> View:
    """Where a theme stands (open, planned, in progress, shipped, won't do), with a note and a link: what
    was decided, the release note or the issue. Its current ones are filled in."""
    note = PlainTextInputElement(action_id=ThemesView.VALUE, max_length=NOTE_MAX)
    if theme.status_note:
        note.initial_value = truncate(theme.status_note, NOTE_MAX, "")
    link = UrlInputElement(action_id=ThemesView.VALUE)
    if theme.status_link:
        link.initial_value = theme.status_link[:LINK_MAX]
    return modal(
        callback_id=ThemesView.STATUS,
        title="Set the status",
        submit="Save",
        private_metadata=metadata.dumps(),
        blocks=[
            section(f"*{escape_mrkdwn(theme.name)}*"),
            InputBlock(
                block_id=ThemesView.STATUS_BLOCK,
                label=plain("Status"),
                element=StaticSelectElement(
                    action_id=ThemesView.VALUE,
                    options=[_status_option(s) for s in LABEL],
                    initial_option=_status_option(theme.status),
                ),
            ),
            InputBlock(block_id=ThemesView.NOTE_BLOCK, label=plain("Note"), optional=True, element=note),
            InputBlock(
                block_id=ThemesView.LINK_BLOCK,
                label=plain("Link"),
                hint=plain("A release note or an issue, for instance.", 2000),
                optional=True,
                element=link,
            ),
            InputBlock(
                block_id=ThemesView.TELL_BLOCK,
                label=plain("Tell the customers"),
                hint=plain(
                    "Shipped always asks everyone who heard it to tell their customers, with a note to "
                    "send. For won't do, tick this to ask the same.",
                    2000,
                ),
                optional=True,
                element=CheckboxesElement(
                    action_id=ThemesView.VALUE,
                    options=[
                        Option(
                            value=ThemesView.TELL, text="Also for won't do: ask them to tell their customers"
                        )
                    ],
                ),
            ),
        ],
    )
