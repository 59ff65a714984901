"""A fake Slack Web API: a real HTTP server on 127.0.0.1 for scenario tests and benchmarks.

It records every call with its arguments and answers like Slack, refusing what Slack refuses, so that
no test passes on a call Slack would reject: blocks and views Slack would not take (the Block Kit
checks live in ``tests.support.block_kit``), trigger_ids it did not issue, used twice or older than
3 seconds, views that are not open, messages and channels it does not know, users the workspace does
not have. Tests can also queue errors, HTTP 429 with ``Retry-After``, 5xx and delays.

The workspace it plays: users declared with ``add_users()``/``set_user()`` (the request sender of
``tests.support.slack_requests`` declares the person it acts as; ``users.list`` pages through them, the
bot user and Slackbot, deactivated ones included, like Slack), channels ``C…``/``G…`` (taken as
existing), DMs ``D…`` once Slack gave their id out, messages the bot posted, views it opened, and
trigger_ids handed out by ``issue_trigger_id()`` (the request sender puts them in its payloads).

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
3. a method the fake does not implement gets a queued answer if there is one, else ``unknown_method``;
4. bad auth -> ``not_authed`` / ``invalid_auth``;
5. checks, which change nothing: required arguments, Block Kit, then what the workspace knows
   (trigger_ids, open views and their hash, messages, channels, users); a call that fails one gets
   Slack's error, whatever a test queued: a fault never hides a call Slack would refuse;
6. a queued per-test answer (``answer``/``fail``/``rate_limit``/``server_error``), consumed only by a
   call that passed the checks, and changing nothing (a 429 does not use up the trigger_id);
7. rate limits (only with ``enforce_rate_limits=True``);
8. the effect (a message stored, a view opened, a trigger_id used up) and the default answer.
"""

from __future__ import annotations

import base64
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
from collections.abc import Callable, Iterable, Mapping
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
        "users.list": 2,
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
# users.list: a page holds at most this many members, whatever the limit asked; Slack's own cap.
USERS_LIST_MAX_LIMIT: Final = 1000
SLACKBOT: Final = "USLACKBOT"
# A trigger_id is exchanged once (views.open / views.push), within 3 seconds of the interaction.
TRIGGER_LIFETIME: Final = 3.0
VIEW_STACK_MAX: Final = 3  # a modal and the 2 views an app may push on it

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


@dataclass
class _Trigger:
    issued_at: float | None  # on the fake's clock; None: issued elsewhere, age unknown
    view_id: str | None  # the modal the interaction came from: where views.push puts its view
    exchanged: bool = False


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

    ``clock`` (default ``time.monotonic``) drives the limits, the age of trigger_ids and ``Call.at``;
    tests inject their own, or move it with ``advance()``. It must not be the wall clock: tests move
    that with time-machine, which leaves ``time.monotonic`` alone.
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
        self._offset = 0.0  # advance()
        self._users: dict[str, dict[str, Any]] = {}  # the workspace's people (add_users, set_user)
        self._views: dict[str, dict[str, Any]] = {}  # open views by id (modals and App Home tabs)
        self._stacks: dict[str, list[str]] = {}  # open modals: root view id -> ids, bottom first
        self._triggers: dict[str, _Trigger] = {}
        self._dms: set[str] = set()  # DM channel ids Slack gave out
        # Channels a test declared (set_channel): name, private, member, archived. Others C…/G… exist.
        self._channels: dict[str, dict[str, Any]] = {}
        self._deleted: set[str] = set()
        self.uploads: dict[str, bytes] = {}  # files.getUploadURLExternal's file id -> the bytes sent
        self._pending_uploads: dict[str, int] = {}  # upload URLs handed out, not used yet
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

    def message_at(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The message at `ts` in `channel` as it stands now (updates applied), or None once deleted."""
        with self._cond:
            found = self._message_at(channel, ts)
            return copy.deepcopy(found) if found is not None else None

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
        """Forget calls, queued answers, delays, rate-limit state, trigger_ids, views, messages and DM
        channels (declared users are kept)."""
        with self._cond:
            self._calls.clear()
            self._queued.clear()
            self._delays.clear()
            self._windows.clear()
            self._buckets.clear()
            self._views.clear()
            self._stacks.clear()
            self._history.clear()
            self._external_ids.clear()
            self._triggers.clear()
            self._dms.clear()
            self.uploads.clear()
            self._cond.notify_all()

    # ------------------------------------------------------------------ the workspace
    def add_users(self, *user_ids: str) -> None:
        """Declare users of the workspace (America/New_York); Slack answers ``user_not_found`` for others.

        A user already declared (say with ``set_user``) is left as is.
        """
        with self._cond:
            for user_id in user_ids:
                if user_id not in self._users:
                    self._users[user_id] = self._default_user(user_id)

    def set_channel(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        private: bool | None = None,
        member: bool = True,
        archived: bool = False,
    ) -> None:
        """Declare a channel as Slack would describe it. A private one the bot is not in looks, to the
        bot, as if it did not exist (``channel_not_found``), as in Slack."""
        with self._cond:
            self._deleted.discard(channel_id)
            self._channels[channel_id] = {
                "name": name or f"channel-{channel_id.lower()}",
                "is_private": channel_id.startswith("G") if private is None else private,
                "is_member": member,
                "is_archived": archived,
            }

    def delete_channel(self, channel_id: str) -> None:
        """The channel is gone: every call about it answers ``channel_not_found``."""
        with self._cond:
            self._deleted.add(channel_id)

    def set_user(self, user_id: str, *, tz: str | None = None, **fields: Any) -> dict[str, Any]:
        """Declare a user, or change what users.info answers for one; returns the resulting user object.

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

    def issue_trigger_id(self, *, view_id: str | None = None) -> str:
        """A trigger_id as Slack puts in an interaction payload, issued now: ``views.open`` or
        ``views.push`` may exchange it once, within ``TRIGGER_LIFETIME`` seconds of the fake's clock.

        ``view_id``: the modal the interaction happened in (a click, a submission), where
        ``views.push`` puts its view.
        """
        with self._cond:
            n = next(self._ids)
            trigger_id = f"{_TS_BASE + n}.{98_765 + n}.{n:012x}"
            self._triggers[trigger_id] = _Trigger(issued_at=self._now(), view_id=view_id)
            return trigger_id

    def accept_trigger_ids(self, trigger_ids: Iterable[str]) -> None:
        """trigger_ids made where the fake cannot see them being issued (a load generator in another
        process signs its requests ahead of time): each is still exchanged once, but never expires."""
        with self._cond:
            for trigger_id in trigger_ids:
                self._triggers[trigger_id] = _Trigger(issued_at=None, view_id=None)

    def view_closed(self, view_id: str, *, all_views: bool = False) -> None:
        """The user's modal closed (a submission answered with a bare ack closes the view submitted;
        ``response_action: clear``, ``all_views``, closes its whole stack). Updating it is then
        ``not_found``. Unknown ids are ignored."""
        with self._cond:
            root = self._root_of_open(view_id)
            if root is None:
                return
            stack = self._stacks[root]
            closed = stack if all_views else stack[stack.index(view_id) :]
            for gone in closed:
                view = self._views.pop(gone, None)
                if view and view.get("external_id"):
                    self._external_ids.pop(str(view["external_id"]), None)
            del stack[len(stack) - len(closed) :]
            if not stack:
                del self._stacks[root]

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for the fake at once: trigger_ids age, rate-limit windows move.

        The fake's clock is monotonic, which time-machine leaves alone; a test simulates slow work
        (a handler taking 3.5 s before ``views.open``) with this instead of sleeping.
        """
        with self._cond:
            self._offset += seconds

    def _now(self) -> float:
        return self._clock() + self._offset

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
        """Queue an exact answer for ``method`` (``times=None``: forever). Nothing is added to ``body``.

        A call is still checked first (see the module docstring): the queued answer goes to the next
        call Slack would not refuse anyway.
        """
        if (
            isinstance(body, dict)
            and body.get("error") == "ratelimited"
            and (status != 429 or "retry-after" not in {k.lower() for k in headers or {}})
        ):
            raise ValueError("Slack answers ratelimited with HTTP 429 and Retry-After: use rate_limit()")
        self._enqueue(method, _Reply(status, copy.deepcopy(body), dict(headers or {})), times)

    def fail(self, method: str, error: str, times: int | None = 1) -> None:
        """Queue an HTTP 200 ``{"ok": false, "error": error}``; ``ratelimited`` is queued as
        ``rate_limit()`` queues it (HTTP 429, ``Retry-After: 1``), the only way Slack says it."""
        if error == "ratelimited":
            self.rate_limit(method, times=times)
            return
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
            call = Call(method=method, args=args, headers=headers, at=self._now())
            self._calls.append(call)
            pause: _Delay | None = self._pop(self._delays, method)
            if pause is None:
                # Answer before waking waiters, so wait_for() callers see status/response.
                reply = self._settle(call, body_error)
            self._cond.notify_all()
        if pause is not None:
            self._stopping.wait(pause.seconds)  # not time.sleep: stop() must not hang
            with self._cond:
                reply = self._settle(call, body_error)
                self._cond.notify_all()
        return reply

    def _settle(self, call: Call, body_error: str | None) -> _Reply:
        try:
            reply = _ok_false(body_error) if body_error else self._answer(call)
        except Exception as exc:  # a bug in the fake: make it visible, not a hung client
            self.server_errors.append(exc)
            reply = _Reply(500, {"ok": False, "error": "fake_slack_internal_error", "detail": repr(exc)})
        call.status = reply.status
        call.response = copy.deepcopy(reply.body)
        return reply

    def _answer(self, call: Call) -> _Reply:
        """Steps 3 to 8 of the module docstring, under the lock."""
        method, args = call.method, call.args
        entry = self._methods().get(method)
        if entry is None:
            return self._queued_reply(method) or _ok_false("unknown_method", req_method=method)
        check, effect = entry
        token = _bearer(call.headers.get("authorization")) or args.get("token")
        if method != RESPONSE_URL_METHOD:  # a response_url is its own credential
            if not token:
                return _ok_false("not_authed")
            if token != self.token:
                return _ok_false("invalid_auth")
        refused = check(call)
        if refused is not None:
            return refused
        queued = self._queued_reply(method)
        if queued is not None:
            return queued
        if self.enforce_rate_limits and method != RESPONSE_URL_METHOD:
            retry_after = self._take_rate_slot(str(token), method, args)
            if retry_after is not None:
                return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        return effect(call)

    def _queued_reply(self, method: str) -> _Reply | None:
        queued: _Queued | None = self._pop(self._queued, method)
        if queued is None:
            return None
        return _Reply(queued.reply.status, copy.deepcopy(queued.reply.body), dict(queued.reply.headers))

    def _methods(self) -> dict[str, tuple[Callable[[Call], _Reply | None], Callable[[Call], _Reply]]]:
        """Each method: its checks (which change nothing) and its effect (the default answer)."""
        return {
            "auth.test": (_no_check, self._auth_test),
            "chat.postMessage": (self._check_post_message, self._chat_post_message),
            "chat.update": (self._check_update, self._chat_update),
            "chat.postEphemeral": (self._check_ephemeral, self._chat_post_ephemeral),
            "chat.delete": (self._check_delete, self._chat_delete),
            "views.open": (self._check_open, self._views_open),
            "views.push": (self._check_push, self._views_push),
            "views.update": (self._check_views_update, self._views_update),
            "views.publish": (self._check_publish, self._views_publish),
            "conversations.open": (self._check_conversations_open, self._conversations_open),
            "conversations.join": (self._check_join, self._conversations_join),
            "conversations.list": (_no_check, self._conversations_list),
            "files.getUploadURLExternal": (self._check_upload_url, self._files_upload_url),
            "files.completeUploadExternal": (self._check_complete_upload, self._files_complete_upload),
            "conversations.info": (self._check_channel, self._conversations_info),
            "conversations.history": (self._check_channel, self._conversations_history),
            "users.info": (self._check_users_info, self._users_info),
            "users.list": (self._check_users_list, self._users_list),
            "team.info": (_no_check, self._team_info),
            RESPONSE_URL_METHOD: (lambda call: _reply_for(check_message(call.args)), lambda call: _ok()),
        }

    # ------------------------------------------------------------------ rate limits
    def _take_rate_slot(self, token: str, method: str, args: Mapping[str, Any]) -> int | None:
        """Use one slot; return None if allowed, else the Retry-After in seconds."""
        now = self._now()
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

    # ------------------------------------------------------------------ what the workspace knows
    def _knows_user(self, user_id: str) -> bool:
        return user_id in self._users or user_id == self.bot_user_id

    def _known_channel(self, channel: str) -> bool:
        """Channels (C…) and private channels (G…) are taken as existing, but for those a test deleted
        and private ones the bot was not invited to; a DM (D…) once Slack gave its id out
        (conversations.open, or chat.postMessage to a user)."""
        if channel in self._deleted:
            return False
        declared = self._channels.get(channel)
        if declared is not None and declared["is_private"] and not declared["is_member"]:
            return False
        return channel[:1] in ("C", "G") or channel in self._dms

    def _message_at(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self._history.get(channel, []) if m["ts"] == ts), None)

    def _root_of_open(self, view_id: str) -> str | None:
        """The root of the open modal stack holding ``view_id``; None when it is not an open modal."""
        view = self._views.get(view_id)
        if view is None or view.get("type") != "modal":
            return None
        root = str(view["root_view_id"])
        return root if view_id in self._stacks.get(root, []) else None

    def _check_trigger(self, call: Call) -> _Reply | None:
        trigger_id = call.args.get("trigger_id") or call.args.get("interactivity_pointer")
        if not trigger_id:
            return _invalid_view("missing required field: trigger_id", "/trigger_id")
        trigger = self._triggers.get(str(trigger_id))
        if trigger is None:
            return _ok_false("invalid_trigger_id")
        if trigger.exchanged:
            return _ok_false("exchanged_trigger_id")
        if trigger.issued_at is not None and call.at - trigger.issued_at > TRIGGER_LIFETIME:
            return _ok_false("expired_trigger_id")
        return None

    def _exchange(self, call: Call) -> _Trigger:
        trigger = self._triggers[str(call.args.get("trigger_id") or call.args.get("interactivity_pointer"))]
        trigger.exchanged = True
        return trigger

    # ------------------------------------------------------------------ checks (they change nothing)
    def _check_post_message(self, call: Call) -> _Reply | None:
        channel = str(call.args.get("channel") or "")
        if not channel:
            return _ok_false("channel_not_found")
        refused = _reply_for(check_message(call.args))
        if refused is not None:
            return refused
        if channel[:1] in ("U", "W"):  # a DM, to a user the workspace must have
            return None if self._knows_user(channel) else _ok_false("channel_not_found")
        if channel[:1] in ("C", "G") and not self._known_channel(channel):
            return _ok_false("channel_not_found")
        if self._channels.get(channel, {}).get("is_archived"):
            return _ok_false("is_archived")
        # A DM id the fake never gave out is taken as given here (rows seeded by a test or benchmark).
        return None if channel[:1] in ("C", "G", "D") else _ok_false("channel_not_found")

    def _check_update(self, call: Call) -> _Reply | None:
        if not call.args.get("channel"):
            return _ok_false("channel_not_found")
        if not call.args.get("ts"):
            return _ok_false("message_not_found")
        return _reply_for(check_message(call.args)) or self._check_message_at(call)

    def _check_delete(self, call: Call) -> _Reply | None:
        return self._check_message_at(call)

    def _check_message_at(self, call: Call) -> _Reply | None:
        """The message must be one the bot posted (and did not delete), in that channel."""
        channel, ts = str(call.args.get("channel") or ""), str(call.args.get("ts") or "")
        if not channel or not self._known_channel(channel):
            return _ok_false("channel_not_found")
        if not ts or self._message_at(channel, ts) is None:
            return _ok_false("message_not_found")
        return None

    def _check_ephemeral(self, call: Call) -> _Reply | None:
        if not call.args.get("channel"):
            return _ok_false("channel_not_found")
        if not call.args.get("user"):
            return _ok_false("user_not_in_channel")
        return _reply_for(check_message(call.args))

    def _check_open(self, call: Call) -> _Reply | None:
        refused = _reply_for(check_view(call.args.get("view"), allowed_types=("modal",)))
        if refused is None:
            refused = self._check_trigger(call)
        external_id = call.args["view"].get("external_id") if refused is None else None
        if external_id and str(external_id) in self._external_ids:
            return _ok_false("duplicate_external_id")
        return refused

    def _check_push(self, call: Call) -> _Reply | None:
        refused = self._check_open(call)
        if refused is not None:
            return refused
        trigger = self._triggers[str(call.args.get("trigger_id") or call.args.get("interactivity_pointer"))]
        root = self._root_of_open(trigger.view_id) if trigger.view_id else None
        if root is not None and len(self._stacks[root]) >= VIEW_STACK_MAX:
            return _ok_false("push_limit_reached")
        return None

    def _check_views_update(self, call: Call) -> _Reply | None:
        view_id, external_id = call.args.get("view_id"), call.args.get("external_id")
        if not view_id and not external_id:
            return _invalid_view("either view_id or external_id is required", "/view_id")
        refused = _reply_for(check_view(call.args.get("view"), allowed_types=("modal", "home")))
        if refused is not None:
            return refused
        current = self._views.get(self._view_id_of(call))
        if current is None:
            return _ok_false("not_found")  # never opened, or closed since
        if call.args.get("hash") and call.args["hash"] != current["hash"]:
            return _ok_false("hash_conflict")
        return None

    def _view_id_of(self, call: Call) -> str:
        view_id = call.args.get("view_id")
        return str(view_id) if view_id else self._external_ids.get(str(call.args.get("external_id")), "")

    def _check_publish(self, call: Call) -> _Reply | None:
        if not call.args.get("user_id"):
            return _invalid_view("missing required field: user_id", "/user_id")
        refused = _reply_for(check_view(call.args.get("view"), allowed_types=("home",)))
        if refused is not None:
            return refused
        current = self._views.get(f"VHOME{call.args['user_id']}")
        if current is not None and call.args.get("hash") and call.args["hash"] != current["hash"]:
            return _ok_false("hash_conflict")
        return None

    def _check_conversations_open(self, call: Call) -> _Reply | None:
        if call.args.get("channel"):
            return None if self._known_channel(str(call.args["channel"])) else _ok_false("channel_not_found")
        users = _user_list(call.args)
        if not users:
            return _ok_false("users_list_not_supplied")
        if not all(self._knows_user(u) for u in users):
            return _ok_false("user_not_found")
        return None

    def _check_channel(self, call: Call) -> _Reply | None:
        channel = str(call.args.get("channel") or "")
        return None if channel and self._known_channel(channel) else _ok_false("channel_not_found")

    def _check_join(self, call: Call) -> _Reply | None:
        refused = self._check_channel(call)
        if refused is not None:
            return refused
        declared = self._channels.get(str(call.args["channel"]), {})
        if declared.get("is_archived"):
            return _ok_false("is_archived")
        if declared.get("is_private") or str(call.args["channel"]).startswith(("G", "D")):
            return _ok_false("method_not_supported_for_channel_type")
        return None

    def _check_upload_url(self, call: Call) -> _Reply | None:
        if not call.args.get("filename") or not str(call.args.get("length") or "").isdigit():
            return _ok_false("invalid_arguments")
        if len(str(call.args.get("alt_txt") or "")) > 1000:
            return _ok_false("invalid_arguments")
        return None

    def _check_complete_upload(self, call: Call) -> _Reply | None:
        files = call.args.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                return _ok_false("invalid_arguments")
        if not isinstance(files, list) or not files:
            return _ok_false("invalid_arguments")
        if any(not isinstance(f, dict) or str(f.get("id")) not in self.uploads for f in files):
            return _ok_false("file_not_found")  # never uploaded, or the bytes never came
        channel = str(call.args.get("channel_id") or "")
        if channel and not self._known_channel(channel):
            return _ok_false("channel_not_found")
        thread_ts = call.args.get("thread_ts")
        if thread_ts and (not channel or self._message_at(channel, str(thread_ts)) is None):
            return _ok_false("invalid_thread_ts")
        return None

    def _check_users_info(self, call: Call) -> _Reply | None:
        user_id = str(call.args.get("user") or "")
        return None if user_id and self._knows_user(user_id) else _ok_false("user_not_found")

    def _check_users_list(self, call: Call) -> _Reply | None:
        raw_limit = str(call.args.get("limit") if call.args.get("limit") is not None else "0").strip()
        if not raw_limit.isdigit():
            return _invalid_arguments(f"invalid limit: {raw_limit!r}", "/limit")
        if int(raw_limit) == 0 and len(self._directory()) > USERS_LIST_MAX_LIMIT:
            return _ok_false("limit_required")  # a big workspace is not handed over in one answer
        cursor = call.args.get("cursor")
        if cursor not in (None, "") and _decode_cursor(str(cursor), self._directory()) is None:
            return _ok_false("invalid_cursor")
        return None

    # ------------------------------------------------------------------ effects and default answers
    def _next_ts(self) -> str:
        micros = next(self._ids) * 100
        return f"{_TS_BASE + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08X}"

    def _auth_test(self, call: Call) -> _Reply:
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

    def _chat_post_message(self, call: Call) -> _Reply:
        ts = self._next_ts()
        channel = str(call.args["channel"])
        if channel[:1] in ("U", "W"):  # posting to a user goes to the DM with them, as Slack answers
            channel = f"D{channel}"
        if channel.startswith("D"):
            self._dms.add(channel)
        message = self._message(call.args, ts)
        self._history.setdefault(channel, []).append(message)
        return _ok(channel=channel, ts=ts, message=message)

    def _conversations_history(self, call: Call) -> _Reply:
        """Newest first, like Slack; message metadata only with include_all_metadata."""
        limit = int(call.args.get("limit") or 100)
        with_metadata = str(call.args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [copy.deepcopy(m) for m in reversed(self._history.get(str(call.args["channel"]), []))]
        for message in messages[:limit]:
            if not with_metadata:
                message.pop("metadata", None)
        return _ok(messages=messages[:limit], has_more=len(messages) > limit)

    def _chat_update(self, call: Call) -> _Reply:
        channel, ts = str(call.args["channel"]), str(call.args["ts"])
        stored = self._message_at(channel, ts)
        assert stored is not None  # checked
        message = {
            **self._message(call.args, ts),
            "edited": {"user": self.bot_user_id, "ts": self._next_ts()},
        }
        stored.clear()
        stored.update(message)
        return _ok(channel=channel, ts=ts, text=call.args.get("text", ""), message=copy.deepcopy(message))

    def _chat_post_ephemeral(self, call: Call) -> _Reply:
        return _ok(message_ts=self._next_ts())

    def _chat_delete(self, call: Call) -> _Reply:
        channel, ts = str(call.args["channel"]), str(call.args["ts"])
        self._history[channel] = [m for m in self._history[channel] if m["ts"] != ts]
        return _ok(channel=channel, ts=ts)

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
        previous = self._views.get(view_id)
        if previous is not None:
            stored["previous_view_id"] = previous["previous_view_id"]
            if previous.get("external_id") and previous["external_id"] != stored.get("external_id"):
                self._external_ids.pop(str(previous["external_id"]), None)
        self._views[view_id] = stored
        if stored.get("external_id"):
            self._external_ids[str(stored["external_id"])] = view_id
        return copy.deepcopy(stored)

    def _views_open(self, call: Call) -> _Reply:
        self._exchange(call)
        return self._open_stack(call)

    def _open_stack(self, call: Call) -> _Reply:
        view_id = self._next_id("V")
        self._stacks[view_id] = [view_id]
        return _ok(view=self._view_answer(call.args["view"], view_id, None))

    def _views_push(self, call: Call) -> _Reply:
        trigger = self._exchange(call)
        root = self._root_of_open(trigger.view_id) if trigger.view_id else None
        if root is None:  # a trigger from outside any modal the fake opened: it starts a stack
            return self._open_stack(call)
        below = self._stacks[root][-1]
        view_id = self._next_id("V")
        self._stacks[root].append(view_id)
        answer = self._view_answer(call.args["view"], view_id, root)
        self._views[view_id]["previous_view_id"] = answer["previous_view_id"] = below
        return _ok(view=answer)

    def _views_update(self, call: Call) -> _Reply:
        view_id = self._view_id_of(call)
        current = self._views[view_id]
        return _ok(view=self._view_answer(call.args["view"], view_id, str(current["root_view_id"])))

    def _views_publish(self, call: Call) -> _Reply:
        return _ok(view=self._view_answer(call.args["view"], f"VHOME{call.args['user_id']}", None))

    def _conversations_open(self, call: Call) -> _Reply:
        if call.args.get("channel"):
            return _ok(channel={"id": call.args["channel"]}, no_op=True, already_open=True)
        users = _user_list(call.args)
        channel = f"D{users[0]}" if len(users) == 1 else "G" + "".join(sorted(users))[:10]
        already = channel in self._dms
        self._dms.add(channel)
        return _ok(channel={"id": channel}, **({"no_op": True, "already_open": True} if already else {}))

    def _conversations_join(self, call: Call) -> _Reply:
        channel_id = str(call.args["channel"])
        if channel_id in self._channels:
            self._channels[channel_id]["is_member"] = True
        return _ok(channel=self._channel(channel_id))

    def _conversations_info(self, call: Call) -> _Reply:
        return _ok(channel=self._channel(str(call.args["channel"])))

    def _conversations_list(self, call: Call) -> _Reply:
        """Declared channels the bot can see (public ones, private ones it is in), `limit` a page."""
        types = str(call.args.get("types") or "public_channel").split(",")
        visible = [
            self._channel(cid)
            for cid in sorted(self._channels)
            if self._known_channel(cid)
            and ("private_channel" if self._channels[cid]["is_private"] else "public_channel") in types
            and not (
                self._channels[cid]["is_archived"] and str(call.args.get("exclude_archived")) in ("1", "true")
            )
        ]
        start = int(str(call.args.get("cursor") or "0") or 0)
        limit = int(call.args.get("limit") or 100)
        page, more = visible[start : start + limit], start + limit < len(visible)
        return _ok(channels=page, response_metadata={"next_cursor": str(start + limit) if more else ""})

    def _channel(self, channel_id: str) -> dict[str, Any]:
        is_im = channel_id.startswith("D")
        declared = self._channels.get(channel_id, {})
        return {
            "id": channel_id,
            "name": declared.get("name") or (channel_id if is_im else f"channel-{channel_id.lower()}"),
            "is_channel": not is_im,
            "is_im": is_im,
            "is_private": declared.get("is_private", is_im or channel_id.startswith("G")),
            "is_archived": declared.get("is_archived", False),
            "is_member": declared.get("is_member", True),
        }

    def _files_upload_url(self, call: Call) -> _Reply:
        file_id = self._next_id("F")
        self._pending_uploads[file_id] = int(call.args["length"])
        return _ok(upload_url=f"http://127.0.0.1:{self.port}/upload/{file_id}", file_id=file_id)

    def receive_upload(self, file_id: str, data: bytes) -> int:
        """The bytes of a file, POSTed to its upload_url; the HTTP status to answer."""
        with self._cond:
            if file_id not in self._pending_uploads:
                return 404
            del self._pending_uploads[file_id]
            self.uploads[file_id] = data
            self._cond.notify_all()
            return 200

    def _files_complete_upload(self, call: Call) -> _Reply:
        files = call.args["files"]
        files = json.loads(files) if isinstance(files, str) else files
        channel, thread_ts = call.args.get("channel_id"), call.args.get("thread_ts")
        shared = []
        for f in files:
            info = {"id": f["id"], "title": f.get("title"), "size": len(self.uploads[str(f["id"])])}
            shared.append(info)
            if channel:
                message = self._message(
                    {"text": "", "thread_ts": thread_ts} if thread_ts else {"text": ""}, self._next_ts()
                )
                message["files"] = [info]
                self._history.setdefault(str(channel), []).append(message)
        return _ok(files=shared)

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
            # A member, as most are: a test makes an admin or an owner with set_user(..., is_admin=True).
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "deleted": False,
            "profile": {"real_name": f"User {user_id}", "display_name": user_id.lower()},
        }
        return user

    def _users_info(self, call: Call) -> _Reply:
        user_id = str(call.args["user"])
        user = self._users.get(user_id) or self._default_user(user_id)  # the bot user is always there
        return _ok(user=copy.deepcopy(user))

    def _directory(self) -> list[str]:
        """Who users.list lists, in a stable order: every declared user (deactivated ones too), the bot
        user and Slackbot, as Slack does."""
        return sorted({*self._users, self.bot_user_id, SLACKBOT})

    def _listed_user(self, user_id: str) -> dict[str, Any]:
        if user_id == SLACKBOT:  # Slack lists Slackbot as a person (is_bot false), with a timezone
            return {**self._default_user(SLACKBOT), "name": "slackbot", "tz": "America/Los_Angeles"}
        return copy.deepcopy(self._users.get(user_id) or self._default_user(user_id))

    def _users_list(self, call: Call) -> _Reply:
        """A page of the directory: `limit` members (capped at 1000; 0 or none: all at once), from the
        `cursor` of the previous page; next_cursor is "" on the last one."""
        listed = self._directory()
        cursor = call.args.get("cursor")
        start = _decode_cursor(str(cursor), listed) if cursor else 0
        assert start is not None  # checked
        limit = min(int(str(call.args.get("limit") or 0)) or len(listed), USERS_LIST_MAX_LIMIT)
        page = listed[start : start + limit]
        more = start + limit < len(listed)
        return _ok(
            members=[self._listed_user(u) for u in page],
            cache_ts=int(self._now()),
            response_metadata={"next_cursor": _encode_cursor(listed[start + limit]) if more else ""},
        )

    @property
    def response_url(self) -> str:
        """A ``response_url`` for payloads that tests build: what the bot posts there is recorded as
        the method ``response.url`` and checked like a message."""
        return self.url + RESPONSE_URL_METHOD

    def _team_info(self, call: Call) -> _Reply:
        return _ok(
            team={
                "id": self.team_id,
                "name": "Fake Workspace",
                "domain": "fake-workspace",
                "email_domain": "example.com",
                "icon": {"image_default": True},
            }
        )


def _encode_cursor(user_id: str) -> str:
    """An opaque cursor, shaped like Slack's: base64 of "user:" and the first user id of the next page."""
    return base64.b64encode(f"user:{user_id}".encode()).decode()


def _decode_cursor(cursor: str, listed: list[str]) -> int | None:
    """Where the page of `cursor` starts in `listed`; None for a cursor Slack never gave out."""
    try:
        decoded = base64.b64decode(cursor.encode(), validate=True).decode()
    except ValueError:
        return None
    kind, _, user_id = decoded.partition(":")
    return listed.index(user_id) if kind == "user" and user_id in listed else None


def _no_check(call: Call) -> _Reply | None:
    return None


def _user_list(args: Mapping[str, Any]) -> list[str]:
    return [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]


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
        if parts.path.startswith("/upload/"):  # files_upload_v2's second step: the bytes themselves
            status = self.server.fake.receive_upload(parts.path[len("/upload/") :], body)
            self._send(_Reply(status, "OK" if status == 200 else "Not Found", {"Content-Type": "text/plain"}))
            return
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


def _invalid_arguments(problem: str, pointer: str) -> _Reply:
    return _ok_false("invalid_arguments", [f"[ERROR] {problem} [json-pointer:{pointer}]"])


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
