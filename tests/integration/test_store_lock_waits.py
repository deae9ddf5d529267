"""A write never waits without bound for a lock someone else holds (ADR 0002, ADR 0018).

PostgreSQL: an insert waits for the events table's lock at most `POSTGRES_LOCK_TIMEOUT`
(5 s), once, and then the command is refused as the store being unavailable; the
library's setting is in whole seconds (`SET LOCAL lock_timeout = '<n>s'`), so `5000`
meant 83 minutes, and the library's ten retries of a failed insert would have made the
bound ten times the setting. SQLite: a writer that does not take turns (a tool of its
own) and holds SQLite's write lock makes our insert give up after SQLite's lock timeout
(10 s). Either way nothing is written, and the next command after the lock is released
succeeds.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.errors import UnavailableError
from kompetanse_store.urls import is_sqlite, sqlite_path
from support.domain import application, register_team, unique_people

# what the store promises, and what the test allows on a busy machine
BOUND_S = {"sqlite": 10.0, "postgres": 5.0}
GIVES_UP_WITHIN_S = 15.0
MESSAGE = {
    "sqlite": "database is locked",
    "postgres": "The events table stayed locked for 5 s (POSTGRES_LOCK_TIMEOUT)",
}


@contextmanager
def events_table_locked(app: KompetanseApplication, database_url: str) -> Iterator[None]:
    """Another session holds the lock an insert of ours needs, until the block ends."""
    if is_sqlite(database_url):
        other = sqlite3.connect(sqlite_path(database_url), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # SQLite's write lock, without taking a turn
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    table = app.recorder.events_table_name  # type: ignore[attr-defined]
    with psycopg.connect(database_url) as other:  # a transaction until the block ends
        other.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
        yield
        other.rollback()


def test_a_command_gives_up_in_bounded_time_while_the_events_table_stays_locked(
    database_url: str,
) -> None:
    store = "sqlite" if is_sqlite(database_url) else "postgres"
    with application(database_url) as app:
        register_team(app, unique_people(), hpr_number=None)  # the tables exist
        before = app.recorder.max_notification_id()
        outcome: list[BaseException | None] = []

        def command() -> None:
            try:
                register_team(app, unique_people(), hpr_number=None)
            except BaseException as error:
                outcome.append(error)
            else:
                outcome.append(None)

        with events_table_locked(app, database_url):
            started = time.monotonic()
            writer = threading.Thread(target=command, daemon=True)
            writer.start()
            writer.join(GIVES_UP_WITHIN_S)
            waited = time.monotonic() - started
            still_waiting = writer.is_alive()
        writer.join(60)  # the lock is released: a writer still waiting goes on

        assert not still_waiting, (
            f"a command still waited for the table lock after {GIVES_UP_WITHIN_S} s; "
            f"the store promises {BOUND_S[store]} s"
        )
        assert len(outcome) == 1
        assert isinstance(outcome[0], UnavailableError), outcome
        assert MESSAGE[store] in str(outcome[0])  # says what happened
        assert waited >= BOUND_S[store] * 0.8, f"gave up after {waited:.1f} s, not waiting"
        assert app.recorder.max_notification_id() == before  # nothing was written

        register_team(app, unique_people(), hpr_number=None)  # the lock is free again
        assert (app.recorder.max_notification_id() or 0) > (before or 0)
