"""A fake Slack Web API: a real HTTP server on 127.0.0.1 for scenario tests and benchmarks.

It records every call with its arguments, answers like Slack (including ``ok: false`` errors and
HTTP 429 with ``Retry-After`` when a test asks for it), and rejects blocks that Slack would reject
(the Block Kit checks live in ``tests.support.block_kit``).

Typical use from pytest::

    @pytest.fixture
    def slack() -> Iterator[FakeSlack]:
        with FakeSlack() as fake:
            yield fake

    def test_something(slack: FakeSlack) -> None:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        ...
        (call,) = slack.wait_for("chat.postMessage")
        assert call.args["channel"] == "C123"

Order in which a call is answered:

1. the call is recorded (``calls(include_rejected=True)`` sees it at once; ``calls()`` and
   ``wait_for()`` see only calls answered ``ok: true``, ``rejected()`` the others);
2. a queued ``delay()`` for the method, if any, pauses the answer;
3. a queued per-test answer (``answer``/``fail``/``rate_limit``/``server_error``) wins if present;
4. otherwise: unknown method -> ``unknown_method``; bad auth -> ``not_authed``/``invalid_auth``;
   rate limits (only with ``enforce_rate_limits=True``); required arguments and block validation;
   finally the default answer.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import email.parser
import email.policy
import itertools
import json
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.support.block_kit import LIMITS, Rejection, check_message, check_view, slack_would_reject
from tests.support.local_server import LocalServer

# Rate-limit tiers (calls per minute per token) and the tier of each method we know.
TIER_PER_MINUTE: Final[Mapping[int, int]] = MappingProxyType({1: 1, 2: 20, 3: 50, 4: 100})
METHOD_TIERS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "auth.test": 4,  # "special" in Slack's docs; generous like tier 4
        "chat.update": 3,
        "chat.delete": 3,
        "chat.postEphemeral": 4,  # "special"; treated like tier 4
        "views.open": 4,
        "views.update": 4,
        "views.push": 4,
        "views.publish": 4,
        "users.info": 4,
        "conversations.open": 3,
        "conversations.join": 3,
        "conversations.info": 3,
        "conversations.history": 3,
        "team.info": 3,
    }
)
# chat.postMessage: token bucket per channel (see FakeSlack docstring).
POST_MESSAGE_BURST: Final = 3
POST_MESSAGE_PER_SECOND: Final = 1.0

DEFAULT_TZ: Final = "America/New_York"
RESPONSE_URL_METHOD: Final = "response.url"  # see FakeSlack.response_url
_TS_BASE: Final = 1_700_000_000
_JSON_FIELDS: Final = frozenset(
    {
        "blocks",
        "attachments",
        "view",
        "metadata",
        "unfurls",
        "user_auth_blocks",
        "profile",
        "inputs",
        "outputs",
    }
)


@dataclass
class Call:
    """One request received by the fake.

    ``headers`` keys are lower-cased. ``status``/``response`` are filled once the call is answered
    (``None`` while a ``delay()`` is still pending).
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int | None = None
    response: dict[str, Any] | str | None = None

    @property
    def accepted(self) -> bool:
        """Slack answered ``ok: true``: the call took effect (what a user could notice)."""
        return self.status == 200 and isinstance(self.response, dict) and self.response.get("ok") is True

    @property
    def rejected(self) -> bool:
        """Answered, with anything but ``ok: true`` (an error, a 429, a 5xx)."""
        return self.status is not None and not self.accepted


@dataclass
class _Reply:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Queued:
    reply: _Reply
    remaining: int | None  # None = forever


@dataclass
class _Delay:
    seconds: float
    remaining: int | None


class FakeSlack(LocalServer):
    """Fake Slack Web API server.

    Rate limits (only when ``enforce_rate_limits=True``), keyed by the caller's token:

    * methods in ``METHOD_TIERS``: at most ``TIER_PER_MINUTE[tier]`` calls in any rolling 60 s
      window per (token, method); the over-limit call gets HTTP 429 with ``Retry-After`` = seconds
      until the oldest call in the window leaves it, rounded up, at least 1.
    * ``chat.postMessage``: a token bucket per (token, channel) holding ``POST_MESSAGE_BURST`` (3)
      tokens, refilled at ``POST_MESSAGE_PER_SECOND`` (1/s); each message takes one token, so a
      burst of 3 passes and then ~1 msg/s. With no token left: 429 with ``Retry-After`` = seconds
      until one token is back, rounded up, at least 1.
    * rejected (429) calls do not use up capacity. Other methods are not limited.

    ``clock`` (default ``time.monotonic``) drives the limits and ``Call.at``; tests inject their own.
    """

    def __init__(
        self,
        *,
        token: str = "xoxb-test",
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        enforce_rate_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B0001"
        self.app_id = "A0001"
        self.enforce_rate_limits = enforce_rate_limits
        self._clock = clock
        # RLock: answering a call happens under the lock and re-enters it.
        self._cond = threading.Condition(threading.RLock())
        self._calls: list[Call] = []
        self._queued: dict[str, deque[_Queued]] = {}
        self._delays: dict[str, deque[_Delay]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        # Posted messages per channel, oldest first, for conversations.history.
        self._history: dict[str, list[dict[str, Any]]] = {}
        self._external_ids: dict[str, str] = {}
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._ids = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.server_errors: list[BaseException] = []  # bugs in the fake itself, answered as HTTP 500

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler, fake=self)
        # A short poll interval keeps stop() (and so each test's teardown) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes up calls paused by delay()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Web API base URL, for ``WebClient(base_url=...)`` / ``App(client=...)``."""
        return f"http://127.0.0.1:{self.port}/api/"

    # ------------------------------------------------------------------ recording
    # What Slack accepted is what took effect, so that is what tests read by default: a call the fake
    # refused (bad blocks, an unknown view, a queued fault) never passes for one that was sent. Calls it
    # refused are read with rejected(), or with include_rejected=True (which also shows calls still
    # waiting for their answer, see delay()).
    def calls(self, method: str | None = None, *, include_rejected: bool = False) -> list[Call]:
        """Accepted calls in arrival order (a copy), optionally of one method only."""
        with self._cond:
            return self._matching(method, include_rejected)

    def rejected(self, method: str | None = None) -> list[Call]:
        """Calls answered with an error (``ok: false``, a 429, a 5xx), in arrival order."""
        with self._cond:
            return [c for c in self._calls if c.rejected and method in (None, c.method)]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, *, include_rejected: bool = False
    ) -> list[Call]:
        """Block until at least ``count`` accepted calls of ``method`` were recorded; return all of them."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: len(self._matching(method, include_rejected)) >= count, timeout=timeout
            )
            if not done:
                seen = Counter(c.method for c in self._calls)
                listing = ", ".join(f"{m} x{n}" for m, n in seen.items()) or "no calls at all"
                refused = [c for c in self._calls if c.method == method and c.rejected]
                why = "; ".join(_refusal(c) for c in refused[:3])
                raise AssertionError(
                    f"expected {count} {'' if include_rejected else 'accepted '}call(s) to {method} within "
                    f"{timeout}s, got {len(self._matching(method, include_rejected))}"
                    + (f" ({len(refused)} refused: {why})" if refused else "")
                    + f"; calls seen: {listing}"
                )
            return self._matching(method, include_rejected)

    def _matching(self, method: str | None, include_rejected: bool) -> list[Call]:
        return [c for c in self._calls if method in (None, c.method) and (include_rejected or c.accepted)]

    def all_text(self, *, include_rejected: bool = False) -> str:
        """Every string value found in the args of every accepted call, one per line."""
        out: list[str] = []
        for call in self.calls(include_rejected=include_rejected):
            _collect_strings(call.args, out)
        return "\n".join(out)

    def reset(self) -> None:
        """Forget calls, queued answers, delays, rate-limit state and opened views (users are kept)."""
        with self._cond:
            self._calls.clear()
            self._queued.clear()
            self._delays.clear()
            self._windows.clear()
            self._buckets.clear()
            self._views.clear()
            self._history.clear()
            self._external_ids.clear()
            self._cond.notify_all()

    # ------------------------------------------------------------------ per-test answers
    def answer(
        self,
        method: str,
        body: dict[str, Any] | str,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        times: int | None = 1,
    ) -> None:
        """Queue an exact answer for ``method`` (``times=None``: forever). Nothing is added to ``body``."""
        self._enqueue(method, _Reply(status, copy.deepcopy(body), dict(headers or {})), times)

    def fail(self, method: str, error: str, times: int | None = 1) -> None:
        """Queue an HTTP 200 ``{"ok": false, "error": error}``."""
        self.answer(method, {"ok": False, "error": error}, times=times)

    def rate_limit(self, method: str, retry_after: int = 1, times: int | None = 1) -> None:
        """Queue an HTTP 429 with ``Retry-After: retry_after`` (0 is allowed, to keep tests fast)."""
        if retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        self.answer(
            method,
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": str(retry_after)},
            times=times,
        )

    def server_error(self, method: str, status: int = 500, times: int | None = 1) -> None:
        """Queue an HTTP 5xx with an HTML body, like Slack's edge servers send."""
        html = f"<html><body><h1>{status} Server Error</h1></body></html>"
        self.answer(method, html, status=status, headers={"Content-Type": "text/html"}, times=times)

    def delay(self, method: str, seconds: float, times: int | None = None) -> None:
        """Pause before answering ``method`` (simulates a slow Slack); combines with queued answers."""
        self._check_times(times)
        with self._cond:
            self._delays.setdefault(method, deque()).append(_Delay(seconds, times))

    def set_user(self, user_id: str, *, tz: str | None = None, **fields: Any) -> dict[str, Any]:
        """Change what users.info answers for one user; returns the resulting user object.

        ``tz`` also sets ``tz_label``/``tz_offset`` (unless given in ``fields``) when it is a valid
        IANA name; an invalid name is kept as is, to simulate odd data from Slack.
        """
        with self._cond:
            user = self._users.get(user_id) or self._default_user(user_id)
            if tz is not None:
                user["tz"] = tz
                user.update(_tz_fields(tz))
            user.update(fields)
            self._users[user_id] = user
            return copy.deepcopy(user)

    def _enqueue(self, method: str, reply: _Reply, times: int | None) -> None:
        self._check_times(times)
        with self._cond:
            self._queued.setdefault(method, deque()).append(_Queued(reply, times))

    @staticmethod
    def _check_times(times: int | None) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None (forever)")

    @staticmethod
    def _pop(queues: Mapping[str, deque[Any]], method: str) -> Any:
        queue = queues.get(method)
        if not queue:
            return None
        head = queue[0]
        if head.remaining is not None:
            head.remaining -= 1
            if head.remaining <= 0:
                queue.popleft()
        return head

    # ------------------------------------------------------------------ request handling
    def _handle(
        self, method: str, args: dict[str, Any], headers: dict[str, str], body_error: str | None = None
    ) -> _Reply:
        with self._cond:
            call = Call(method=method, args=args, headers=headers, at=self._clock())
            self._calls.append(call)
            pause: _Delay | None = self._pop(self._delays, method)
            queued: _Queued | None = self._pop(self._queued, method)
            if pause is None:
                # Answer before waking waiters, so wait_for() callers see status/response.
                reply = self._settle(call, queued, body_error)
            self._cond.notify_all()
        if pause is not None:
            self._stopping.wait(pause.seconds)  # not time.sleep: stop() must not hang
            with self._cond:
                reply = self._settle(call, queued, body_error)
                self._cond.notify_all()
        return reply

    def _settle(self, call: Call, queued: _Queued | None, body_error: str | None) -> _Reply:
        if queued is not None:
            reply = _Reply(queued.reply.status, copy.deepcopy(queued.reply.body), dict(queued.reply.headers))
        else:
            try:
                reply = (
                    _ok_false(body_error)
                    if body_error
                    else self._answer(call.method, call.args, call.headers)
                )
            except Exception as exc:  # a bug in the fake: make it visible, not a hung client
                self.server_errors.append(exc)
                reply = _Reply(500, {"ok": False, "error": "fake_slack_internal_error", "detail": repr(exc)})
        call.status = reply.status
        call.response = copy.deepcopy(reply.body)
        return reply

    def _answer(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> _Reply:
        handler = self._defaults().get(method)
        if handler is None:
            return _ok_false("unknown_method", req_method=method)
        token = _bearer(headers.get("authorization")) or args.get("token")
        if method == RESPONSE_URL_METHOD:  # a response_url is its own credential
            return handler(args)
        if not token:
            return _ok_false("not_authed")
        if token != self.token:
            return _ok_false("invalid_auth")
        if self.enforce_rate_limits:
            retry_after = self._take_rate_slot(str(token), method, args)
            if retry_after is not None:
                return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        return handler(args)

    def _defaults(self) -> dict[str, Callable[[dict[str, Any]], _Reply]]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "conversations.join": self._conversations_join,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "team.info": self._team_info,
            RESPONSE_URL_METHOD: self._response_url,
        }

    # ------------------------------------------------------------------ rate limits
    def _take_rate_slot(self, token: str, method: str, args: Mapping[str, Any]) -> int | None:
        """Use one slot; return None if allowed, else the Retry-After in seconds."""
        now = self._clock()
        if method == "chat.postMessage":
            key = (token, str(args.get("channel", "")))
            tokens, last = self._buckets.get(key, (float(POST_MESSAGE_BURST), now))
            tokens = min(float(POST_MESSAGE_BURST), tokens + (now - last) * POST_MESSAGE_PER_SECOND)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / POST_MESSAGE_PER_SECOND))
        tier = METHOD_TIERS.get(method)
        if tier is None:
            return None
        window = self._windows.setdefault((token, method), deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        if len(window) < TIER_PER_MINUTE[tier]:
            window.append(now)
            return None
        return max(1, math.ceil(window[0] + 60.0 - now))

    # ------------------------------------------------------------------ default answers
    def _next_ts(self) -> str:
        micros = next(self._ids) * 100
        return f"{_TS_BASE + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def _auth_test(self, args: dict[str, Any]) -> _Reply:
        return _ok(
            url="https://fake-workspace.slack.com/",
            team="Fake Workspace",
            user="bot",
            team_id=self.team_id,
            user_id=self.bot_user_id,
            bot_id=self.bot_id,
            is_enterprise_install=False,
        )

    def _message(self, args: Mapping[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": args.get("text", ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in args:
                message[key] = copy.deepcopy(args[key])
        return message

    @staticmethod
    def _channel_id(channel: str) -> str:
        # Posting to a user ID goes to the DM with that user, like conversations.open answers.
        return f"D{channel}" if channel[:1] in {"U", "W"} else channel

    def _chat_post_message(self, args: dict[str, Any]) -> _Reply:
        if not args.get("channel"):
            return _ok_false("channel_not_found")
        rejected = _reply_for(check_message(args))
        if rejected is not None:
            return rejected
        ts = self._next_ts()
        channel = self._channel_id(str(args["channel"]))
        message = self._message(args, ts)
        with self._cond:
            self._history.setdefault(channel, []).append(message)
        return _ok(channel=channel, ts=ts, message=message)

    def _conversations_history(self, args: dict[str, Any]) -> _Reply:
        """Newest first, like Slack; message metadata only with include_all_metadata."""
        channel = self._channel_id(str(args.get("channel") or ""))
        if not channel:
            return _ok_false("channel_not_found")
        limit = int(args.get("limit") or 100)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._cond:
            messages = [copy.deepcopy(m) for m in reversed(self._history.get(channel, []))][:limit]
        if not with_metadata:
            for message in messages:
                message.pop("metadata", None)
        return _ok(messages=messages, has_more=False)

    def _chat_update(self, args: dict[str, Any]) -> _Reply:
        if not args.get("channel"):
            return _ok_false("channel_not_found")
        if not args.get("ts"):
            return _ok_false("message_not_found")
        rejected = _reply_for(check_message(args))
        if rejected is not None:
            return rejected
        ts = str(args["ts"])
        return _ok(channel=args["channel"], ts=ts, text=args.get("text", ""), message=self._message(args, ts))

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> _Reply:
        if not args.get("channel"):
            return _ok_false("channel_not_found")
        if not args.get("user"):
            return _ok_false("user_not_in_channel")
        rejected = _reply_for(check_message(args))
        if rejected is not None:
            return rejected
        return _ok(message_ts=self._next_ts())

    def _chat_delete(self, args: dict[str, Any]) -> _Reply:
        if not args.get("channel"):
            return _ok_false("channel_not_found")
        if not args.get("ts"):
            return _ok_false("message_not_found")
        return _ok(channel=args["channel"], ts=args["ts"])

    def _view_answer(self, view: Mapping[str, Any], view_id: str, root_view_id: str | None) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": f"{int(_TS_BASE + next(self._ids))}.{next(self._ids):08x}",
            "title": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": root_view_id or view_id,
            "app_id": self.app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        stored.update(copy.deepcopy(dict(view)))
        stored["id"] = view_id  # the submitted view cannot choose these
        stored["team_id"] = self.team_id
        self._views[view_id] = stored
        if stored.get("external_id"):
            self._external_ids[str(stored["external_id"])] = view_id
        return copy.deepcopy(stored)

    def _views_open(self, args: dict[str, Any]) -> _Reply:
        if not args.get("trigger_id") and not args.get("interactivity_pointer"):
            return _invalid_view("missing required field: trigger_id", "/trigger_id")
        rejected = _reply_for(check_view(args.get("view"), allowed_types=("modal",)))
        if rejected is not None:
            return rejected
        return _ok(view=self._view_answer(args["view"], self._next_id("V"), None))

    def _views_push(self, args: dict[str, Any]) -> _Reply:
        return self._views_open(args)

    def _views_update(self, args: dict[str, Any]) -> _Reply:
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if not view_id and not external_id:
            return _invalid_view("either view_id or external_id is required", "/view_id")
        rejected = _reply_for(check_view(args.get("view"), allowed_types=("modal", "home")))
        if rejected is not None:
            return rejected
        if not view_id:
            # An unknown external_id is not an error here: tests may craft payloads by hand.
            view_id = self._external_ids.get(str(external_id)) or self._next_id("V")
        current = self._views.get(str(view_id))
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            return _ok_false("hash_conflict")
        root = current["root_view_id"] if current is not None else None
        return _ok(view=self._view_answer(args["view"], str(view_id), root))

    def _views_publish(self, args: dict[str, Any]) -> _Reply:
        if not args.get("user_id"):
            return _invalid_view("missing required field: user_id", "/user_id")
        rejected = _reply_for(check_view(args.get("view"), allowed_types=("home",)))
        if rejected is not None:
            return rejected
        home_id = f"VHOME{args['user_id']}"
        current = self._views.get(home_id)
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            return _ok_false("hash_conflict")
        return _ok(view=self._view_answer(args["view"], home_id, None))

    def _conversations_open(self, args: dict[str, Any]) -> _Reply:
        if args.get("channel"):
            return _ok(channel={"id": args["channel"]}, no_op=True, already_open=True)
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            return _ok_false("users_list_not_supplied")
        if len(users) == 1:
            return _ok(channel={"id": f"D{users[0]}"})
        return _ok(channel={"id": "G" + "".join(sorted(users))[:10]})

    def _conversations_join(self, args: dict[str, Any]) -> _Reply:
        if not args.get("channel"):
            return _ok_false("channel_not_found")
        return _ok(channel=self._channel(str(args["channel"])))

    def _conversations_info(self, args: dict[str, Any]) -> _Reply:
        if not args.get("channel"):
            return _ok_false("channel_not_found")
        return _ok(channel=self._channel(str(args["channel"])))

    @staticmethod
    def _channel(channel_id: str) -> dict[str, Any]:
        is_im = channel_id.startswith("D")
        return {
            "id": channel_id,
            "name": channel_id if is_im else f"channel-{channel_id.lower()}",
            "is_channel": not is_im,
            "is_im": is_im,
            "is_private": is_im or channel_id.startswith("G"),
            "is_archived": False,
            "is_member": True,
        }

    def _default_user(self, user_id: str) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "real_name": f"User {user_id}",
            "tz": DEFAULT_TZ,
            **_tz_fields(DEFAULT_TZ),
            "is_bot": user_id == self.bot_user_id,
            "is_app_user": False,
            "deleted": False,
            "profile": {"real_name": f"User {user_id}", "display_name": user_id.lower()},
        }
        return user

    def _users_info(self, args: dict[str, Any]) -> _Reply:
        user_id = args.get("user")
        if not user_id:
            return _ok_false("user_not_found")
        user = self._users.get(str(user_id)) or self._default_user(str(user_id))
        return _ok(user=copy.deepcopy(user))

    @property
    def response_url(self) -> str:
        """A ``response_url`` for payloads that tests build: what the bot posts there is recorded as
        the method ``response.url`` and checked like a message."""
        return self.url + RESPONSE_URL_METHOD

    def _response_url(self, args: dict[str, Any]) -> _Reply:
        return _reply_for(check_message(args)) or _ok()

    def _team_info(self, args: dict[str, Any]) -> _Reply:
        return _ok(
            team={
                "id": self.team_id,
                "name": "Fake Workspace",
                "domain": "fake-workspace",
                "email_domain": "example.com",
                "icon": {"image_default": True},
            }
        )


# --------------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a load benchmark opens many connections at once

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *, fake: FakeSlack):
        self.fake = fake
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up (timeouts in tests) are normal; keep stderr quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:
        pass  # quiet: no request log on stderr

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._dispatch(self._read_chunked())
            return
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(self.rfile.read(length) if length > 0 else b"")

    def _read_chunked(self) -> bytes:
        # Some HTTP clients stream bodies without Content-Length.
        data = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # skip trailers
                return bytes(data)
            data += self.rfile.read(size)
            self.rfile.readline()  # CRLF after each chunk

    def _dispatch(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        if not parts.path.startswith("/api/") or len(parts.path) <= len("/api/"):
            self._send(_Reply(404, "Not Found", {"Content-Type": "text/plain"}))
            return
        method = parts.path[len("/api/") :]
        headers = {k.lower(): v for k, v in self.headers.items()}
        args: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
        body_error = None
        try:
            args.update(_parse_body(headers.get("content-type", ""), body))
        except ValueError:  # still recorded and answered: "every call" means every call
            body_error = "invalid_json"
        self._send(self.server.fake._handle(method, _decode_json_fields(args), headers, body_error))

    def _send(self, reply: _Reply) -> None:
        headers = dict(reply.headers)
        if isinstance(reply.body, str):
            payload = reply.body.encode("utf-8")
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        else:
            payload = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        try:
            self.send_response(reply.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        parsed = json.loads(body.decode("utf-8"))
        if not isinstance(parsed, dict):
            raise ValueError("JSON body must be an object")
        return parsed
    if kind == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        out: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                payload = part.get_payload(decode=True) or b""
                out[str(name)] = payload if part.get_filename() else payload.decode("utf-8", "replace")
        return out
    # Slack treats anything else as a form body.
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def _decode_json_fields(args: dict[str, Any]) -> dict[str, Any]:
    """Form bodies carry blocks/view/... as JSON strings; store them as dicts/lists."""
    for key in _JSON_FIELDS & args.keys():
        value = args[key]
        if isinstance(value, str) and value.strip()[:1] in {"[", "{"}:
            # Undecodable JSON stays a string; validation rejects it where it matters.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def _bearer(value: str | None) -> str | None:
    if value and value.lower().startswith("bearer "):
        return value[len("bearer ") :].strip() or None
    return None


def _refusal(call: Call) -> str:
    """How Slack refused a call, in a few words: the error and its first message."""
    if not isinstance(call.response, dict):
        return f"HTTP {call.status}"
    messages = (call.response.get("response_metadata") or {}).get("messages") or []
    return " ".join([f"HTTP {call.status}", str(call.response.get("error")), *messages[:1]])


def _collect_strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _collect_strings(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect_strings(item, out)


def _tz_fields(tz: str) -> dict[str, Any]:
    try:
        now = dt.datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return {}
    offset = now.utcoffset() or dt.timedelta(0)
    return {"tz_label": now.tzname() or tz, "tz_offset": int(offset.total_seconds())}


def _ok(**fields: Any) -> _Reply:
    return _Reply(200, {"ok": True, **fields})


def _ok_false(error: str, messages: list[str] | None = None, **fields: Any) -> _Reply:
    body: dict[str, Any] = {"ok": False, "error": error, **fields}
    if messages:
        body["response_metadata"] = {"messages": messages}
    return _Reply(200, body)


def _reply_for(rejection: Rejection | None) -> _Reply | None:
    return None if rejection is None else _ok_false(rejection.error, rejection.messages)


def _invalid_view(problem: str, pointer: str) -> _Reply:
    return _ok_false("invalid_arguments", [f"[ERROR] {problem} [json-pointer:{pointer}]"])


__all__ = [
    "LIMITS",
    "METHOD_TIERS",
    "POST_MESSAGE_BURST",
    "POST_MESSAGE_PER_SECOND",
    "TIER_PER_MINUTE",
    "Call",
    "FakeSlack",
    "slack_would_reject",
]
