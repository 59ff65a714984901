"""The study surface's Block Kit: the list (Edit, Close and Reopen only where the viewer may), the form read
back as typed, the study point by point (tallies, ⚠️, thin evidence, the accounts' words clipped with a
visible count), the summary a closed study posts; within Slack's limits, typed text pinging nobody."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.studies.sheet import Sheet, sheet_of
from bot.studies.store import StudyForm, StudyProgress
from handlers.views.common import is_channel_id, is_user_id
from handlers.views.outbox import post_failed_text
from handlers.views.studies import (
    StudyAction,
    StudyField,
    StudyMetadata,
    days_word,
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
from handlers.views.study_sheet import (
    EVIDENCE_SHOWN,
    StudyPage,
    evidence_text,
    study_view,
    summary_message,
)
from storage.models import Answer, StudyState
from tests.support.fake_slack import slack_would_reject
from tests.support.hostile import json_value, nasty_text
from tests.support.study_forms import study_values

TODAY = date(2026, 11, 20)
HOSTILE = "<!channel> & <@U0BOSS> *bold*"
S, C, M, N = Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED, Answer.NOT_DISCUSSED
names = st.lists(st.sampled_from([*"<>&*_~`ab ", "<!channel>", "<@U1>", "😀"]), min_size=1, max_size=30).map(
    lambda parts: "".join(parts)[:80]
)


def progress(
    study_id: int = 1,
    name: str = "CRM sync",
    *,
    state: StudyState = StudyState.OPEN,
    owners: tuple[str, ...] = ("U0OWNER",),
    conclusion: str | None = None,
    ends_on: date | None = date(2026, 12, 2),
) -> StudyProgress:
    return StudyProgress(
        study_id=study_id,
        name=name,
        goal="Is two-way sync worth building?",
        state=state,
        interviews=3,
        accounts=2,
        target_interviews=10,
        ends_on=ends_on,
        owners=owners,
        conclusion=conclusion,
    )


def as_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def dumped(view: Any) -> dict[str, Any]:
    out = view.to_dict()
    assert slack_would_reject(view=out) == [], slack_would_reject(view=out)
    return out


def buttons(view: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    ]


def test_the_list_shows_progress_and_change_buttons_only_where_the_viewer_may() -> None:
    studies = [
        progress(1, "Mine"),
        progress(2, "Theirs"),
        progress(3, "Done", state=StudyState.CLOSED, conclusion="Build it.\nDetails follow."),
        progress(4, "Also done", state=StudyState.CLOSED, conclusion="Drop it."),
    ]
    view = dumped(studies_list(studies, today=TODAY, changeable={1, 3}))
    text = as_text(view["blocks"])
    assert "3 of 10 interviews · 2 accounts · 12 days left · owner <@U0OWNER>" in text
    assert (StudyAction.EDIT, "1") in buttons(view) and (StudyAction.CLOSE, "1") in buttons(view)
    assert {(a, v) for a, v in buttons(view) if v == "2"} == {(StudyAction.OPEN, "2")}
    assert (StudyAction.REOPEN, "3") in buttons(view) and (StudyAction.REOPEN, "4") not in buttons(view)
    # Closed ones come under their heading, with the first line of their conclusion only.
    assert text.index("*Closed*") < text.index("*Done* · closed")
    assert "Build it." in text and "Details follow." not in text


def test_days_are_counted_where_the_viewer_is() -> None:
    assert days_word(date(2026, 11, 21), TODAY) == "1 day left"
    assert days_word(TODAY, TODAY) == "ends today"
    assert days_word(date(2026, 11, 17), TODAY) == "ended 3 days ago"
    assert days_word(None, TODAY) == ""


@settings(max_examples=30, deadline=None)
@given(names, st.integers(0, 120))
def test_the_list_keeps_within_a_modal_whatever_it_holds(name: str, many: int) -> None:
    studies = [progress(i, f"{name} {i}") for i in range(many)]
    studies += [
        progress(1000 + i, f"{name} c{i}", state=StudyState.CLOSED, conclusion=name) for i in range(5)
    ]
    view = dumped(studies_list(studies, today=TODAY, changeable={s.study_id for s in studies}))
    assert len(view["blocks"]) <= 100
    shown = {v for a, v in buttons(view) if a == StudyAction.OPEN}
    text = as_text(view["blocks"])
    if len(shown) < len(studies):
        assert "more" in text and "not shown" in text
    assert "<!channel>" not in text and "<@U1>" not in text


def test_the_form_reads_back_what_was_typed_and_refuses_what_cannot_be_read() -> None:
    filled = StudyForm(
        name="CRM sync",
        goal="Worth it?",
        points="One\nTwo",
        owners=("U0A", "U0B"),
        target_interviews=8,
        target_accounts="clinics",
        ends_on=date(2026, 12, 18),
        channel_id="C0STUDY",
    )
    view = dumped(study_form(filled, metadata=StudyMetadata(study_id=7)))
    assert StudyMetadata.loads(view["private_metadata"]).study_id == 7
    assert view["submit"]["text"] == "Save"
    values = study_values(
        name="CRM sync",
        goal="Worth it?",
        points="One\nTwo",
        owners=["U0A", "U0B", "<!here>"],
        target="8",
        accounts="clinics",
        ends_on="2026-12-18",
        channel="C0STUDY",
    )
    form, problems = parse_study_form(values)
    assert (form, problems) == (filled, {})
    _, problems = parse_study_form(study_values(target="2.5", ends_on="someday"))
    assert set(problems) == {StudyField.TARGET_INTERVIEWS, StudyField.ENDS_ON}
    assert dumped(study_form(None, metadata=StudyMetadata()))["submit"]["text"] == "Create"


def test_metadata_forged_reads_as_no_study() -> None:
    assert StudyMetadata.loads('{"study_id": "12"}') == StudyMetadata()
    assert StudyMetadata.loads('{"study_id": true, "list_view_id": 5}') == StudyMetadata()
    assert StudyMetadata.loads("[1]") == StudyMetadata() == StudyMetadata.loads(None)
    assert StudyMetadata.loads(StudyMetadata(3, "V1", "V2").dumps()) == StudyMetadata(3, "V1", "V2")


def test_the_services_fields_are_shown_on_their_blocks() -> None:
    assert on_fields({"name": "taken", "points": "too many"}) == {
        StudyField.NAME: "taken",
        StudyField.POINTS: "too many",
    }
    assert on_fields({"answers": "?"}, fallback=StudyField.CONCLUSION) == {StudyField.CONCLUSION: "?"}


def a_sheet(evidence: str = "we re-key every deal", extra: int = 0) -> Sheet:
    points = [(1, f"Teams re-key deals by hand {HOSTILE}"), (2, "They would pay"), (3, "Admins alone")]
    interviews = [
        (10, date(2026, 11, 2), "Acme"),
        (11, date(2026, 11, 9), "Globex"),
        (12, date(2026, 11, 10), HOSTILE),
        (13, date(2026, 11, 16), "Acme"),
    ]
    interviews += [(100 + i, date(2026, 10, 1), f"Old {i}") for i in range(extra)]
    answers = [
        (10, 1, S, evidence),
        (11, 1, S, "two people copy deals daily"),
        (12, 1, C, HOSTILE),
        (13, 1, M, "they automated some of it"),
        (10, 2, S, None),
        (13, 2, N, "did not come up"),
    ]
    answers += [(100 + i, 1, S, evidence) for i in range(extra)]
    return sheet_of(
        study_id=1, name="CRM sync", goal="Worth it?", closed=False, points=points, interviews=interviews,
        answers=answers,
    )  # fmt: skip


def page(sheet: Sheet, **kw: Any) -> StudyPage:
    return StudyPage(progress(**kw), sheet, target_accounts="mid-size <b>", channel_id="C0STUDY")


def test_the_study_shows_each_points_tally_its_flags_and_the_words_newest_first() -> None:
    view = dumped(study_view(page(a_sheet()), today=TODAY, may_change=False, metadata=StudyMetadata(1)))
    text = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    # Point 1: Globex supports, Acme's latest (mixed) wins over its earlier support, the third contradicts.
    assert "supported by 1 of 3 accounts, contradicted by 1, mixed for 1, not discussed by 0" in text
    assert "⚠️ accounts disagree" in text
    assert "thin: only 1 account has spoken to it" in text  # point 2: Acme alone
    assert "thin: only 0 accounts have spoken to it" in text  # point 3
    first = text.index("*1. ")
    newest, oldest = text.index("they automated some of it", first), text.index("we re-key every deal", first)
    assert newest < oldest
    assert "_No interview has answered it yet._" in text
    assert "<!channel>" not in as_text(view) and "&lt;!channel&gt;" in text
    assert buttons(view) == []  # not theirs to change


def test_those_who_may_get_edit_and_close_or_reopen() -> None:
    opened = dumped(study_view(page(a_sheet()), today=TODAY, may_change=True, metadata=StudyMetadata(1)))
    assert [a for a, _ in buttons(opened)] == [StudyAction.EDIT, StudyAction.CLOSE]
    closed = page(a_sheet(), state=StudyState.CLOSED, conclusion="Build it <!here>.")
    shown = dumped(study_view(closed, today=TODAY, may_change=True, metadata=StudyMetadata(1)))
    assert [a for a, _ in buttons(shown)] == [StudyAction.REOPEN]
    assert "Build it &lt;!here&gt;." in as_text(shown)


def test_evidence_is_clipped_within_a_section_with_a_visible_count() -> None:
    sheet = a_sheet(evidence="<" * 500, extra=40)  # escaped, each answer's words take four times as much
    (point, *_) = sheet.points
    text = evidence_text(point.evidence)
    assert len(text) <= 3000
    shown = text.count("\n")  # every line but the count
    assert shown <= EVIDENCE_SHOWN
    assert text.endswith(f"_…and {len(point.evidence) - shown} more in the full sheet_")
    view = dumped(study_view(page(sheet), today=TODAY, may_change=True, metadata=StudyMetadata(1)))
    assert len(view["blocks"]) <= 100


def test_twelve_points_with_long_words_fit_a_modal() -> None:
    points = [(p, f"Point {p} " + "x" * 290) for p in range(1, 13)]
    interviews = [(i, date(2026, 11, 1), f"Account {i} " + "&" * 60) for i in range(60)]
    answers = [(i, p, S, "<" * 500) for i in range(60) for p in range(1, 13)]
    sheet = sheet_of(
        study_id=1, name="n", goal="g" * 600, closed=False, points=points, interviews=interviews,
        answers=answers,
    )  # fmt: skip
    view = dumped(
        study_view(
            page(sheet, state=StudyState.CLOSED, conclusion="c" * 3000),
            today=TODAY,
            may_change=True,
            metadata=StudyMetadata(1),
        )
    )
    assert len(view["blocks"]) <= 100
    assert sum("*12. Point 12" in as_text(b) for b in view["blocks"]) == 1


def test_the_summary_says_the_goal_each_tally_the_conclusion_and_where_the_sheet_is() -> None:
    text, blocks = summary_message(a_sheet(), f"Build it. {HOSTILE}\nThen tell them.")
    message = {"channel": "C0STUDY", "text": text, "blocks": [b.to_dict() for b in blocks]}
    assert slack_would_reject(message=message) == []
    body = as_text(message)
    assert "Study closed: CRM sync" in body and "Worth it?" in body
    assert body.count("supported by") == 3 and "⚠️ accounts disagree" in body
    assert "Then tell them." in body and "`/interview study CRM sync`" in body
    assert "<!channel>" not in body and "<@U0BOSS>" not in body
    assert text.startswith("The study “CRM sync” is closed. Build it.")


def test_an_unknown_name_lists_the_open_ones_escaped() -> None:
    said = unknown_study_message("<!here>", ["CRM sync", "Pricing & packaging"])
    assert said.startswith("There is no study called “&lt;!here&gt;”. Open studies: “CRM sync”")
    assert "“Pricing &amp; packaging”" in said
    assert "no study is open" in unknown_study_message("x", [])


def test_the_close_modal_asks_for_the_conclusion_and_names_the_channel() -> None:
    view = dumped(close_modal(name=HOSTILE, channel_id="C0STUDY", metadata=StudyMetadata(4)))
    assert "<#C0STUDY>" in as_text(view) and "<!channel>" not in as_text(view)
    (block,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert block["block_id"] == StudyField.CONCLUSION and not block.get("optional")


def test_a_summary_that_could_not_be_posted_is_told_in_its_own_words() -> None:
    about = "the summary of the study “<!here>”"
    said = post_failed_text("C0STUDY", "not_in_channel", about)
    assert said.startswith("I couldn't post the summary of the study “&lt;!here&gt;” in <#C0STUDY>")
    assert "archived" in post_failed_text("C0STUDY", "is_archived", about)


forged_keys = nasty_text | st.sampled_from([*(f.value for f in StudyField), "value", "selected_users"])
forged_state = st.dictionaries(forged_keys, json_value | st.dictionaries(forged_keys, json_value), max_size=6)


@settings(max_examples=200, deadline=None)
@given(forged_state, json_value)
def test_a_forged_submission_reads_as_not_given_never_as_a_crash(values: dict[str, Any], raw: Any) -> None:
    form, problems = parse_study_form(values)
    assert isinstance(form.name, str) and isinstance(form.points, str) and set(problems) <= set(StudyField)
    assert all(is_user_id(o) for o in form.owners) and len(form.owners) <= 20
    assert form.channel_id is None or is_channel_id(form.channel_id)
    assert isinstance(parse_conclusion(values), str)
    metadata = StudyMetadata.loads(raw if isinstance(raw, str) else json.dumps(raw))
    assert metadata.study_id is None or isinstance(metadata.study_id, int)
    values_sent = raw.get("values") if isinstance(raw, dict) else None
    assert submitted_values({"state": raw}) == (values_sent if isinstance(values_sent, dict) else {})
