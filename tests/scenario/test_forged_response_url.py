"""Forged requests, signed as Slack signs them, whose response_url points somewhere other than the Slack
the bot talks to: Bolt's respond() would POST there (the bot's answer, from inside the operator's
network, to any host the sender names). Slack's response_urls are always on its own hooks host, here the
fake Slack's; anything else is refused before any listener runs and nothing is posted, while the same
request carrying the fake's URL is served as usual."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import pytest
from sqlalchemy import select

from handlers.views.search import SearchAction
from storage.models import DigestSubscription
from tests.conftest import RunningBot, interview_count
from tests.scenario.test_search import buttons, stored
from tests.support.after_ack import after_ack_done
from tests.support.clock import today
from tests.support.forms import log_form, open_log_modal
from tests.support.local_server import LocalServer

CHANNEL = "C0VOICE"


class Attacker(LocalServer):
    """An HTTP server of the attacker's (or anything on the operator's network): answers every request
    200 and records each one, so that a test can say nothing reached it."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # method and path, as they came

    def start(self) -> Self:
        recorded = self.requests

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                recorded.append((self.command, self.path))
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST = do_PUT = _record

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="attacker", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def attacker() -> Iterator[Attacker]:
    with Attacker() as server:
        yield server


# Where a forged response_url may point: each reaches the attacker's server if the bot posts to it.
ELSEWHERE: dict[str, Callable[[Attacker], str]] = {
    "another port of the fake's address": lambda a: f"http://127.0.0.1:{a.port}/hook",
    "another host name": lambda a: f"http://localhost:{a.port}/hook",
}


@pytest.fixture(params=sorted(ELSEWHERE))
def elsewhere_url(request: pytest.FixtureRequest, attacker: Attacker) -> str:
    return ELSEWHERE[request.param](attacker)


def nothing_posted(bot: RunningBot, attacker: Attacker) -> None:
    after_ack_done(bot.deps)  # the answers after the ack are where respond() posts
    assert attacker.requests == []
    assert bot.fake.calls("response.url", include_rejected=True) == []


def test_a_command_answering_later_posts_only_to_the_fake(
    bot: RunningBot, attacker: Attacker, elsewhere_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # `digest subscribe` acks at once and says how it went through the response_url.
    bot.fake.set_channel(CHANNEL, name="customer-voice")
    with caplog.at_level(logging.WARNING):
        refused = bot.slack.command("digest subscribe #customer-voice", response_url=elsewhere_url)
    nothing_posted(bot, attacker)
    assert refused.status == 400
    with bot.db.read() as session:
        assert session.scalars(select(DigestSubscription)).all() == []
    origin = bot.fake.url.removesuffix("api/")
    said = [r.getMessage() for r in caplog.records]
    assert f"refused requests to /slack/events: 1 signed but a response_url outside {origin}" in said, said

    served = bot.slack.command("digest subscribe #customer-voice", response_url=bot.fake.response_url)
    assert served.status == 200 and served.json()["text"] == "Subscribing…"
    (answer,) = bot.fake.wait_for("response.url")
    assert f"<#{CHANNEL}>" in answer.args["text"]
    with bot.db.read() as session:
        assert [s.channel_id for s in session.scalars(select(DigestSubscription))] == [CHANNEL]
    assert attacker.requests == []


def test_a_search_page_turn_redraws_only_through_the_fake(
    bot: RunningBot, attacker: Attacker, elsewhere_url: str
) -> None:
    for n in range(12):
        stored(bot, account=f"Customer {n:02d}", day=n, pains="Calendar sync fails")
    first = bot.slack.command("search calendar sync").json()["blocks"]
    nxt = buttons(first)[SearchAction.NEXT]["value"]

    refused = bot.slack.block_action(SearchAction.NEXT, block_id="b", value=nxt, response_url=elsewhere_url)
    nothing_posted(bot, attacker)
    assert refused.status == 400

    served = bot.slack.block_action(
        SearchAction.NEXT, block_id="b", value=nxt, response_url=bot.fake.response_url
    )
    assert served.status == 200
    (redrawn,) = bot.fake.wait_for("response.url")
    assert redrawn.args["replace_original"] in (True, "true")
    assert "Customer 01" in str(redrawn.args["blocks"])
    assert attacker.requests == []


def test_a_submission_with_a_response_url_is_stored_only_with_the_fakes(
    bot: RunningBot, attacker: Attacker, elsewhere_url: str
) -> None:
    view = open_log_modal(bot)
    values = log_form(held_on=today(), pains="Invoices arrive late")

    def submitted(url: str) -> int:
        # As Slack sends one for a conversation select asking for it (response_url_enabled): Bolt's
        # respond() answers through it.
        item = {"block_id": "share", "action_id": "channel", "channel_id": "C0001", "response_url": url}
        return bot.slack.view_submission(view, values, response_urls=[item]).status

    refused = submitted(elsewhere_url)
    nothing_posted(bot, attacker)
    assert refused == 400
    assert interview_count(bot.db) == 0

    assert submitted(bot.fake.response_url) == 200
    assert interview_count(bot.db) == 1
    assert attacker.requests == []
