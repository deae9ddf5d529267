"""A batch's row changes, kept in memory per table and primary key, written at the end.

Handlers address rows by their primary key (`ViewTx.insert/update/add/delete/value`).
Instead of one statement per call, `TableRows` keeps each touched row's final state
for the batch and `flush()` writes it with one executemany per table and statement
shape (ADR 0004): DELETEs first (rows deleted, or replaced by an insert), then
INSERTs (new rows, with their later updates merged in), then UPDATEs (rows updated
without being read: `SET col = :v` and `col = col + :d`; rows read and changed:
`SET col = :v` with the new values).

A row is read from the database at most once per batch, and only when a handler asks
for a value or inserts over a row it only updated; rows written in the batch are read
from memory. The outcome equals running the calls one by one, in order, because each
primary key's calls are folded in order, and rows with different keys are
independent (view tables have no foreign keys). An insert over a row that exists is
an error, at the call when the row is in memory, else when the batch is flushed. An
insert of a key the batch knows nothing about is not checked by a read (a rebuild
inserts most rows); when a later call of the batch deletes that row again, the
insert is kept as a probe, written before the DELETEs, so that it still fails at the
flush when the row existed before the batch.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table

from projections.engine import statements

NEW = 1  # to be inserted (after a DELETE when `delete_first`)
LOADED = 2  # exists in the database: `row` is its current value, `dirty` what changed
PATCH = 3  # updated without reading it: `sets` and `adds` to apply, if the row exists
ABSENT = 4  # no row after the batch (a DELETE first when `delete_first`)
UPSERT = 5  # counters added to without reading: `adds` if the row exists, else insert `row`


COPY_MIN_ROWS = 64  # fewer new rows of a table: INSERT (COPY costs a round trip more)


class DuplicateRowError(Exception):
    """An insert with the primary key of a row that exists."""


class _Entry:
    __slots__ = ("adds", "delete_first", "dirty", "row", "sets", "state", "unchecked")

    def __init__(self, state: int, row: dict[str, Any] | None = None) -> None:
        self.state = state
        self.row = row
        self.unchecked = False  # NEW from an insert, not known whether the row exists
        self.delete_first = False
        self.dirty: set[str] = set()
        self.sets: dict[str, Any] = {}
        self.adds: dict[str, Any] = {}


Shape = tuple[tuple[str, ...], tuple[str, ...]]  # (columns set, columns added to)


@dataclass
class _Writes:
    """What `flush` executes, one executemany per list."""

    deletes: list[dict[str, Any]] = field(default_factory=list)
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[Shape, list[dict[str, Any]]] = field(default_factory=dict)
    upserts: dict[Shape, list[dict[str, Any]]] = field(default_factory=dict)


def _key_getter(pk: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """`mapping -> tuple of its primary key values` (KeyError when one is missing)."""
    if len(pk) == 1:
        (name,) = pk
        return lambda mapping: (mapping[name],)
    return operator.itemgetter(*pk)


def _plus(value: Any, delta: Any) -> Any:
    return None if value is None else value + delta  # SQL: NULL + 1 is NULL


class TableRows:
    """The pending rows of one table in one batch, by primary key."""

    def __init__(self, table: Table, conn: Connection) -> None:
        self.table = table
        self.conn = conn
        self.pk = tuple(column.key for column in table.primary_key.columns)
        self.pk_set = frozenset(self.pk)
        self.pk_params = tuple(f"k_{name}" for name in self.pk)
        self._width = len(self.pk)
        self._key: Callable[[Mapping[str, Any]], tuple[Any, ...]] = _key_getter(self.pk)
        # columns an INSERT without them would leave NULL: filled in, so that every
        # new row of the table has one shape (one executemany)
        self.fill = tuple(
            column.key
            for column in table.columns
            if column.key not in self.pk_set
            and column.default is None
            and column.server_default is None
        )
        self.entries: dict[tuple[Any, ...], _Entry] = {}
        # unchecked inserts later deleted in the batch: inserted (and so checked) first
        self.probes: list[dict[str, Any]] = []

    def key_of(self, key: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The primary key a mapping names, or None when it names other columns."""
        if len(key) != self._width or key.keys() != self.pk_set:
            return None
        return self._key(key)

    def key_params(self, pk: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(self.pk_params, pk, strict=True))

    def pk_of_row(self, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        try:
            return self._key(values)
        except KeyError:
            return None

    # -- the calls, folded per key ------------------------------------------------------

    def insert(self, pk: tuple[Any, ...], values: dict[str, Any]) -> None:
        entry = self.entries.get(pk)
        if entry is not None and entry.state in (PATCH, UPSERT):
            entry = self._load(pk, entry)
        if entry is None:
            entry = self.entries[pk] = _Entry(NEW, values)
            entry.unchecked = True
        elif entry.state == ABSENT:
            entry.state, entry.row = NEW, values
        else:
            raise DuplicateRowError(f"{self.table.name}: a row with key {pk!r} exists")

    def update(self, pk: tuple[Any, ...], values: Mapping[str, Any]) -> None:
        entry = self.entries.get(pk)
        if entry is not None and entry.state == UPSERT:
            entry = self._load(pk, entry)
        if entry is None:
            entry = self.entries[pk] = _Entry(PATCH)
            entry.sets.update(values)
        elif entry.state == PATCH:
            for name, value in values.items():
                entry.sets[name] = value
                entry.adds.pop(name, None)
        elif entry.state != ABSENT:
            assert entry.row is not None
            entry.row.update(values)
            if entry.state == LOADED:
                entry.dirty.update(values)

    def add(self, pk: tuple[Any, ...], deltas: Mapping[str, Any]) -> None:
        entry = self.entries.get(pk)
        if entry is None:
            entry = self.entries[pk] = _Entry(PATCH)
            entry.adds.update(deltas)
        elif entry.state == UPSERT:
            self._count(entry, deltas)
        elif entry.state == PATCH:
            for name, delta in deltas.items():
                if name in entry.sets:
                    entry.sets[name] = _plus(entry.sets[name], delta)
                else:
                    entry.adds[name] = entry.adds.get(name, 0) + delta
        elif entry.state != ABSENT:
            row = entry.row
            assert row is not None
            for name, delta in deltas.items():
                row[name] = _plus(row.get(name), delta)
            if entry.state == LOADED:
                entry.dirty.update(deltas)

    def upsert_add(
        self, pk: tuple[Any, ...], values: dict[str, Any], deltas: Mapping[str, Any]
    ) -> None:
        """Add `deltas` to the row, or insert `values` (which hold `deltas` as counts)."""
        entry = self.entries.get(pk)
        if entry is not None and entry.state == PATCH:
            entry = self._load(pk, entry)
        if entry is None:
            entry = self.entries[pk] = _Entry(UPSERT, values)
            entry.adds.update(deltas)
        elif entry.state == ABSENT:
            entry.state, entry.row = NEW, values
        elif entry.state == UPSERT:
            self._count(entry, deltas)
        else:
            self.add(pk, deltas)

    @staticmethod
    def _count(entry: _Entry, deltas: Mapping[str, Any]) -> None:
        """An add to an UPSERT entry: to the counts it inserts and to those it adds."""
        row = entry.row
        assert row is not None
        for name, delta in deltas.items():
            row[name] = _plus(row.get(name), delta)
            entry.adds[name] = entry.adds.get(name, 0) + delta

    def delete(self, pk: tuple[Any, ...]) -> None:
        entry = self.entries.get(pk)
        if entry is None:
            entry = self.entries[pk] = _Entry(ABSENT)
        elif entry.unchecked:
            assert entry.row is not None
            self.probes.append(entry.row)
            entry.unchecked = False
        entry.state, entry.row = ABSENT, None
        entry.delete_first = True

    def row(self, pk: tuple[Any, ...]) -> dict[str, Any] | None:
        """The row's values as the batch left them so far (None when there is none)."""
        entry = self.entries.get(pk)
        if entry is None or entry.state in (PATCH, UPSERT):
            entry = self._load(pk, entry)
        return entry.row if entry.state != ABSENT else None

    def _load(self, pk: tuple[Any, ...], entry: _Entry | None) -> _Entry:
        """Read the row once and apply what is pending for it to what was read."""
        stmt = statements.select_row(self.table, self.pk)
        mapping = self.conn.execute(stmt, self.key_params(pk)).mappings().first()
        if mapping is not None:
            loaded = _Entry(LOADED, dict(mapping))
            if entry is not None:
                self._apply_patch(loaded, entry)
        elif entry is not None and entry.state == UPSERT:
            loaded = _Entry(NEW, entry.row)
        else:
            loaded = _Entry(ABSENT)  # a patch of a missing row changes nothing
        self.entries[pk] = loaded
        return loaded

    @staticmethod
    def _apply_patch(loaded: _Entry, patch: _Entry) -> None:
        row = loaded.row
        assert row is not None
        row.update(patch.sets)
        for name, delta in patch.adds.items():
            row[name] = _plus(row.get(name), delta)
        loaded.dirty.update(patch.sets, patch.adds)

    # -- writing them -------------------------------------------------------------------

    def flush(self, conn: Connection, *, bulk: bool = False) -> None:
        """Write the batch's changes of this table, then forget them.

        `bulk` (a rebuild): on PostgreSQL, many new rows of one shape go by COPY instead
        of a pipelined executemany, whose per-row Python in the driver cost more than
        everything else in writing them. Its errors are the driver's own (not
        SQLAlchemy's); a rebuild re-applies a failed batch event by event without it.
        """
        writes = self._writes()
        probes, self.entries, self.probes = self.probes, {}, []
        self._insert(conn, probes)  # fails when an unchecked insert's row existed
        if writes.deletes:
            conn.execute(statements.delete(self.table, self.pk), writes.deletes)
        self._insert(conn, writes.inserts, bulk=bulk)
        for (sets, adds), rows in sorted(writes.updates.items()):
            conn.execute(statements.patch(self.table, self.pk, sets, adds), rows)
        for (_columns, adds), rows in writes.upserts.items():
            stmt = statements.upsert_add(conn.dialect.name, self.table, self.pk, adds)
            conn.execute(stmt, rows)

    def _writes(self) -> _Writes:
        """The batch's entries as parameter lists, grouped by statement shape."""
        writes = _Writes()
        for key, entry in self.entries.items():
            state = entry.state
            if entry.delete_first:
                writes.deletes.append(self.key_params(key))
            if state == NEW:
                assert entry.row is not None
                writes.inserts.append(entry.row)
            elif state == UPSERT:
                assert entry.row is not None
                row = self._filled(entry.row)
                writes.upserts.setdefault((tuple(row), tuple(sorted(entry.adds))), []).append(row)
            elif state == LOADED and entry.dirty:
                assert entry.row is not None
                columns = tuple(sorted(entry.dirty))
                sets = {name: entry.row[name] for name in columns}
                writes.updates.setdefault((columns, ()), []).append(self._patch(key, sets, {}))
            elif state == PATCH:
                shape = (tuple(sorted(entry.sets)), tuple(sorted(entry.adds)))
                params = self._patch(key, entry.sets, entry.adds)
                writes.updates.setdefault(shape, []).append(params)
        return writes

    def _patch(
        self, pk: tuple[Any, ...], sets: Mapping[str, Any], adds: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Parameters of `statements.patch`: the key, `v_<col>` to set, `d_<col>` to add."""
        params = self.key_params(pk)
        for name, value in sets.items():
            params[f"v_{name}"] = value
        for name, delta in adds.items():
            params[f"d_{name}"] = delta
        return params

    def _filled(self, row: dict[str, Any]) -> dict[str, Any]:
        """`row` with None in the columns it leaves out that every row of an executemany
        must name (`fill`)."""
        for name in self.fill:
            if name not in row:
                row[name] = None
        return row

    def _insert(self, conn: Connection, rows: list[dict[str, Any]], *, bulk: bool = False) -> None:
        """INSERT rows, one executemany of driver SQL per shape (set of columns)."""
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            shapes.setdefault(tuple(self._filled(row)), []).append(row)
        for columns, same in shapes.items():
            insert = statements.driver_insert(self.table, columns, conn.dialect)
            if bulk and len(same) >= COPY_MIN_ROWS and conn.dialect.name == "postgresql":
                psycopg = conn.connection.driver_connection  # this transaction's connection
                assert psycopg is not None
                with psycopg.cursor() as cursor, cursor.copy(insert.copy_sql) as copy:
                    for values in insert.parameters(same):
                        copy.write_row(values)
            else:
                conn.exec_driver_sql(insert.sql, insert.parameters(same))
