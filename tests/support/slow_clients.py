"""Slow clients (slowloris): connections that each start a request to /slack/events and then send one
header line every so often, never finishing it, to hold a place under the server's connection limit.
With `reconnect`, a connection the server cuts is replaced at once, as an attacker would.

One thread watches every connection (selectors: no limit on how many), so a test or a benchmark can
hold hundreds open while it sends real requests beside them.
"""

from __future__ import annotations

import itertools
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

FIRST_BYTES = (
    b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\n"
)


@dataclass
class _Connection:
    sock: socket.socket
    began: float  # time.monotonic() just before its first byte was sent
    next_line: float
    lines: itertools.count = field(default_factory=itertools.count)


class SlowClients:
    def __init__(self, host: str, port: int, *, count: int, every: float, reconnect: bool = False) -> None:
        self.host, self.port = host, port
        self.count, self.every, self.reconnect = count, every, reconnect
        self.lived: list[float] = []  # seconds from first byte to the server's close, one per cut connection
        self.refused = 0  # connection attempts that failed (a full backlog)
        self._open: dict[socket.socket, _Connection] = {}
        self._selector = selectors.DefaultSelector()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    @property
    def held(self) -> int:
        """Connections open now (from the clients' side: accepted or still in the server's backlog)."""
        with self._lock:
            return len(self._open)

    def start(self) -> SlowClients:
        for _ in range(self.count):
            self._connect()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        with self._lock:
            for conn in self._open.values():
                conn.sock.close()
            self._open.clear()
        self._selector.close()

    def __enter__(self) -> SlowClients:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _connect(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=5)
            began = time.monotonic()
            sock.sendall(FIRST_BYTES)
        except OSError:
            self.refused += 1
            return
        sock.setblocking(False)
        with self._lock:
            self._open[sock] = _Connection(sock, began, began + self.every)
            self._selector.register(sock, selectors.EVENT_READ)

    def _cut(self, conn: _Connection) -> None:
        with self._lock:
            self.lived.append(time.monotonic() - conn.began)
            self._selector.unregister(conn.sock)
            del self._open[conn.sock]
        conn.sock.close()
        if self.reconnect and not self._stop.is_set():
            self._connect()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                soonest = min((c.next_line for c in self._open.values()), default=time.monotonic() + 0.05)
            wait = min(max(0.0, soonest - time.monotonic()), 0.05)
            # The server says nothing to a request it has not finished reading: readable means closed.
            for key, _ in self._selector.select(wait):
                conn = self._open[key.fileobj]  # type: ignore[index]
                try:
                    data = conn.sock.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self._cut(conn)
            now = time.monotonic()
            with self._lock:
                due = [c for c in self._open.values() if c.next_line <= now]
            for conn in due:
                try:
                    conn.sock.send(b"X-Slow-%d: x\r\n" % next(conn.lines))
                    conn.next_line = now + self.every
                except BlockingIOError:
                    conn.next_line = now + self.every
                except OSError:
                    self._cut(conn)
