"""A study where the loop meets it, as Slack shows it: the interview guide in a prep DM (the points as
questions to cover, the thin ones flagged, and no counts for a guest), the summary drafted around the
study in the reminder and its modal, and each open study's progress in the digest's thread, not in its
channel message; all escaped and within Slack's limits however long what people typed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

from bot.digest.period import Period
from bot.digest.terminal import digest_text, study_summary
from bot.studies.guide import GuidePoint, StudyGuide, StudyRecap, Touched, summary_draft
from bot.studies.period import PointMove, StudyInPeriod
from bot.studies.sheet import Point
from handlers.views.digest import digest_message, digest_replies, preview_message
from handlers.views.reminders import reminder_message
from handlers.views.summary import SummaryModal, summary_modal
from storage.models import Answer, FollowUp, FollowUpKind, FollowUpState
from tests.support.digests import digest as hand_built
from tests.support.digests import pain
from tests.support.fake_slack import slack_would_reject
from tests.unit.views.test_reminder_views import (
    HISTORY,
    NOW,
    TOKYO,
    assert_as_slack_sdk_sends_it,
    call_items,
    interview,
)

HOSTILE = "<!channel> & <@U0BOSS>"
GUIDE = StudyGuide(
    study_id=4,
    name="CRM <sync>",
    goal="Is two-way sync worth it? <!channel>",
    points=(
        GuidePoint(1, "Teams re-key deals by hand", 4, False),
        GuidePoint(2, "They would pay & <soon>", 0, True),
        GuidePoint(3, "Admins set it up alone", 1, True),
    ),
)


def prep_text(guide: StudyGuide, **kwargs: object) -> str:
    prep, _ = call_items()
    blocks = reminder_message([prep], TOKYO, NOW, guides={9: guide}, **kwargs)  # type: ignore[arg-type]
    assert_as_slack_sdk_sends_it(blocks)
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


def test_the_prep_dm_of_a_call_in_a_study_lists_its_points_as_questions_and_flags_the_thin_ones() -> None:
    text = prep_text(GUIDE, histories={3: HISTORY})
    assert "This call is part of the study “CRM &lt;sync&gt;”" in text
    assert "*Study goal:* Is two-way sync worth it? &lt;!channel&gt;" in text
    assert "☐ *1.* Teams re-key deals by hand\n" in text  # enough accounts: no flag
    assert "☐ *2.* They would pay &amp; &lt;soon&gt; · _no account has spoken to point 2 yet_" in text
    assert "☐ *3.* Admins set it up alone · _only 1 account has spoken to point 3_" in text
    # Besides the account's history and the checklist, which stay.
    assert "permission to record" in text and "slow &amp; &lt;z&gt;" in text
    assert text.index("Questions to cover") < text.index("Pains they raised")


def test_two_accounts_are_plural_and_a_guest_sees_the_questions_without_counts() -> None:
    two = replace(GUIDE, points=(GuidePoint(5, "A point", 2, True),))
    assert "_only 2 accounts have spoken to point 5_" in prep_text(two)
    text = prep_text(GUIDE.without_counts())
    assert "☐ *3.* Admins set it up alone" in text and "spoken" not in text


def test_a_prep_dm_without_a_study_has_no_guide() -> None:
    prep, _ = call_items()
    blocks = reminder_message([prep], TOKYO, NOW, guides={10: GUIDE})  # another call's
    assert "Questions to cover" not in json.dumps(blocks)


def test_twelve_long_points_and_a_long_goal_fit_the_prep_dm() -> None:
    long = StudyGuide(
        1, "&" * 80, "<&>" * 200, tuple(GuidePoint(n, "&<" * 150, n % 3, True) for n in range(1, 13))
    )
    text = prep_text(long)
    assert "☐ *12.*" in text  # every point listed, each cut to a line
    assert text.count("has spoken to point") + text.count("have spoken to point") == 12  # each flag kept


RECAP = StudyRecap(
    name="CRM <sync>",
    goal="Is two-way sync worth it?",
    touched=(
        Touched(1, "Teams re-key deals", Answer.SUPPORTS, "we <re-key> & copy <!channel>"),
        Touched(3, "Admins set it up alone", Answer.CONTRADICTS, None),
    ),
    not_discussed=((2, "They would pay"),),
)


def summary_item(interpretation: str | None = None) -> FollowUp:
    item = FollowUp(
        id=300,
        team_id="T1",
        owner_id="U1",
        kind=FollowUpKind.SUMMARY,
        description="Write the summary of the call with Acme",
        due_at=NOW - timedelta(hours=1),
        state=FollowUpState.OPEN,
        interview_id=7,
    )
    item.interview = interview(interpretation)
    return item


def test_the_summary_reminder_drafts_around_the_goal_and_the_points_the_call_touched() -> None:
    blocks = reminder_message([summary_item()], TOKYO, NOW, recaps={7: RECAP})
    assert_as_slack_sdk_sends_it(blocks)
    draft = next(b["text"]["text"] for b in blocks if "A draft around" in json.dumps(b))
    assert draft.startswith(
        "A draft around the study “CRM &lt;sync&gt;”:\n```Goal: Is two-way sync worth it?\n"
    )
    assert (
        "Points this call touched:\nP1 Teams re-key deals (supports): “we &lt;re-key&gt; &amp; copy" in draft
    )
    assert "\nP3 Admins set it up alone (contradicts)\nNot discussed: P2 They would pay\n" in draft
    # Without a study, the reminder is as it was.
    assert "A draft around" not in json.dumps(reminder_message([summary_item()], TOKYO, NOW))


def test_the_summary_modal_opens_on_the_draft_unless_a_summary_is_written() -> None:
    def value(view: dict) -> str | None:
        block = next(b for b in view["blocks"] if b.get("block_id") == SummaryModal.SUMMARY_BLOCK)
        return block["element"].get("initial_value")

    drafted = summary_modal(summary_item(), origin={}, recap=RECAP).to_dict()
    assert value(drafted) == summary_draft(RECAP, limit=3000)
    assert "*Study:* CRM &lt;sync&gt;" in json.dumps(drafted)
    assert value(summary_modal(summary_item("Ours"), origin={}, recap=RECAP).to_dict()) == "Ours"
    assert value(summary_modal(summary_item(), origin={}).to_dict()) is None


def test_a_long_draft_is_cut_with_a_visible_mark_within_every_limit() -> None:
    huge = StudyRecap(
        "&" * 80,
        "<goal>" * 100,
        tuple(Touched(n, "&" * 300, Answer.MIXED, "<" * 500) for n in range(1, 12)),
        ((12, "x" * 300),),
    )
    draft = summary_draft(huge, limit=3000)
    assert len(draft) <= 3000 and draft.endswith("(cut: the points' words are in the interview)")
    assert len(summary_draft(huge, limit=500)) <= 500
    blocks = reminder_message([summary_item()], TOKYO, NOW, recaps={7: huge})
    assert_as_slack_sdk_sends_it(blocks)
    modal = summary_modal(summary_item(), origin={}, recap=huge).to_dict()
    element = next(b for b in modal["blocks"] if b.get("block_id") == SummaryModal.SUMMARY_BLOCK)["element"]
    assert len(element["initial_value"]) <= element["max_length"]


WEEK = Period(end=date(2026, 11, 23))


def point(pid: int, text: str, s: int, c: int = 0, m: int = 0, n: int = 0) -> Point:
    return Point(pid, text, s, c, m, n, ())


def study(name: str = "CRM <sync> @channel", days_left: int | None = 25) -> StudyInPeriod:
    return StudyInPeriod(
        study_id=4,
        name=name,
        interviews_in_period=3,
        interviews=5,
        target=8,
        ends_on=None if days_left is None else WEEK.end + timedelta(days=days_left),
        days_left=days_left,
        moved=(PointMove(1, point(1, "Re-key <deals>", 2), point(1, "Re-key <deals>", 2, 1, n=1)),),
        unspoken=((3, point(3, "Admins & <IT>", 0, n=4)),),
        thin=((2, point(2, "They would pay", 1, m=1, n=2)),),
    )


def test_the_studies_progress_is_in_the_digests_thread_not_its_channel_message() -> None:
    built = replace(hand_built(WEEK, [pain(1, "Slow reports", 3)]), studies=[study()])
    _, top = digest_message(built, str)
    assert "CRM" not in json.dumps([b.to_dict() for b in top])
    assert "open studies" in json.dumps([b.to_dict() for b in top])  # the footer says where they are
    (blocks,) = [blocks for title, blocks in digest_replies(built) if title == "Open studies"]
    assert (
        slack_would_reject(message={"channel": "C1", "text": "x", "blocks": [b.to_dict() for b in blocks]})
        == []
    )
    text = "\n".join(b.to_dict()["text"]["text"] for b in blocks)
    assert "*CRM &lt;sync&gt; @channel*: 3 interviews this week, 5 of 8 in all, 25 days left" in text
    assert "_Moved this week:_\n• 1. Re-key &lt;deals&gt;: contradicted by 0 → 1; now supported by 2" in text
    assert "_Still without evidence:_ 3. Admins &amp; &lt;IT&gt;" in text
    assert "_Thin (fewer than 3 accounts):_ 2. They would pay (2 accounts so far)" in text
    preview = json.dumps([b.to_dict() for b in preview_message(built, str)[1]])
    assert "Open studies" in preview
    # Without an open study, no reply for them.
    assert "Open studies" not in [title for title, _ in digest_replies(hand_built(WEEK, [pain(1, "x", 3)]))]


def test_many_open_studies_with_long_points_fit_one_reply_and_say_how_many_more() -> None:
    long_point = point(1, "&<" * 150, 1)
    many = [
        replace(study(f"Study {n} " + "&" * 70), moved=(PointMove(1, long_point, long_point),) * 12,
                unspoken=((2, long_point),) * 12, thin=((3, long_point),) * 12)
        for n in range(15)
    ]  # fmt: skip
    built = replace(hand_built(WEEK, [pain(1, "Slow reports", 3)]), studies=many)
    (blocks,) = [blocks for title, blocks in digest_replies(built) if title == "Open studies"]
    dumped = [b.to_dict() for b in blocks]
    assert slack_would_reject(message={"channel": "C1", "text": "x", "blocks": dumped}) == []
    assert "and 5 more studies" in json.dumps(dumped)


def test_the_terminal_says_how_long_a_study_has_left() -> None:
    assert study_summary(study(days_left=1), WEEK).endswith("5 of 8 in all, 1 day left")
    assert study_summary(study(days_left=0), WEEK).endswith(", ends today")
    assert study_summary(study(days_left=-2), WEEK).endswith(", ended 2 days ago, still open")
    no_end = replace(study(days_left=None), target=None, interviews_in_period=1)
    assert study_summary(no_end, WEEK) == "1 interview this week, 5 in all"
    text = digest_text(replace(hand_built(WEEK, [pain(1, "Slow reports", 3)]), studies=[study()]))
    assert (
        "Open studies\n  - CRM <sync> @channel: 3 interviews this week, 5 of 8 in all, 25 days left\n" in text
    )
