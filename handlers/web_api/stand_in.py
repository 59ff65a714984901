"""A stand-in for Slack's Web API, for `interview-bot run --dry-slack`: the bot tried in HTTP mode on one
machine, with no Slack. It listens on 127.0.0.1 (a free port), answers what the bot asks at start (who its
token is, the member list) and what it looks up (a person, a channel) as a one-person workspace would,
and for each call that would change something in Slack (a post, a modal, an upload, an answer to a
response_url) logs one line saying what the bot would have done. It keeps nothing and checks nothing: the
strict fake that refuses what Slack refuses is the tests' own.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from bot.logs import clip
from bot.text import counted

log = logging.getLogger(__name__)

# The workspace it plays: requests to the bot must name it (the bot serves its token's workspace only).
TEAM_ID = "T0DRYSLACK"
BOT_USER_ID = "U0DRYBOT"
Arguments = Mapping[str, Any]


def _decoded(args: Arguments, name: str) -> Any:
    """A JSON argument (view, blocks, files), sent as a string in a form or as itself in a JSON body."""
    value = args.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _said(args: Arguments) -> str:
    """What a message says, in one bounded line: its text, else how many blocks it has."""
    text = args.get("text")
    if text:
        return clip(str(text), 120)
    blocks = _decoded(args, "blocks")
    return f"({counted(len(blocks), 'block')})" if isinstance(blocks, list) else "(nothing)"


def _title(view: dict[str, Any]) -> str:
    """A view in one line: its title (a modal's), else how many blocks it has (an App Home's)."""
    title, blocks = view.get("title"), view.get("blocks")
    if isinstance(title, dict):
        return f'"{clip(str(title.get("text")), 80)}"'
    return f"({counted(len(blocks), 'block')})" if isinstance(blocks, list) else "(nothing)"


class StandInSlack:
    """Started on enter, stopped on exit; `url` is what SLACK_API_URL is set to."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.stand_in = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, name="dry-slack", daemon=True)
        self._ids = itertools.count(1)
        self._answers: dict[str, Callable[[Arguments], dict[str, Any]]] = {
            "auth.test": lambda _: {
                "url": "https://dry-slack.invalid/",
                "team": "Dry run",
                "user": "interview-bot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": "B0DRYBOT",
                "is_enterprise_install": False,
            },
            "team.info": lambda _: {"team": {"id": TEAM_ID, "name": "Dry run", "domain": "dry-slack"}},
            "users.list": lambda _: {"members": [], "response_metadata": {"next_cursor": ""}},
            # Whoever sends a request is an admin in UTC: every command can be tried.
            "users.info": lambda a: {
                "user": {"id": a.get("user"), "team_id": TEAM_ID, "tz": "UTC", "is_admin": True}
            },
            "conversations.open": lambda a: {"channel": {"id": "D" + str(a.get("users", ""))[1:]}},
            "conversations.info": lambda a: {"channel": {"id": a.get("channel"), "is_member": True}},
            "conversations.list": lambda _: {"channels": [], "response_metadata": {"next_cursor": ""}},
            "conversations.history": lambda _: {"messages": [], "has_more": False},
            "conversations.join": self._join,
            "chat.postMessage": self._post,
            "chat.postEphemeral": self._ephemeral,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "views.open": lambda a: self._view("would open the modal", a),
            "views.push": lambda a: self._view("would push onto the open modal the modal", a),
            "views.update": lambda a: self._view("would redraw the modal as", a),
            "views.publish": lambda a: self._view(
                f"would publish the App Home of {clip(a.get('user_id'), 40)}:", a
            ),
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._upload,
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer(self, path: str, args: Arguments) -> dict[str, Any]:
        if path.startswith("/upload/"):  # the file's bytes, sent where files.getUploadURLExternal said
            return {"ok": True}
        if not path.startswith("/api/"):  # a response_url: the answer to a command or a click
            log.info("would answer in the conversation: %s", _said(args))
            return {"ok": True}
        method = path.removeprefix("/api/")
        known = self._answers.get(method)
        if known is None:
            log.info("would call %s", clip(method, 60))
            return {"ok": True}
        return {"ok": True, **known(args)}

    def _ts(self) -> str:
        return f"{int(time.time())}.{next(self._ids):06d}"

    def _join(self, args: Arguments) -> dict[str, Any]:
        log.info("would join %s", clip(args.get("channel"), 40))
        return {"channel": {"id": args.get("channel"), "is_member": True}}

    def _post(self, args: Arguments) -> dict[str, Any]:
        channel, ts = args.get("channel"), self._ts()
        log.info("would post to %s: %s", clip(channel, 40), _said(args))
        return {"channel": channel, "ts": ts, "message": {"ts": ts, "text": args.get("text") or ""}}

    def _ephemeral(self, args: Arguments) -> dict[str, Any]:
        log.info(
            "would show %s in %s: %s", clip(args.get("user"), 40), clip(args.get("channel"), 40), _said(args)
        )
        return {"message_ts": self._ts()}

    def _update(self, args: Arguments) -> dict[str, Any]:
        channel, ts = args.get("channel"), args.get("ts")
        log.info("would update the message %s in %s: %s", clip(ts, 40), clip(channel, 40), _said(args))
        return {"channel": channel, "ts": ts, "text": args.get("text") or ""}

    def _delete(self, args: Arguments) -> dict[str, Any]:
        channel, ts = args.get("channel"), args.get("ts")
        log.info("would delete the message %s in %s", clip(ts, 40), clip(channel, 40))
        return {"channel": channel, "ts": ts}

    def _view(self, done: str, args: Arguments) -> dict[str, Any]:
        view = _decoded(args, "view")
        view = view if isinstance(view, dict) else {}
        view_id = str(args.get("view_id") or f"V{next(self._ids):08d}")
        log.info("%s %s", done, _title(view))
        return {"view": {**view, "id": view_id, "hash": self._ts()}}

    def _upload_url(self, args: Arguments) -> dict[str, Any]:
        file_id = f"F{next(self._ids):08d}"
        root = self.url.removesuffix("api/")
        return {"upload_url": f"{root}upload/{file_id}", "file_id": file_id}

    def _upload(self, args: Arguments) -> dict[str, Any]:
        files = _decoded(args, "files")
        files = [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []
        titles = ", ".join(clip(f.get("title"), 80) for f in files) or "a file"
        where = args.get("channel_id") or args.get("channels") or "nowhere"
        log.info("would upload %s to %s", titles, clip(where, 40))
        return {"files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        if self.headers.get_content_type() == "application/json":
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = None
            args.update(body if isinstance(body, dict) else {})
        elif not parts.path.startswith("/upload/"):
            args.update(parse_qsl(raw.decode("utf-8", "replace")))
        stand_in: StandInSlack = self.server.stand_in  # type: ignore[attr-defined]
        answer = json.dumps(stand_in.answer(parts.path, args)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the stand-in's own line for each call says what matters."""
