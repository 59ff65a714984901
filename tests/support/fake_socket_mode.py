"""A fake Slack Socket Mode server: a minimal RFC 6455 WebSocket server on 127.0.0.1, port 0.

It plays Slack's side of Socket Mode for scenario tests: it accepts the WebSocket upgrade at the URL that
``apps.connections.open`` hands out, greets with ``hello``, pushes envelopes a test asks for, and records
the acks (``{"envelope_id": ..., "payload": ...}``) the app sends back. It answers pings with pongs, takes
part in the closing handshake, and insists on masked client frames, as a real server must.

Typical use from pytest::

    with FakeSocketMode() as socket_mode:
        fake_slack.answer("apps.connections.open", socket_mode.connections_open_answer(), times=None)
        handler = SocketModeHandler(app, "xapp-1-test")
        handler.connect()
        socket_mode.wait_for_connection()
        envelope_id = socket_mode.send_envelope(type="slash_commands", payload={...})
        ack = socket_mode.wait_for_ack(envelope_id)

Anything the client gets wrong (an unmasked frame, a bad handshake, an ack for an envelope never sent, a
second ack) is kept in ``problems``; bugs in the fake itself land in ``server_errors``. Tests should assert
both are empty at the end.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from tests.support.local_server import LocalServer

# RFC 6455 section 1.3: the server proves it read the key by hashing it with this GUID.
WEBSOCKET_GUID: Final = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION: Final = 0x0
OP_TEXT: Final = 0x1
OP_BINARY: Final = 0x2
OP_CLOSE: Final = 0x8
OP_PING: Final = 0x9
OP_PONG: Final = 0xA

CLOSE_NORMAL: Final = 1000
CLOSE_GOING_AWAY: Final = 1001
CLOSE_PROTOCOL_ERROR: Final = 1002
CLOSE_NO_STATUS: Final = 1005  # never sent on the wire: "the close frame had no code"
CLOSE_INVALID_DATA: Final = 1007
CLOSE_TOO_BIG: Final = 1009

# Slack's envelopes are a few kilobytes; a client sending more than this is broken, not busy.
MAX_MESSAGE_BYTES: Final = 1 << 20
MAX_HANDSHAKE_BYTES: Final = 16 * 1024

ENVELOPE_TYPES: Final = frozenset({"events_api", "slash_commands", "interactive"})
# Slack lets the ack carry a response for these; for events it is ignored.
RESPONSE_PAYLOAD_TYPES: Final = frozenset({"slash_commands", "interactive"})


@dataclass(frozen=True)
class Ack:
    """One acknowledgement received from the client."""

    envelope_id: str
    payload: dict[str, Any] | None
    elapsed: float  # seconds between sending the envelope and receiving its ack
    connection: int  # ConnectionInfo.number of the connection it came over


@dataclass(frozen=True)
class ConnectionInfo:
    """A snapshot of one WebSocket connection, numbered from 1 in the order they were opened."""

    number: int
    target: str  # the request target of the upgrade, e.g. "/link/?ticket=...&app_id=..."
    headers: dict[str, str]  # upgrade request headers, keys lower-cased
    open: bool
    pings_received: int
    pongs_received: tuple[bytes, ...]
    close_code: int | None  # the code of the client's close frame, if it sent one
    close_reason: str | None


class _ProtocolError(Exception):
    """The client broke RFC 6455: the connection is closed with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(eq=False)
class _Connection:
    number: int
    sock: socket.socket
    target: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    open: bool = False
    close_sent: bool = False
    pings_received: int = 0
    pongs_received: list[bytes] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str | None = None
    thread: threading.Thread | None = None
    # Frames go out from the test thread (envelopes), the reader (pongs) and the pinger at once.
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    buffer: bytearray = field(default_factory=bytearray)

    def read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the client closed the TCP connection")
            self.buffer += chunk
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def send_raw(self, data: bytes) -> bool:
        """Send bytes; False when the peer is gone (a closed socket is not the fake's bug)."""
        with self.send_lock:
            try:
                self.sock.sendall(data)
            except OSError:
                return False
        return True

    def send_frame(self, opcode: int, payload: bytes = b"") -> bool:
        return self.send_raw(encode_frame(opcode, payload))

    def send_close(self, code: int, reason: str = "") -> None:
        """Send a close frame once; the flag is checked under the send lock so two threads cannot both."""
        payload = b"" if code == CLOSE_NO_STATUS else struct.pack("!H", code) + reason.encode()[:123]
        with self.send_lock:
            if self.close_sent:
                return
            self.close_sent = True
            with contextlib.suppress(OSError):
                self.sock.sendall(encode_frame(OP_CLOSE, payload))

    def shutdown(self) -> None:
        # shutdown() rather than close(): it wakes a recv() blocked in the reader thread.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def info(self) -> ConnectionInfo:
        return ConnectionInfo(
            number=self.number,
            target=self.target,
            headers=dict(self.headers),
            open=self.open,
            pings_received=self.pings_received,
            pongs_received=tuple(self.pongs_received),
            close_code=self.close_code,
            close_reason=self.close_reason,
        )


def encode_frame(opcode: int, payload: bytes = b"", *, fin: bool = True) -> bytes:
    """A server frame: never masked (RFC 6455 section 5.1), length in the shortest encoding."""
    first = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", first, n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", first, 126, n)
    else:
        header = struct.pack("!BBQ", first, 127, n)
    return header + payload


def unmask(data: bytes, key: bytes) -> bytes:
    """XOR with the 4-byte masking key, as one big-integer operation (a byte loop is slow in Python)."""
    n = len(data)
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


def accept_key(client_key: str) -> str:
    return base64.b64encode(hashlib.sha1((client_key + WEBSOCKET_GUID).encode()).digest()).decode()


class FakeSocketMode(LocalServer):
    """Fake Slack Socket Mode endpoint.

    ``ping_interval`` makes the server ping every open connection that often (Slack pings too). Besides
    checking pongs, it keeps shutdown quick: slack_sdk's built-in client blocks in a 3 s ``recv`` holding
    the lock that ``close()`` needs, and any incoming frame releases it.
    """

    def __init__(
        self,
        *,
        app_id: str = "A0001",
        ping_interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app_id = app_id
        self.ping_interval = ping_interval
        self.ticket = uuid.uuid4().hex
        self._clock = clock
        self._cond = threading.Condition()
        self._connections: list[_Connection] = []
        self._sent: dict[str, tuple[float, str]] = {}  # envelope_id -> (sent at, envelope type)
        self._acks: dict[str, Ack] = {}
        self._messages: list[Any] = []  # every text message from the client, decoded
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self.problems: list[str] = []  # what the client did wrong
        self.server_errors: list[BaseException] = []  # bugs in the fake itself

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSocketMode:
        if self._listener is not None:
            return self
        self._stopping.clear()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        self._listener = listener
        self._spawn(self._accept_loop, "fake-socket-mode-accept")
        if self.ping_interval is not None:
            self._spawn(self._ping_loop, "fake-socket-mode-ping")
        return self

    def stop(self) -> None:
        listener = self._listener
        if listener is None:
            return
        self._stopping.set()  # ends the ping loop at once
        # A blocked accept() is not woken by close() on every platform; a connection always wakes it.
        with contextlib.suppress(OSError), socket.create_connection(listener.getsockname(), timeout=1):
            pass
        accept_thread, *_ = self._threads
        accept_thread.join(timeout=5)  # first: after it, no new connection can appear
        with self._cond:
            connections = list(self._connections)
        for conn in connections:
            conn.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
            if thread.is_alive():
                self.server_errors.append(RuntimeError(f"{thread.name} did not stop"))
        listener.close()
        self._listener = None
        self._threads.clear()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("FakeSocketMode is not started")
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        """The WebSocket URL, shaped like Slack's (``wss://wss-primary.slack.com/link/?ticket=...``)."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket={self.ticket}&app_id={self.app_id}"

    def connections_open_answer(self) -> dict[str, Any]:
        """What ``apps.connections.open`` answers: pass it to ``FakeSlack.answer``."""
        return {"ok": True, "url": self.url}

    # ------------------------------------------------------------------ what a test does
    def wait_for_connection(self, count: int = 1, timeout: float = 5.0) -> ConnectionInfo:
        """Block until ``count`` connections were ever opened and the newest is open (hello sent)."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: len(self._connections) >= count and self._connections[-1].open, timeout=timeout
            )
            if not done:
                raise AssertionError(
                    f"expected connection #{count} within {timeout}s; connections: "
                    f"{[c.info() for c in self._connections]}; problems: {self.problems}"
                )
            return self._connections[-1].info()

    def wait_for_ping(self, count: int = 1, timeout: float = 5.0) -> ConnectionInfo:
        """Block until the newest connection sent ``count`` pings (each already answered with a pong)."""
        return self._wait_newest(
            lambda c: c.pings_received >= count, timeout, f"{count} ping(s) from the client"
        )

    def wait_for_pong(self, count: int = 1, timeout: float = 5.0) -> ConnectionInfo:
        """Block until the newest connection answered ``count`` of the server's pings."""
        return self._wait_newest(
            lambda c: len(c.pongs_received) >= count, timeout, f"{count} pong(s) from the client"
        )

    def connections(self) -> list[ConnectionInfo]:
        with self._cond:
            return [c.info() for c in self._connections]

    def send_envelope(
        self,
        *,
        type: str,
        payload: dict[str, Any],
        envelope_id: str | None = None,
        accepts_response_payload: bool | None = None,
        timeout: float = 5.0,
    ) -> str:
        """Push an envelope over the newest open connection, as Slack does; returns its envelope_id."""
        if type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {type!r}; Slack sends {sorted(ENVELOPE_TYPES)}")
        envelope_id = envelope_id or str(uuid.uuid4())
        message: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": (
                type in RESPONSE_PAYLOAD_TYPES
                if accepts_response_payload is None
                else accepts_response_payload
            ),
        }
        if type == "events_api":
            message.update(retry_attempt=0, retry_reason="")
        conn = self._newest_open(timeout)
        with self._cond:
            if envelope_id in self._sent:
                raise ValueError(f"envelope {envelope_id} was already sent")
            # Recorded before it goes out: the ack may come back before sendall() returns.
            self._sent[envelope_id] = (self._clock(), type)
        if not conn.send_frame(OP_TEXT, json.dumps(message).encode()):
            raise AssertionError(f"connection #{conn.number} closed while sending envelope {envelope_id}")
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        """Block until the client acknowledged ``envelope_id``; Slack itself gives up after 3 s."""
        with self._cond:
            if envelope_id not in self._sent:
                raise ValueError(f"envelope {envelope_id} was never sent")
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout=timeout):
                raise AssertionError(
                    f"no ack for envelope {envelope_id} within {timeout}s; acked: {sorted(self._acks)}; "
                    f"connections: {[c.info() for c in self._connections]}; problems: {self.problems}"
                )
            return self._acks[envelope_id]

    def acks(self) -> list[Ack]:
        with self._cond:
            return list(self._acks.values())

    def messages(self) -> list[Any]:
        """Every text message received from the client (acks included), decoded from JSON."""
        with self._cond:
            return list(self._messages)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's warning that it will drop the connection soon; clients open a new one."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        for conn in self._open_connections():
            conn.send_frame(OP_TEXT, json.dumps(message).encode())

    def close_connections(self, code: int = CLOSE_GOING_AWAY, reason: str = "") -> None:
        """Start the closing handshake on every open connection; the reader finishes it."""
        for conn in self._open_connections():
            conn.send_close(code, reason)

    def ping(self, payload: bytes = b"") -> None:
        for conn in self._open_connections():
            conn.send_frame(OP_PING, payload)

    # ------------------------------------------------------------------ internals
    def _spawn(self, target: Callable[..., None], name: str, *args: Any) -> threading.Thread:
        def run() -> None:
            try:
                target(*args)
            except Exception as exc:  # a bug in the fake: make it visible, not a silent dead thread
                self.server_errors.append(exc)

        thread = threading.Thread(target=run, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()
        return thread

    def _wait_newest(
        self, predicate: Callable[[_Connection], bool], timeout: float, what: str
    ) -> ConnectionInfo:
        with self._cond:
            done = self._cond.wait_for(
                lambda: bool(self._connections) and predicate(self._connections[-1]), timeout=timeout
            )
            if not done:
                raise AssertionError(
                    f"expected {what} within {timeout}s; connections: "
                    f"{[c.info() for c in self._connections]}; problems: {self.problems}"
                )
            return self._connections[-1].info()

    def _open_connections(self) -> list[_Connection]:
        with self._cond:
            return [c for c in self._connections if c.open]

    def _newest_open(self, timeout: float) -> _Connection:
        with self._cond:
            if not self._cond.wait_for(lambda: any(c.open for c in self._connections), timeout=timeout):
                raise AssertionError(f"no open Socket Mode connection within {timeout}s")
            return next(c for c in reversed(self._connections) if c.open)

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while True:
            try:
                sock, _address = self._listener.accept()
            except OSError:
                if self._stopping.is_set():
                    return
                raise
            if self._stopping.is_set():
                sock.close()
                return
            with self._cond:
                conn = _Connection(number=len(self._connections) + 1, sock=sock)
                self._connections.append(conn)
            conn.thread = self._spawn(self._serve, f"fake-socket-mode-conn-{conn.number}", conn)

    def _ping_loop(self) -> None:
        assert self.ping_interval is not None
        sequence = 0
        while not self._stopping.wait(self.ping_interval):
            sequence += 1
            self.ping(f"fake-ping-{sequence}".encode())

    def _serve(self, conn: _Connection) -> None:
        try:
            if self._handshake(conn):
                self._read_frames(conn)
        except (EOFError, OSError):
            pass  # the client hung up (slack_sdk's built-in client closes without a close frame)
        finally:
            with self._cond:
                conn.open = False
                self._cond.notify_all()
            conn.shutdown()
            conn.sock.close()

    def _problem(self, conn: _Connection, text: str) -> None:
        with self._cond:
            self.problems.append(f"connection #{conn.number}: {text}")
            self._cond.notify_all()

    def _reject(self, conn: _Connection, status: str, why: str) -> bool:
        self._problem(conn, f"handshake rejected ({status}): {why}")
        conn.send_raw(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        return False

    def _handshake(self, conn: _Connection) -> bool:
        raw = bytearray()
        while b"\r\n\r\n" not in raw:
            if len(raw) > MAX_HANDSHAKE_BYTES:
                return self._reject(conn, "431 Request Header Fields Too Large", "headers too long")
            chunk = conn.sock.recv(4096)
            if not chunk:
                raise EOFError("closed during the handshake")
            raw += chunk
        head, _, rest = bytes(raw).partition(b"\r\n\r\n")
        conn.buffer += rest  # frames sent right behind the request belong to the reader
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = request_line.split(" ")
        if len(parts) != 3 or parts[0] != "GET" or parts[2] != "HTTP/1.1":
            return self._reject(conn, "400 Bad Request", f"bad request line {request_line!r}")
        conn.target = parts[1]
        for line in header_lines:
            name, sep, value = line.partition(":")
            if not sep:
                return self._reject(conn, "400 Bad Request", f"bad header line {line!r}")
            conn.headers[name.strip().lower()] = value.strip()
        headers = conn.headers

        target = urlsplit(conn.target)
        if target.path.rstrip("/") != "/link":
            return self._reject(conn, "404 Not Found", f"unknown path {target.path!r}")
        if parse_qs(target.query).get("ticket") != [self.ticket]:
            return self._reject(conn, "401 Unauthorized", "missing or wrong ticket")
        if "host" not in headers:
            return self._reject(conn, "400 Bad Request", "no Host header")
        if headers.get("upgrade", "").lower() != "websocket":
            return self._reject(conn, "400 Bad Request", "Upgrade is not websocket")
        if "upgrade" not in [t.strip().lower() for t in headers.get("connection", "").split(",")]:
            return self._reject(conn, "400 Bad Request", "Connection does not include Upgrade")
        if headers.get("sec-websocket-version") != "13":
            return self._reject(conn, "426 Upgrade Required", "Sec-WebSocket-Version is not 13")
        key = headers.get("sec-websocket-key", "")
        try:
            valid_key = len(base64.b64decode(key, validate=True)) == 16
        except (binascii.Error, ValueError):
            valid_key = False
        if not valid_key:
            return self._reject(conn, "400 Bad Request", f"Sec-WebSocket-Key {key!r} is not 16 bytes")

        conn.send_raw(
            (
                "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n"
            ).encode()
        )
        with self._cond:
            open_count = sum(1 for c in self._connections if c.open) + 1
        hello = {
            "type": "hello",
            "num_connections": open_count,
            "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        conn.send_frame(OP_TEXT, json.dumps(hello).encode())
        with self._cond:
            conn.open = True
            self._cond.notify_all()
        return True

    def _read_frame(self, conn: _Connection) -> tuple[bool, int, bytes]:
        first, second = conn.read(2)
        fin, opcode = bool(first & 0x80), first & 0x0F
        if first & 0x70:
            raise _ProtocolError(CLOSE_PROTOCOL_ERROR, "reserved bits set but no extension was agreed")
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", conn.read(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", conn.read(8))
        if not second & 0x80:
            raise _ProtocolError(CLOSE_PROTOCOL_ERROR, "client frames must be masked")
        if length > MAX_MESSAGE_BYTES:
            raise _ProtocolError(CLOSE_TOO_BIG, f"frame of {length} bytes")
        key = conn.read(4)
        return fin, opcode, unmask(conn.read(length), key)

    def _read_frames(self, conn: _Connection) -> None:
        fragments: tuple[int, bytearray] | None = None  # (opcode, data) of a fragmented message
        try:
            while True:
                fin, opcode, payload = self._read_frame(conn)
                if opcode >= OP_CLOSE:  # control frames: short, whole, allowed between fragments
                    if not fin or len(payload) > 125:
                        raise _ProtocolError(CLOSE_PROTOCOL_ERROR, "fragmented or long control frame")
                    if opcode == OP_CLOSE:
                        self._on_close(conn, payload)
                        return
                    if opcode == OP_PING:
                        # Pong first: a test woken by the count may rely on the answer being out.
                        conn.send_frame(OP_PONG, payload)
                        with self._cond:
                            conn.pings_received += 1
                            self._cond.notify_all()
                    elif opcode == OP_PONG:
                        with self._cond:
                            conn.pongs_received.append(payload)
                            self._cond.notify_all()
                    else:
                        raise _ProtocolError(CLOSE_PROTOCOL_ERROR, f"reserved opcode {opcode:#x}")
                    continue
                if opcode == OP_CONTINUATION:
                    if fragments is None:
                        raise _ProtocolError(CLOSE_PROTOCOL_ERROR, "continuation with nothing to continue")
                    fragments[1].extend(payload)
                    if len(fragments[1]) > MAX_MESSAGE_BYTES:
                        raise _ProtocolError(CLOSE_TOO_BIG, "message too big")
                elif opcode in (OP_TEXT, OP_BINARY):
                    if fragments is not None:
                        raise _ProtocolError(CLOSE_PROTOCOL_ERROR, "new message inside a fragmented one")
                    fragments = (opcode, bytearray(payload))
                else:
                    raise _ProtocolError(CLOSE_PROTOCOL_ERROR, f"reserved opcode {opcode:#x}")
                if fin:
                    message_opcode, data = fragments
                    fragments = None
                    self._on_message(conn, message_opcode, bytes(data))
        except _ProtocolError as exc:
            self._problem(conn, f"protocol error: {exc.reason}")
            conn.send_close(exc.code, exc.reason)

    def _on_close(self, conn: _Connection, payload: bytes) -> None:
        if len(payload) == 1:
            raise _ProtocolError(CLOSE_PROTOCOL_ERROR, "close frame with a 1-byte body")
        code = struct.unpack("!H", payload[:2])[0] if payload else CLOSE_NO_STATUS
        try:
            reason = payload[2:].decode()
        except UnicodeDecodeError:
            raise _ProtocolError(CLOSE_INVALID_DATA, "close reason is not UTF-8") from None
        with self._cond:
            conn.close_code, conn.close_reason = code, reason
            self._cond.notify_all()
        conn.send_close(code)  # echo: completes the closing handshake (no-op if we started it)

    def _on_message(self, conn: _Connection, opcode: int, data: bytes) -> None:
        if opcode == OP_BINARY:
            self._problem(conn, f"binary message of {len(data)} bytes (Socket Mode speaks JSON text)")
            return
        try:
            message = json.loads(data.decode())
        except UnicodeDecodeError:
            raise _ProtocolError(CLOSE_INVALID_DATA, "text message is not UTF-8") from None
        except ValueError:
            self._problem(conn, f"text message is not JSON: {data[:200]!r}")
            return
        with self._cond:
            self._messages.append(message)
            self._record_ack(conn, message)
            self._cond.notify_all()

    def _record_ack(self, conn: _Connection, message: Any) -> None:
        """Called with the lock held."""
        where = f"connection #{conn.number}"
        if not isinstance(message, dict) or "envelope_id" not in message:
            self.problems.append(f"{where}: a message that is not an ack: {message!r:.200}")
            return
        envelope_id = message["envelope_id"]
        extra = set(message) - {"envelope_id", "payload"}
        payload = message.get("payload")
        if extra:
            self.problems.append(f"{where}: ack {envelope_id} has unexpected keys {sorted(extra)}")
        if payload is not None and not isinstance(payload, dict):
            self.problems.append(f"{where}: ack {envelope_id} payload is not an object: {payload!r:.200}")
        sent = self._sent.get(envelope_id)
        if sent is None:
            self.problems.append(f"{where}: ack for envelope {envelope_id!r} that was never sent")
        elif envelope_id in self._acks:
            self.problems.append(f"{where}: second ack for envelope {envelope_id}")
        else:
            self._acks[envelope_id] = Ack(
                envelope_id=envelope_id,
                payload=payload if isinstance(payload, dict) else None,
                elapsed=self._clock() - sent[0],
                connection=conn.number,
            )


__all__ = [
    "CLOSE_GOING_AWAY",
    "CLOSE_NORMAL",
    "Ack",
    "ConnectionInfo",
    "FakeSocketMode",
    "accept_key",
    "encode_frame",
    "unmask",
]
