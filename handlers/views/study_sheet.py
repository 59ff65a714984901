"""A study as Slack can show it: its goal and progress, then one section per validation point (its tally,
⚠️ where accounts disagree, a note where too few have spoken to it) with the accounts' evidence, newest
first, cut with a visible "and N more" to stay within Slack's limits; and the summary a closed study
posts to its channel. Slack cannot draw the accounts × points table: the sheet's picture and its CSV
(handlers' outputs of the sheet) carry it whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock
from slack_sdk.models.views import View

from bot.studies.sheet import MARKS, Point, Said, Sheet
from bot.studies.store import StudyProgress
from bot.text import counted, escape_mrkdwn, fallback_text, plural, truncate
from handlers.views.common import (
    MESSAGE_MAX_BLOCKS,
    MODAL_MAX_BLOCKS,
    SECTION_MAX_CHARS,
    channel_mention,
    context,
    header,
    labelled_sections,
    modal,
    plain,
    section,
)
from handlers.views.studies import (
    StudyAction,
    StudyMetadata,
    StudyView,
    progress_line,
    reopen_button,
)
from storage.models import Answer, StudyState

EVIDENCE_SHOWN = 10  # of each point's answers, newest first; the sheet's CSV has them all
EVIDENCE_CHARS = 280  # of one answer's words, in the view
# What a point's evidence may take of its section, leaving room for the "and N more" line.
EVIDENCE_ROOM = SECTION_MAX_CHARS - 100
NOT_DISCUSSED_MARK = "–"
DISAGREE = "⚠️ accounts disagree"
ANSWER_WORDS = {
    Answer.SUPPORTS: "supports",
    Answer.CONTRADICTS: "contradicts",
    Answer.MIXED: "mixed",
    Answer.NOT_DISCUSSED: "not discussed",
}


@dataclass(frozen=True)
class StudyPage:
    """What the study's view shows: its progress and its sheet (a closed study's: as frozen)."""

    progress: StudyProgress
    sheet: Sheet
    target_accounts: str | None = None
    channel_id: str | None = None


def thin_note(point: Point) -> str:
    """ "thin: only 1 account has spoken to it"."""
    return f"thin: only {counted(point.spoken, 'account')} {plural(point.spoken, 'has')} spoken to it"


def point_head(number: int, point: Point) -> str:
    """The point, its tally, and its flags: the line a view and a summary share."""
    lines = [f"*{number}. {escape_mrkdwn(point.text)}*", escape_mrkdwn(point.tally())]
    flags = ([DISAGREE] if point.disagree else []) + ([f"_{thin_note(point)}_"] if point.thin else [])
    if flags:
        lines.append(" · ".join(flags))
    return "\n".join(lines)


def evidence_line(said: Said) -> str:
    """ "✓ *Acme* · 2026-11-02 · supports: “their words”", the words escaped."""
    mark = MARKS.get(said.answer) or NOT_DISCUSSED_MARK
    line = (
        f"{mark} *{escape_mrkdwn(said.account)}* · {said.held_on.isoformat()} · {ANSWER_WORDS[said.answer]}"
    )
    if said.evidence:
        line += f": “{escape_mrkdwn(truncate(said.evidence, EVIDENCE_CHARS, '…'))}”"
    return line


def evidence_text(evidence: Sequence[Said]) -> str:
    """The point's evidence, newest first, within a section; what is left out is counted, visibly."""
    if not evidence:
        return "_No interview has answered it yet._"
    lines: list[str] = []
    used = 0
    for said in evidence[:EVIDENCE_SHOWN]:
        line = evidence_line(said)
        if used + len(line) + 1 > EVIDENCE_ROOM:
            break
        lines.append(line)
        used += len(line) + 1
    if len(lines) < len(evidence):
        lines.append(f"_…and {len(evidence) - len(lines)} more in the full sheet_")
    return "\n".join(lines)


def _facts(page: StudyPage, today: date) -> str:
    facts = [progress_line(page.progress, today)]
    if page.target_accounts:
        facts.append(f"target: {escape_mrkdwn(page.target_accounts)}")
    if page.channel_id:
        facts.append(f"updates in {channel_mention(page.channel_id)}")
    if page.progress.state is StudyState.CLOSED:
        facts.append("closed: its sheet is frozen as it was")
    return " · ".join(facts)


def send_sheet_button(study_id: int) -> ButtonElement:
    return ButtonElement(
        text=plain("Send me the sheet"), action_id=StudyAction.SEND_SHEET, value=str(study_id)
    )


def sheet_sent_note(name: str) -> str:
    """What the DM says above the files."""
    return f"The sheet of the study “{escape_mrkdwn(name)}”: every account's answers, as a CSV and a picture."


def study_view(
    page: StudyPage,
    *,
    today: date,
    may_change: bool,
    metadata: StudyMetadata,
    outputs: Sequence[ButtonElement] = (),
) -> View:
    """The study: goal, progress, conclusion when closed, then each point with its tally and evidence.
    Edit and Close (or Reopen) only for those who may, checked again on the click. `outputs`: the
    buttons that hand over the whole sheet (its CSV), beside them."""
    study, sheet = page.progress, page.sheet
    blocks: list[Block] = [
        header(study.name),
        *labelled_sections("Goal", study.goal),
        context(_facts(page, today)),
    ]
    if study.state is StudyState.CLOSED and study.conclusion:
        blocks += labelled_sections("Conclusion", study.conclusion)
    buttons: list[ButtonElement] = []
    if may_change and study.state is StudyState.OPEN:
        buttons += [
            ButtonElement(text=plain("Edit"), action_id=StudyAction.EDIT, value=str(study.study_id)),
            ButtonElement(text=plain("Close"), action_id=StudyAction.CLOSE, value=str(study.study_id)),
        ]
    elif may_change:
        buttons.append(reopen_button(study))
    buttons += list(outputs)
    if buttons:
        blocks.append(ActionsBlock(block_id="study_actions", elements=buttons))
    blocks.append(DividerBlock())
    # Each point takes two blocks; what the head took leaves room for all twelve, and the cut says so.
    room = MODAL_MAX_BLOCKS - len(blocks) - 1
    for number, point in enumerate(sheet.points, 1):
        if room < 2:
            blocks.append(context(f"and {len(sheet.points) - number + 1} more points in the full sheet"))
            break
        blocks += [section(point_head(number, point)), section(evidence_text(point.evidence))]
        room -= 2
    return modal(
        callback_id=StudyView.SHEET,
        title="Study",
        blocks=blocks,
        submit=None,
        close="Done",
        private_metadata=metadata.dumps(),
    )


def summary_message(sheet: Sheet, conclusion: str) -> tuple[str, list[Block]]:
    """What a study's channel is told when it closes: the goal, each point's tally, the conclusion, and how
    to see the whole sheet. Its notification text, and its blocks (at most 12 points: far within a
    message's 50 blocks)."""
    blocks: list[Block] = [
        header(f"Study closed: {sheet.name}"),
        *labelled_sections("Goal", sheet.goal),
        context(f"{counted(sheet.interviews, 'interview')} with {counted(len(sheet.rows), 'account')}"),
    ]
    blocks += [section(point_head(n, p)) for n, p in enumerate(sheet.points, 1)]
    blocks += labelled_sections("Conclusion", conclusion)
    blocks.append(context(f"Every account's answers: `/interview study {escape_mrkdwn(sheet.name)}`"))
    text = fallback_text(f"The study “{sheet.name}” is closed. {first_words(conclusion)}")
    return text, blocks[:MESSAGE_MAX_BLOCKS]


def first_words(text: str, limit: int = 200) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return truncate(line, limit, "…")
