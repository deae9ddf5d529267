"""The SQLite writers' lock file sits beside the file SQLite opens, however the database
is named (ADR 0018): the library opens every name as SQLite reads it with `uri=True`,
so a `file:` URI names a file by its path, and a database in memory has no file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kompetanse_store.sqlite_turns import writers_lock_path


@pytest.mark.parametrize(
    ("db_name", "lock_file"),
    [
        ("/data/kompetanse.db", "/data/kompetanse.db-writers.lock"),
        ("var/kompetanse.db", "var/kompetanse.db-writers.lock"),
        ("file:/data/kompetanse.db", "/data/kompetanse.db-writers.lock"),
        ("file:///data/kompetanse.db", "/data/kompetanse.db-writers.lock"),
        ("file://localhost/data/kompetanse.db", "/data/kompetanse.db-writers.lock"),
        ("file:/data/my%20db.db?mode=rwc#x", "/data/my db.db-writers.lock"),
        ("file:var/kompetanse.db", "var/kompetanse.db-writers.lock"),
    ],
)
def test_the_writers_lock_file_is_beside_the_database_file(db_name: str, lock_file: str) -> None:
    assert writers_lock_path(db_name) == Path(lock_file)


@pytest.mark.parametrize(
    "db_name",
    [":memory:", "file::memory:?cache=shared", "file:shared?mode=memory&cache=shared", ""],
)
def test_a_database_in_memory_has_no_writers_lock_file(db_name: str) -> None:
    assert writers_lock_path(db_name) is None
