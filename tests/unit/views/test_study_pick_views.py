"""The study fields: a 12-point study fits the log and edit modals with room to spare, whatever the points
and names say; the interview's modal shows its study and answers escaped; a submitted form reads back, and
what no form of ours holds is refused on the study field."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.studies.answers import STUDY_FIELD, PointReply, StudyPick
from handlers.views.common import MODAL_MAX_BLOCKS
from handlers.views.interview import InterviewAction, StudyShown, interview_modal
from handlers.views.log_modal import LogModalMetadata, LogModalPrefill, log_modal
from handlers.views.study_pick import (
    StudyChoice,
    StudyModalMetadata,
    StudyPickId,
    parse_study_pick,
    study_modal,
)
from storage.models import Answer
from tests.support.fake_slack import slack_would_reject
from tests.support.forms import study_form
from tests.unit.views.test_views import make_interview

HOSTILE = "<!channel> & <@U9> *bold* " + "x" * 300


def full_choice(studies: int = 150, points: int = 12) -> StudyChoice:
    return StudyChoice(
        studies=tuple((i, f"{HOSTILE[:60]} {i}") for i in range(1, studies + 1)),
        picked=1,
        points=tuple((100 + n, HOSTILE[:300]) for n in range(points)),
        answers={100: (Answer.CONTRADICTS, HOSTILE[:500]), 101: (Answer.MIXED, None)},
    )


@pytest.mark.parametrize("editing", [False, True])
def test_a_twelve_point_study_fits_the_log_and_edit_modals(editing: bool) -> None:
    view = log_modal(
        today=date(2026, 11, 23),
        user_id="U1",
        metadata=LogModalMetadata(),
        prefill=LogModalPrefill(account="Acme", notes="x" * 3000),
        editing=editing,
        study=full_choice(),
    )
    assert slack_would_reject(view=view) == []
    assert len(view["blocks"]) <= MODAL_MAX_BLOCKS - 50  # the form and 12 points: half a modal
    ids = [b.get("block_id") for b in view["blocks"]]
    assert ids.count(StudyPickId.STUDY) == 1 and len([i for i in ids if str(i).startswith("study_")]) == 24
    select = view["blocks"][ids.index(StudyPickId.STUDY)]
    assert len(select["element"]["options"]) == 100  # "No study" and the first 99
    assert select["element"]["initial_option"]["value"] == "1"
    words = view["blocks"][ids.index(f"{StudyPickId.WORDS_BLOCK}100")]["element"]["initial_value"]
    assert words == HOSTILE[:500]
    # The study comes after the notes, before the recording.
    assert ids.index("notes") < ids.index(StudyPickId.STUDY) < ids.index("recording_url")


def test_no_open_study_no_study_field() -> None:
    view = log_modal(
        today=date(2026, 11, 23), user_id="U1", metadata=LogModalMetadata(), prefill=LogModalPrefill()
    )
    assert StudyPickId.STUDY not in [b.get("block_id") for b in view["blocks"]]


def test_the_study_modal_is_valid_with_a_study_and_without() -> None:
    metadata = StudyModalMetadata(7)
    assert StudyModalMetadata.loads(metadata.dumps()) == metadata
    assert StudyModalMetadata.loads('{"interview_id": "x"}') == StudyModalMetadata()
    for choice in (full_choice(), StudyChoice(())):
        view = study_modal(about="Interview with *Acme*", choice=choice, metadata=metadata).to_dict()
        assert slack_would_reject(view=view) == []
    assert "submit" not in study_modal(about="x", choice=StudyChoice(()), metadata=metadata).to_dict()


def test_the_interview_modal_shows_its_study_escaped_and_the_button_to_its_author() -> None:
    interview = make_interview("Dana", ["Reports are slow"])
    interview.edits = []
    study = StudyShown(
        "<!channel> study",
        ((Answer.SUPPORTS, "<@U9> re-keys deals", "we <!here> retype"), (Answer.MIXED, "Pays", None)),
        button=True,
    )
    view = interview_modal(interview, viewer_id="U1", tz=ZoneInfo("UTC"), study=study).to_dict()
    assert slack_would_reject(view=view) == []
    sent = json.dumps([b for b in view["blocks"] if b["type"] != "actions"], ensure_ascii=False)
    assert "<!channel>" not in sent and "<!here>" not in sent and "<@U9>" not in sent
    assert "*Study:* &lt;!channel&gt; study" in sent and "Supports: &lt;@U9&gt; re-keys deals" in sent
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons if b["action_id"] == InterviewAction.STUDY] == [
        "Study: <!channel> study — change"  # plain text: Slack shows it as typed, pinging nobody
    ]
    nothing = interview_modal(interview, viewer_id="U1", tz=ZoneInfo("UTC"), study=StudyShown()).to_dict()
    assert InterviewAction.STUDY_BLOCK not in [b.get("block_id") for b in nothing["blocks"]]


def test_a_submitted_form_reads_back_and_forged_values_are_refused_on_the_study_field() -> None:
    assert parse_study_pick({}) is None  # no study field: nothing to change
    assert parse_study_pick(study_form(None)) == StudyPick(None)
    read = parse_study_pick(study_form(5, {8: ("supports", "yes"), 9: ("not_discussed", None)}))
    assert read == StudyPick(
        5, (PointReply(8, Answer.SUPPORTS, "yes"), PointReply(9, Answer.NOT_DISCUSSED, None))
    )
    for forged in (study_form("5 or 1=1"), study_form(5, {8: ("yes!", None)}), study_form("-1")):
        with pytest.raises(InvalidInput) as refused:
            parse_study_pick(forged)
        assert set(refused.value.fields) == {STUDY_FIELD}
    bad_point = {**study_form(5), f"{StudyPickId.ANSWER_BLOCK}x": {StudyPickId.ANSWER.value: {}}}
    with pytest.raises(InvalidInput):
        parse_study_pick(bad_point)
