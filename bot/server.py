"""Run modes. HTTP: Bolt's WSGI adapter behind waitress (a production WSGI server, threaded, pure Python).
Socket Mode: Bolt's built-in client; /healthz is still served over HTTP for the orchestrator."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import BaseWSGIServer, create_server

from storage.db import Database

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SERVER_THREADS = 16

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class WebApp:
    """The WSGI application: `POST /slack/events` for everything Slack sends, `GET /healthz`."""

    def __init__(self, app: App, db: Database) -> None:
        self._slack = SlackRequestHandler(app, path=EVENTS_PATH)
        self._db = db

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = self._db.ping()
            body = json.dumps({"status": "ok" if healthy else "database unreachable"}).encode()
            start_response(
                "200 OK" if healthy else "503 Service Unavailable",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return self._slack(environ, start_response)


def make_http_server(
    web_app: WebApp, *, host: str, port: int, threads: int = SERVER_THREADS
) -> BaseWSGIServer:
    """A waitress server, bound but not yet serving; port 0 picks a free port (`.effective_port`)."""
    return create_server(
        web_app,
        host=host,
        port=port,
        threads=threads,
        ident="interview-bot",
        # Slack gives us 3 s; a client that sends nothing for long is not Slack.
        channel_timeout=30,
        clear_untrusted_proxy_headers=True,
    )


def run_until_closed(server: BaseWSGIServer) -> None:
    """Serve until another thread calls server.close()."""
    # waitress's loop raises EBADF once close() pulled its sockets away: that is our shutdown.
    with contextlib.suppress(OSError):
        server.run()


def _stop_on_signals(stop: Callable[[], None]) -> None:
    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)


def serve_http(web_app: WebApp, *, host: str, port: int) -> None:
    server = make_http_server(web_app, host=host, port=port)
    log.info(
        "HTTP mode: listening on %s:%s (POST %s, GET %s)",
        host,
        server.effective_port,
        EVENTS_PATH,
        HEALTH_PATH,
    )
    _stop_on_signals(server.close)
    run_until_closed(server)


def serve_socket(app: App, web_app: WebApp, *, app_token: str, host: str, port: int) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    health = make_http_server(web_app, host=host, port=port, threads=2)
    threading.Thread(target=run_until_closed, args=(health,), name="healthz", daemon=True).start()
    handler = SocketModeHandler(app, app_token)
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()

    _stop_on_signals(stop)
    log.info("Socket Mode: connecting to Slack (health on %s:%s%s)", host, health.effective_port, HEALTH_PATH)
    handler.connect()
    stopped.wait()
    handler.close()
    health.close()
