"""Statements of the view handlers, built once per table and shape (ADR 0004).

Building a SQLAlchemy statement per event costs more than running it; handlers
address rows by key columns, so each (table, key columns, set columns) shape is
built once and then executed with bound parameters (`k_<col>` for the key,
`v_<col>` for values).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Delete, Insert, Select, Table, Update, and_, bindparam, select


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
