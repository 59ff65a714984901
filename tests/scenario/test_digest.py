"""The weekly digest as a team meets it: `/interview digest` through signed requests to the real endpoint,
the fake Slack Web API refusing what Slack refuses, and the poster posting into a channel's thread."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.digest.subscriptions import DEFAULT_TIME, Schedule, subscribe
from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from handlers.senders.digest import DigestPoster
from handlers.views.interview import InterviewAction
from handlers.views.subscriptions import DigestModal
from storage.models import Account, DigestRun, DigestRunState, DigestSubscription, QuietWeek, RankBy
from tests.conftest import RunningBot
from tests.storage.digest.test_digest_weight import WEIGHTS
from tests.support.after_ack import after_ack_done
from tests.support.digest_data import NOW, REPORTS, SSO, log_the_week

SUNDAY_EVENING = datetime(2026, 11, 22, 18, tzinfo=UTC)  # the preview's last 7 days are 16–22 November
CHANNEL = "C0DIGEST"


@pytest.fixture
def backend() -> str:
    """SQLite only: these tests are about Slack; the digest's storage and replicas are tested on both
    databases in tests/storage/digest/ (this keeps CI short)."""
    return "sqlite"


@pytest.fixture
def week(bot: RunningBot, semantic: Embedder) -> RunningBot:
    log_the_week(bot.db)
    schedule = UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7))
    UpkeepJob(db=bot.db, embedder=semantic, replica="r1", schedule=schedule).tick(now=NOW)
    bot.fake.add_users("U0001", "U0002", "U0003")
    return bot


@pytest.fixture
def poster(bot: RunningBot) -> Iterator[DigestPoster]:
    yield DigestPoster(
        db=bot.db, client=bot.deps.client, replica="poster-1", send_outbox=bot.deps.outbox.send_now
    )


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The text of each block, in order (section text, header, context elements)."""
    out = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            out.append(text.get("text", ""))
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("type") in ("mrkdwn", "plain_text"):
                out.append(element.get("text", ""))
    return out


def subscribed(bot: RunningBot, channel: str = CHANNEL, **changes: Any) -> None:
    schedule = Schedule(0, DEFAULT_TIME, "UTC", **changes)
    bot.db.run(
        lambda s: subscribe(
            session=s,
            team_id="T0001",
            channel_id=channel,
            schedule=schedule,
            by="U0001",
            now=NOW - timedelta(days=7),
        )
    )


def test_preview_ranks_a_pain_five_accounts_share_above_one_said_nine_times(week: RunningBot) -> None:
    with time_machine.travel(SUNDAY_EVENING, tick=False):
        response = week.slack.command("digest preview")
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    lines = texts(body["blocks"])
    joined = "\n".join(lines)
    top = next(n for n, line in enumerate(lines) if line.startswith("*1. "))
    assert "5 accounts this week" in lines[top]
    # Two of the reporting accounts in their own words, each under their name.
    quoted = [account for account in REPORTS if f"> _{account}, " in lines[top]]
    assert len(quoted) == 2, lines[top]
    # The nine single sign-on pains of one account stand apart, below the ranking, never in it.
    apart = next(n for n, line in enumerate(lines) if "One account so far" in line)
    assert apart > top
    ranked = "\n".join(lines[top:apart])
    assert not any(pain in ranked for pain in SSO) and "Stark" not in ranked
    single = joined[joined.index("One account so far") : joined.index("Requested solutions")]
    assert "(Stark)" in single and "mentions" in single
    # Requests are labelled as requests, apart from pains.
    assert "Requested solutions" in joined and "CSV" in joined[joined.index("Requested solutions") :]
    # The quote "<!channel> … <@U0BOSS> …" is shown as typed and pings nobody.
    raw = json.dumps(body)
    assert "<!channel>" not in raw and "<@U0BOSS>" not in raw and "<https://evil" not in raw
    assert week.fake.calls("chat.postMessage") == []  # a preview posts nothing anywhere


def test_the_scheduled_digest_posts_a_short_message_the_rest_in_its_thread_and_the_chart(
    week: RunningBot, poster: DigestPoster
) -> None:
    week.fake.set_channel(CHANNEL, name="customer-voice", member=False)
    week.fake.set_user("U0001", tz="Europe/London")  # the subscriber's zone is the digest's: UTC in November
    week.fake.set_user("U0002", profile={"display_name": "<!channel> Stark's rep", "real_name": "Rep"})
    with time_machine.travel(SUNDAY_EVENING, tick=False):
        done = week.slack.command(f"digest subscribe <#{CHANNEL}|customer-voice> monday 09:00")
        assert done.status == 200
        (answer,) = week.fake.wait_for("response.url")
    # The channel as a link Slack draws with its current name, not the name as typed.
    assert f"<#{CHANNEL}>" in answer.args["text"] and "customer-voice" not in answer.args["text"]
    assert "Mondays at 09:00 (Europe/London)" in answer.args["text"]
    assert [c.args["channel"] for c in week.fake.calls("conversations.join")] == [CHANNEL]

    assert poster.tick(now=NOW - timedelta(minutes=1)) == 0  # not before its time
    assert poster.tick(now=NOW) == 1
    posts = week.fake.calls("chat.postMessage")
    top, *replies = posts
    assert top.args["channel"] == CHANNEL and "thread_ts" not in top.args
    assert len(top.args["blocks"]) <= 25  # a screen, not a scroll
    assert "*Top topics*" in "\n".join(texts(top.args["blocks"]))
    # The team's first week: nothing is marked new or emerging against an empty history, and it says why.
    channel = "\n".join(texts(top.args["blocks"]))
    assert "first digest: no earlier periods to compare with" in channel
    assert "🆕" not in channel and "*Emerging*" not in channel
    assert (
        "Customer digest, 16 – 22 Nov 2026" in channel
        and "30 interviews with 12 accounts (12 new)" in channel
    )
    # Who logged what is said by name (a mention would ping them each week), as typed, pinging nobody.
    assert "&lt;!channel&gt; Stark's rep 9" in json.dumps(top.args["blocks"])
    assert "<!channel>" not in json.dumps(top.args) and "<@U0002>" not in json.dumps(top.args)
    ts = top.response["ts"]
    assert replies and all(r.args.get("thread_ts") == ts for r in replies)
    assert all(r.args.get("unfurl_links") in (False, "false", "0", 0) for r in posts)
    thread = "\n".join(t for r in replies for t in texts(r.args["blocks"]))
    assert "One account so far" in thread and "Requested solutions" in thread and "Follow-ups" in thread
    (upload,) = week.fake.calls("files.getUploadURLExternal")
    alt = upload.args["alt_txt"]
    assert alt.startswith("Top pains this week (16 – 22 Nov 2026), by distinct accounts.")
    assert "5 accounts" in alt and "No earlier periods to compare with." in alt
    (png,) = week.fake.uploads.values()
    assert png.startswith(b"\x89PNG")
    (complete,) = week.fake.calls("files.completeUploadExternal")
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == (CHANNEL, ts)
    assert complete.response["files"][0]["title"] == "Top pains, 16 – 22 Nov 2026"
    with week.db.read() as session:
        run = session.scalars(select(DigestRun)).one()
        assert (run.state, run.message_ts, run.chart_done) == (DigestRunState.SENT, ts, True)
    # Once per period: later ticks post nothing more.
    assert poster.tick(now=NOW + timedelta(hours=1)) == 0
    assert len(week.fake.calls("chat.postMessage")) == len(posts)


def test_open_interview_opens_the_interview_the_quote_came_from(
    week: RunningBot, poster: DigestPoster, elsewhere: RunningBot
) -> None:
    subscribed(week)
    poster.tick(now=NOW)
    top = week.fake.calls("chat.postMessage")[0]
    block = next(
        b for b in top.args["blocks"] if (b.get("accessory") or {}).get("action_id") == InterviewAction.OPEN
    )
    interview_id = int(block["accessory"]["value"])
    response = week.slack.block_action(
        InterviewAction.OPEN, block_id=block.get("block_id") or "auto", value=str(interview_id)
    )
    assert response.status == 200
    (opened,) = week.fake.wait_for("views.open")
    shown = json.dumps(opened.args["view"])
    from storage.models import Interview

    with week.db.read() as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        assert interview.account.name in shown and f"interview #{interview_id}" in shown
    # Another workspace's bot, over the same database, opens nothing of this one's by its id.
    elsewhere.slack.block_action(
        InterviewAction.OPEN, block_id=block.get("block_id") or "auto", value=str(interview_id)
    )
    assert "gone" in elsewhere.fake.wait_for("chat.postMessage")[0].args["text"]
    assert len(week.fake.calls("views.open")) == 1 and not elsewhere.fake.calls("views.open")


def test_a_private_channel_without_the_bot_is_refused_with_how_to_invite_it(bot: RunningBot) -> None:
    bot.fake.set_channel("G0SECRET", private=True, member=False)
    bot.slack.command("digest")
    (opened,) = bot.fake.wait_for("views.open")
    view = opened.response["view"]
    values = {
        DigestModal.CHANNEL: {
            DigestModal.VALUE: {"type": "conversations_select", "selected_conversation": "G0SECRET"}
        },
        DigestModal.WEEKDAY: {
            DigestModal.VALUE: {"type": "static_select", "selected_option": {"value": "0"}}
        },
        DigestModal.TIME: {DigestModal.VALUE: {"type": "timepicker", "selected_time": "09:00"}},
        DigestModal.TIMEZONE: {DigestModal.VALUE: {"type": "plain_text_input", "value": "Europe/Paris"}},
        DigestModal.QUIET: {
            DigestModal.VALUE: {"type": "radio_buttons", "selected_option": {"value": "note"}}
        },
    }
    response = bot.slack.view_submission(view, values)
    errors = response.json()["errors"]
    assert "/invite" in errors[DigestModal.CHANNEL]
    with bot.db.read() as session:
        assert session.scalars(select(DigestSubscription)).all() == []
    # A public channel is joined and subscribed; the modal then lists it.
    bot.fake.set_channel("C0PUBLIC", member=False)
    values[DigestModal.CHANNEL][DigestModal.VALUE]["selected_conversation"] = "C0PUBLIC"
    done = bot.slack.view_submission(view, values)
    assert done.json()["response_action"] == "update"
    assert "<#C0PUBLIC>" in json.dumps(done.json()["view"])
    with bot.db.read() as session:
        (sub,) = session.scalars(select(DigestSubscription)).all()
        assert (sub.channel_id, sub.timezone, sub.weekday) == ("C0PUBLIC", "Europe/Paris", 0)


def test_an_archived_channel_pauses_the_subscription_and_tells_the_subscriber(
    week: RunningBot, poster: DigestPoster
) -> None:
    subscribed(week)
    week.fake.set_channel(CHANNEL, archived=True)
    poster.tick(now=NOW)
    (dm,) = week.fake.calls("chat.postMessage")
    assert dm.args["channel"] == "U0001" and "archived" in dm.args["text"]
    with week.db.read() as session:
        sub = session.scalars(select(DigestSubscription)).one()
        run = session.scalars(select(DigestRun)).one()
    assert (sub.next_due_at, sub.paused_reason) == (None, "the channel was archived")
    assert (run.state, run.error) == (DigestRunState.FAILED, "is_archived")
    assert poster.tick(now=NOW + timedelta(days=7)) == 0  # paused: nothing more


def test_a_rate_limited_post_is_retried_after_retry_after_and_the_period_is_not_lost(
    week: RunningBot, poster: DigestPoster
) -> None:
    subscribed(week)
    week.fake.rate_limit("chat.postMessage", retry_after=30)
    poster.tick(now=NOW)
    assert week.fake.calls("chat.postMessage") == []
    assert poster.tick(now=NOW + timedelta(seconds=10)) == 0  # Retry-After is honoured
    assert poster.tick(now=NOW + timedelta(seconds=31)) == 1
    tops = [c for c in week.fake.calls("chat.postMessage") if "thread_ts" not in c.args]
    assert len(tops) == 1
    with week.db.read() as session:
        assert session.scalars(select(DigestRun.state)).one() is DigestRunState.SENT


def test_a_chart_that_cannot_be_uploaded_still_leaves_the_digest_and_says_so(
    week: RunningBot, poster: DigestPoster
) -> None:
    subscribed(week)
    week.fake.fail("files.getUploadURLExternal", "missing_scope")
    poster.tick(now=NOW)
    notes = [t for c in week.fake.calls("chat.postMessage") for t in [c.args.get("text", "")]]
    assert any("chart could not be drawn" in t for t in notes)
    with week.db.read() as session:
        assert session.scalars(select(DigestRun.state)).one() is DigestRunState.SENT


@pytest.mark.parametrize(("quiet", "posts"), [(QuietWeek.NOTE, 1), (QuietWeek.NOTHING, 0)])
def test_a_week_with_no_interview_posts_one_line_or_nothing(
    bot: RunningBot, poster: DigestPoster, quiet: QuietWeek, posts: int
) -> None:
    subscribed(bot, quiet=quiet)
    poster.tick(now=NOW)
    calls = bot.fake.calls("chat.postMessage")
    assert len(calls) == posts
    if posts:
        assert "No interview was logged" in calls[0].args["text"]
    with bot.db.read() as session:
        expected = DigestRunState.SENT if posts else DigestRunState.QUIET
        assert session.scalars(select(DigestRun.state)).one() is expected


def test_post_now_edit_and_unsubscribe_from_the_modal(week: RunningBot) -> None:
    # Post now covers the week before today: today must be the seeded week's Monday, not the real date.
    with time_machine.travel(NOW, tick=True):
        post_now_edit_and_unsubscribe(week)


def post_now_edit_and_unsubscribe(week: RunningBot) -> None:
    subscribed(week)
    week.slack.command("digest")
    (opened,) = week.fake.wait_for("views.open")
    view = opened.response["view"]
    after_ack_done(week.deps)  # the default timezone corrected (New York, not UTC): one views.update
    before = len(week.fake.calls("views.update"))
    with week.db.read() as session:
        sub_id = session.scalars(select(DigestSubscription.id)).one()
    week.slack.block_action(
        DigestModal.POST_NOW, block_id=f"subscription_{sub_id}", view=view, value=str(sub_id)
    )
    (top, *_) = week.fake.wait_for("chat.postMessage", count=2, timeout=30)
    assert top.args["channel"] == CHANNEL
    week.slack.block_action(DigestModal.EDIT, block_id=f"subscription_{sub_id}", view=view, value=str(sub_id))
    edited = week.fake.wait_for("views.update", count=before + 1)[before]
    assert edited.args["view_id"] == view["id"]
    assert json.loads(edited.args["view"]["private_metadata"]) == {"editing": sub_id}
    week.slack.block_action(
        DigestModal.UNSUBSCRIBE, block_id=f"subscription_{sub_id}", view=view, value=str(sub_id)
    )
    week.fake.wait_for("views.update", count=before + 2)
    with week.db.read() as session:
        assert session.scalars(select(DigestSubscription)).all() == []


def test_unsubscribe_by_command_and_usage_for_anything_else(bot: RunningBot) -> None:
    subscribed(bot)
    gone = bot.slack.command(f"digest unsubscribe <#{CHANNEL}|customer-voice>").json()
    assert "no more digests" in gone["text"]
    again = bot.slack.command(f"digest unsubscribe <#{CHANNEL}>").json()
    assert "had no digest subscription" in again["text"]
    usage = bot.slack.command("digest sideways").json()
    assert "/interview digest subscribe" in usage["text"]


def test_the_modal_defaults_to_the_persons_timezone_once_slack_says_it(bot: RunningBot) -> None:
    bot.fake.add_users("U0001")
    bot.fake.set_user("U0001", tz="Asia/Kolkata")
    bot.slack.command("digest")
    (opened,) = bot.fake.wait_for("views.open")
    (corrected,) = bot.fake.wait_for("views.update")
    assert corrected.args["view_id"] == opened.response["view"]["id"]
    assert corrected.args["hash"] == opened.response["view"]["hash"]
    assert '"initial_value": "Asia/Kolkata"' in json.dumps(corrected.args["view"])
    # Known from then on: the next modal opens with it, and nothing needs correcting.
    bot.slack.command("digest")
    second = bot.fake.wait_for("views.open", count=2)[1]
    assert "Asia/Kolkata" in json.dumps(second.args["view"])
    after_ack_done(bot.deps)
    assert len(bot.fake.calls("views.update")) == 1


def test_subscribe_by_a_plain_channel_name(bot: RunningBot) -> None:
    bot.fake.set_channel("C0OTHER", name="sales-team")
    bot.fake.set_channel(CHANNEL, name="customer-voice")
    bot.fake.set_user("U0001", tz="Europe/Paris")
    bot.slack.command("digest subscribe #customer-voice friday 16:30")
    (answer,) = bot.fake.wait_for("response.url")
    assert f"<#{CHANNEL}>" in answer.args["text"] and "Fridays at 16:30 (Europe/Paris)" in answer.args["text"]
    with bot.db.read() as session:
        sub = session.scalars(select(DigestSubscription)).one()
        assert (sub.channel_id, sub.weekday, sub.minute_of_day) == (CHANNEL, 4, 16 * 60 + 30)
    bot.slack.command("digest subscribe #no-such-channel")
    missing = bot.fake.wait_for("response.url", count=2)[1]
    assert "can't find the channel" in missing.args["text"]


def test_help_lists_the_digest(bot: RunningBot) -> None:
    assert "/interview digest" in json.dumps(bot.slack.command("help").json()["blocks"])


def top_pain(blocks: list[dict[str, Any]]) -> str:
    return next(line for line in texts(blocks) if line.startswith("*1. "))


LATE_REPORT = "Month-end reports take us ages to generate"


@pytest.mark.parametrize("lease_held", [False, True])
def test_the_digest_brings_the_themes_up_to_date_before_it_is_built(
    week: RunningBot, semantic: Embedder, lease_held: bool
) -> None:
    # A sixth account's slow reports, logged a minute before the digest: no upkeep tick since.
    from bot.themes.upkeep.lease import claim_upkeep
    from storage.models import Pain, ThemeKind
    from tests.support.digest_data import WEEK_END, log

    log(week.db, "Massive Dynamic", WEEK_END - timedelta(days=1), pains=[LATE_REPORT], now=NOW)
    if lease_held:  # another replica is regrouping the workspace right now, and takes its time
        assert week.db.run(
            lambda s: claim_upkeep(session=s, team_id="T0001", kind=ThemeKind.PAIN, replica="r2", now=NOW)
        )
    schedule = UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7))
    upkeep = UpkeepJob(db=week.db, embedder=semantic, replica="poster-1", schedule=schedule)
    poster = DigestPoster(
        db=week.db, client=week.deps.client, replica="poster-1", upkeep=upkeep, themes_wait=0
    )
    subscribed(week)
    assert poster.tick(now=NOW + timedelta(minutes=1)) == 1
    top = top_pain(week.fake.calls("chat.postMessage")[0].args["blocks"])
    with week.db.read() as session:
        late = session.scalars(select(Pain).where(Pain.text == LATE_REPORT)).one()
        report = session.scalars(select(Pain).where(Pain.text == REPORTS["Acme"])).one()
        if lease_held:
            # It goes on with the themes as stored rather than wait: the late line is not in them yet.
            assert "5 accounts this week" in top and late.theme_id is None
        else:
            assert "6 accounts this week" in top and late.theme_id == report.theme_id


def test_preview_shows_each_pains_arr_and_segments_and_the_lone_pain_of_the_largest_account(
    week: RunningBot,
) -> None:
    with week.db.transaction() as session:
        for account in session.scalars(select(Account).where(Account.team_id == "T0001")):
            account.arr, account.segment = WEIGHTS.get(account.name, (None, None))
    with time_machine.travel(SUNDAY_EVENING, tick=False):
        response = week.slack.command("digest preview")
    assert response.status == 200
    lines = texts(response.json()["blocks"])
    top = next(line for line in lines if line.startswith("*1. "))
    assert "5 accounts · $370k ARR (ARR known for 4 of 5) · Enterprise 3, SMB 2" in top, top
    joined = "\n".join(lines)
    single = joined[joined.index("One account so far") : joined.index("Requested solutions")]
    assert "(Stark, $5M ARR)" in single, single
    assert "Mid &lt;market&gt; 1" in joined and "Mid <market>" not in joined  # a typed segment, escaped
    # `digest preview arr`: the same week ranked by ARR, and saying so; any other word gets the usage.
    with time_machine.travel(SUNDAY_EVENING, tick=False):
        by_arr = texts(week.slack.command("digest preview ARR").json()["blocks"])
        other = week.slack.command("digest preview sideways").json()
    top = next(line for line in by_arr if line.startswith("*1. "))
    assert "3 accounts · $2.5M ARR (ARR known for 2 of 3)" in top, top
    assert any(line.startswith("*Top topics*, by the ARR of the accounts") for line in by_arr)
    assert "blocks" not in other and "`/interview digest preview [arr]`" in other["text"]


# ------------------------------------------------------------- a subscription ranked by ARR
BY_ARR, BY_ACCOUNTS = "C0BYARR", "C0BYCOUNT"
# The three onboarding accounts (two with an ARR) against the five reporting ones (four with one).
ONBOARDING_WEIGHT = "3 accounts · $2.5M ARR (ARR known for 2 of 3) · Enterprise 1, Mid &lt;market&gt; 1"
REPORTS_WEIGHT = "5 accounts · $370k ARR (ARR known for 4 of 5) · Enterprise 3, SMB 2"


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _form(view: dict[str, Any], channel: str, rank: str | None) -> dict[str, Any]:
    """The modal's state as Slack sends it: the channel picked, Monday 09:00 UTC, and the ranking chosen
    among the options the modal offers (`None`: left as the modal opened it)."""
    ranking = _block(view, DigestModal.RANK)["element"]
    chosen = (
        ranking["initial_option"]
        if rank is None
        else next(o for o in ranking["options"] if o["value"] == rank)
    )

    def picked(kind: str, **value: Any) -> dict[str, Any]:
        return {DigestModal.VALUE: {"type": kind, **value}}

    return {
        DigestModal.CHANNEL: picked("conversations_select", selected_conversation=channel),
        DigestModal.WEEKDAY: picked("static_select", selected_option={"value": "0"}),
        DigestModal.TIME: picked("timepicker", selected_time="09:00"),
        DigestModal.TIMEZONE: picked("plain_text_input", value="UTC"),
        DigestModal.QUIET: picked("radio_buttons", selected_option={"value": "note"}),
        DigestModal.RANK: picked("radio_buttons", selected_option=chosen),
    }


def _posted(bot: RunningBot, channel: str) -> tuple[str, str]:
    """The channel message's text, and its thread's, as the digest posted them to `channel`."""
    posts = [c for c in bot.fake.calls("chat.postMessage") if c.args["channel"] == channel]
    top, *thread = posts
    return "\n".join(texts(top.args["blocks"])), "\n".join(t for r in thread for t in texts(r.args["blocks"]))


def test_a_subscription_saved_to_rank_by_arr_posts_the_revenue_first(
    week: RunningBot, poster: DigestPoster
) -> None:
    with week.db.transaction() as session:
        for account in session.scalars(select(Account).where(Account.team_id == "T0001")):
            account.arr, account.segment = WEIGHTS.get(account.name, (None, None))
    for channel in (BY_ARR, BY_ACCOUNTS):
        week.fake.set_channel(channel, member=False)
    with time_machine.travel(SUNDAY_EVENING, tick=False):
        week.slack.command("digest")
        (opened,) = week.fake.wait_for("views.open")
        view = opened.response["view"]
        assert _block(view, DigestModal.RANK)["element"]["initial_option"]["value"] == RankBy.ACCOUNTS
        saved = week.slack.view_submission(view, _form(view, BY_ARR, "arr")).json()
        assert saved["response_action"] == "update"
        # The subscribed channels say how each ranks: ARR is said, the default goes without saying.
        listed = "\n".join(texts(saved["view"]["blocks"]))
        assert f"<#{BY_ARR}> · Mondays at 09:00 (UTC) · ranked by ARR" in listed
        week.slack.view_submission(view, _form(view, BY_ACCOUNTS, None))
        with week.db.read() as session:
            subscriptions = session.execute(select(DigestSubscription.channel_id, DigestSubscription.rank_by))
            assert dict(subscriptions.all()) == {BY_ARR: RankBy.ARR, BY_ACCOUNTS: RankBy.ACCOUNTS}
            arr_id = session.scalars(
                select(DigestSubscription.id).where(DigestSubscription.channel_id == BY_ARR)
            ).one()
        # Edit opens the form as saved: ARR chosen.
        updates = len(week.fake.calls("views.update"))
        week.slack.block_action(
            DigestModal.EDIT, block_id=f"subscription_{arr_id}", view=view, value=str(arr_id)
        )
        edited = week.fake.wait_for("views.update", count=updates + 1)[updates].args["view"]
        assert _block(edited, DigestModal.RANK)["element"]["initial_option"]["value"] == RankBy.ARR

    assert poster.tick(now=NOW) == 2
    by_arr, arr_thread = _posted(week, BY_ARR)
    by_accounts, accounts_thread = _posted(week, BY_ACCOUNTS)
    # By ARR, onboarding (three accounts, $2.5M) comes first; by accounts, reports (five, $370k) do.
    assert by_arr.index(ONBOARDING_WEIGHT) < by_arr.index(REPORTS_WEIGHT)
    assert by_accounts.index(REPORTS_WEIGHT) < by_accounts.index(ONBOARDING_WEIGHT)
    assert ONBOARDING_WEIGHT in by_arr[by_arr.index("*1. ") : by_arr.index("*2. ")]
    assert REPORTS_WEIGHT in by_accounts[by_accounts.index("*1. ") : by_accounts.index("*2. ")]
    assert "Top topics*, by the ARR of the accounts that raised their pains" in by_arr
    assert "by the number of accounts that raised their pains" in by_accounts
    # The requests say the same ranking; the default says nothing new.
    assert "asked for them" in arr_thread and "asked for them" not in accounts_thread
    # The largest account's lone pain stands apart, its ARR beside it, whatever the ranking.
    for thread in (arr_thread, accounts_thread):
        single = thread[thread.index("One account so far") :]
        assert "(Stark, $5M ARR)" in single, single
    # The chart's bars are accounts either way; its words say which order they are in.
    alts = sorted(c.args["alt_txt"].split(".")[0] for c in week.fake.calls("files.getUploadURLExternal"))
    assert [alt.split("), ", 1)[1] for alt in alts] == [
        "by distinct accounts",
        "by the ARR of the accounts that raised them (each counted once), in distinct accounts",
    ]
