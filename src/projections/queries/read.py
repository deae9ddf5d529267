"""A read transaction over the live generation of every view (ADR 0004)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

from projections import tracking
from projections.db import ViewDatabase
from projections.schema import ViewSchema


class ReadTx:
    """One consistent read: the tracking rows first, then that generation's tables."""

    def __init__(
        self, conn: Connection, schema: ViewSchema, rows: dict[str, tracking.TrackingRow]
    ) -> None:
        self.conn = conn
        self._schema = schema
        self._rows = rows

    def t(self, view: str) -> Any:
        """The live tables of a view (its `define` dataclass)."""
        return self._schema.tables(view, self._rows[view].generation)

    @property
    def position(self) -> int:
        return min((row.position for row in self._rows.values()), default=0)


@contextmanager
def reading(db: ViewDatabase, schema: ViewSchema) -> Iterator[ReadTx]:
    with db.read() as conn:
        rows = tracking.read_all(conn)
        yield ReadTx(conn, schema, {name: rows[name] for name in schema.views})


def person(sub: str | None, name: str | None) -> dict[str, str] | None:
    """A person in a response: at least `sub` and `name` (API.md)."""
    if not sub:
        return None
    return {"sub": sub, "name": name or ""}
