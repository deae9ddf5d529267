"""Statements of the view handlers, built once per table and shape (ADR 0004).

Building a SQLAlchemy statement per event costs more than running it; handlers
address rows by key columns, so each (table, key columns, set columns) shape is
built once and then executed with bound parameters (`k_<col>` for the key,
`v_<col>` for values).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Delete, Dialect, Insert, Select, Table, Update, and_, bindparam, select


def params(key: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    return {**{f"k_{k}": v for k, v in key.items()}, **{f"v_{k}": v for k, v in values.items()}}


def _where(table: Table, key: tuple[str, ...]) -> Any:
    return and_(*(table.c[name] == bindparam(f"k_{name}") for name in key))


@lru_cache(maxsize=4096)
def insert(table: Table) -> Insert:
    return table.insert()


@lru_cache(maxsize=4096)
def update(table: Table, key: tuple[str, ...], columns: tuple[str, ...]) -> Update:
    return (
        table.update()
        .where(_where(table, key))
        .values({name: bindparam(f"v_{name}") for name in columns})
    )


@lru_cache(maxsize=4096)
def add(table: Table, key: tuple[str, ...], columns: tuple[str, ...]) -> Update:
    return (
        table.update()
        .where(_where(table, key))
        .values({name: table.c[name] + bindparam(f"v_{name}") for name in columns})
    )


@lru_cache(maxsize=4096)
def delete(table: Table, key: tuple[str, ...]) -> Delete:
    return table.delete().where(_where(table, key))


@lru_cache(maxsize=4096)
def select_value(table: Table, column: str, key: tuple[str, ...]) -> Select[Any]:
    return select(table.c[column]).where(_where(table, key))


@lru_cache(maxsize=4096)
def patch(
    table: Table, key: tuple[str, ...], sets: tuple[str, ...], adds: tuple[str, ...]
) -> Update:
    """`SET col = :v_col` for `sets`, `col = col + :d_col` for `adds` (a batch's updates)."""
    values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in sets}
    values.update({name: table.c[name] + bindparam(f"d_{name}") for name in adds})
    return table.update().where(_where(table, key)).values(values)


@lru_cache(maxsize=4096)
def select_row(table: Table, key: tuple[str, ...]) -> Select[Any]:
    return select(table).where(_where(table, key))


@lru_cache(maxsize=4096)
def upsert_add(dialect: str, table: Table, key: tuple[str, ...], adds: tuple[str, ...]) -> Insert:
    """`INSERT ... ON CONFLICT (key) DO UPDATE SET col = col + excluded.col` for `adds`."""
    insert: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"no upsert for {dialect}")
    stmt = insert(table)
    added = {name: table.c[name] + stmt.excluded[name] for name in adds}
    result: Insert = stmt.on_conflict_do_update(index_elements=list(key), set_=added)
    return result


class DriverInsert:
    """An INSERT of given columns as driver SQL, with the columns' bind processing.

    A rebuild inserts millions of rows; SQLAlchemy's per-row parameter handling for a
    compiled `executemany` cost more than the database's own work. This runs the
    same conversions (each column type's bind processor for the dialect) and hands
    the driver plain tuples (`Connection.exec_driver_sql`).
    """

    def __init__(self, table: Table, columns: tuple[str, ...], dialect: Dialect) -> None:
        quote = dialect.identifier_preparer.quote
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join([marker] * len(columns))})"
        )
        # PostgreSQL: the same rows by COPY (a rebuild's large batches, `TableRows.flush`)
        self.copy_sql = (
            f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        )
        self._get = operator.itemgetter(*columns)
        self._single = len(columns) == 1
        self._processors: list[tuple[int, Callable[[Any], Any]]] = []
        for i, name in enumerate(columns):
            process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self._processors.append((i, process))

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        get, processors = self._get, self._processors
        values = [(get(row),) for row in rows] if self._single else [get(row) for row in rows]
        if not processors or not values:
            return values
        columns: list[Any] = list(zip(*values, strict=True))  # converted column by column
        for i, process in processors:
            columns[i] = list(map(process, columns[i]))
        return list(zip(*columns, strict=True))


@lru_cache(maxsize=4096)
def driver_insert(table: Table, columns: tuple[str, ...], dialect: Dialect) -> DriverInsert:
    return DriverInsert(table, columns, dialect)
