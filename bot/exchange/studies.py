"""The sheet's two study columns, out and back in: `study` (the name of the study an interview was logged
into, empty for none) and `study answers` (one line per point it answered, `point: answer: evidence`, in
the study's order).

All the answers share one column rather than a column per point: a workspace runs several studies, each
with its own points, so columns per point would change with every study (and with every edit of one),
one file would hold columns that mean nothing for most of its rows, and --map could not name them ahead.
One column keeps the sheet's columns the same for every workspace, and reads like `pains`, a line each.

Only live points are written: a retired point is no longer the study's, and the sheet leaves it out too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot.studies.answers import EVIDENCE_LENGTH, PointReply
from bot.studies.store import find_study, live_points, name_key
from bot.text import clean_text
from storage.models import Answer, PointAnswer, Study, StudyInterview, StudyState, ValidationPoint

ANSWER_WORDS = {
    Answer.SUPPORTS: "supports",
    Answer.CONTRADICTS: "contradicts",
    Answer.MIXED: "mixed",
    Answer.NOT_DISCUSSED: "not discussed",
}
_ANSWERS = {word: answer for answer, word in ANSWER_WORDS.items()} | {"not_discussed": Answer.NOT_DISCUSSED}
# "point: answer" or "point: answer: evidence"; the point is the shortest start that is followed by an
# answer word (a point with ": supports" inside its own words is found by the study's points instead).
_LINE = re.compile(
    r"^(?P<point>.+?):\s*(?P<answer>supports|contradicts|mixed|not[ _]discussed)\s*"
    r"(?::\s*(?P<evidence>.*))?$",
    re.IGNORECASE,
)
EXAMPLE = "“point: supports: what they said” (supports, contradicts, mixed or not discussed)"
FIX_UNKNOWN = "create the study first: /interview study new, or leave the column empty"
POINTS_SHOWN = 600  # characters of a study's points named in a refusal


def answer_line(point: str, answer: Answer, evidence: str | None) -> str:
    line = f"{point}: {ANSWER_WORDS[answer]}"
    return f"{line}: {evidence}" if evidence else line


def study_cells(
    *, session: Session, team_id: str, interview_ids: Sequence[int]
) -> dict[int, tuple[str, str]]:
    """The `study` and `study answers` cells of each of these interviews that is in a study (before
    defusing): two queries for a batch of the export, never one per row."""
    ids = list(interview_ids)
    if not ids:
        return {}
    names = dict(
        session.execute(
            select(StudyInterview.interview_id, Study.name)
            .join(Study, Study.id == StudyInterview.study_id)
            .where(StudyInterview.team_id == team_id, StudyInterview.interview_id.in_(ids))
        ).all()
    )
    lines: dict[int, list[str]] = {}
    answers = session.execute(
        select(PointAnswer.interview_id, ValidationPoint.text, PointAnswer.answer, PointAnswer.evidence)
        .join(ValidationPoint, ValidationPoint.id == PointAnswer.point_id)
        .join(
            StudyInterview,
            and_(
                StudyInterview.interview_id == PointAnswer.interview_id,
                StudyInterview.study_id == ValidationPoint.study_id,
            ),
        )
        .where(
            PointAnswer.team_id == team_id,
            PointAnswer.interview_id.in_(ids),
            ValidationPoint.retired_at.is_(None),
        )
        .order_by(PointAnswer.interview_id, ValidationPoint.position)
    )
    for interview_id, text, answer, evidence in answers:
        lines.setdefault(interview_id, []).append(answer_line(text, answer, evidence))
    return {i: (name, "\n".join(lines.get(i, []))) for i, name in names.items()}


def check_answer_lines(cell: str, *, study: str) -> list[str]:
    """The `study answers` cell's lines, each like `point: answer[: evidence]`; raises ValueError saying
    what is wrong, in the column's name (which points are the study's is for `resolve`)."""
    # Control characters dropped, as logging drops them: nothing read can reach a terminal line as such.
    lines = [" ".join(clean_text(line).split()) for line in cell.splitlines() if clean_text(line)]
    if lines and not study:
        raise ValueError("study answers: name the study they answer in the study column, or empty the cell")
    for line in lines:
        if not _LINE.match(line):
            raise ValueError(f"study answers: “{line[:80]}” is not like {EXAMPLE}")
    return lines


@dataclass(frozen=True)
class Resolved:
    study_id: int
    replies: tuple[PointReply, ...]


def resolve_all(
    *, session: Session | None, team_id: str, asked: Sequence[tuple[str, Sequence[str]]]
) -> list[Resolved | str]:
    """Each (study name, answer lines) of the rows as this workspace holds them, or what to fix, in the
    column's words: a study it has not (`session` None: no database yet, so none), a closed one, a point
    that is not one of the study's live points, a point answered twice, evidence too long. Each study is
    read once."""
    studies: dict[str, Study | None] = {}
    out: list[Resolved | str] = []
    for name, lines in asked:
        if name_key(name) not in studies:
            studies[name_key(name)] = (
                find_study(session=session, team_id=team_id, name=name) if session is not None else None
            )
        try:
            out.append(resolve(studies[name_key(name)], study=name, lines=lines))
        except ValueError as exc:
            out.append(str(exc))
    return out


def resolve(found: Study | None, *, study: str, lines: Sequence[str]) -> Resolved:
    """A row's answers to the study its `study` cell names (`found`: that study, None if the workspace
    has none); raises ValueError saying what to fix."""
    if found is None:
        raise ValueError(f"study: the workspace has no study called “{study[:80]}”; {FIX_UNKNOWN}")
    if found.state is StudyState.CLOSED:
        raise ValueError(
            f"study: “{found.name}” is closed, its sheet frozen; its owners can reopen it first, or leave "
            "the column empty"
        )
    points = sorted(live_points(found), key=lambda p: len(p.text), reverse=True)
    replies: dict[int, PointReply] = {}
    for line in lines:
        point, rest = _split(line, points)
        if point is None:
            named = "; ".join(p.text for p in live_points(found))
            if len(named) > POINTS_SHOWN:
                named = named[: POINTS_SHOWN - 1] + "…"
            raise ValueError(
                f"study answers: “{rest[:80]}” is not a point of “{found.name}”; write it as the study has "
                f"it ({named}), or take the line out"
            )
        match = _LINE.match(f"x: {rest}")
        assert match is not None  # checked by check_answer_lines
        if point.id in replies:
            raise ValueError(f"study answers: “{point.text[:80]}” is answered twice; keep one line")
        evidence = (match["evidence"] or "").strip() or None
        if evidence is not None and len(evidence) > EVIDENCE_LENGTH:
            raise ValueError(
                f"study answers: the evidence for “{point.text[:80]}” has {len(evidence)} characters; keep "
                f"it under {EVIDENCE_LENGTH}"
            )
        answer = _ANSWERS[" ".join(match["answer"].casefold().split())]
        replies[point.id] = PointReply(point.id, answer, evidence)
    return Resolved(found.id, tuple(replies.values()))


def _split(line: str, points: Sequence[ValidationPoint]) -> tuple[ValidationPoint | None, str]:
    """The live point the line starts with (the longest, any case and spacing) and what follows it; or
    None and the point as the line writes it."""
    for point in points:
        text = " ".join(point.text.split())
        head, rest = line[: len(text)], line[len(text) :]
        if name_key(head) == name_key(text) and _LINE.match(f"x{rest}"):
            return point, rest.removeprefix(":").strip()
    match = _LINE.match(line)
    return None, (match["point"] if match else line)
