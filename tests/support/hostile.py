"""Hostile requests for the fuzz suite: every kind Slack sends to /slack/events (commands, block actions,
view submissions, options, shortcuts, events), taken apart: wrong types, missing keys, huge and
invalid strings, deep nesting, wrong content types, raw bytes; signed, unsigned, badly signed, stale.

A request is drawn as a recipe (the kind, a list of changes, how it is sent) and built against the
running bot, so that its trigger_id is one the fake Slack issued, as Slack would.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from hypothesis import strategies as st

from handlers.shortcuts import Shortcut
from handlers.views.home import Home
from handlers.views.interview import InterviewAction
from handlers.views.log_modal import LogField, LogModal
from handlers.views.pause import PauseModal
from handlers.views.reminders import ReminderAction
from handlers.views.schedule import ScheduleModal
from handlers.views.search import SearchAction
from handlers.views.studies import StudyAction, StudyView
from handlers.views.subscriptions import DigestModal
from handlers.views.summary import SummaryModal
from handlers.views.themes import ThemesAction, ThemesView
from tests.support.slack_requests import APP_ID, CHANNEL_ID, TEAM_ID, USER_ID, SlackSender

# Ids the bot listens for (and some it does not): a hostile request should reach the real listeners.
ACTION_IDS = [
    *(a.value for a in ReminderAction),
    *(a.value for a in ThemesAction),
    *(a.value for a in InterviewAction),
    *(a.value for a in SearchAction),
    *(a.value for a in Home),
    *(a.value for a in StudyAction),
    DigestModal.POST_NOW.value,
    DigestModal.EDIT.value,
    DigestModal.UNSUBSCRIBE.value,
    "not_an_action_of_ours",
]
CALLBACK_IDS = [
    LogModal.CALLBACK_ID.value,
    SummaryModal.CALLBACK_ID.value,
    DigestModal.CALLBACK_ID.value,
    PauseModal.CALLBACK_ID.value,
    ScheduleModal.CALLBACK_ID.value,
    *(v.value for v in (ThemesView.RENAME, ThemesView.MERGE, ThemesView.MOVE)),
    StudyView.FORM.value,
    StudyView.CLOSE.value,
    "not_a_modal_of_ours",
]
SHORTCUT_IDS = [s.value for s in Shortcut] + ["not_a_shortcut_of_ours"]
SUBCOMMANDS = ["", "help", "log", "log Acme", "list", "schedule", "settings", "themes", "digest"]
SUBCOMMANDS += ['search "x', "search NEAR(*) account:", "search -a:b (c)", 'search study:"x study: <!here>']
SUBCOMMANDS += ["digest preview", "digest subscribe #x", "digest unsubscribe <#C1|x>", "payload"]
SUBCOMMANDS += ["study", "study new", "study <!channel> &amp;"]
KINDS = ["command", "block_actions", "view_submission", "block_suggestion", "shortcut", "message_action"]
KINDS += ["event_callback", "url_verification"]

HUGE = 100_000
NASTY_STRINGS = [
    "x" * HUGE,  # a 100 kB id or text
    "\ud800",  # a lone surrogate: valid JSON (escaped), not encodable as UTF-8
    "\x00\x1b[31m\r\nFAKE LOG LINE",
    "<!channel> <@U0001> <https://x|y> &amp;",
    "\u202e" * 1000 + "é" * 1000,
    "%s %d %(x)s {0} {}",
    "../../etc/passwd",
    "9" * 400,
    "",
    " ",
]
nasty_text = st.sampled_from(NASTY_STRINGS) | st.text(max_size=40)
leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | nasty_text
)
json_value = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(nasty_text, inner, max_size=3),
    max_leaves=8,
)


def deep(depth: int) -> Any:
    """A value nested `depth` levels (lists in objects), as deep as a parser may go."""
    value: Any = "bottom"
    for i in range(depth):
        value = [value] if i % 2 else {"v": value}
    return value


replacement = json_value | st.sampled_from([deep(50), deep(400), [], {}, [[]], [{}]])


@dataclass(frozen=True)
class Change:
    """Set (or, with `delete`, remove) the `pick`-th key path of the payload."""

    pick: int
    value: Any = None
    delete: bool = False


changes = st.lists(
    st.builds(Change, pick=st.integers(0, 10_000), value=replacement, delete=st.booleans()), max_size=4
)


Headers = list[tuple[str, str | bytes]]  # in order, a name may come twice; bytes are sent as they are
Value = str | bytes | tuple[str, str] | None  # a header's value: None leaves it out, a pair sends it twice


def _timestamps(now: int) -> dict[str, Value]:
    """X-Slack-Request-Timestamp missing or in a form Slack never writes; several are read by int()."""
    return {
        "missing": None,
        "empty": "",
        "spaces": "   ",  # the server strips them: an empty header
        "space inside": f"{now // 100_000} {now % 100_000:05d}",
        "non-numeric": "abc",
        "float": f"{now}.5",
        "exponent": f"{now / 1e9:.9f}e9",
        "hex": hex(now),
        "NaN": "NaN",
        "5,000 digits": "9" * 5000,  # past what int() reads from a string
        "sent twice": (str(now), str(now)),  # joined by the server into "N, N"
        "non-ASCII digits": "١٧٠٠٠٠٠٠٠٠".encode(),  # int() reads such digits as text
        "latin-1": f"{now}é".encode("latin-1"),
        "sign": f"+{now}",  # int() reads it
        "underscores": f"{now:_}",  # int() reads it
    }


def _signatures(digest: str) -> dict[str, Value]:
    """X-Slack-Signature missing or in a form Slack never writes, around the right digest where it can."""
    return {
        "missing": None,
        "empty": "",
        "spaces": "   ",
        "space inside": f"v0= {digest[1:]}",
        "non-numeric": "v0=" + "z" * 64,
        "float": "v0=1.5",
        "exponent": "v0=1e64",
        "hex": f"v0=0x{digest[2:]}",
        "NaN": "v0=NaN",
        "5,000 digits": "v0=" + "9" * 5000,
        "sent twice": (f"v0={digest}", f"v0={digest}"),
        "non-ASCII": f"v0={digest[:-1]}é".encode(),
        "latin-1": f"v0={digest[:-1]}é".encode("latin-1"),
        "uppercase": f"v0={digest.upper()}",
        "no version": digest,
        "another version": f"v1={digest}",
        "short": f"v0={digest[:-1]}",
        "long": f"v0={digest}0",
    }


# Every kind of missing or broken signature header, each beside a well-formed other one: "timestamp …"
# with a signature made over that very timestamp (over the time now when it is missing: what a door that
# took a missing timestamp for now would accept), "signature …" with a fresh timestamp.
BROKEN_HEADERS = [f"timestamp {kind}" for kind in _timestamps(0)] + [
    f"signature {kind}" for kind in _signatures("0" * 64)
]


def _response_urls(slacks: str) -> dict[str, str]:
    """Where a request's response_url may point, by name: Slack's own (`slacks`, on the Slack the bot
    talks to), or elsewhere, as only a forged request has it (Bolt's respond() would post there)."""
    parts = urlsplit(slacks)
    origin = f"{parts.scheme}://{parts.netloc}"
    return {
        "slack": slacks,
        "another port": f"{parts.scheme}://{parts.hostname}:9/hook",
        "a lookalike host": f"{origin}.evil.example/hook",
        "its address as user info": f"{origin}@127.0.0.1:9/hook",
        "its address in the path": f"http://127.0.0.1:9/{slacks}",
        "Slack's own hooks (not the Slack the bot talks to)": "https://hooks.slack.com/commands/T0001/1/x",
        "uppercase": slacks.upper(),
        "another scheme": "file:///etc/passwd",
        "a header after a newline": slacks + "\r\nHost: evil.example",
    }


RESPONSE_URLS = list(_response_urls("http://127.0.0.1:1/api/response.url"))
# The kinds that carry a response_url (a modal's submission: in response_urls).
ANSWERED_LATER = ("command", "block_actions", "message_action", "view_submission")


@dataclass(frozen=True)
class Recipe:
    kind: str
    id: str
    text: str
    changes: list[Change]
    # How it is sent: as Slack would (form or JSON), or wrongly.
    transport: str  # "slack", "json_for_form", "form_for_json", "text_plain", "no_content_type", "raw"
    signature: str  # "good", "none", "wrong", "stale", "future", "garbage", "broken" (see `broken`)
    raw: bytes = b""
    broken: str = "timestamp missing"  # with signature "broken": a kind of BROKEN_HEADERS
    response_url: str = "slack"  # where it says to answer later: a name in RESPONSE_URLS

    @property
    def answers_elsewhere(self) -> bool:
        """Its response_url is not on the Slack the bot talks to: a request Slack never sends."""
        return self.response_url != "slack" and self.kind in ANSWERED_LATER


recipes = st.builds(
    Recipe,
    kind=st.sampled_from(KINDS),
    id=st.sampled_from(ACTION_IDS + CALLBACK_IDS + SHORTCUT_IDS) | nasty_text,
    text=st.sampled_from(SUBCOMMANDS) | nasty_text,
    changes=changes,
    transport=st.sampled_from(["slack"] * 6 + ["json_for_form", "form_for_json", "text_plain", "raw"]),
    signature=st.sampled_from(["good"] * 6 + ["none", "wrong", "stale", "future", "garbage", "broken"]),
    raw=st.binary(max_size=300) | st.sampled_from([b"payload=" + b"%5B" * 3000, b"\xff" * 50]),
    broken=st.sampled_from(sorted(BROKEN_HEADERS)),
    response_url=st.sampled_from(["slack"] * len(RESPONSE_URLS) + RESPONSE_URLS[1:]),
)


DEEPEST = 6  # how deep a change reaches into the payload: as deep as Slack's own payloads go


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into the payload, down to where Slack's own payloads end."""
    found = [prefix] if prefix else []
    if len(prefix) >= DEEPEST:
        return found
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


def _copy(value: Any, levels: int = DEEPEST) -> Any:
    """`value` with its lists and objects copied `levels` deep, the deeper ones shared: a later change
    reaches no deeper than DEEPEST into the payload, so what it changes is never in two places (a deep
    copy of `deep(400)` took a seventh of the fuzz suite's time)."""
    if levels == 0:
        return value
    if isinstance(value, dict):
        return {key: _copy(inner, levels - 1) for key, inner in value.items()}
    if isinstance(value, list):
        return [_copy(inner, levels - 1) for inner in value]
    return value


def apply(payload: dict[str, Any], change: Change) -> None:
    paths = _paths(payload)
    if not paths:
        return
    *parents, last = paths[change.pick % len(paths)]
    target: Any = payload
    for key in parents:
        target = target[key]
    if change.delete and isinstance(target, dict):
        del target[last]
    else:
        target[last] = _copy(change.value)  # never one object in two places


def payload_for(recipe: Recipe, sender: SlackSender) -> dict[str, Any]:
    """The request as Slack would send it, before the recipe's changes."""
    team, user = {"id": TEAM_ID, "domain": "acme-corp"}, {"id": USER_ID, "team_id": TEAM_ID}
    view = {
        "id": "VFUZZ",
        "type": "modal",
        "callback_id": recipe.id,
        "team_id": TEAM_ID,
        "private_metadata": json.dumps({"channel_id": CHANNEL_ID, "theme_id": 1}),
        "blocks": [{"type": "input", "block_id": LogField.ACCOUNT.value}],
        "state": {"values": {LogField.ACCOUNT.value: {"a": {"type": "static_select", "value": recipe.text}}}},
    }
    common = {"team": team, "user": user, "api_app_id": APP_ID}
    answer_to = _response_urls(sender.response_url)[recipe.response_url]
    if recipe.kind == "command":
        return {
            "team_id": TEAM_ID,
            "user_id": USER_ID,
            "channel_id": CHANNEL_ID,
            "command": "/interview",
            "text": recipe.text,
            "response_url": answer_to,
            "trigger_id": sender.trigger_id(),
        }
    if recipe.kind == "block_actions":
        action = {"type": "button", "action_id": recipe.id, "block_id": "b", "value": recipe.text}
        return {
            "type": "block_actions",
            **common,
            "trigger_id": sender.trigger_id(),
            "actions": [action],
            "view": view,
            "container": {"type": "view", "view_id": "VFUZZ"},
            "message": {"ts": "1.2", "blocks": [{"block_id": "fu:1"}]},
            "channel": {"id": CHANNEL_ID},
            "response_url": answer_to,
        }
    if recipe.kind == "view_submission":
        # Slack lists a response_url only for a conversation select that asks for one; none of ours do.
        item = {"block_id": "b", "action_id": "a", "channel_id": CHANNEL_ID, "response_url": answer_to}
        response_urls = [item] if recipe.answers_elsewhere else []
        return {
            "type": "view_submission",
            **common,
            "trigger_id": sender.trigger_id(),
            "view": view,
            "response_urls": response_urls,
        }
    if recipe.kind == "block_suggestion":
        return {"type": "block_suggestion", **common, "action_id": recipe.id, "value": recipe.text}
    if recipe.kind in ("shortcut", "message_action"):
        message = {"type": "message", "user": "U0002", "ts": "1.2", "text": recipe.text}
        return {
            "type": recipe.kind,
            **common,
            "callback_id": recipe.id,
            "trigger_id": sender.trigger_id(),
            "channel": {"id": CHANNEL_ID},
            "message": message,
            **({"response_url": answer_to} if recipe.kind == "message_action" else {}),
        }
    if recipe.kind == "event_callback":
        return {
            "type": "event_callback",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": {"type": "app_home_opened", "user": USER_ID, "tab": recipe.text or "home"},
            "event_id": "Ev1",
            "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True}],
        }
    return {"type": "url_verification", "challenge": recipe.text, "token": "t"}


def body_for(recipe: Recipe, sender: SlackSender) -> tuple[bytes, str]:
    """The request's bytes and content type."""
    if recipe.transport == "raw":
        return recipe.raw, "application/x-www-form-urlencoded"
    payload = payload_for(recipe, sender)
    for change in recipe.changes:
        apply(payload, change)
    as_json = json.dumps(payload).encode()
    if recipe.kind == "command":
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
        body = urlencode(fields, errors="surrogatepass").encode()  # a lone surrogate: bytes not UTF-8
        if recipe.transport == "json_for_form":
            return body, "application/json"
        if recipe.transport == "form_for_json":  # a command can only be a form; send JSON instead
            return as_json, "application/json"
    elif recipe.kind in ("event_callback", "url_verification"):
        body = as_json
        if recipe.transport == "form_for_json":
            return urlencode({"payload": as_json.decode()}).encode(), "application/x-www-form-urlencoded"
        if recipe.transport != "json_for_form":
            return body, "application/json" if recipe.transport == "slack" else "text/plain"
    else:
        body = urlencode({"payload": as_json.decode()}).encode()
        if recipe.transport == "json_for_form":
            return as_json, "application/json"
        if recipe.transport == "form_for_json":
            return body, "application/json"
    return body, "application/x-www-form-urlencoded" if recipe.transport == "slack" else "text/plain"


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("latin-1")


def _header(name: str, value: Value) -> Headers:
    if value is None:
        return []
    if isinstance(value, tuple):
        return [(name, value[0]), (name, value[1])]
    return [(name, value)]


def sign(body: bytes, timestamp: str | bytes, secret: str) -> str:
    """Slack's signature over the bytes as sent: v0=HMAC-SHA256 of "v0:{timestamp}:{body}"."""
    base = b"v0:" + _as_bytes(timestamp) + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def broken_headers(kind: str, body: bytes, secret: str, now: int | None = None) -> Headers:
    """The signature headers of BROKEN_HEADERS' `kind` for this body."""
    now = int(time.time()) if now is None else now
    which, _, name = kind.partition(" ")
    if which == "timestamp":
        stamp = _timestamps(now)[name]
        # Signed over the timestamp as the server reads it: a repeated header arrives joined by ", ".
        signed_over = str(now) if stamp is None else ", ".join(stamp) if isinstance(stamp, tuple) else stamp
        signature: Value = sign(body, signed_over, secret)
    else:
        stamp = str(now)
        signature = _signatures(sign(body, stamp, secret).removeprefix("v0="))[name]
    return _header("X-Slack-Request-Timestamp", stamp) + _header("X-Slack-Signature", signature)


def headers_for(body: bytes, content_type: str, signature: str, secret: str, broken: str = "") -> Headers:
    if signature == "broken":
        return [("Content-Type", content_type), *broken_headers(broken, body, secret)]
    now = int(time.time())
    timestamp = {"stale": now - 600, "future": now + 600}.get(signature, now)
    digest = hmac.new(secret.encode(), b"v0:%d:" % timestamp + body, hashlib.sha256).hexdigest()
    headers: Headers = [("Content-Type", content_type), ("X-Slack-Request-Timestamp", str(timestamp))]
    if signature in ("good", "stale", "future"):
        headers.append(("X-Slack-Signature", "v0=" + digest))
    elif signature == "wrong":
        headers.append(("X-Slack-Signature", "v0=" + digest[::-1]))
    elif signature == "garbage":
        headers.append(("X-Slack-Signature", "v0=é\x00" + "z" * 300))
    return headers


def post(conn: http.client.HTTPConnection, body: bytes, headers: Headers) -> int:
    """POST to /slack/events on `conn` (kept open between calls), headers as given, repeats included."""
    conn.putrequest("POST", "/slack/events", skip_accept_encoding=True)
    for name, value in headers:
        conn.putheader(name, value)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    response.read()
    return response.status


LOG_BOUND = 16_000  # bytes one request may add to the log (a bounded traceback is a few kB)


@dataclass
class FuzzReport:
    """What the fuzz suite sent and saw, printed at the end of the run."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    largest_log_growth: dict[str, int] = field(default_factory=dict)
    slowest: float = 0.0
    envelopes: int = 0  # the same, over Socket Mode: every one acked
    slowest_ack: float = 0.0

    def record_envelope(self, elapsed: float, growth: int) -> None:
        self.envelopes += 1
        self.slowest_ack = max(self.slowest_ack, elapsed)
        self.largest_log_growth["socket, plain"] = max(
            self.largest_log_growth.get("socket, plain", 0), growth
        )

    @property
    def sent(self) -> int:
        return self.requests + self.envelopes

    def record(self, status: int, elapsed: float, growth: dict[str, int]) -> None:
        self.requests += 1
        self.statuses[status] += 1
        self.slowest = max(self.slowest, elapsed)
        for name, size in growth.items():
            self.largest_log_growth[name] = max(self.largest_log_growth.get(name, 0), size)

    def summary(self) -> str:
        fives = sum(n for status, n in self.statuses.items() if status >= 500)
        statuses = ", ".join(f"{n}×{s}" for s, n in sorted(self.statuses.items()))
        growth = ", ".join(f"{size} bytes ({name})" for name, size in sorted(self.largest_log_growth.items()))
        return (
            f"fuzz: {self.requests} hostile HTTP requests ({statuses}); {fives} answered 5xx; slowest "
            f"answer {self.slowest:.2f} s; {self.envelopes} Socket Mode envelopes, all acked, slowest "
            f"{self.slowest_ack:.2f} s; largest log growth for one request: {growth}"
        )


REPORT = FuzzReport()
