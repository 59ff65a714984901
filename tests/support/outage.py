"""A database outage, as the bot meets one: every new connection is refused the way the driver refuses it
(PostgreSQL down, a SQLite file that cannot be opened), and the connections already pooled are gone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from storage.db import Database


@contextmanager
def database_outage(db: Database) -> Iterator[None]:
    def refuse(engine: Engine) -> Any:
        def connect(*_args: Any, **_kwargs: Any) -> Any:
            raise engine.dialect.loaded_dbapi.OperationalError("connection refused: the database is down")

        return connect

    listeners = [(engine, refuse(engine)) for engine in db.engines]
    for engine, listener in listeners:
        engine.dispose()
        event.listen(engine, "do_connect", listener)
    try:
        yield
    finally:
        for engine, listener in listeners:
            event.remove(engine, "do_connect", listener)
            engine.dispose()
