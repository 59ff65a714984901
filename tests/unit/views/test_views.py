"""Block Kit builders: whatever people typed, Slack accepts the result and nobody gets pinged."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.capture.interviews import FIELD_MAX
from handlers.views.help import help_message
from handlers.views.interview import (
    InterviewAction,
    recent_interviews_message,
    saved_interview_message,
    shared_interview_message,
)
from handlers.views.log_modal import LogModalMetadata, LogModalPrefill, log_modal
from storage.models import (
    Account,
    CustomerRequest,
    FollowUp,
    FollowUpKind,
    Interview,
    InterviewKind,
    Pain,
    Participant,
    Quote,
)
from tests.support.fake_slack import slack_would_reject

typed = st.lists(
    st.sampled_from([*list("<>&!@|*_~`abcxyz \n"), "<!channel>", "<@U1>", "😀", "ש", "\u200d", "&" * 50]),
    max_size=600,
).map(lambda parts: "".join(parts)[:3000])


def make_interview(text: str, lines: list[str]) -> Interview:
    interview = Interview(
        id=7,
        team_id="T1",
        account=Account(team_id="T1", name="Acme", normalized_name="acme"),
        kind=InterviewKind.DISCOVERY,
        held_on=date(2026, 11, 23),
        logged_by="U1",
        contact_name=text[: FIELD_MAX["contact_name"]],
        contact_role=text[: FIELD_MAX["contact_role"]],
        goal=text[: FIELD_MAX["goal"]],
        interpretation=text,
        closing_answer=text,
        notes=text,
        recording_url="https://example.com/a|b>c",
        recording_permission=True,
    )
    interview.participants = [Participant(user_id="U1"), Participant(user_id="U2")]
    interview.pains = [Pain(text=t, position=i) for i, t in enumerate(lines)]
    interview.requests = [CustomerRequest(text=t, position=i) for i, t in enumerate(lines)]
    interview.quotes = [Quote(text=t, position=i) for i, t in enumerate(lines)]
    return interview


def assert_safe(blocks: list) -> None:
    dumped = [b.to_dict() for b in blocks]
    assert slack_would_reject(message={"channel": "C1", "text": "x", "blocks": dumped}) == []
    sent = json.dumps(dumped, ensure_ascii=False)
    assert "<!channel>" not in sent
    assert "<@U1>" not in sent.replace("Our side: <@U1>", "")


@settings(max_examples=40, deadline=None)
@given(typed, st.lists(st.text(min_size=1, max_size=300), max_size=12))
def test_interview_messages_fit_slack_whatever_was_typed(text: str, lines: list[str]) -> None:
    interview = make_interview(text, lines)
    due = datetime(2026, 11, 24, 9, tzinfo=UTC)
    follow_ups = [FollowUp(kind=FollowUpKind.PROMISE, description=text[:500] or "x", due_at=due)] * 5
    assert_safe(saved_interview_message(interview, follow_ups, ZoneInfo("Asia/Tokyo")))
    assert_safe(shared_interview_message(interview))
    assert_safe(recent_interviews_message([interview] * 10))


def test_a_huge_interview_is_cut_with_a_visible_note() -> None:
    interview = make_interview("&" * 3000, ["&" * 3000] * 3)
    blocks = saved_interview_message(interview, [], ZoneInfo("UTC"))
    assert len(blocks) == 50
    # The summary is cut, and says so; what follows it (the follow-ups, Edit and Delete) is all there.
    dumped = [json.dumps(b.to_dict()) for b in blocks]
    cut = next(i for i, b in enumerate(dumped) if "every word is saved" in b)
    assert cut == 45 and "Saved as interview" in dumped[-1]
    actions = [e["action_id"] for e in blocks[-2].to_dict()["elements"]]
    assert actions == [InterviewAction.EDIT, InterviewAction.DELETE]


@given(st.text(max_size=200), st.text(max_size=3000))
def test_the_log_modal_is_valid_for_any_prefill(account: str, notes: str) -> None:
    view = log_modal(
        today=date(2026, 11, 23),
        user_id="U1",
        metadata=LogModalMetadata(channel_id="C1", tz="Europe/Paris"),
        prefill=LogModalPrefill(account=account.strip() or None, notes=notes or None),
    )
    assert slack_would_reject(view=view) == []


def test_modal_metadata_round_trips_and_survives_garbage() -> None:
    meta = LogModalMetadata(channel_id="C1", tz="America/New_York")
    assert LogModalMetadata.loads(meta.dumps()) == meta
    assert LogModalMetadata.loads("not json") == LogModalMetadata()
    assert LogModalMetadata.loads('{"tz": 5, "evil": "x"}') == LogModalMetadata()


def test_help_escapes_the_unknown_subcommand() -> None:
    dumped = json.dumps([b.to_dict() for b in help_message("<!here>")])
    assert "<!here>" not in dumped and "&lt;!here&gt;" in dumped


def test_modals_built_one_after_another_share_nothing_per_request() -> None:
    def build(account: str, notes: str, user: str) -> dict:
        return log_modal(
            today=date(2026, 11, 23),
            user_id=user,
            metadata=LogModalMetadata(),
            prefill=LogModalPrefill(account=account, notes=notes),
        )

    first, second = build("Acme", "first call", "U1"), build("Globex", "second call", "U2")
    assert "Acme" in json.dumps(first) and "Acme" not in json.dumps(second)
    assert "first call" not in json.dumps(second) and '"U1"' not in json.dumps(second)


def test_only_a_click_inside_a_modal_opens_on_top_of_it() -> None:
    from handlers.views.common import in_modal

    assert in_modal({"view": {"type": "modal", "id": "V1"}, "container": {"type": "view"}})
    # The App Home tab comes as a view too: there is nothing there to push onto.
    assert not in_modal({"view": {"type": "home", "id": "V2"}, "container": {"type": "view"}})
    assert not in_modal({"container": {"type": "message"}, "message": {"ts": "1.2"}})
    assert not in_modal({"view": "forged"})
