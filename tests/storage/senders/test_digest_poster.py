"""The digest poster over real storage (SQLite and PostgreSQL) and the fake Slack: what a posted digest
remembers for the next one, and a replica that died after Slack took its post. Themes are placed by hand
(tests.support.digest_data.log_theme), so no model runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.digest.subscriptions import Schedule, subscribe
from handlers.senders.digest import DigestPoster
from handlers.web_api.client import make_client
from storage.db import Database
from storage.models import DigestRun, DigestRunState, DigestSubscription
from tests.conftest import BOT_TOKEN
from tests.support.digest_data import NOW, WEEK_END, log_theme
from tests.support.fake_slack import FakeSlack

CHANNEL = "C0DIGEST"
SUNDAY_EVENING = datetime.combine(WEEK_END - timedelta(days=1), time(18), tzinfo=NOW.tzinfo)
THURSDAY = 3


def poster_for(db: Database, fake: FakeSlack, replica: str) -> DigestPoster:
    return DigestPoster(db=db, client=make_client(token=BOT_TOKEN, base_url=fake.url), replica=replica)


@pytest.fixture
def poster(database: Database, fake_slack: FakeSlack) -> Iterator[DigestPoster]:
    yield poster_for(database, fake_slack, "poster-1")


def subscribed(db: Database, weekday: int = 0, *, at: datetime = NOW - timedelta(days=7)) -> int:
    """The channel subscribed to the digest, at 09:00 UTC on `weekday`; the subscription's id."""
    schedule = Schedule(weekday, time(9, 0), "UTC")
    return db.run(
        lambda s: (
            subscribe(
                session=s, team_id="T0001", channel_id=CHANNEL, schedule=schedule, by="U0001", now=at
            ).id
        )
    )


# Six lines of one theme from four accounts, all on 19–21 November: inside every period below.
EXPORTS = [
    (account, date(2026, 11, day), f"{account}: the export timed out on {day} November")
    for account, day in [
        ("Acme", 19),
        ("Globex", 19),
        ("Initech", 20),
        ("Umbrella", 20),
        ("Acme", 21),
        ("Globex", 21),
    ]
]


def channel_history(fake: FakeSlack) -> list[dict[str, Any]]:
    """The channel as people see it, newest first: conversations.history, asked as any client would."""
    client = make_client(token=BOT_TOKEN, base_url=fake.url)
    return list(client.conversations_history(channel=CHANNEL, limit=100)["messages"])


def quoted_in(posts: list[Any]) -> set[str]:
    """Which of the theme's lines these posts quote."""
    shown = json.dumps([p.args.get("blocks") for p in posts], ensure_ascii=False)
    return {line for _, _, line in EXPORTS if line in shown}


@pytest.mark.parametrize("first", ["posted now on Sunday", "rescheduled from Monday to Thursday"])
def test_a_digest_the_scheduler_posts_quotes_other_lines_than_the_one_before(
    database: Database, fake_slack: FakeSlack, poster: DigestPoster, first: str
) -> None:
    """Two digests in a row whose days overlap (a "Post now" before the scheduled one, or a schedule
    moved to later in the week): the second, posted by the scheduler's tick, quotes none of the first's
    lines, because the first saved what it quoted."""
    log_theme(database, "Exports time out", EXPORTS)
    sub_id = subscribed(database)
    if first == "posted now on Sunday":
        assert poster.post_now(team_id="T0001", subscription_id=sub_id, now=SUNDAY_EVENING)
        second_at = NOW  # Monday 09:00: 16–22 November, after the Sunday post's 15–21
    else:
        assert poster.tick(now=NOW) == 1  # Monday 09:00: 16–22 November
        subscribed(database, THURSDAY, at=NOW + timedelta(hours=1))
        second_at = NOW + timedelta(days=3)  # Thursday 09:00: 19–25 November
    before = len(fake_slack.calls("chat.postMessage"))
    assert before and quoted_in(fake_slack.calls("chat.postMessage")), "the first digest quoted nothing"
    assert poster.tick(now=second_at) == 1
    posts = fake_slack.calls("chat.postMessage")
    first_quoted, second_quoted = quoted_in(posts[:before]), quoted_in(posts[before:])
    assert len(first_quoted) == len(second_quoted) == 2, (first_quoted, second_quoted)
    assert not first_quoted & second_quoted, (
        f"the scheduled digest quoted again: {first_quoted & second_quoted}"
    )
    with database.read() as session:
        states = session.scalars(select(DigestRun.state).order_by(DigestRun.id)).all()
    assert states == [DigestRunState.SENT, DigestRunState.SENT]


class Died(Exception):
    """The process is gone: nothing after this point of the post ran."""


def test_a_replica_that_died_after_slack_took_its_digest_is_taken_over_without_a_second_post(
    database: Database, fake_slack: FakeSlack, poster: DigestPoster
) -> None:
    log_theme(database, "Exports time out", EXPORTS)
    subscribed(database)
    dead = poster_for(database, fake_slack, "dead")
    record = dead._record

    def dies_before_recording_the_post(run: Any, **values: object) -> bool:
        if "message_ts" in values:
            raise Died()
        return record(run, **values)

    dead._record = dies_before_recording_the_post  # type: ignore[method-assign]
    with time_machine.travel(NOW, tick=True) as clock:  # the poster times its lease by the clock
        with pytest.raises(Died):
            dead.tick(now=NOW)
        ((top,),) = [channel_history(fake_slack)]
        assert "thread_ts" not in top
        with database.read() as session:
            run = session.scalars(select(DigestRun)).one()
            assert (run.send_started_at is not None, run.message_ts) == (True, None)

        assert poster.tick(now=NOW + timedelta(minutes=4)) == 0  # the dead one's lease still holds
        clock.move_to(NOW + timedelta(minutes=6))
        looked_before = len(fake_slack.calls("conversations.history"))
        assert poster.tick(now=NOW + timedelta(minutes=6)) == 1

    looked = fake_slack.calls("conversations.history")[looked_before:]
    assert [c.args["channel"] for c in looked] == [CHANNEL], "the takeover posted without looking first"
    history = channel_history(fake_slack)
    tops = [m for m in history if "thread_ts" not in m]
    assert [m["ts"] for m in tops] == [top["ts"]], "the digest was posted twice"
    replies = [m for m in history if "thread_ts" in m]
    assert replies and {m["thread_ts"] for m in replies} == {top["ts"]}  # the rest went under the first
    with database.read() as session:
        run = session.scalars(select(DigestRun)).one()
        assert (run.state, run.message_ts, run.lease_owner) == (DigestRunState.SENT, top["ts"], None)
        assert session.scalars(select(DigestSubscription.next_due_at)).one() == NOW + timedelta(days=7)
