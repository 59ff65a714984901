"""Editing an interview as its author does it: Edit on the confirmation DM or in the interview's modal opens
the log modal filled with what is stored; saving changes the interview in place, redraws what shows it,
re-plans the promises and places changed lines again; nobody else (and no other workspace) can."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from bot.capture.messages import UNSHARED_TEXT
from bot.reminders.deliveries import claim_due
from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from handlers.senders.reminders import ReminderSender
from handlers.views.interview import InterviewAction
from handlers.views.log_modal import LogField, LogModal
from storage.models import (
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    InterviewEdit,
    OutboxKind,
    OutboxMessage,
    OutboxState,
    Pain,
)
from tests.conftest import RunningBot
from tests.scenario.test_reminders import reminders
from tests.scenario.test_search import sections
from tests.scenario.test_themes import LOGINS, REPORTS, SCHEDULE, theme_of
from tests.support.after_ack import after_ack_done
from tests.support.fake_slack import Call
from tests.support.forms import log_form, submit_log_modal
from tests.support.slack_requests import USER_ID

FULL = {
    "pains": "Reports are slow\nExports break",
    "requests": "A CSV export",
    "quotes": "Fridays are lost to reports",
    "interpretation": "They need a faster month-end",
    "closing_answer": "Budget is tight this quarter",
    "notes": "Finance team of four",
    "goal": "Learn how reports are built",
    "contact_name": "Dana",
    "contact_role": "CFO",
    "recording_url": "https://recordings.example/1",
}


def log_one(bot: RunningBot, account: str = "Acme", **form: Any) -> tuple[Call, Interview]:
    """Log an interview through the modal; its confirmation DM and the stored interview."""
    before = len(bot.fake.calls("chat.postMessage"))
    submit_log_modal(bot, account, **form)
    dm = bot.fake.wait_for("chat.postMessage", count=before + 1)[before]
    with bot.db.read() as session:
        interview = session.scalars(select(Interview).order_by(Interview.id.desc())).first()
        assert interview is not None
        session.expunge(interview)
    return dm, interview


def edit_button(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    (button,) = [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == InterviewAction.EDIT
    ]
    return button


def click_edit_in_dm(bot: RunningBot, dm: Call, **who: Any) -> Any:
    value = edit_button(dm.args["blocks"])["value"]
    response = bot.slack.block_action(
        InterviewAction.EDIT,
        block_id=InterviewAction.MANAGE,
        value=value,
        message=dm.response["message"],
        channel_id=dm.response["channel"],
        **who,
    )
    assert response.status == 200
    return response


def opened_form(bot: RunningBot, method: str = "views.open") -> dict[str, Any]:
    call = bot.fake.calls(method)[-1]
    assert call.response["ok"], call.response
    assert call.args["view"]["callback_id"] == LogModal.EDIT_CALLBACK_ID
    return call.response["view"]


def initial(view: dict[str, Any]) -> dict[str, Any]:
    """What each input of the form opens with."""
    found: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element") or {}
        for key in ("initial_value", "initial_date", "initial_users", "initial_conversation"):
            if key in element:
                found[block["block_id"]] = element[key]
        if "initial_option" in element:
            found[block["block_id"]] = element["initial_option"]["value"]
        if "initial_options" in element:
            found[block["block_id"]] = [o["value"] for o in element["initial_options"]]
    return found


def as_typed(interview: Interview, **changes: Any) -> dict[str, Any]:
    """The form's values as the prefilled form sends them back, with `changes` typed over."""
    fields: dict[str, Any] = {"held_on": interview.held_on.isoformat(), **FULL, **changes}
    return log_form(**fields)


def submit(bot: RunningBot, view: dict[str, Any], values: dict[str, Any], **who: Any) -> Any:
    response = bot.slack.view_submission(view, values, **who)
    assert response.status == 200
    return response


def test_edit_from_the_dm_opens_the_filled_form_and_saving_changes_it_in_place(bot: RunningBot) -> None:
    bot.fake.set_channel("C0SHARE", name="research")
    dm, interview = log_one(bot, recording_permission=True, share_channel="C0SHARE", **FULL)
    bot.fake.wait_for("chat.postMessage", count=2)  # and the channel post
    assert edit_button(dm.args["blocks"])["value"] == str(interview.id)
    click_edit_in_dm(bot, dm)
    form = opened_form(bot)
    shown = initial(form)
    assert shown == {
        LogField.ACCOUNT: "Acme",
        LogField.KIND: "discovery",
        LogField.HELD_ON: interview.held_on.isoformat(),
        LogField.PARTICIPANTS: [USER_ID],
        **{LogField(k): v for k, v in FULL.items()},
        LogField.RECORDING_PERMISSION: ["yes"],
        LogField.SHARE_CHANNEL: "C0SHARE",
    }
    assert json.loads(form["private_metadata"])["interview_id"] == interview.id

    values = as_typed(
        interview,
        pains="Exports break\nThe API times out",
        notes="Finance team of five",
        share_channel="C0SHARE",
        recording_permission=True,
    )
    bot.deps.home.flush()
    published = len(bot.fake.calls("views.publish"))
    assert submit(bot, form, values).body == b""
    assert bot.deps.home.flush() == 1  # the author's App Home lists it: drawn again
    assert [c.args["user_id"] for c in bot.fake.calls("views.publish")[published:]] == [USER_ID]
    with bot.db.read() as session:
        stored = session.get(Interview, interview.id)
        assert [p.text for p in stored.pains] == ["Exports break", "The API times out"]
        assert stored.notes == "Finance team of five" and stored.contact_role == "CFO"
        (record,) = session.scalars(select(InterviewEdit)).all()
        assert (record.team_id, record.edited_by, record.fields) == ("T0001", USER_ID, ["pains", "notes"])
        assert (
            session.scalar(select(Interview.id).order_by(Interview.id.desc())) == interview.id
        )  # no new one

    # The confirmation DM and the channel post are drawn again where they are.
    updates = bot.fake.wait_for("chat.update", count=2)
    by_ts = {u.args["ts"]: json.dumps(u.args["blocks"]) for u in updates}
    assert set(by_ts) == {c.response["ts"] for c in bot.fake.calls("chat.postMessage")}
    assert all("The API times out" in b and "Reports are slow" not in b for b in by_ts.values())
    assert all(u.accepted for u in updates)

    # Whoever opens it reads who edited it, when, and what.
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview.id))
    modal = json.dumps(bot.fake.calls("views.open")[-1].args["view"])
    day = datetime.now(ZoneInfo("America/New_York")).strftime("%a %d %b")
    assert f"Edited by <@U0001> on {day}: pains, notes" in modal


def test_the_app_home_of_who_took_part_before_or_after_the_edit_is_drawn_again(bot: RunningBot) -> None:
    bot.fake.add_users("U0002", "U0003")
    dm, interview = log_one(bot, participants=["U0002"], **FULL)
    click_edit_in_dm(bot, dm)
    form = opened_form(bot)
    bot.deps.home.flush()
    published = len(bot.fake.calls("views.publish"))
    submit(bot, form, as_typed(interview, participants=["U0003"]))
    assert bot.deps.home.flush() == 3  # the author's; who left the list; who joined it
    assert sorted(c.args["user_id"] for c in bot.fake.calls("views.publish")[published:]) == [
        USER_ID,
        "U0002",
        "U0003",
    ]


@pytest.mark.parametrize("moved_to", [None, "C0OTHER"])
def test_a_share_taken_out_of_its_channel_leaves_none_of_its_words_there(
    bot: RunningBot, moved_to: str | None
) -> None:
    bot.fake.set_channel("C0SHARE", name="research")
    bot.fake.set_channel("C0OTHER", name="product")
    dm, interview = log_one(bot, share_channel="C0SHARE", **FULL)
    (shared,) = [p for p in bot.fake.wait_for("chat.postMessage", count=2) if p.args["channel"] == "C0SHARE"]
    click_edit_in_dm(bot, dm)
    submit(bot, opened_form(bot), as_typed(interview, share_channel=moved_to))
    after_ack_done(bot.deps)
    (replaced,) = [u for u in bot.fake.calls("chat.update") if u.args["channel"] == "C0SHARE"]
    assert replaced.accepted and replaced.args["ts"] == shared.response["ts"]
    assert replaced.args["text"] == UNSHARED_TEXT and UNSHARED_TEXT in json.dumps(replaced.args["blocks"])
    assert FULL["contact_role"] not in json.dumps(replaced.args)
    posts = [p.args["channel"] for p in bot.fake.calls("chat.postMessage")]
    assert posts.count("C0SHARE") == 1
    if moved_to is None:
        assert "C0OTHER" not in posts
    else:
        (new,) = [p for p in bot.fake.calls("chat.postMessage") if p.args["channel"] == "C0OTHER"]
        assert new.accepted and "Acme" in json.dumps(new.args["blocks"])
        with bot.db.read() as session:
            (row,) = session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.interview_id == interview.id, OutboxMessage.channel_id == "C0OTHER"
                )
            )
            assert (row.kind, row.state) == (OutboxKind.INTERVIEW_SHARED, OutboxState.SENT)


def test_edit_in_the_interview_modal_pushes_the_form_and_redraws_the_modal(bot: RunningBot) -> None:
    _, interview = log_one(bot, **FULL)
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview.id))
    reading = bot.fake.calls("views.open")[-1].response["view"]
    button = edit_button(reading["blocks"])
    bot.slack.block_action(
        InterviewAction.EDIT, block_id=InterviewAction.MANAGE, view=reading, value=button["value"]
    )
    form = opened_form(bot, "views.push")
    assert form["previous_view_id"] == reading["id"]
    submit(bot, form, as_typed(interview, goal="Learn who builds the reports", interpretation=""))
    after_ack_done(bot.deps)
    # (The log modal that logged it may have had its default date corrected meanwhile: another view.)
    (redrawn,) = [c for c in bot.fake.calls("views.update") if c.args["view_id"] == reading["id"]]
    assert redrawn.accepted
    drawn = json.dumps(redrawn.args["view"])
    assert "Learn who builds the reports" in drawn and ": goal, what we heard" in drawn
    # Emptying the interpretation owes the summary again, as logging without one does.
    with bot.db.read() as session:
        kinds = [f.kind for f in session.scalars(select(FollowUp)) if f.state == FollowUpState.OPEN]
    assert sorted(kinds) == [FollowUpKind.SUMMARY, FollowUpKind.THANK_YOU]


def owed(bot: RunningBot) -> dict[str, FollowUp]:
    with bot.db.read() as session:
        return {
            f.description: f
            for f in session.scalars(select(FollowUp).where(FollowUp.kind == FollowUpKind.PROMISE))
        }


def test_a_removed_promise_is_closed_and_never_reminded_a_new_one_is_planned(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    # Tuesday in New York; only the promises are owed (thanks sent, summary written).
    dm, interview = log_one(
        bot, thank_you_sent=True, interpretation="Speed", promises="Send the deck tomorrow\nIntroduce the CTO"
    )
    assert interview.held_on == date(2026, 11, 24)
    # A replica claimed Wednesday's reminder and died before sending it: its lease runs out later.
    clock.move_to(datetime(2026, 11, 25, 14, 1, tzinfo=UTC))  # Wednesday 09:01
    with bot.db.transaction() as session:
        (claimed,) = claim_due(
            session=session, now=datetime.now(UTC), replica="gone", lease=timedelta(minutes=5), limit=10
        )
    click_edit_in_dm(bot, dm)
    form = opened_form(bot)
    assert initial(form)[LogField.PROMISES] == "Send the deck by 2026-11-25\nIntroduce the CTO by 2026-11-27"
    submit(
        bot,
        form,
        log_form(
            held_on="2026-11-24",
            thank_you_sent=True,
            pains="Reports are slow",
            interpretation="Speed",
            promises="Introduce the CTO by 2026-11-27\nShare the roadmap by 2026-11-26",
        ),
    )
    promises = owed(bot)
    assert (
        promises["Send the deck"].state == FollowUpState.SKIPPED
        and promises["Send the deck"].remind_at is None
    )
    assert promises["Introduce the CTO"].state == FollowUpState.OPEN
    roadmap = promises["Share the roadmap"]
    assert roadmap.due_at == datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # Thursday 09:00 in New York
    # The dead replica's lease runs out: the delivery it held now lists nothing, and nothing is sent.
    clock.move_to(datetime(2026, 11, 25, 14, 10, tzinfo=UTC))
    sender.tick()
    assert reminders(bot) == []
    # Thursday: the new promise is reminded, and the removed one is not in it.
    clock.move_to(datetime(2026, 11, 26, 14, 0, 30, tzinfo=UTC))
    assert sender.tick().sent == 1
    (dm_sent,) = reminders(bot)
    shown = json.dumps(dm_sent.args["blocks"])
    assert "Share the roadmap" in shown and "Send the deck" not in shown
    assert claimed.owner_id == USER_ID


def test_someone_else_cannot_edit_it(bot: RunningBot) -> None:
    dm, interview = log_one(bot, **FULL)
    click_edit_in_dm(bot, dm, user_id="U0002")
    (said,) = bot.fake.wait_for("chat.postMessage", count=2)[1:]
    assert said.args["channel"] == "U0002" and "Only the person who logged" in said.args["text"]
    assert bot.fake.calls("views.open") == [bot.fake.calls("views.open")[0]]  # only the log modal's
    # A form forged for them is refused on the form, and nothing changes.
    click_edit_in_dm(bot, dm)
    form = opened_form(bot)
    answer = submit(bot, form, as_typed(interview, notes="Mine now"), user_id="U0002").json()
    assert answer["response_action"] == "errors"
    assert "Only the person who logged" in json.dumps(answer["errors"])
    with bot.db.read() as session:
        assert session.get(Interview, interview.id).notes == FULL["notes"]
        assert session.scalars(select(InterviewEdit)).all() == []


def test_another_workspace_cannot_edit_it_by_forging_its_id(bot: RunningBot, elsewhere: RunningBot) -> None:
    dm, interview = log_one(bot, **FULL)
    # Another workspace's bot, over the same database, is given our interview's id.
    response = elsewhere.slack.block_action(
        InterviewAction.EDIT, block_id=InterviewAction.MANAGE, value=str(interview.id)
    )
    assert response.status == 200
    said = elsewhere.fake.wait_for("chat.postMessage")[0]
    assert "gone" in said.args["text"]
    assert not elsewhere.fake.calls("views.open")
    assert len(bot.fake.calls("views.open")) == 1  # only the log modal's
    # Their own copy of the form, its metadata naming our interview.
    click_edit_in_dm(bot, dm)
    form = {**opened_form(bot), "app_installed_team_id": "T0OTHER", "team_id": "T0OTHER"}
    answer = submit(elsewhere, form, as_typed(interview, notes="Theirs now")).json()
    assert answer["response_action"] == "errors"
    with bot.db.read() as session:
        assert session.get(Interview, interview.id).notes == FULL["notes"]


def test_search_finds_the_new_words_and_not_the_removed_ones(bot: RunningBot) -> None:
    dm, interview = log_one(bot, **FULL)
    click_edit_in_dm(bot, dm)
    submit(bot, opened_form(bot), as_typed(interview, pains="Exports break\nThe webhook retries flood us"))
    found = sections(bot.slack.command("search webhook").json()["blocks"])
    assert [s["accessory"]["value"] for s in found] == [str(interview.id)]
    assert sections(bot.slack.command("search slow").json()["blocks"]) == []


def test_a_changed_pain_is_placed_again_and_unchanged_ones_keep_their_theme(
    bot: RunningBot, semantic: Embedder
) -> None:
    extra = "Month-end reporting takes us days"
    logged = [log_one(bot, f"Customer {n}", pains=pain) for n, pain in enumerate([*REPORTS, extra, *LOGINS])]
    upkeep = UpkeepJob(db=bot.db, embedder=semantic, replica="test", schedule=SCHEDULE)
    upkeep.tick()
    reports, logins = theme_of(bot, REPORTS[1]), theme_of(bot, LOGINS[0])
    assert reports.id != logins.id and theme_of(bot, REPORTS[0]).id == reports.id
    with bot.db.read() as session:
        kept_ids = {p.text: p.id for p in session.scalars(select(Pain))}
    dm, interview = logged[0]
    click_edit_in_dm(bot, dm)
    changed = "I get signed out of the app every hour"
    submit(
        bot,
        opened_form(bot),
        log_form(held_on=interview.held_on.isoformat(), account="Customer 0", pains=changed),
    )
    with bot.db.read() as session:
        fresh = session.scalar(select(Pain).where(Pain.text == changed))
        assert fresh.theme_id is None and fresh.embedded_with is None  # waits for the theme engine
    upkeep.tick()
    assert theme_of(bot, changed).id == logins.id
    assert theme_of(bot, REPORTS[1]).id == reports.id and theme_of(bot, extra).id == reports.id
    assert theme_of(bot, LOGINS[1]).id == logins.id
    with bot.db.read() as session:
        assert session.scalar(select(Pain.id).where(Pain.text == REPORTS[1])) == kept_ids[REPORTS[1]]
        assert session.scalar(select(Pain).where(Pain.text == REPORTS[0])) is None
