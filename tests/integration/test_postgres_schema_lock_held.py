"""A start that creates the store's tables keeps the schema lock until it is done, however
long it is held up (ADR 0002).

PostgreSQL only: the lock orders the library's `CREATE OR REPLACE FUNCTION` of processes
starting side by side. It used to live in an open transaction of a pooled connection;
the library sets `idle_in_transaction_session_timeout` to 5 s on its connections, so a
start held up longer (here by another session's lock on the events table) lost its
connection, failed, and released the lock while its tables were still being created,
letting a second start in beside it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest

from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.postgres_schema import SCHEMA_LOCK
from kompetanse_store.urls import event_store_env

pytestmark = pytest.mark.postgres

LIBRARY_IDLE_IN_TRANSACTION_TIMEOUT_S = 5

SCHEMA_LOCK_STATE = """
SELECT granted FROM pg_locks
WHERE locktype = 'advisory' AND objid = %s AND objsubid = 1
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY granted DESC
"""


class _Start(threading.Thread):
    """A process starting: an application on the database, closed again."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.database_url = database_url
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            KompetanseApplication(env=event_store_env(self.database_url)).close()
        except BaseException as error:
            self.error = error


def _schema_lock(database_url: str) -> list[bool]:
    """`granted` of each session holding or waiting for the schema lock."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(SCHEMA_LOCK_STATE, (SCHEMA_LOCK & 0xFFFFFFFF,)).fetchall()
    return [bool(row[0]) for row in rows]


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_start_held_up_beyond_the_idle_in_transaction_timeout_keeps_the_schema_lock(
    postgres_url: str,
) -> None:
    KompetanseApplication(env=event_store_env(postgres_url)).close()  # tables exist
    with psycopg.connect(postgres_url) as other:  # holds the events table until rollback
        other.execute('LOCK TABLE "kompetanse_events" IN ACCESS EXCLUSIVE MODE')
        first = _Start(postgres_url)
        first.start()
        assert _wait_for(lambda: _schema_lock(postgres_url) == [True], 10)
        time.sleep(LIBRARY_IDLE_IN_TRANSACTION_TIMEOUT_S + 1.5)

        assert _schema_lock(postgres_url) == [True], "the held-up start lost its lock"
        second = _Start(postgres_url)
        second.start()
        assert _wait_for(lambda: _schema_lock(postgres_url) == [True, False], 10), (
            "a second start did not wait for the first"
        )
        other.rollback()

    for start in (first, second):
        start.join(60)
        assert not start.is_alive()
        assert start.error is None, repr(start.error)
    assert _schema_lock(postgres_url) == []  # released when the starts were done
