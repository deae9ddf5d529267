"""The shape of a read model: the library's `Projection`, applied in batches (ADR 0004).

Like `eventsourcing.projection.Projection`, a view has a `name` and a
`singledispatchmethod process_event(event, tx)` with one handler per event,
named after it. Unlike it, the second argument is the open batch transaction
(`ViewTx`: connection, this generation's tables, the event's `Tracking`), because
we apply a whole batch and its tracking position in one SQLAlchemy transaction.
Events without a handler change nothing; their position is tracked all the same.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from functools import singledispatchmethod
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.persistence import Notification, Tracking
from sqlalchemy import Connection, MetaData, Table

from projections import statements

T = TypeVar("T")


@dataclass
class ViewTx(Generic[T]):
    """The batch transaction a handler writes in.

    Rows are addressed by a `key` mapping (column -> value); statements are built
    once per table and shape, then executed with parameters (see `statements`).
    """

    conn: Connection
    t: T
    tracking: Tracking | None = None
    notification: Notification | None = None  # the stored event (the audit view hashes it)

    def insert(self, table: Table, **values: Any) -> None:
        self.conn.execute(statements.insert(table), values)

    def update(self, table: Table, key: Mapping[str, Any], **values: Any) -> int:
        """Set columns of the rows matching `key`; returns how many matched."""
        stmt = statements.update(table, tuple(key), tuple(values))
        return self.conn.execute(stmt, statements.params(key, values)).rowcount

    def add(self, table: Table, key: Mapping[str, Any], **deltas: int) -> int:
        """Add to integer columns of the rows matching `key`; returns how many matched."""
        stmt = statements.add(table, tuple(key), tuple(deltas))
        return self.conn.execute(stmt, statements.params(key, deltas)).rowcount

    def delete(self, table: Table, key: Mapping[str, Any]) -> None:
        self.conn.execute(statements.delete(table, tuple(key)), statements.params(key, {}))

    def value(self, table: Table, column: str, key: Mapping[str, Any]) -> Any:
        """One column of the row matching `key` (None when there is none)."""
        stmt = statements.select_value(table, column, tuple(key))
        return self.conn.execute(stmt, statements.params(key, {})).scalar()


class ViewProjection(ABC, Generic[T]):
    """One read model: its tables (one generation at a time) and its event handlers."""

    name: ClassVar[str]

    def __init__(self) -> None:
        self._handles: dict[type, bool] = {}

    @staticmethod
    @abstractmethod
    def define(md: MetaData, generation: int, /) -> T:
        """This view's tables for one generation (a frozen dataclass of `Table`s)."""

    @singledispatchmethod
    def process_event(self, domain_event: object, tx: ViewTx[Any]) -> None:
        """Events this view does not handle change nothing."""

    def handles(self, event_class: type) -> bool:
        """True when `process_event` has a handler for events of this class."""
        known = self._handles.get(event_class)
        if known is None:
            method = _dispatch_method(type(self))
            known = method.dispatcher.dispatch(event_class) is not method.dispatcher.dispatch(
                object
            )
            self._handles[event_class] = known
        return known


def _dispatch_method(cls: type) -> Any:
    for klass in cls.__mro__:
        if "process_event" in klass.__dict__:
            return klass.__dict__["process_event"]
    raise TypeError(f"{cls.__name__} has no process_event")
