"""Run modes. HTTP: the front door (handlers.requests.signature) and Bolt, through
handlers.requests.dispatch, behind waitress (a production WSGI server, threaded, pure Python). Socket
Mode: Bolt's built-in client, through the same dispatch; /healthz is still served over HTTP for the
orchestrator.

waitress reads each request whole before a thread sees it, so a slow client costs a connection, not a
thread; but it closes only connections that stay silent, and takes 100 at most. A client sending one
header line every few seconds would hold its connection for ever, and a hundred of them would leave no
room for Slack. So the server here closes a connection whose request has not arrived whole within
REQUEST_DEADLINE of its first byte, one silent for IDLE_TIMEOUT, and holds up to CONNECTION_LIMIT.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, TcpWSGIServer

from handlers.requests.dispatch import Dispatcher, GuardedSocketModeHandler
from handlers.requests.signature import MAX_BODY, FrontDoor, Refusal, Tally
from storage.db import Database

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 16
RETRY_HEADERS = ("x-slack-retry-num", "x-slack-retry-reason")
# Slack sends a request in one go and waits 3 s for the answer: a request still arriving after this long
# is not Slack's (nor the proxy's, which passes a request on once it holds it whole).
REQUEST_DEADLINE = 5.0
# A connection with nothing in flight and no byte for this long is closed (keep-alive included): a
# client reconnects in a millisecond, an idle socket costs a place under the limit.
IDLE_TIMEOUT = 5
# Open connections at once: the 500 slow ones the bot is measured against (benchmarks/slow_clients.py),
# twice over, with room for Slack. Each costs a file descriptor (two while a body over 512 kB is
# spooled) and a few kB, and waitress's loop looks at every connection each time it wakes, so its cost
# grows with the count: a larger flood is for the proxy in front (README, "Socket Mode or HTTP").
CONNECTION_LIMIT = 1000
FILES_BESIDES_CONNECTIONS = 256  # the database pool, Slack's client, logs, the model's files

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class WebApp:
    """The WSGI application: `POST /slack/events` for everything Slack sends, `GET /healthz`."""

    def __init__(self, app: App, db: Database, *, signing_secret: str) -> None:
        self._slack = SlackRequestHandler(app, path=EVENTS_PATH)
        self._door = FrontDoor(signing_secret)
        self.dispatcher = Dispatcher(app, self._door.tally)
        self._db = db
        # Socket Mode sets this: a bot that lost Slack for good is not healthy, whatever the database says.
        self.slack_reachable: Callable[[], bool] = lambda: True

    def health(self) -> tuple[bool, dict[str, str]]:
        database, slack = self._db.ping(), self.slack_reachable()
        report = {"database": "ok" if database else "unreachable", "slack": "ok" if slack else "disconnected"}
        return database and slack, report

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy, report = self.health()
            body = json.dumps({"status": "ok" if healthy else "unhealthy", **report}).encode()
            start_response(
                "200 OK" if healthy else "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            admitted = self._door.admit(environ)
            if isinstance(admitted, Refusal):
                start_response(admitted.status, [("Content-Type", "text/plain"), ("Content-Length", "0")])
                return [b""]
            answer = self.dispatcher.dispatch(admitted, headers=_retry_headers(environ))
            # A body echoing a character UTF-8 cannot carry (a lone surrogate) is escaped, not a crash.
            body = (answer.body or "").encode("utf-8", "backslashreplace").decode("utf-8")
            response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=body)
            start_response(response.status, response.get_headers())
            return response.get_body()
        return self._slack(environ, start_response)


def _retry_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The headers Bolt reads of a request it need not verify again: Slack's retry count and reason."""
    found = {name: environ.get("HTTP_" + name.upper().replace("-", "_")) for name in RETRY_HEADERS}
    return {name: value for name, value in found.items() if isinstance(value, str)}


class DeadlineChannel(HTTPChannel):
    """waitress's connection, noting when the request it is reading began to arrive."""

    request_began: float | None = None  # time.monotonic() of the first byte; None between requests

    def received(self, data: bytes) -> bool:
        reading = self.request
        handled = bool(super().received(data))
        if self.request is None:
            self.request_began = None
        elif self.request is not reading:  # a new request began in these bytes
            self.request_began = time.monotonic()
        return handled


class GuardedServer(TcpWSGIServer):
    """waitress's server, closing each connection whose request is not whole `request_deadline` seconds
    after its first byte (the idle ones it closes itself, after `channel_timeout`)."""

    channel_class = DeadlineChannel

    def __init__(self, application: Any, *, request_deadline: float, adj: Adjustments) -> None:
        self.request_deadline = request_deadline
        self.cut = Tally(subject="closed connections", logger=log)
        super().__init__(application, adj=adj)

    def maintenance(self, now: float) -> None:
        late, silent = time.monotonic() - self.request_deadline, now - self.adj.channel_timeout
        for channel in list(self.active_channels.values()):
            began = getattr(channel, "request_began", None)
            if began is None or channel.requests or channel.will_close:
                continue  # between requests (waitress's idle timeout is for those), or answering one
            if began < late:
                self.cut.add(f"too slow to send a request within {self.request_deadline:g} s")
            elif channel.last_activity < silent:
                self.cut.add(f"silent for {self.adj.channel_timeout} s in the middle of a request")
            else:
                continue
            channel.will_close = True  # closed on the loop's next turn, as waitress closes idle ones
        super().maintenance(now)


def room_for_connections(limit: int) -> int:
    """`limit`, or fewer if the process may not open the files that many connections need. The soft
    limit on open files is raised toward the hard one first (it is often 1,024 in a container)."""
    needed = 2 * limit + FILES_BESIDES_CONNECTIONS
    try:
        import resource
    except ImportError:  # not on POSIX: nothing to raise or to read
        return limit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return limit
    fitting = max(1, (soft - FILES_BESIDES_CONNECTIONS) // 2)
    log.warning(
        "open files are limited to %d: the HTTP server holds at most %d connections (not %d); raise the "
        "limit (ulimit -n, or the container's nofile) to hold more",
        soft,
        fitting,
        limit,
    )
    return fitting


def make_http_server(
    web_app: WebApp,
    *,
    host: str,
    port: int,
    threads: int = SERVER_THREADS,
    request_deadline: float = REQUEST_DEADLINE,
    idle_timeout: int = IDLE_TIMEOUT,
    connection_limit: int = CONNECTION_LIMIT,
) -> GuardedServer:
    """A waitress server, bound but not yet serving; port 0 picks a free port (`.effective_port`)."""
    adj = Adjustments(
        host=host,
        port=port,
        threads=threads,
        ident="interview-bot",
        channel_timeout=idle_timeout,
        cleanup_interval=1,  # how often the deadline and the idle timeout are enforced
        connection_limit=room_for_connections(connection_limit),
        asyncore_use_poll=True,  # select() cannot watch a socket numbered 1,024 or more
        clear_untrusted_proxy_headers=True,
        # A chunked body has no length to refuse it by: waitress would spool up to 1 GB of it to disk
        # before the front door sees it. Well past the front door's limit, waitress answers 413 itself.
        max_request_body_size=2 * MAX_BODY,
    )
    return GuardedServer(web_app, request_deadline=request_deadline, adj=adj)


def run_until_closed(server: BaseWSGIServer) -> None:
    """Serve until another thread calls server.close(), then let requests in flight finish (up to 5 s)."""
    try:
        # waitress's loop raises EBADF once close() pulled its sockets away: that is our shutdown.
        with contextlib.suppress(OSError):
            server.run()
    finally:
        server.task_dispatcher.shutdown()


def stop_on_signals() -> threading.Event:
    """SIGTERM and SIGINT set the returned event. Installed before anything starts (the scheduler ticks
    from start-up), so a stop that comes while the bot is still starting is a clean stop too."""
    stopping = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
    return stopping


def serve_http(server: BaseWSGIServer, stopping: threading.Event) -> None:
    """Serve until `stopping` is set."""
    log.info(
        "HTTP mode: listening on port %s (POST %s, GET %s)", server.effective_port, EVENTS_PATH, HEALTH_PATH
    )

    def close_when_stopping() -> None:
        stopping.wait()
        server.close()

    threading.Thread(target=close_when_stopping, name="stop", daemon=True).start()
    run_until_closed(server)


class SocketModeRunner:
    """Socket Mode with /healthz over HTTP beside it; started and closed by serve_socket or a test."""

    # A reconnect takes seconds; this long without a connection means Slack is not coming back by itself
    # (a revoked app token, say), and the orchestrator should know.
    DISCONNECTED_TOO_LONG = 120.0

    def __init__(self, app: App, web_app: WebApp, *, app_token: str, host: str, port: int) -> None:
        # As many envelopes in flight as the HTTP server has threads.
        self.handler = GuardedSocketModeHandler(
            app, app_token, dispatcher=web_app.dispatcher, concurrency=SERVER_THREADS
        )
        self._health = make_http_server(web_app, host=host, port=port, threads=2)
        self._last_connected = time.monotonic()
        web_app.slack_reachable = self._reachable

    @property
    def health_port(self) -> int:
        return int(self._health.effective_port)

    def _reachable(self) -> bool:
        if self.handler.client.is_connected():
            self._last_connected = time.monotonic()
            return True
        return time.monotonic() - self._last_connected < self.DISCONNECTED_TOO_LONG

    def start(self) -> None:
        """Serve /healthz and connect; raises SlackApiError when Slack refuses the app token."""
        threading.Thread(target=run_until_closed, args=(self._health,), name="healthz", daemon=True).start()
        try:
            self.handler.connect()
        except BaseException:
            self._health.close()
            raise

    # slack_sdk's close joins its session thread with no timeout; that thread loops until its session's
    # state is ended, and a reconnect racing the close can hand it a fresh state nobody ends: the join
    # then never returns (seen once in CI's teardown). The close is waited for this long, at most.
    CLOSE_WITHIN = 5.0

    def close(self) -> None:
        closer = threading.Thread(target=self.handler.close, name="socket-mode-close", daemon=True)
        closer.start()
        closer.join(self.CLOSE_WITHIN)
        if closer.is_alive():
            # End whatever session the loop is on now, then give up waiting: its threads are daemons.
            self.handler.client.current_session_state.terminated = True
            closer.join(1.0)
            if closer.is_alive():
                log.warning(
                    "Socket Mode: the connection did not close within %.0f s; exiting anyway",
                    self.CLOSE_WITHIN,
                )
        self._health.close()


def serve_socket(runner: SocketModeRunner, stopping: threading.Event) -> None:
    """Connect and serve until `stopping` is set."""
    runner.start()
    log.info("Socket Mode: connected to Slack (health on port %s%s)", runner.health_port, HEALTH_PATH)
    stopping.wait()
    runner.close()
