"""The library's PostgreSQL store, its tables created by one process at a time (ADR 0002).

Every process that opens the store runs the library's `create_table`: `CREATE TABLE IF
NOT EXISTS`, and `CREATE OR REPLACE FUNCTION` for its insert function. Two sessions
replacing the same function at once make one of them fail with "tuple concurrently
updated", so two servers (or a server and a sync job) started side by side could refuse
to start. Here each recorder's `create_table` first takes an advisory lock, held until
the creation is done; the statements and tables are the library's.

The lock is a session lock on a connection of its own, outside the pool and outside any
transaction: the library's statements need the pool's connections (a pool of one has
no second), and a connection idle inside a transaction is ended by the library's
`idle_in_transaction_session_timeout` (5 s), which would release the lock while the
creation still runs. Closing the connection releases the lock, also when the process
dies.

Inserts are the library's, with its retries of a failed statement (10 attempts, 0.2 s
apart), except one: when the wait for the events table's lock ran out
(`POSTGRES_LOCK_TIMEOUT`), the insert gives up at once with `TableLockTimeoutError`.
Retried, each attempt would wait as long again, so the bound would be ten times the
setting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import EventStore, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
    PostgresProcessRecorder,
    PostgresTrackingRecorder,
)
from psycopg.errors import LockNotAvailable

from kompetanse_store.prefetching import PrefetchingEventStore

SCHEMA_LOCK = 0x6B6F6D70  # "komp": our key among advisory locks

# the library's insert without its retry decorator (functools.wraps keeps it)
_library_insert_events = PostgresApplicationRecorder.insert_events.__wrapped__
INSERT_ATTEMPTS = 10  # the library's retry of a failed insert
INSERT_RETRY_WAIT = 0.2


class TableLockTimeoutError(OperationalError):
    """The events table stayed locked longer than `POSTGRES_LOCK_TIMEOUT`; nothing was
    written."""


@contextmanager
def schema_turn(datastore: PostgresDatastore) -> Iterator[None]:
    """Holds the schema lock while the block runs, on a connection outside the pool."""
    pool = datastore.pool  # what the pool's connections connect with (the pool may
    # hold callables that give them, as psycopg_pool allows)
    conninfo = pool.conninfo() if callable(pool.conninfo) else pool.conninfo
    settings = dict((pool.kwargs() if callable(pool.kwargs) else pool.kwargs) or {})
    settings.pop("row_factory", None)
    if pool.get_password_func is not None:
        settings["password"] = pool.get_password_func()
    try:
        connection = psycopg.connect(
            conninfo,
            autocommit=True,  # the lock is the session's: no transaction stays open
            connect_timeout=max(2, math.ceil(pool.timeout)),
            **settings,
        )
    except psycopg.OperationalError as error:
        raise OperationalError(str(error)) from error
    with connection:  # closing the connection releases the lock
        connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        yield


class _CreatesTablesInTurn:
    datastore: PostgresDatastore

    def create_table(self) -> None:
        with schema_turn(self.datastore):
            super().create_table()  # type: ignore[misc]


class _GivesUpWhenTheTableStaysLocked:
    datastore: PostgresDatastore

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        attempt = 1
        while True:
            try:
                result: Sequence[int] | None = _library_insert_events(self, stored_events, **kwargs)
                return result
            except (InterfaceError, OperationalError) as error:
                if isinstance(error.__cause__, LockNotAvailable):
                    raise TableLockTimeoutError(
                        "The events table stayed locked for "
                        f"{self.datastore.lock_timeout} s (POSTGRES_LOCK_TIMEOUT); "
                        "nothing was written, try again"
                    ) from error
                if attempt >= INSERT_ATTEMPTS:
                    raise
                attempt += 1
                time.sleep(INSERT_RETRY_WAIT)


class AggregateRecorderInTurn(_CreatesTablesInTurn, PostgresAggregateRecorder):
    pass


class ApplicationRecorderInTurn(
    _GivesUpWhenTheTableStaysLocked, _CreatesTablesInTurn, PostgresApplicationRecorder
):
    pass


class TrackingRecorderInTurn(_CreatesTablesInTurn, PostgresTrackingRecorder):
    pass


class ProcessRecorderInTurn(
    _GivesUpWhenTheTableStaysLocked, _CreatesTablesInTurn, PostgresProcessRecorder
):
    pass


class SchemaInTurnPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory whose recorders create their tables in turn."""

    aggregate_recorder_class = AggregateRecorderInTurn
    application_recorder_class = ApplicationRecorderInTurn
    tracking_recorder_class = TrackingRecorderInTurn
    process_recorder_class = ProcessRecorderInTurn

    def event_store(self, mapper: Any = None, recorder: Any = None) -> EventStore[Any]:
        """The library's event store, able to prefetch (`kompetanse_store.prefetching`)."""
        return PrefetchingEventStore(
            mapper=mapper or self.mapper(), recorder=recorder or self.application_recorder()
        )
