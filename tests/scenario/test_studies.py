"""`/interview study` as people use it, through signed requests and the fake Slack: a study made through
its form, listed with its progress, shown point by point (tallies, disagreement, thin evidence), closed
with its conclusion (its summary posted once to its channel, however often the submission comes) and
reopened; only its owners and workspace admins change it, whatever a forged click or submission says;
guests see none, and no workspace reaches another's."""

from __future__ import annotations

import contextlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.people.permissions import STUDY_ADMINS, Act, Role, refusal
from bot.studies.answers import PointReply, set_study
from bot.studies.sheet import Sheet, build_sheet
from bot.studies.store import StudyForm, StudyNotFound, create_study
from handlers.views.outbox import post_failed_text
from handlers.views.studies import StudyAction, StudyField, StudyMetadata, StudyView
from handlers.views.study_form import close_modal, study_form
from storage.models import Account, Answer, Interview, OutboxMessage, Study, StudyState
from tests.conftest import RunningBot
from tests.support.after_ack import after_ack_done
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID
from tests.support.study_forms import (
    click,
    conclusion_values,
    create,
    open_list,
    opened,
    pushed,
    study_values,
)

MEMBER = "U0MEMBER"
ADMIN = "U0ADMIN"
GUEST = "U0GUEST"
CHANNEL = "C0STUDY"
S, C, M = Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED


@pytest.fixture
def backend() -> str:
    """SQLite: these tests are about Slack; closing once across replicas runs on PostgreSQL below, and the
    studies' storage is tested on both in tests/storage/studies."""
    return "sqlite"


@pytest.fixture
def team(bot: RunningBot, clock: time_machine.Traveller) -> RunningBot:
    """The workspace's people (USER_ID, a member, starts the studies), on Tuesday 24 November 2026."""
    bot.fake.add_users(MEMBER)
    bot.fake.set_user(ADMIN, is_admin=True)
    bot.fake.set_user(GUEST, is_restricted=True)
    bot.fake.set_channel(CHANNEL, name="crm-study", member=True)
    return bot


def study_row(bot: RunningBot, name: str = "CRM sync") -> Study:
    with bot.db.read() as session:
        study = session.scalar(select(Study).where(Study.name == name))
        assert study is not None
        _ = [o.user_id for o in study.owners], [p.text for p in study.points]  # loaded before it leaves
        session.expunge(study)
        return study


def made(bot: RunningBot, **values: Any) -> Study:
    response = create(bot, **{"channel": CHANNEL, "target": "6", "ends_on": "2026-12-08", **values})
    assert response.status == 200 and response.json()["response_action"] == "update", response.body
    return study_row(bot, values.get("name", "CRM sync"))


def interview_ids(bot: RunningBot, account: str) -> list[int]:
    with bot.db.read() as session:
        return list(
            session.scalars(
                select(Interview.id)
                .join(Account, Account.id == Interview.account_id)
                .where(Account.name == account)
                .order_by(Interview.held_on)
            )
        )


# Six interviews with five accounts; Acme twice: its later answer to point 1 (contradicts) wins.
CALLS = [
    ("Acme", "2026-11-02", [S, None, None], ["we re-key every deal", None, None]),
    ("Globex", "2026-11-09", [S, S, None], [None, "we'd pay for it", None]),
    ("Initech", "2026-11-10", [S, None, C], [None, None, "IT must approve every app <!channel>"]),
    ("Acme", "2026-11-16", [C, None, None], ["they automated it since", None, None]),
    ("Hooli", "2026-11-17", [S, S, None], [None, None, None]),
    ("Umbrella", "2026-11-18", [None, S, None], [None, "budgeted", None]),
]


def answered(bot: RunningBot, study: Study) -> None:
    """The six calls logged through the log modal, then put in the study with their answers (the log
    modal's study picker is another surface's)."""
    points = [p.id for p in study.points]
    for account, held_on, stands, words in CALLS:
        submit_log_modal(bot, account, held_on=held_on)
        interview_id = interview_ids(bot, account)[-1]
        replies = [PointReply(p, a, e) for p, a, e in zip(points, stands, words, strict=True) if a]
        bot.db.run(
            lambda s, i=interview_id, r=replies: set_study(
                session=s, team_id=bot.slack.team_id, interview_id=i, study_id=study.id, replies=r,
                by=USER_ID, now=study.created_at,
            )
        )  # fmt: skip


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def buttons(view: dict[str, Any], study_id: int) -> set[str]:
    return {
        e["action_id"]
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("value") == str(study_id)
    }


def redrawn(bot: RunningBot, view_id: str) -> dict[str, Any]:
    after_ack_done(bot.deps)
    calls = [c for c in bot.fake.calls("views.update") if c.args.get("view_id") == view_id]
    assert calls, [c.method for c in bot.fake.calls()]
    return calls[-1].response["view"]


def told(bot: RunningBot, user_id: str) -> list[str]:
    """What the bot DMed `user_id` (a refused click's answer)."""
    after_ack_done(bot.deps)
    return [c.args["text"] for c in bot.fake.calls("chat.postMessage") if c.args["channel"] == user_id]


def posts_to(bot: RunningBot, channel: str) -> list[Any]:
    return [c for c in bot.fake.calls("chat.postMessage") if c.args["channel"] == channel]


def test_a_study_made_through_its_form_is_listed_with_its_progress(team: RunningBot) -> None:
    response = create(
        team, owners=[MEMBER], target="6", accounts="mid-size <b>", ends_on="2026-12-08", channel=CHANNEL
    )
    # The form becomes the study it made.
    assert response.json()["view"]["callback_id"] == StudyView.SHEET
    study = study_row(team)
    assert [p.text for p in study.points] == [
        "Teams re-key deals by hand",
        "They would pay for two-way sync",
        "Admins can set it up alone",
    ]
    assert {o.user_id for o in study.owners} == {USER_ID, MEMBER}
    assert (study.target_interviews, study.ends_on, study.channel_id) == (6, date(2026, 12, 8), CHANNEL)
    answered(team, study)

    listed = open_list(team)
    text = text_of(listed)
    assert "*CRM sync*" in text and "6 of 6 interviews · 5 accounts · 14 days left" in text
    assert f"<@{USER_ID}>, <@{MEMBER}>" in text
    assert buttons(listed, study.id) == {StudyAction.OPEN, StudyAction.EDIT, StudyAction.CLOSE}

    # Fields to fix keep the form open, each on its field.
    taken = create(team, name="crm  SYNC")
    assert set(taken.json()["errors"]) == {StudyField.NAME}
    many = create(team, name="Pricing", points="\n".join(f"point {n}" for n in range(13)))
    assert "At most 12 validation points" in many.json()["errors"][StudyField.POINTS]
    assert set(create(team, name="New").json()["errors"]) == {StudyField.NAME}
    past = create(team, name="Pricing", ends_on="2026-11-01", target="abc")
    assert set(past.json()["errors"]) == {StudyField.TARGET_INTERVIEWS}  # what cannot be read, first
    with team.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Study)) == 1

    # New study, from the list: the form goes on top of it, and the list is drawn again with the new one.
    form = pushed(team, listed, StudyAction.NEW, 0)
    assert form["callback_id"] == StudyView.FORM
    assert team.slack.view_submission(form, study_values(name="Pricing", points="Price per seat")).accepted
    assert "*Pricing*" in text_of(redrawn(team, listed["id"]))


def test_the_study_shows_each_points_tally_disagreement_and_thin_evidence(team: RunningBot) -> None:
    study = made(team)
    answered(team, study)
    view = opened(team, "study crm SYNC", callback_id=StudyView.SHEET)  # any case
    text = text_of(view)
    assert text_of(pushed(team, open_list(team), StudyAction.OPEN, study.id)) == text  # the list's Open
    assert "supported by 3 of 5 accounts, contradicted by 1, not discussed by 1" in text
    assert text.count("⚠️ accounts disagree") == 1  # point 1: Acme's later answer against three
    assert "supported by 3 of 5 accounts, contradicted by 0, not discussed by 2" in text
    assert "thin: only 1 account has spoken to it" in text  # point 3: Initech alone
    assert "IT must approve every app &lt;!channel&gt;" in text and "<!channel>" not in text
    # Acme's words, newest first: its later call before its first.
    assert text.index("they automated it since") < text.index("we re-key every deal")
    assert buttons(view, study.id) == {StudyAction.EDIT, StudyAction.CLOSE, StudyAction.SEND_SHEET}

    unknown = team.slack.command("study Pricing").json()
    assert unknown["response_type"] == "ephemeral"
    assert unknown["text"].startswith("There is no study called “Pricing”. Open studies: “CRM sync”.")


def test_a_member_who_does_not_own_it_can_neither_edit_nor_close_it_an_admin_can(team: RunningBot) -> None:
    study = made(team)
    listed = open_list(team, user_id=MEMBER)
    assert buttons(listed, study.id) == {StudyAction.OPEN}

    # Forged clicks: refused in the permission module's words, nothing opened.
    pushes = len(team.fake.calls("views.push"))
    for action in (StudyAction.EDIT, StudyAction.CLOSE, StudyAction.REOPEN):
        assert click(team, listed, action, study.id, user_id=MEMBER).status == 200
    assert told(team, MEMBER) == [STUDY_ADMINS] * 3
    assert len(team.fake.calls("views.push")) == pushes

    # Forged submissions: refused on the form, nothing changed, nothing posted.
    edit = study_form(None, metadata=StudyMetadata(study.id)).to_dict()
    refused = team.slack.view_submission(edit, study_values(goal="Theirs now"), user_id=MEMBER)
    assert refused.json() == {"response_action": "errors", "errors": {StudyField.NAME: STUDY_ADMINS}}
    closing = close_modal(name="x", channel_id=None, metadata=StudyMetadata(study.id)).to_dict()
    refused = team.slack.view_submission(closing, conclusion_values("Dropped."), user_id=MEMBER)
    assert refused.json()["errors"] == {StudyField.CONCLUSION: STUDY_ADMINS}
    after = study_row(team)
    assert (after.goal, after.state, after.conclusion) == (study.goal, StudyState.OPEN, None)
    assert posts_to(team, CHANNEL) == []

    # An admin sees Edit and Close on it, and may.
    listed = open_list(team, user_id=ADMIN)
    assert buttons(listed, study.id) == {StudyAction.OPEN, StudyAction.EDIT, StudyAction.CLOSE}
    form = pushed(team, listed, StudyAction.EDIT, study.id, user_id=ADMIN)
    assert "Teams re-key deals by hand" in json.dumps(form)
    values = study_values(goal="Sharper goal", points="Teams re-key deals by hand", channel=CHANNEL)
    assert team.slack.view_submission(form, values, user_id=ADMIN).accepted
    assert study_row(team).goal == "Sharper goal"
    assert "Sharper goal" in text_of(redrawn(team, listed["id"]))
    closing = pushed(team, listed, StudyAction.CLOSE, study.id, user_id=ADMIN)
    assert team.slack.view_submission(closing, conclusion_values("Build it."), user_id=ADMIN).accepted
    assert study_row(team).state is StudyState.CLOSED


def test_guests_see_no_study(team: RunningBot) -> None:
    study = made(team)
    said = refusal(Act.STUDY, Role.MEMBER)
    for text in ("study", "study new", "study CRM sync"):
        assert team.slack.command(text, user_id=GUEST).json() == {"response_type": "ephemeral", "text": said}
    view = {"id": "VX", "type": "modal", "callback_id": StudyView.LIST}
    click(team, view, StudyAction.OPEN, study.id, user_id=GUEST)
    assert told(team, GUEST) == [said]


def test_another_workspaces_study_leads_nowhere(team: RunningBot) -> None:
    mine = made(team)
    theirs = team.db.run(
        lambda s: create_study(
            session=s, team_id="T0OTHER", by="U0THEM", now=mine.created_at,
            form=StudyForm(name="Secret plans", goal="Theirs", points="Their point"),
        ).id
    )  # fmt: skip
    gone = StudyNotFound().user_message
    listed = open_list(team)
    assert "Secret plans" not in text_of(listed)
    shown = len(team.fake.calls("views.push")) + len(team.fake.calls("views.open"))
    for action in (
        StudyAction.OPEN,
        StudyAction.EDIT,
        StudyAction.CLOSE,
        StudyAction.REOPEN,
        StudyAction.SEND_SHEET,
    ):
        click(team, listed, action, theirs)
    after_ack_done(team.deps)
    assert told(team, USER_ID)[-5:] == [gone] * 5
    assert team.fake.calls("files.getUploadURLExternal") == []  # no sheet of theirs sent
    assert len(team.fake.calls("views.push")) + len(team.fake.calls("views.open")) == shown
    edit = study_form(None, metadata=StudyMetadata(theirs)).to_dict()
    answer = team.slack.view_submission(edit, study_values(name="Mine now"), user_id=USER_ID)
    assert answer.json()["errors"] == {StudyField.NAME: gone}
    closing = close_modal(name="x", channel_id=None, metadata=StudyMetadata(theirs)).to_dict()
    answer = team.slack.view_submission(closing, conclusion_values("Closed by a stranger"))
    assert answer.json()["errors"] == {StudyField.CONCLUSION: gone}
    with team.db.read() as session:
        study = session.get(Study, theirs)
        assert study is not None and (study.name, study.state) == ("Secret plans", StudyState.OPEN)
    unknown = team.slack.command("study secret plans").json()["text"]
    assert unknown.startswith("There is no study called “secret plans”. Open studies: “CRM sync”.")


def test_closing_posts_the_summary_once_even_when_the_submission_comes_twice(team: RunningBot) -> None:
    study = made(team)
    answered(team, study)
    listed = open_list(team)
    closing = pushed(team, listed, StudyAction.CLOSE, study.id)
    assert f"<#{CHANNEL}>" in json.dumps(closing)
    blank = team.slack.view_submission(closing, conclusion_values("   "))
    assert set(blank.json()["errors"]) == {StudyField.CONCLUSION}
    conclusion = "Build two-way sync next quarter <!here>.\nIT approval is the risk."
    for _ in range(2):
        assert team.slack.view_submission(closing, conclusion_values(conclusion)).accepted
    after_ack_done(team.deps)
    (post,) = posts_to(team, CHANNEL)
    body = json.dumps(post.args, ensure_ascii=False)
    assert "Study closed: CRM sync" in body and "Is two-way CRM sync worth building" in body
    assert "supported by 3 of 5 accounts, contradicted by 1, not discussed by 1" in body
    assert "Build two-way sync next quarter &lt;!here&gt;." in body and "<!here>" not in body
    assert "`/interview study CRM sync`" in body
    with team.db.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.channel_id == CHANNEL)) == 1  # fmt: skip
    closed = study_row(team)
    assert closed.state is StudyState.CLOSED and closed.frozen_sheet is not None
    assert closed.conclusion == conclusion

    # The list below is drawn again: the study under Closed, with its conclusion's first line and Reopen.
    listed = redrawn(team, listed["id"])
    text = text_of(listed)
    assert "*Closed*" in text and "Build two-way sync next quarter &lt;!here&gt;." in text
    assert "IT approval" not in text
    assert buttons(listed, study.id) == {StudyAction.OPEN, StudyAction.REOPEN}
    assert click(team, listed, StudyAction.REOPEN, study.id).status == 200
    reopened = study_row(team)
    assert (reopened.state, reopened.conclusion, reopened.frozen_sheet) == (StudyState.OPEN, conclusion, None)
    assert StudyAction.CLOSE in buttons(redrawn(team, listed["id"]), study.id)


@pytest.mark.parametrize(
    ("channel", "error"),
    [("G0SECRET", "channel_not_found"), ("C0OLD", "is_archived")],
    ids=["private, the bot not in it", "archived"],
)
def test_a_summary_its_channel_refuses_is_told_to_whoever_closed_it(
    team: RunningBot, channel: str, error: str
) -> None:
    team.fake.set_channel("G0SECRET", private=True, member=False)
    team.fake.set_channel("C0OLD", archived=True)
    study = made(team, channel=channel)
    view = opened(team, "study CRM sync", callback_id=StudyView.SHEET)
    closing = pushed(team, view, StudyAction.CLOSE, study.id)
    assert team.slack.view_submission(closing, conclusion_values("Drop it.")).accepted
    about = "the summary of the study “CRM sync”"
    assert told(team, USER_ID)[-1] == post_failed_text(channel, error, about)
    assert study_row(team).state is StudyState.CLOSED
    # The study's view below is drawn again, closed.
    assert StudyAction.REOPEN in buttons(redrawn(team, view["id"]), study.id)


@pytest.mark.postgres
def test_three_replicas_handed_the_close_at_once_post_its_summary_once(
    replicas: list[RunningBot], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = replicas[0]
    first.fake.set_channel(CHANNEL, name="crm-study", member=True)
    assert create(first, channel=CHANNEL).status == 200
    study = study_row(first)
    closing = pushed(first, open_list(first), StudyAction.CLOSE, study.id)
    # Each closing transaction, once it has found the study open, waits for the others to find it so too
    # (for a second at most): a replica that read it without holding it would post its summary as well.
    together = threading.Barrier(len(replicas), timeout=1)

    def sheet_when_all_read(**kw: Any) -> Sheet:
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait()
        return build_sheet(**kw)

    monkeypatch.setattr("handlers.studies.build_sheet", sheet_when_all_read)

    def submit(bot: RunningBot) -> bool:
        return bot.slack.view_submission(closing, conclusion_values("Build it.")).accepted

    with ThreadPoolExecutor(len(replicas)) as pool:
        assert all(pool.map(submit, replicas))
    for bot in replicas:
        after_ack_done(bot.deps)
        bot.deps.outbox.tick()  # each replica's scheduler, too
    assert len(posts_to(first, CHANNEL)) == 1
    with first.db.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert study_row(first).state is StudyState.CLOSED


def test_the_whole_sheet_comes_by_dm_as_a_csv_equal_to_the_matrix_and_a_picture_naming_the_tallies(
    team: RunningBot,
) -> None:
    import csv
    import io

    study = made(team)
    answered(team, study)
    view = opened(team, f"study {study.name}", callback_id=StudyView.SHEET)
    assert click(team, view, StudyAction.SEND_SHEET, study.id).status == 200
    after_ack_done(team.deps)
    asked = team.fake.calls("files.getUploadURLExternal")
    (csv_file,) = [c for c in asked if str(c.args["filename"]).endswith(".csv")]
    (png_file,) = [c for c in asked if str(c.args["filename"]).endswith(".png")]
    (completed,) = team.fake.calls("files.completeUploadExternal")
    assert completed.args["channel_id"].startswith("D")  # the person's DM
    alt = str(png_file.args["alt_txt"])
    assert "supported by 3 of 5 accounts, contradicted by 1" in alt
    assert team.fake.uploads[png_file.response["file_id"]][:8] == b"\x89PNG\r\n\x1a\n"
    # The CSV read back: one row per account, each point's cell its latest answer.
    text = team.fake.uploads[csv_file.response["file_id"]].decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1 : 1 + 5]
    with team.db.read() as session:
        sheet = build_sheet(session=session, team_id=team.slack.team_id, study_id=study.id)
    points = [p.text for p in sheet.points]
    assert header[-len(points) :] == points
    for row, account in zip(body, sheet.rows, strict=True):
        assert row[0] == account.account
        marks = [cell[:1] for cell in row[-len(points) :]]
        assert marks == [
            {"supports": "✓", "contradicts": "✗", "mixed": "~"}[c.answer.value] if c else ""
            for c in account.cells
        ]
