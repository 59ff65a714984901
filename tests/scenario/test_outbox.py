"""Nothing lost silently: the messages that matter to a person are stored with what they confirm, sent after
commit, retried until Slack takes them, and told another way when Slack never will."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from slack_sdk import WebClient
from sqlalchemy import select

from bot.capture.removal import remove_interviews
from bot.outbox.queue import claim_due, redraw, start_sending
from handlers.senders.outbox import METADATA_EVENT, OutboxSender
from handlers.web_api.client import post_message
from storage.models import Interview, OutboxKind, OutboxMessage, OutboxState
from tests.conftest import RunningBot
from tests.scenario.test_schedule import NOW, schedule
from tests.support.after_ack import after_ack_done, dies_after_commit
from tests.support.fake_slack import Call
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID


@pytest.fixture
def replica(bot: RunningBot) -> Iterator[OutboxSender]:
    """Another replica's outbox sender, as its scheduler ticks it (the test calls tick())."""
    sender = OutboxSender(db=bot.db, client=bot.deps.client, replica="replica-2")
    yield sender
    sender.close()


def outbox(bot: RunningBot) -> list[OutboxMessage]:
    with bot.db.read() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def delivered(bot: RunningBot, message_id: int) -> list[Call]:
    """The posts Slack accepted for outbox message `message_id`."""
    return [
        c
        for c in bot.fake.calls("chat.postMessage")
        if (c.args.get("metadata") or {}).get("event_type") == METADATA_EVENT
        and c.args["metadata"]["event_payload"]["outbox_id"] == message_id
    ]


def attempts_seen(bot: RunningBot) -> int:
    return len(bot.fake.calls("chat.postMessage", include_rejected=True))


def test_a_confirmation_slack_fails_five_times_is_delivered_once_when_it_recovers(
    bot: RunningBot, replica: OutboxSender, clock: time_machine.Traveller
) -> None:
    bot.fake.fail("chat.postMessage", "internal_error", times=5)
    assert submit_log_modal(bot, pains="Exports time out").accepted
    after_ack_done(bot.deps)
    (message,) = outbox(bot)
    assert message.kind == OutboxKind.INTERVIEW_SAVED and message.state == OutboxState.PENDING
    assert attempts_seen(bot) == 1  # sent right after the commit, refused

    # Each failure waits longer: 30 s, 1 min, 2 min, 4 min; nothing is tried before its time.
    for wait in (30, 60, 120, 240):
        clock.shift(timedelta(seconds=wait - 2))
        assert replica.tick() == 0
        clock.shift(timedelta(seconds=3))
        assert replica.tick() == 1
    assert attempts_seen(bot) == 5 and delivered(bot, message.id) == []

    clock.shift(timedelta(seconds=481))
    assert replica.tick() == 1
    (dm,) = delivered(bot, message.id)
    assert dm.args["channel"] == USER_ID and "Saved your interview with Acme" in dm.args["text"]
    (message,) = outbox(bot)
    assert message.state == OutboxState.SENT and message.attempts == 6
    clock.shift(timedelta(hours=2))
    assert replica.tick() == 0 and bot.deps.outbox.tick() == 0
    assert len(delivered(bot, message.id)) == 1


def test_a_confirmation_outlives_the_process_that_stored_it(
    bot: RunningBot, replica: OutboxSender, clock: time_machine.Traveller
) -> None:
    dies_after_commit(bot.deps)  # the process dies right after the commit, before anything is sent
    assert submit_log_modal(bot, pains="Exports time out", share_channel="C0TEAM").accepted
    after_ack_done(bot.deps)
    assert bot.fake.calls("chat.postMessage") == []
    dm, share = outbox(bot)
    assert (dm.kind, share.kind) == (OutboxKind.INTERVIEW_SAVED, OutboxKind.INTERVIEW_SHARED)

    assert replica.tick() == 2  # the scheduler of the replica that is still up (or the restarted one)
    assert sorted(c.args["channel"] for c in bot.fake.calls("chat.postMessage")) == ["C0TEAM", USER_ID]
    assert {m.state for m in outbox(bot)} == {OutboxState.SENT}


def test_a_sender_that_died_after_posting_is_not_posted_twice(
    bot: RunningBot, replica: OutboxSender, clock: time_machine.Traveller
) -> None:
    dies_after_commit(bot.deps)
    assert submit_log_modal(bot, pains="Exports time out").accepted
    after_ack_done(bot.deps)
    # A replica claims it, posts it, and dies before it can record that it did.
    now = datetime.now(UTC)
    (claimed,) = bot.db.run(lambda s: claim_due(session=s, now=now, replica="dead", limit=10))
    assert bot.db.run(lambda s: start_sending(session=s, message_id=claimed.id, replica="dead", now=now))
    post_message(
        bot.deps.client,
        channel=claimed.channel_id,
        text=claimed.text,
        blocks=claimed.blocks,
        metadata={"event_type": METADATA_EVENT, "event_payload": {"outbox_id": claimed.id}},
    )
    assert replica.tick() == 0  # its lease holds
    clock.shift(timedelta(minutes=3))
    assert replica.tick() == 1
    assert len(delivered(bot, claimed.id)) == 1  # found in the DM's history, recorded, not posted again
    assert bot.fake.calls("conversations.history")
    (message,) = outbox(bot)
    assert message.state == OutboxState.SENT and message.lease_owner == "replica-2"


def test_a_dm_slack_never_takes_shows_on_app_home_and_after_the_next_command(
    bot: RunningBot, clock: time_machine.Traveller
) -> None:
    bot.fake.fail("chat.postMessage", "restricted_action")
    assert submit_log_modal(bot, pains="Exports time out").accepted
    after_ack_done(bot.deps)
    (message,) = outbox(bot)
    assert message.state == OutboxState.FAILED and message.error == "restricted_action"

    (home,) = bot.fake.wait_for("views.publish")
    assert home.args["user_id"] == USER_ID
    shown = json.dumps(home.args["view"])
    assert "I couldn't DM you the confirmation of your interview with Acme" in shown
    assert "doesn't let me post there" in shown

    assert bot.slack.command("help").status == 200
    after_ack_done(bot.deps)
    (told,) = bot.fake.calls("response.url")
    assert told.args["response_type"] == "ephemeral"
    assert "I couldn't DM you the confirmation of your interview with Acme" in told.args["text"]
    # Said once: the next command answers as usual and nothing more.
    bot.slack.command("help")
    after_ack_done(bot.deps)
    assert len(bot.fake.calls("response.url")) == 1
    # App Home keeps saying it for a week, whenever it is opened.
    bot.slack.event({"type": "app_home_opened", "user": USER_ID, "tab": "home"})
    after_ack_done(bot.deps)
    assert "I couldn't DM you" in json.dumps(bot.fake.wait_for("views.publish", count=2)[-1].args["view"])


def test_a_message_that_keeps_failing_for_a_day_is_given_up_and_told(
    bot: RunningBot, replica: OutboxSender, clock: time_machine.Traveller
) -> None:
    bot.fake.fail("chat.postMessage", "internal_error", times=None)
    assert submit_log_modal(bot, pains="Exports time out").accepted
    after_ack_done(bot.deps)
    clock.shift(timedelta(hours=23))
    assert replica.tick() == 1
    assert outbox(bot)[0].state == OutboxState.PENDING
    clock.shift(timedelta(hours=2))
    assert replica.tick() == 1
    (message,) = outbox(bot)
    assert message.state == OutboxState.FAILED and message.error.startswith("gave up after 3 attempts")
    bot.slack.command("help")
    after_ack_done(bot.deps)
    (told,) = bot.fake.calls("response.url")
    assert "internal_error" in told.args["text"]


def test_a_share_slack_refuses_is_told_by_dm_once(bot: RunningBot, clock: time_machine.Traveller) -> None:
    bot.fake.set_channel("C0SECRET", private=True, member=False)
    assert submit_log_modal(bot, pains="Exports time out", share_channel="C0SECRET").accepted
    after_ack_done(bot.deps)
    dm, share, notice = outbox(bot)
    assert dm.state == OutboxState.SENT  # the confirmation itself went out
    assert share.state == OutboxState.FAILED and share.told_at is not None
    assert notice.kind == OutboxKind.SHARE_FAILED and notice.state == OutboxState.SENT
    (told,) = delivered(bot, notice.id)
    assert "/invite @Interview Bot" in told.args["text"]
    bot.slack.command("help")
    after_ack_done(bot.deps)
    assert bot.fake.calls("response.url") == []  # already told, by DM


def test_the_schedule_confirmation_is_retried_too(
    bot: RunningBot, replica: OutboxSender, clock: time_machine.Traveller
) -> None:
    bot.fake.fail("chat.postMessage", "internal_error")
    response = schedule(bot, starts=NOW + timedelta(hours=3))
    assert response.status == 200 and not response.body
    after_ack_done(bot.deps)
    (message,) = outbox(bot)
    assert message.kind == OutboxKind.CALL_SCHEDULED and message.state == OutboxState.PENDING
    clock.shift(timedelta(seconds=31))
    assert replica.tick() == 1
    (dm,) = delivered(bot, message.id)
    # Slack shows the times in each reader's own zone.
    assert f"<!date^{int((NOW + timedelta(hours=3)).timestamp())}^" in dm.args["text"]
    assert "Prep notes go out" in dm.args["text"]


class MidPost(WebClient):
    """The bot's client, with `during` run once right after Slack took the first post and before the
    sender records it: what a person does in that moment."""

    def __init__(self, client: WebClient, during: Callable[[], None]) -> None:
        super().__init__(token=client.token, base_url=client.base_url)
        self._during: Callable[[], None] | None = during

    def chat_postMessage(self, **kwargs: Any) -> Any:
        response = super().chat_postMessage(**kwargs)
        during, self._during = self._during, None
        if during is not None:
            during()
        return response


def logged_unsent(bot: RunningBot) -> int:
    """An interview logged with a share, whose confirmation and share are not sent yet."""
    dies_after_commit(bot.deps)
    assert submit_log_modal(bot, pains="Exports time out", share_channel="C0TEAM").accepted
    after_ack_done(bot.deps)
    with bot.db.read() as session:
        return int(session.scalars(select(Interview.id)).one())


def test_an_interview_deleted_while_its_messages_are_posted_leaves_nothing_in_slack(bot: RunningBot) -> None:
    interview_id = logged_unsent(bot)

    def delete() -> None:
        bot.db.run(lambda s: remove_interviews(session=s, team_id="T0001", interview_ids=[interview_id]))

    sender = OutboxSender(db=bot.db, client=MidPost(bot.deps.client, delete), replica="replica-2")
    try:
        # Both claimed together, as right after the commit; the interview goes while the DM is posted.
        sender.send_now([m.id for m in outbox(bot)])
    finally:
        sender.close()
    # The DM was in Slack before the deletion took its row: it comes down. The share, claimed with it,
    # finds its row gone and is never posted.
    (dm,) = bot.fake.calls("chat.postMessage")
    assert dm.args["channel"] == USER_ID
    assert bot.fake.message_at(str(dm.response["channel"]), str(dm.response["ts"])) is None
    (deleted,) = bot.fake.calls("chat.delete")
    assert deleted.args["ts"] == dm.response["ts"]
    assert outbox(bot) == []


def test_an_interview_edited_while_its_confirmation_is_posted_shows_the_edit(bot: RunningBot) -> None:
    interview_id = logged_unsent(bot)
    edited = [{"type": "section", "text": {"type": "mrkdwn", "text": "Saved: exports *and* imports"}}]

    def edit() -> None:  # what an edit does to a message not yet sent (handlers/edit.py)
        bot.db.run(
            lambda s: redraw(
                session=s,
                team_id="T0001",
                interview_id=interview_id,
                kind=OutboxKind.INTERVIEW_SAVED,
                text="Saved: exports and imports",
                blocks=edited,
            )
        )

    sender = OutboxSender(db=bot.db, client=MidPost(bot.deps.client, edit), replica="replica-2")
    try:
        assert sender.send_now([m.id for m in outbox(bot)]) == ["sent", "sent"]
    finally:
        sender.close()
    dm, share = outbox(bot)
    (posted,) = delivered(bot, dm.id)
    assert "Saved your interview with Acme" in posted.args["text"]  # what was claimed went out first
    now = bot.fake.message_at(str(posted.response["channel"]), str(posted.response["ts"]))
    assert now is not None and now["text"] == "Saved: exports and imports" and now["blocks"] == edited
    assert len(delivered(bot, share.id)) == 1  # the share was not edited: left as posted
    assert [u.args["ts"] for u in bot.fake.calls("chat.update")] == [posted.response["ts"]]
    assert {m.state for m in outbox(bot)} == {OutboxState.SENT}


def test_a_post_slack_took_but_never_answered_is_looked_for_before_it_is_sent_again(
    bot: RunningBot, replica: OutboxSender, clock: time_machine.Traveller
) -> None:
    dies_after_commit(bot.deps)
    assert submit_log_modal(bot, pains="Exports time out").accepted
    after_ack_done(bot.deps)
    (message,) = outbox(bot)
    # Slack takes the post but its answer comes after the client has stopped waiting: no answer is not
    # "not sent".
    impatient = WebClient(token=bot.deps.client.token, base_url=bot.deps.client.base_url, timeout=0.3)
    bot.fake.delay("chat.postMessage", 1.0, times=1)
    sender = OutboxSender(db=bot.db, client=impatient, replica="replica-3")
    try:
        assert sender.send_now([message.id]) == ["retrying"]
    finally:
        sender.close()
    (posted,) = bot.fake.wait_for("chat.postMessage")  # in the DM by now, unknown to the bot
    clock.shift(timedelta(minutes=1))
    assert replica.tick() == 1
    channel = str(posted.response["channel"])
    in_the_dm = bot.deps.client.conversations_history(channel=channel, limit=100)["messages"]
    assert [m["ts"] for m in in_the_dm] == [posted.response["ts"]], "sent again without looking first"
    (message,) = outbox(bot)
    assert (message.state, message.message_ts) == (OutboxState.SENT, posted.response["ts"])
