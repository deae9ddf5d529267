"""The library's PostgreSQL store, its tables created by one process at a time (ADR 0002).

Every process that opens the store runs the library's `create_table`: `CREATE TABLE IF
NOT EXISTS`, and `CREATE OR REPLACE FUNCTION` for its insert function. Two sessions
replacing the same function at once make one of them fail with "tuple concurrently
updated", so two servers (or a server and a sync job) started side by side could refuse
to start. Here each recorder's `create_table` first takes a transaction-scoped advisory
lock, held until the creation is done; the statements and tables are the library's.
"""

from __future__ import annotations

from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
    PostgresTrackingRecorder,
)

SCHEMA_LOCK = 0x6B6F6D70  # "komp": our key among advisory locks


class _CreatesTablesInTurn:
    datastore: PostgresDatastore

    def create_table(self) -> None:
        # the lock lives in a transaction of its own connection; the library's statements
        # run in theirs, and the lock is released when this block ends
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            super().create_table()  # type: ignore[misc]


class AggregateRecorderInTurn(_CreatesTablesInTurn, PostgresAggregateRecorder):
    pass


class ApplicationRecorderInTurn(_CreatesTablesInTurn, PostgresApplicationRecorder):
    pass


class TrackingRecorderInTurn(_CreatesTablesInTurn, PostgresTrackingRecorder):
    pass


class SchemaInTurnPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory whose recorders create their tables in turn."""

    aggregate_recorder_class = AggregateRecorderInTurn
    application_recorder_class = ApplicationRecorderInTurn
    tracking_recorder_class = TrackingRecorderInTurn
