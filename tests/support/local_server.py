"""What the test servers share: used as a context manager, started on enter and stopped on exit."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class LocalServer:
    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
