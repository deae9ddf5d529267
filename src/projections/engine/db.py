"""The views database: one writer engine, one reader engine (ADR 0004).

SQLite (a sibling file of the event store): WAL journal, readers open an explicit
`BEGIN` so every query reads one snapshot; writers `BEGIN IMMEDIATE` so they never
dead-lock on a lock upgrade. PostgreSQL (the event store's database): one engine,
READ COMMITTED; every read transaction holds a shared advisory lock which a view
swap takes exclusively, so no reader can meet a table that the swap drops.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

SWAP_LOCK_KEY = 0x6B6F6D70_76696577  # "kompview": readers share it, a swap holds it alone


class ViewDatabase:
    """Engines and transactions of the views database at `url` (SQLAlchemy URL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
            self.writer = _sqlite_engine(url, "BEGIN IMMEDIATE")
            self.reader = _sqlite_engine(url, "BEGIN")
        else:
            self.writer = self.reader = create_engine(
                url, pool_pre_ping=True, pool_size=8, max_overflow=12, hide_parameters=True
            )

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with self.writer.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read transaction that never sees a view swapped or dropped half-way."""
        with self.reader.connect() as conn, conn.begin():
            if not self.is_sqlite:
                conn.execute(
                    text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": SWAP_LOCK_KEY}
                )
            yield conn

    def lock_out_readers(self, conn: Connection) -> None:
        """In a write transaction: wait for running reads to end, hold new ones until commit.

        PostgreSQL: polls `pg_try_advisory_xact_lock` rather than queueing for the lock,
        so a long read (a streamed report) delays the swap, never the other readers.
        """
        if self.is_sqlite:
            return
        try_lock = text("SELECT pg_try_advisory_xact_lock(:key)")
        while not conn.execute(try_lock, {"key": SWAP_LOCK_KEY}).scalar():
            time.sleep(0.01)

    def lock_schema(self, conn: Connection) -> None:
        """In a write transaction: serialise creating tables across processes."""
        if not self.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SWAP_LOCK_KEY + 1})

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()


def _sqlite_engine(url: str, begin: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        hide_parameters=True,  # view errors must not carry event data into logs (ADR 0010)
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine
