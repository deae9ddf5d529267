"""A write never waits without bound for a lock someone else holds (ADR 0002, ADR 0018).

PostgreSQL: an insert waits for the events table's lock at most `POSTGRES_LOCK_TIMEOUT`
(5 s), once, and then the command is refused as the store being unavailable; the
library's setting is in whole seconds (`SET LOCAL lock_timeout = '<n>s'`), so `5000`
meant 83 minutes, and the library's ten retries of a failed insert would have made the
bound ten times the setting. SQLite: a writer that does not take turns (a tool of its
own) and holds SQLite's write lock makes our insert give up after SQLite's lock timeout
(10 s). Either way nothing is written, and the next command after the lock is released
succeeds.

The store's settings are checked to be those bounds (5 s, 10 s); the wait itself is
measured with both set to `TEST_BOUND_S` (2 s), through the same settings, so that the
test does not sit out 15 s: it still tells seconds from milliseconds (it must wait at
least 80 % of the bound) and one wait from the library's ten (it must give up within
`GIVES_UP_WITHIN_S`, half of ten bounds).
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
from kompetanse_store.urls import event_store_env, is_sqlite, sqlite_path
from support.domain import register_team, unique_people

# what the store promises (its settings, in whole seconds)
PROMISED = {"sqlite": ("SQLITE_LOCK_TIMEOUT", "10"), "postgres": ("POSTGRES_LOCK_TIMEOUT", "5")}
# the same settings, lower, for the wait the test measures; and what it allows on a busy
# machine: well above one bound, well below the library's ten retries of it
TEST_BOUND_S = 2
GIVES_UP_WITHIN_S = 10.0
MESSAGE = {
    "sqlite": "database is locked",
    "postgres": f"The events table stayed locked for {TEST_BOUND_S} s (POSTGRES_LOCK_TIMEOUT)",
}


@contextmanager
def application(database_url: str, store: str) -> Iterator[KompetanseApplication]:
    """An application whose store gives up on a lock after `TEST_BOUND_S`."""
    env = event_store_env(database_url)
    name, promised = PROMISED[store]
    assert env[name] == promised, (name, env[name])
    app = KompetanseApplication(env={**env, name: str(TEST_BOUND_S)})
    try:
        yield app
    finally:
        app.close()


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
    with application(database_url, store) as app:
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
            f"the store was set to {TEST_BOUND_S} s"
        )
        assert len(outcome) == 1
        assert isinstance(outcome[0], UnavailableError), outcome
        assert MESSAGE[store] in str(outcome[0])  # says what happened
        assert waited >= TEST_BOUND_S * 0.8, f"gave up after {waited:.1f} s, not waiting"
        assert app.recorder.max_notification_id() == before  # nothing was written

        register_team(app, unique_people(), hpr_number=None)  # the lock is free again
        assert (app.recorder.max_notification_id() or 0) > (before or 0)
