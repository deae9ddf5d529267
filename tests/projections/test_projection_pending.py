"""A batch's writes, folded in memory and flushed at its end, equal the calls run one by one.

`ViewTx` keeps each row's changes per primary key and writes them with one
executemany per table and shape (ADR 0004). Random sequences of calls, some
spanning several batches, must leave the same rows and read the same values as the
same calls executed as single statements; an insert over an existing row fails at
the same call; a batch whose write fails is re-applied event by event so the error
names the failing event.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    select,
)
from sqlalchemy.exc import IntegrityError

from projections.engine import statements
from projections.engine.base import ViewTx
from projections.engine.db import ViewDatabase
from projections.engine.pending import DuplicateRowError

md = MetaData()
counter = Table(
    "view_counter_g1",
    md,
    Column("a", String(8), nullable=False),
    Column("b", Integer, nullable=False),
    Column("n", Integer),
    Column("label", String(16)),
    PrimaryKeyConstraint("a", "b"),
)

KEYS = st.fixed_dictionaries({"a": st.sampled_from(["x", "y"]), "b": st.integers(0, 2)})
SMALL = st.integers(-3, 3)
CALL = st.one_of(
    st.tuples(st.just("insert"), KEYS, st.one_of(st.none(), SMALL), st.sampled_from(["p", "q"])),
    st.tuples(st.just("update"), KEYS, st.one_of(st.none(), SMALL), st.sampled_from(["p", "q"])),
    st.tuples(st.just("update_n"), KEYS, SMALL),
    st.tuples(st.just("add"), KEYS, SMALL),
    st.tuples(st.just("add_or_insert"), KEYS, SMALL),
    st.tuples(st.just("delete"), KEYS),
    st.tuples(st.just("value"), KEYS, st.sampled_from(["n", "label"])),
    st.tuples(st.just("exists"), KEYS),
    st.tuples(st.just("commit")),
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    db = ViewDatabase(f"sqlite:///{tmp_path_factory.mktemp('pending')}/views.db")
    yield db.writer
    db.dispose()


def _rows(conn: Connection) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in conn.execute(select(counter)))


class Direct:
    """The reference: each call is one statement, run at once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def call(self, op: str, *args: Any) -> Any:
        conn = self.conn
        if op == "insert":
            key, n, label = args
            conn.execute(counter.insert(), {**key, "n": n, "label": label})
        elif op == "update":
            key, n, label = args
            stmt = statements.update(counter, ("a", "b"), ("n", "label"))
            conn.execute(stmt, statements.params(key, {"n": n, "label": label}))
        elif op == "update_n":
            key, n = args
            stmt = statements.update(counter, ("a", "b"), ("n",))
            conn.execute(stmt, statements.params(key, {"n": n}))
        elif op == "add":
            key, n = args
            stmt = statements.add(counter, ("a", "b"), ("n",))
            conn.execute(stmt, statements.params(key, {"n": n}))
        elif op == "add_or_insert":
            key, n = args
            stmt = statements.add(counter, ("a", "b"), ("n",))
            if not conn.execute(stmt, statements.params(key, {"n": n})).rowcount:
                conn.execute(counter.insert(), {**key, "n": n, "label": "new"})
        elif op == "delete":
            (key,) = args
            conn.execute(statements.delete(counter, ("a", "b")), statements.params(key, {}))
        elif op == "value":
            key, column = args
            query = statements.select_value(counter, column, ("a", "b"))
            return conn.execute(query, statements.params(key, {})).scalar()
        elif op == "exists":
            (key,) = args
            query = statements.select_value(counter, "a", ("a", "b"))
            return conn.execute(query, statements.params(key, {})).first() is not None
        return None


def buffered(tx: ViewTx[Any], op: str, *args: Any) -> Any:
    if op == "insert":
        key, n, label = args
        tx.insert(counter, **key, n=n, label=label)
    elif op == "update":
        key, n, label = args
        tx.update(counter, key, n=n, label=label)
    elif op == "update_n":
        key, n = args
        tx.update(counter, key, n=n)
    elif op == "add":
        key, n = args
        tx.add(counter, key, n=n)
    elif op == "add_or_insert":
        key, n = args
        tx.add_or_insert(counter, key, {"n": n}, label="new")
    elif op == "delete":
        (key,) = args
        tx.delete(counter, key)
    elif op == "value":
        key, column = args
        return tx.value(counter, column, key)
    elif op == "exists":
        (key,) = args
        return tx.exists(counter, key)
    return None


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(calls=st.lists(CALL, max_size=30))
def test_folded_calls_equal_the_calls_run_one_by_one(engine: Engine, calls: list[Any]) -> None:
    md.drop_all(engine)
    md.create_all(engine)
    with engine.connect() as conn:
        reference = conn.begin()
        direct = Direct(conn)
        expected: list[Any] = []
        for op, *args in calls:
            if op == "commit":
                continue
            nested = conn.begin_nested()
            try:
                expected.append(direct.call(op, *args))
                nested.commit()
            except Exception:
                nested.rollback()
                expected.append("error")
        want = _rows(conn)
        reference.rollback()

    with engine.connect() as conn, conn.begin():
        got: list[Any] = []
        try:
            tx: ViewTx[Any] = ViewTx(conn, None)
            for op, *args in calls:
                if op == "commit":  # a batch ends: its rows are written
                    tx.flush()
                    tx = ViewTx(conn, None)
                    continue
                try:
                    got.append(buffered(tx, op, *args))
                except DuplicateRowError:  # the row is in memory: fails at once, changes nothing
                    got.append("error")
            tx.flush()
        except IntegrityError:  # an insert over a row of an earlier batch fails at the flush
            assert "error" in expected
            return
        assert got == expected
        assert _rows(conn) == want


def test_an_insert_over_a_stored_row_fails_the_batch_even_when_the_batch_deletes_it_again(
    engine: Engine,
) -> None:
    """Found by the property above: the insert was buffered unchecked, the delete then
    dropped it, and the batch wrote without error where one by one the insert fails."""
    md.drop_all(engine)
    md.create_all(engine)
    key = {"a": "x", "b": 0}
    with engine.connect() as conn, conn.begin():
        conn.execute(counter.insert(), {**key, "n": 1, "label": "p"})
        tx: ViewTx[Any] = ViewTx(conn, None)
        tx.insert(counter, **key, n=2, label="q")
        tx.delete(counter, key)
        with pytest.raises(IntegrityError):
            tx.flush()


def test_an_insert_deleted_again_in_its_batch_leaves_no_row(engine: Engine) -> None:
    md.drop_all(engine)
    md.create_all(engine)
    key = {"a": "y", "b": 1}
    with engine.connect() as conn, conn.begin():
        tx: ViewTx[Any] = ViewTx(conn, None)
        tx.insert(counter, **key, n=2, label="q")
        tx.delete(counter, key)
        tx.insert(counter, **key, n=3, label="p")
        tx.delete(counter, key)
        tx.flush()
        assert _rows(conn) == []
