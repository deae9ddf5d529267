"""The library's SQLite store, with writers of several processes taking turns (ADR 0018).

SQLite lets one writer at a time into a database file. Within a process the library's
connection pool already queues writers; across processes (`serve --workers N`, a sync
job or a CLI command beside the server) the loser of a race for the write lock sleeps
in SQLite's busy handler, in steps of up to 100 ms, however soon the lock is free. That
sleep was the latency tail of `scripts/bench/http_load.py --store sqlite --workers 2`.

Here each write transaction first takes an advisory lock on a file beside the database
(`<database>-writers.lock`, a blocking `fcntl.flock`), so the next writer starts as soon
as the last one has committed; the kernel wakes it. The lock only orders writers:
SQLite's own locking still guarantees that no two write at once, so a process that
skips it (an older release, a tool of its own) is merely slower. A process that dies
holding the lock releases it with its file descriptors. The wait has no timeout: a
writer process frozen inside its transaction (stopped in a debugger) holds the others'
writes until it goes on or is killed, where before they failed after SQLite's lock
timeout. In-memory databases and systems without `fcntl` write without turns. A
database named by a `file:` URI, as the library allows, has its lock file beside the
file the URI names.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from eventsourcing.persistence import EventStore
from eventsourcing.sqlite import (
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteDatastore,
    SQLiteFactory,
)

from kompetanse_store.prefetching import PrefetchingEventStore

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None  # type: ignore[assignment]


def database_file(db_name: str) -> Path | None:
    """The file SQLite opens for a database name; None for a database in memory.

    The library opens every name with `uri=True`, so a name that starts with `file:`
    is a URI (`file:/path/db?mode=rwc`, `file:relative.db`, `file:///path/db`, percent
    escapes decoded) and any other name is the file's path, as SQLite reads them.
    """
    if not db_name or SQLiteConnectionPool.detect_memory_mode(db_name):
        return None  # "" is SQLite's private temporary database
    if not db_name.startswith("file:"):
        return Path(db_name)
    path = unquote(urlsplit(db_name).path)
    return Path(path) if path else None


def writers_lock_path(db_name: str) -> Path | None:
    """The lock file of a database file; None for a database in memory."""
    path = database_file(db_name)
    if path is None or fcntl is None:
        return None
    return path.with_name(path.name + "-writers.lock")


class WriterTurns:
    """An advisory lock on one file, held by one writer of all processes at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None
        self._opened_by = 0
        self._opening = threading.Lock()

    def _descriptor(self) -> IO[bytes]:
        with self._opening:
            # a forked child must not share its parent's open file: flock would let both in
            if self._file is None or self._opened_by != os.getpid():
                self._file = self.path.open("ab")
                self._opened_by = os.getpid()
            return self._file

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the lock while the block runs (waiting, the GIL is released)."""
        lock_file = self._descriptor()
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._opening:
            if self._file is not None:
                self._file.close()
                self._file = None


class TurnTakingSQLiteDatastore(SQLiteDatastore):
    """`SQLiteDatastore` whose write transactions take a turn of all processes first."""

    def __init__(self, db_name: str, **kwargs: Any) -> None:
        super().__init__(db_name, **kwargs)
        path = writers_lock_path(db_name)
        self.turns = WriterTurns(path) if path is not None else None

    @contextmanager
    def get_connection(self, *, commit: bool) -> Iterator[SQLiteConnection]:
        # the pool's writer lock comes first: one thread of this process asks for a turn
        with super().get_connection(commit=commit) as connection:
            if not commit or self.turns is None:
                yield connection
                return
            with self.turns.turn():
                yield connection

    def close(self) -> None:
        super().close()
        turns = getattr(self, "turns", None)  # close() also runs from __del__
        if turns is not None:
            turns.close()


class TurnTakingSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory with `TurnTakingSQLiteDatastore`."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        plain = self.datastore
        self.datastore = TurnTakingSQLiteDatastore(
            db_name=plain.pool.db_name,
            lock_timeout=plain.pool.lock_timeout,
            single_row_tracking=plain.single_row_tracking,
            originator_id_type=plain.originator_id_type,
        )
        plain.close()

    def event_store(self, mapper: Any = None, recorder: Any = None) -> EventStore[Any]:
        """The library's event store, able to prefetch (`kompetanse_store.prefetching`)."""
        return PrefetchingEventStore(
            mapper=mapper or self.mapper(), recorder=recorder or self.application_recorder()
        )
