"""The front door of `POST /slack/events`: every request is checked against the signing secret on its raw
bytes before anything decodes it, so that nobody without the secret can make the bot parse their bytes,
fill its log or trip a 5xx. A body too large is refused before it is read whole; a signed body that cannot
be read as Slack sends it is refused as such (400), not as a crash.

Refusals are logged as a count once a minute, not a line per request: a flood writes a few lines.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20  # 1 MiB: Slack's payloads are far smaller (a full modal's state is tens of kB)
LOG_EVERY = 60.0  # seconds between two lines counting refusals
# Slack's two signature headers, as Slack writes them: Unix seconds in ASCII digits (12 is centuries of
# room, and keeps int() off a 5,000-digit number), and "v0=" with a SHA-256 in lowercase hex.
TIMESTAMP_HEADER = re.compile(r"[0-9]{1,12}")
SIGNATURE_HEADER = re.compile(r"v0=[0-9a-f]{64}")


@dataclass(frozen=True)
class Refusal:
    status: str  # the HTTP status line
    reason: str  # short, for the count in the log; never anything the client sent


UNSIGNED = Refusal("401 Unauthorized", "unsigned or stale")
TOO_LARGE = Refusal("413 Payload Too Large", "too large")
UNREADABLE = Refusal("400 Bad Request", "signed but unreadable")


class Tally:
    """Counts refusals by reason and logs them at most once every LOG_EVERY seconds."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        subject: str = "refused requests to /slack/events",
        logger: logging.Logger = log,
    ) -> None:
        self._subject, self._log = subject, logger
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._last = clock() - LOG_EVERY

    def add(self, reason: str) -> None:
        with self._lock:
            self._counts[reason] += 1
            now = self._clock()
            if now - self._last < LOG_EVERY:
                return
            counts, self._counts, self._last = dict(self._counts), Counter(), now
        self._log.warning("%s: %s", self._subject, ", ".join(f"{n} {r}" for r, n in counts.items()))


class FrontDoor:
    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self.tally = Tally()

    def admit(self, environ: dict[str, Any]) -> Refusal | dict[str, Any]:
        """The request's body, parsed, when it may go on to Bolt; else why not."""
        admitted = self._check(environ)
        if isinstance(admitted, Refusal):
            self.tally.add(admitted.reason)
        return admitted

    def _check(self, environ: dict[str, Any]) -> Refusal | dict[str, Any]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return UNREADABLE
        if length > MAX_BODY:
            return TOO_LARGE
        if length < 0:
            return UNREADABLE
        headers = signature_headers(environ)
        if headers is None:
            return UNSIGNED
        body = environ["wsgi.input"].read(length) if length else b""
        if not self._signed(body, *headers):
            return UNSIGNED
        parsed = parse(body, environ.get("CONTENT_TYPE") or "")
        return UNREADABLE if parsed is None else parsed

    def _signed(self, body: bytes, timestamp: str, signature: str) -> bool:
        """Slack's signature over the bytes as sent, its timestamp within 5 minutes (both headers already
        in Slack's form: signature_headers)."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            # slack_sdk's verifier decodes the body first (and would raise); Slack never sends such bytes,
            # but whoever holds the secret might: check the same HMAC over the raw bytes.
            fresh = abs(time.time() - int(timestamp)) <= 300
            secret = self._verifier.signing_secret.encode()
            base = b"v0:" + timestamp.encode() + b":" + body
            expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
            return fresh and hmac.compare_digest(expected, signature)
        return self._verifier.is_valid(body=text, timestamp=timestamp, signature=signature)


def signature_headers(environ: dict[str, Any]) -> tuple[str, str] | None:
    """The request's timestamp and signature when both are there in Slack's form, else None. Read before
    any verifier runs: slack_sdk's would raise on a timestamp int() cannot read (a 500), and a missing
    one is never taken to mean now. A header sent twice arrives joined by ", " and is refused with them."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if not (isinstance(timestamp, str) and TIMESTAMP_HEADER.fullmatch(timestamp)):
        return None
    if not (isinstance(signature, str) and SIGNATURE_HEADER.fullmatch(signature)):
        return None
    return timestamp, signature


def parse(body: bytes, content_type: str) -> dict[str, Any] | None:
    """A signed body as Slack sends it, or None: UTF-8; a JSON object (events); or a form, whose
    `payload`, if any, is one JSON object (interactivity) and which is otherwise its fields (commands).
    Anything else would only reach Bolt to crash it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        if content_type.split(";")[0].strip().lower() == "application/json":
            parsed = json.loads(text)
            return parsed if isinstance(parsed, dict) else None
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        payloads = form.get("payload")
        if payloads is None:
            return {key: values[-1] for key, values in form.items()}
        parsed = json.loads(payloads[0]) if len(payloads) == 1 else None
        return parsed if isinstance(parsed, dict) else None
    except (ValueError, RecursionError):  # not JSON, not a form, or nested past what json will read
        return None
