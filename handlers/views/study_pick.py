"""The study fields of the log, edit and schedule modals, and the small modal that puts an interview in a
study after the fact: pick one of the workspace's open studies, then answer each of its validation points
(supports / contradicts / mixed / not discussed) with a line in the customer's words."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, Option, PlainTextInputElement, StaticSelectElement
from slack_sdk.models.views import View

from bot.errors import InvalidInput
from bot.studies.answers import EVIDENCE_LENGTH, STUDY_FIELD, PointReply, StudyPick
from bot.text import truncate
from handlers.views.common import as_object, context, id_number, input_value, json_object, modal, plain
from storage.models import Answer


class StudyPickId(StrEnum):
    STUDY = STUDY_FIELD  # the select's block: where a study problem is told (bot.studies.answers)
    PICK = "study_pick"  # the select's action: picking a study redraws the form with its points
    NO_STUDY = "none"  # the value of "No study"
    ANSWER = "study_answer"  # each point's answer select (action id)
    WORDS = "study_words"  # each point's line of evidence (action id)
    # Block ids of a point's two inputs: the prefix and the point's id.
    ANSWER_BLOCK = "study_point_"
    WORDS_BLOCK = "study_words_"
    CALLBACK_ID = "interview_study"  # the modal that picks the study of a logged interview


ANSWER_LABELS = {
    Answer.SUPPORTS: "Supports",
    Answer.CONTRADICTS: "Contradicts",
    Answer.MIXED: "Mixed",
    Answer.NOT_DISCUSSED: "Not discussed",
}
OPTIONS_MAX = 100  # a static select's options: "No study" and 99 studies
LABEL_MAX = 2000  # an input block's label
PICK_AGAIN = "Pick a study from the list (open the form again if it is not there)."


@dataclass(frozen=True)
class StudyChoice:
    """What the study fields show: the studies one may pick (id, label), the one picked, its live points
    (id, text) in order, and the answers already given, by point id."""

    studies: tuple[tuple[int, str], ...]
    picked: int | None = None
    points: tuple[tuple[int, str], ...] = ()
    answers: Mapping[int, tuple[Answer, str | None]] = field(default_factory=dict)


def _study_option(study_id: int | None, label: str) -> Option:
    value = StudyPickId.NO_STUDY.value if study_id is None else str(study_id)
    return Option(text=plain(label, 75), value=value)


POINTS_BELOW = "Its validation points appear below, to be answered."


def study_select(
    choice: StudyChoice, *, dispatch: bool, label: str = "Study", hint: str | None = POINTS_BELOW
) -> InputBlock:
    """The studies to log into; `dispatch`: picking one redraws the form with its points."""
    options = [_study_option(None, "No study")] + [
        _study_option(i, name) for i, name in choice.studies[: OPTIONS_MAX - 1]
    ]
    listed = zip(options[1:], choice.studies, strict=False)
    picked = next((option for option, (i, _) in listed if i == choice.picked), None)
    return InputBlock(
        block_id=StudyPickId.STUDY,
        label=plain(label),
        optional=True,
        dispatch_action=dispatch or None,
        hint=plain(hint, LABEL_MAX) if hint else None,
        element=StaticSelectElement(
            action_id=StudyPickId.PICK,
            placeholder=plain("No study"),
            options=options,
            initial_option=picked,
        ),
    )


def _answer_options() -> list[Option]:
    return [Option(text=plain(text, 75), value=answer.value) for answer, text in ANSWER_LABELS.items()]


def point_blocks(choice: StudyChoice) -> list[Block]:
    """For each point of the picked study: its answer (the point is the label) and a line in their words.
    Two blocks a point, and a note: 12 points are 25 blocks, well within a modal's 100 with the form."""
    if choice.picked is None or not choice.points:
        return []
    blocks: list[Block] = [
        context(
            "Answer each validation point from what they said; leave “Not discussed” where the call did "
            "not touch it."
        )
    ]
    options = _answer_options()
    for n, (point_id, text) in enumerate(choice.points, start=1):
        answer, words = choice.answers.get(point_id, (Answer.NOT_DISCUSSED, None))
        blocks.append(
            InputBlock(
                block_id=f"{StudyPickId.ANSWER_BLOCK}{point_id}",
                label=plain(f"{n}. {text}", LABEL_MAX),
                optional=True,
                element=StaticSelectElement(
                    action_id=StudyPickId.ANSWER,
                    options=options,
                    initial_option=next(o for o in options if o.value == answer.value),
                ),
            )
        )
        blocks.append(
            InputBlock(
                block_id=f"{StudyPickId.WORDS_BLOCK}{point_id}",
                label=plain(f"{n}. In their words", LABEL_MAX),
                optional=True,
                element=PlainTextInputElement(
                    action_id=StudyPickId.WORDS,
                    max_length=EVIDENCE_LENGTH,
                    placeholder=plain("A line of evidence, as the customer put it (optional)"),
                    initial_value=truncate(words, EVIDENCE_LENGTH, "") if words else None,
                ),
            )
        )
    return blocks


def study_blocks(choice: StudyChoice | None) -> list[Block]:
    """The select that redraws the form, and the picked study's points; nothing with no study to pick."""
    if choice is None or not choice.studies:
        return []
    return [study_select(choice, dispatch=True), *point_blocks(choice)]


@dataclass(frozen=True)
class StudyModalMetadata:
    interview_id: int | None = None

    def dumps(self) -> str:
        return json.dumps({"interview_id": self.interview_id}, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str | None) -> StudyModalMetadata:
        return cls(interview_id=id_number(json_object(raw).get("interview_id")))


def study_modal(*, about: str, choice: StudyChoice, metadata: StudyModalMetadata) -> View:
    """The study of an interview already logged, and its answers (pushed over the interview's modal)."""
    blocks: list[Block] = [context(about)]
    blocks += study_blocks(choice) or [context("No study is open: `/interview study new` starts one.")]
    return modal(
        callback_id=StudyPickId.CALLBACK_ID,
        title="Study",
        blocks=blocks,
        submit="Save" if choice.studies else None,
        private_metadata=metadata.dumps(),
    )


def parse_study_pick(state: dict[str, Any]) -> StudyPick | None:
    """The study fields of a submitted view: None when the form had none (nothing to change). A value no
    form of ours holds (a forged id) is refused on the study field."""
    if not isinstance(state, dict) or StudyPickId.STUDY.value not in state:
        return None
    raw = as_object(input_value(state, StudyPickId.STUDY).get("selected_option")).get("value")
    study_id = None if raw in (None, StudyPickId.NO_STUDY.value) else id_number(raw)
    if raw not in (None, StudyPickId.NO_STUDY.value) and study_id is None:
        raise InvalidInput({StudyPickId.STUDY: PICK_AGAIN})
    if study_id is None:
        return StudyPick(None)
    return StudyPick(study_id, tuple(_replies(state)))


def typed_answers(state: dict[str, Any]) -> dict[int, tuple[Answer, str | None]]:
    """What the point fields hold now (to draw them again as they were); unreadable ones left out."""
    try:
        return {r.point_id: (r.answer, r.evidence) for r in _replies(state)}
    except InvalidInput:
        return {}


def _replies(state: dict[str, Any]) -> list[PointReply]:
    replies = []
    for block_id in state:
        if not isinstance(block_id, str) or not block_id.startswith(StudyPickId.ANSWER_BLOCK):
            continue
        point_id = id_number(block_id.removeprefix(StudyPickId.ANSWER_BLOCK))
        raw = as_object(input_value(state, block_id).get("selected_option")).get("value")
        known = {a.value: a for a in Answer}
        answer = Answer.NOT_DISCUSSED if raw is None else known.get(raw) if isinstance(raw, str) else None
        if point_id is None or answer is None:
            raise InvalidInput({StudyPickId.STUDY: PICK_AGAIN})
        words = input_value(state, f"{StudyPickId.WORDS_BLOCK}{point_id}").get("value")
        replies.append(PointReply(point_id, answer, words if isinstance(words, str) else None))
    return replies
