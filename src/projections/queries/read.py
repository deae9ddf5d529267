"""A read transaction over the live generation of every view (ADR 0004)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Row, Table, select

from projections.engine import tracking
from projections.engine.db import ViewDatabase
from projections.engine.schema import ViewSchema
from projections.engine.stopped import StoppedAt, ViewStoppedError
from projections.queries.port import PersonRow


class ReadTx:
    """One consistent read: the tracking rows first, then that generation's tables."""

    def __init__(
        self, conn: Connection, schema: ViewSchema, rows: dict[str, tracking.TrackingRow]
    ) -> None:
        self.conn = conn
        self._schema = schema
        self._rows = rows

    def t(self, view: str) -> Any:
        """The live tables of a view (its `define` dataclass); `ViewStoppedError` when the
        view stopped at an event it cannot apply: its rows would be older than the
        position this answer claims (ADR 0019)."""
        row = self._rows[view]
        if row.error is not None:
            raise ViewStoppedError(view, StoppedAt.parse(row.error))
        return self._schema.tables(view, row.generation)

    def rows_of(self, table: Table, column: str, value: Any, *order: str) -> Sequence[Row[Any]]:
        """The rows of `table` whose `column` is `value`, ordered by the columns `order`."""
        c = table.c
        stmt = select(table).where(c[column] == value).order_by(*(c[name] for name in order))
        return self.conn.execute(stmt).all()

    @property
    def position(self) -> int:
        return following_position(self._rows.values())


def following_position(rows: Iterable[tracking.TrackingRow]) -> int:
    """The lowest position of the views that are not stopped (of all, when all are):
    a view stopped at a poison event holds back only the queries that need it."""
    rows = list(rows)
    live = [row.position for row in rows if row.error is None]
    return min(live or [row.position for row in rows], default=0)


@contextmanager
def reading(db: ViewDatabase, schema: ViewSchema) -> Iterator[ReadTx]:
    with db.read() as conn:
        rows = tracking.read_all(conn)
        yield ReadTx(conn, schema, {name: rows[name] for name in schema.views})


def person(sub: str | None, name: str | None) -> PersonRow | None:
    """A person in a response: at least `sub` and `name` (API.md)."""
    if not sub:
        return None
    return {"sub": sub, "name": name or ""}
