"""The database fixtures give each test a working, empty, private event store.

Uses the `eventsourcing` library directly through the project's URL mapping
(`event_store_env`), so these tests check the fixtures and the persistence wiring,
not the domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from urllib.parse import urlsplit

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from kompetanse_store.urls import event_store_env

# Databases handed out earlier in this process (per pytest-xdist worker).
_POSTGRES_DATABASES_SEEN: list[str] = []


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text

    @event("Amended")
    def amend(self, text: str) -> None:
        self.text = text


@contextmanager
def application(database_url: str) -> Iterator[Application]:
    app = Application(env=event_store_env(database_url))
    try:
        yield app
    finally:
        app.close()


def test_an_aggregate_saved_by_one_application_is_read_back_by_a_new_one(
    database_url: str,
) -> None:
    with application(database_url) as writer:
        note = Note("first draft")
        note.amend("final text")
        writer.save(note)

    with application(database_url) as reader:
        copy = reader.repository.get(note.id)

    assert isinstance(copy, Note)
    assert copy.text == "final text"
    assert copy.version == 2


def test_notification_positions_strictly_increase_across_saves_and_applications(
    database_url: str,
) -> None:
    with application(database_url) as first:
        a = Note("a")
        first.save(a)
        a.amend("a2")
        first.save(a)
    with application(database_url) as second:
        b = Note("b")
        b.amend("b2")
        second.save(b)

    with application(database_url) as reader:
        notifications = reader.notification_log.select(start=1, limit=10)

    ids = [n.id for n in notifications]
    assert len(ids) == 4
    assert all(earlier < later for earlier, later in pairwise(ids))
    assert [n.originator_id for n in notifications] == [a.id, a.id, b.id, b.id]


def test_each_test_starts_with_an_empty_store(database_url: str) -> None:
    with application(database_url) as app:
        assert app.notification_log.select(start=1, limit=10) == []
        app.save(Note("leftover that no other test may see"))


@pytest.mark.parametrize("run", ["first", "second"])
def test_postgres_databases_of_different_tests_are_isolated(postgres_url: str, run: str) -> None:
    dbname = urlsplit(postgres_url).path.lstrip("/")
    assert dbname.startswith("t_")
    assert dbname not in _POSTGRES_DATABASES_SEEN

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (dbname,)
        existing = {str(row[0]) for row in conn.execute("SELECT datname FROM pg_database")}
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    # Databases of earlier tests on this server were dropped, and this one is empty,
    # whichever of the two runs came first.
    assert existing.isdisjoint(_POSTGRES_DATABASES_SEEN)
    assert tables == (0,)

    with application(postgres_url) as app:
        assert app.notification_log.select(start=1, limit=10) == []
        app.save(Note(f"written by the {run} run"))
    _POSTGRES_DATABASES_SEEN.append(dbname)
