"""Every request the front door (HTTP) or Slack's socket (Socket Mode) lets in reaches Bolt through here:
its shape is checked first (handlers.requests.shape), the lines logged while it is handled name it
(bot.logs), and nothing it holds can make Bolt raise out of its dispatch; one line per request says how
it went.

What Slack would never send is refused (400, or a bare ack over the socket) and counted once a minute
with the front door's refusals; anything that still breaks in Bolt's reading of a request becomes a 400
and one short line with where it broke, never a 5xx with a traceback full of the client's bytes.
"""

from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import build_headers, send_response
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.logs import RequestLog, clip, request_log
from handlers.requests.shape import ResponseUrls, describe, shape_problem
from handlers.requests.signature import Tally

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, app: App, tally: Tally) -> None:
        self._app = app
        self._tally = tally
        # Decided once, from the Web API the app was built to call (SLACK_API_URL).
        self._response_urls = ResponseUrls.of_api(app.client.base_url)

    def dispatch(self, body: dict[str, Any], headers: dict[str, Any] | None = None) -> BoltResponse:
        """Bolt's answer to a request already verified (HTTP: signed; Socket Mode: Slack's socket)."""
        described = describe(body)
        entry = RequestLog(
            kind=described.kind,
            team=described.team,
            user=described.user,
            id_name=described.id_name,
            id=described.id,
        )
        with request_log(entry):
            problem = shape_problem(body) or self._response_urls.problem(body)
            if problem is not None:
                self._tally.add(f"signed but {problem}")
                return BoltResponse(status=400, body="")
            response = self._run(body, headers)
            if log.isEnabledFor(logging.INFO):  # its arguments cost more than the check
                log.info(
                    "%s %s=%s: %s in %d ms",
                    clip(described.kind or "request"),
                    described.id_name or "id",
                    clip(described.id),
                    response.status,
                    entry.elapsed_ms(),
                )
            return response

    def _run(self, body: dict[str, Any], headers: dict[str, Any] | None) -> BoltResponse:
        started = time.perf_counter()
        try:
            # Bolt takes a body it need not parse only in its socket mode, which differs from its
            # HTTP mode only in not checking a signature: the front door checked it on the raw bytes
            # (Bolt's HTTP parsing also drops any form that merely contains the word "payload").
            return self._app.dispatch(BoltRequest(body=body, headers=headers, mode="socket_mode"))
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            where = f" in {frame.name} ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
            log.warning(
                "could not handle a request: %s%s after %d ms",
                type(exc).__name__,
                where,
                (time.perf_counter() - started) * 1000,
            )
            return BoltResponse(status=400, body="")


class GuardedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, dispatching through the Dispatcher. Every envelope is acked: one Slack
    would never send, or that no listener takes, gets a bare ack, not a retry from Slack (and not Bolt's
    log line with the body)."""

    def __init__(self, app: App, app_token: str, *, dispatcher: Dispatcher, concurrency: int) -> None:
        super().__init__(app, app_token, concurrency=concurrency)
        self._dispatcher = dispatcher

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.time()
        body = req.payload if isinstance(req.payload, dict) else {}
        response = self._dispatcher.dispatch(body, headers=build_headers(req))
        if response.status == 200:
            send_response(client, req, response, started)
        else:
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
