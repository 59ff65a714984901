"""Requests as Slack sends them: form-encoded payloads, signed with the signing secret.

Given the fake Slack Web API the bot talks to, the sender plays the rest of Slack's part: the fake
issues each trigger_id as the request is sent (it lives 3 seconds and is exchanged once), the person
acting is a user of the fake's workspace, and a modal closes when the bot answers its submission with
a bare ack (or ``response_action: clear``).
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:
    from tests.support.fake_slack import FakeSlack

TEAM_ID = "T0001"
USER_ID = "U0001"
CHANNEL_ID = "C0001"
APP_ID = "A0001"


@dataclass
class Response:
    status: int
    body: bytes
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def accepted(self) -> bool:
        """The bot took the view submission, and the modal closes: HTTP 200 without
        ``response_action: errors`` (a field error is an HTTP 200 too, and keeps the modal open)."""
        if self.status != 200:
            return False
        try:
            body = self.json()
        except ValueError:
            return False
        return not (isinstance(body, dict) and body.get("response_action") == "errors")


@dataclass
class SlackSender:
    """Sends signed requests to a running bot, as Slack would.

    Requests are stamped with `clock()`: this process's time, which tests may move; a bot running in
    another process needs the real time (tests.support.clock.real_time)."""

    host: str
    port: int
    signing_secret: str
    path: str = "/slack/events"
    fake: FakeSlack | None = None  # the fake Web API the bot calls: it issues the trigger_ids
    clock: Callable[[], float] = time.time
    # The workspace its people act in: the one the bot under test is installed in, unless a test forges
    # another (each payload builder takes team_id=...).
    team_id: str = TEAM_ID
    _counter: list[int] = field(default_factory=lambda: [0])

    def _next(self, prefix: str) -> str:
        self._counter[0] += 1
        return f"{prefix}{self._counter[0]:06d}"

    def trigger_id(self, *, view: dict[str, Any] | None = None) -> str:
        """A trigger_id for a payload, issued now by the fake Slack; ``view``: the modal the interaction
        happened in (``views.push`` puts its view there). Without a fake, one no Slack would take."""
        if self.fake is None:
            return self._next("trigger-")
        view_id = (view or {}).get("id")
        return self.fake.issue_trigger_id(view_id=str(view_id) if view_id else None)

    def acting_as(self, user_id: str) -> str:
        """Slack only sends requests from people of the workspace: the fake learns of this one."""
        if self.fake is not None:
            self.fake.add_users(user_id)
        return user_id

    def post(
        self,
        body: str,
        *,
        signature: str | None = None,
        timestamp: int | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> Response:
        ts = str(int(self.clock()) if timestamp is None else timestamp)
        sig = signature or SignatureVerifier(self.signing_secret).generate_signature(timestamp=ts, body=body)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig,
        }
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        started = time.perf_counter()
        try:
            conn.request("POST", self.path, body=body.encode(), headers=headers)
            raw = conn.getresponse()
            data = raw.read()
            return Response(raw.status, data, time.perf_counter() - started)
        finally:
            conn.close()

    def get(self, path: str) -> Response:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            raw = conn.getresponse()
            return Response(raw.status, raw.read(), time.perf_counter() - started)
        finally:
            conn.close()

    # Payload builders ---------------------------------------------------------------------------

    def command_body(
        self,
        text: str,
        *,
        user_id: str = USER_ID,
        team_id: str | None = None,
        response_url: str | None = None,
    ) -> str:
        """`response_url`: where Slack says to answer later (a test forges one); else the fake's."""
        team_id = team_id or self.team_id
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": team_id,
                "team_domain": "acme-corp",
                "channel_id": CHANNEL_ID,
                "channel_name": "general",
                "user_id": self.acting_as(user_id),
                "user_name": "pat",
                "command": "/interview",
                "text": text,
                "api_app_id": APP_ID,
                "response_url": response_url or self.response_url,
                "trigger_id": self.trigger_id(),
            }
        )

    @property
    def response_url(self) -> str:
        """Where an answer after the ack goes, as Slack sends it: on the fake Slack the bot talks to, which
        records it (as `response.url`) and checks it like a message; without a fake, on Slack's own hooks
        host (a bot that talks to Slack takes it, and nothing here calls it)."""
        if self.fake is not None:
            return self.fake.response_url
        return f"https://hooks.slack.com/commands/{self.team_id}/1/unused"

    def command(self, text: str, **kwargs: Any) -> Response:
        return self.post(self.command_body(text, **kwargs))

    def interaction(self, payload: dict[str, Any]) -> Response:
        return self.post(urlencode({"payload": json.dumps(payload)}))

    def view_submission(
        self,
        view: dict[str, Any],
        values: dict[str, Any],
        *,
        user_id: str = USER_ID,
        team_id: str | None = None,
        response_urls: list[dict[str, Any]] | None = None,
    ) -> Response:
        """Submit `view` (as the bot opened it) with the given state values; `response_urls` as Slack
        sends them for a modal with a conversation select that asks for one (response_url_enabled).

        When the bot accepts it (a bare ack, or ``response_action: clear``), the view closes, as in Slack.
        """
        team_id = team_id or self.team_id
        submitted = {**view, "team_id": team_id, "state": {"values": values}}
        submitted.setdefault("id", self._next("V"))
        payload = {
            "type": "view_submission",
            "team": {"id": team_id, "domain": "acme-corp"},
            "user": {"id": self.acting_as(user_id), "team_id": team_id, "name": "pat"},
            "api_app_id": APP_ID,
            "trigger_id": self.trigger_id(view=submitted),
            "view": submitted,
        }
        if response_urls is not None:
            payload["response_urls"] = response_urls
        response = self.interaction(payload)
        action = (response.json() or {}).get("response_action") if response.status == 200 else "failed"
        if action == "errors":
            # Slack shows a field's error on the input block it names; any other key fails the submission.
            inputs = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
            unknown = set(response.json().get("errors") or {}) - inputs
            assert not unknown, f"Slack would refuse errors for blocks the view does not have: {unknown}"
        if self.fake is not None and action in (None, "clear"):
            self.fake.view_closed(str(submitted["id"]), all_views=action == "clear")
        return response

    def block_suggestion(
        self,
        view: dict[str, Any],
        *,
        block_id: str,
        action_id: str,
        value: str,
        team_id: str | None = None,
        user_id: str = USER_ID,
    ) -> Response:
        team_id = team_id or self.team_id
        return self.interaction(
            {
                "type": "block_suggestion",
                "team": {"id": team_id, "domain": "acme-corp"},
                "user": {"id": self.acting_as(user_id), "team_id": team_id},
                "api_app_id": APP_ID,
                "block_id": block_id,
                "action_id": action_id,
                "value": value,
                "view": view,
            }
        )

    def event(self, event: dict[str, Any], *, team_id: str | None = None) -> Response:
        team_id = team_id or self.team_id
        if isinstance(event.get("user"), str):
            self.acting_as(event["user"])
        envelope = {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": self._next("Ev"),
            "event_time": int(self.clock()),
            "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True}],
        }
        return self.post(json.dumps(envelope), content_type="application/json")

    def block_action(
        self,
        action_id: str,
        *,
        block_id: str,
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel_id: str | None = None,
        response_url: str | None = None,
        team_id: str | None = None,
        user_id: str = USER_ID,
        **action: Any,
    ) -> Response:
        """A click on `action_id`; `action` adds the element's fields (value, selected_option, type).

        In a view, the payload carries the view; in a message (as chat.postMessage answered it: ts,
        blocks...), it carries the message, its channel and a response_url, as Slack sends them."""
        team_id = team_id or self.team_id
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": team_id, "domain": "acme-corp"},
            "user": {"id": self.acting_as(user_id), "team_id": team_id},
            "api_app_id": APP_ID,
            "trigger_id": self.trigger_id(view=view),
            "actions": [
                {"type": "button", "action_id": action_id, "block_id": block_id, "action_ts": "1", **action}
            ],
        }
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id", "VHOME")}
        if message is not None:
            if channel_id is None:
                raise TypeError("a click in a message needs the message's channel_id")
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id}
            payload["message"] = message
            response_url = response_url or self.response_url
        if response_url is not None:
            payload["response_url"] = response_url
        return self.interaction(payload)

    def message_shortcut(
        self, callback_id: str, message_text: str, *, team_id: str | None = None, user_id: str = USER_ID
    ) -> Response:
        team_id = team_id or self.team_id
        return self.interaction(
            {
                "type": "message_action",
                "callback_id": callback_id,
                "team": {"id": team_id, "domain": "acme-corp"},
                "user": {"id": self.acting_as(user_id), "team_id": team_id},
                "channel": {"id": CHANNEL_ID, "name": "general"},
                "message": {
                    "type": "message",
                    "user": "U0002",
                    "ts": "1700000000.000100",
                    "text": message_text,
                },
                "response_url": self.response_url,
                "trigger_id": self.trigger_id(),
                "message_ts": "1700000000.000100",
            }
        )
