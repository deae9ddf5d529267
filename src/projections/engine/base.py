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
from collections.abc import Callable, Mapping
from functools import singledispatchmethod
from typing import Any, ClassVar, Generic, TypeVar

from eventsourcing.persistence import Notification, Tracking
from sqlalchemy import Connection, MetaData, Table

from projections.engine import statements
from projections.engine.pending import TableRows

T = TypeVar("T")


class ViewTx(Generic[T]):
    """The batch transaction a handler writes in.

    Rows are addressed by a `key` mapping (column -> value). Calls whose key is the
    table's primary key (every view's are) are folded in memory per row and written
    at the end of the batch, one executemany per table and shape (`pending`); reads
    see the batch's own writes. Other keys, and any use of `conn`, first write what is
    pending and then run their statement at once.
    """

    def __init__(
        self,
        conn: Connection,
        t: T,
        tracking: Tracking | None = None,
        notification: Notification | None = None,
        *,
        source: str = "",
        bulk: bool = False,
    ) -> None:
        self._conn = conn
        self.bulk = bulk  # a rebuild's batch: write new rows in bulk (`TableRows.flush`)
        self.t = t
        self._tracking = tracking
        self.notification = notification  # the stored event (the audit view hashes it)
        self.source = source  # the application whose notification log is applied
        self._rows: dict[Table, TableRows] = {}

    @property
    def conn(self) -> Connection:
        """The connection, with every pending write of the batch written first."""
        self.flush()
        return self._conn

    @property
    def tracking(self) -> Tracking | None:
        """The position of the event being applied, as the library's `Tracking`."""
        if self._tracking is None and self.notification is not None:
            return Tracking(self.source, self.notification.id)
        return self._tracking

    @tracking.setter
    def tracking(self, value: Tracking | None) -> None:
        self._tracking = value

    def _table(self, table: Table) -> TableRows:
        rows = self._rows.get(table)
        if rows is None:
            rows = self._rows[table] = TableRows(table, self._conn)
        return rows

    def insert(self, table: Table, **values: Any) -> None:
        rows = self._rows.get(table) or self._table(table)
        pk = rows.pk_of_row(values)
        if pk is None:
            self.conn.execute(statements.insert(table), values)
        else:
            rows.insert(pk, values)

    def update(self, table: Table, key: Mapping[str, Any], **values: Any) -> None:
        """Set columns of the row(s) matching `key` (none matching: nothing happens)."""
        self._change(table, key, values, statements.update, TableRows.update)

    def add(self, table: Table, key: Mapping[str, Any], **deltas: int) -> None:
        """Add to integer columns of the row(s) matching `key`."""
        self._change(table, key, deltas, statements.add, TableRows.add)

    def _change(
        self,
        table: Table,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        statement: Callable[[Table, tuple[str, ...], tuple[str, ...]], Any],
        fold: Callable[[TableRows, Any, Any], None],
    ) -> None:
        """`update`/`add`: folded into the pending row when `key` is its primary key,
        else the statement run at once."""
        rows = self._rows.get(table) or self._table(table)
        pk = rows.key_of(key)
        if pk is None:
            stmt = statement(table, tuple(key), tuple(values))
            self.conn.execute(stmt, statements.params(key, values))
        else:
            fold(rows, pk, values)

    def add_or_insert(
        self, table: Table, key: Mapping[str, Any], deltas: Mapping[str, int], **values: Any
    ) -> None:
        """Add `deltas` to the row at `key`; when there is none, insert one with `values`
        and the deltas as its counts (`INSERT ... ON CONFLICT DO UPDATE`, no read)."""
        rows = self._rows.get(table) or self._table(table)
        pk = rows.key_of(key)
        row = {**key, **values, **deltas}
        if pk is None or rows.pk_of_row(row) != pk:
            raise ValueError(f"add_or_insert needs the primary key of {table.name}")
        rows.upsert_add(pk, row, deltas)

    def replace(self, table: Table, key: Mapping[str, Any], **values: Any) -> None:
        """The row at primary key `key` anew: delete it (when there is one), then insert
        `key` with `values`."""
        self.delete(table, key)
        self.insert(table, **key, **values)

    def delete(self, table: Table, key: Mapping[str, Any]) -> None:
        rows = self._rows.get(table) or self._table(table)
        pk = rows.key_of(key)
        if pk is None:
            self.conn.execute(statements.delete(table, tuple(key)), statements.params(key, {}))
        else:
            rows.delete(pk)

    def value(self, table: Table, column: str, key: Mapping[str, Any]) -> Any:
        """One column of the row matching `key` (None when there is none)."""
        rows = self._rows.get(table) or self._table(table)
        pk = rows.key_of(key)
        if pk is None:
            stmt = statements.select_value(table, column, tuple(key))
            return self.conn.execute(stmt, statements.params(key, {})).scalar()
        row = rows.row(pk)
        return None if row is None else row.get(column)

    def row(self, table: Table, key: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The row at primary key `key` as the batch left it so far (None when there is
        none). Read-only: change rows with `update`, `add` and the other calls."""
        rows = self._rows.get(table) or self._table(table)
        pk = rows.key_of(key)
        if pk is None:
            raise ValueError(f"row() needs the primary key of {table.name}")
        return rows.row(pk)

    def exists(self, table: Table, key: Mapping[str, Any]) -> bool:
        """Whether a row matches `key` (the batch's own writes included)."""
        rows = self._rows.get(table) or self._table(table)
        pk = rows.key_of(key)
        if pk is None:
            stmt = statements.select_value(table, next(iter(key)), tuple(key))
            return self.conn.execute(stmt, statements.params(key, {})).first() is not None
        return rows.row(pk) is not None

    def flush(self) -> None:
        """Write what the batch changed so far (called at the end of every batch)."""
        for rows in self._rows.values():
            if rows.entries:
                rows.flush(self._conn, bulk=self.bulk)


class ViewProjection(ABC, Generic[T]):
    """One read model: its tables (one generation at a time) and its event handlers."""

    name: ClassVar[str]

    def __init_subclass__(cls, name: str = "", **kwargs: Any) -> None:
        """`class LeaderView(ViewProjection[LeaderTables], name="leader")`: the view's
        unique name (its tracking row; `kompetanse projections rebuild NAME`)."""
        super().__init_subclass__(**kwargs)
        if name:
            cls.name = name

    def __init__(self) -> None:
        self._handlers: dict[type, Callable[..., None] | None] = {}

    @staticmethod
    @abstractmethod
    def define(md: MetaData, generation: int, /) -> T:
        """This view's tables for one generation (a frozen dataclass of `Table`s)."""

    @singledispatchmethod
    def process_event(self, domain_event: object, tx: ViewTx[Any]) -> None:
        """Events this view does not handle change nothing."""

    def handles(self, event_class: type) -> bool:
        """True when `process_event` has a handler for events of this class."""
        return self.handler(event_class) is not None

    def handler(self, event_class: type) -> Callable[..., None] | None:
        """The function `process_event` runs for events of this class, called as
        `handler(view, event, tx)`; None when the class has no handler of its own."""
        try:
            return self._handlers[event_class]
        except KeyError:
            pass
        dispatch = _dispatch_method(type(self)).dispatcher.dispatch
        found = dispatch(event_class)
        handler = None if found is dispatch(object) else found
        self._handlers[event_class] = handler
        return handler

    def handlers(self) -> Mapping[type, Callable[..., None] | None]:
        """The handlers found so far by event class (`handler` finds the others)."""
        return self._handlers


def event_handlers() -> singledispatchmethod[None]:
    """A view's `process_event = event_handlers()`: does nothing for an event without a
    handler; register one per event class with `@process_event.register`."""

    def unhandled(view: Any, domain_event: object, tx: ViewTx[Any]) -> None:
        """Other events do not change this view."""

    return singledispatchmethod(unhandled)


def _dispatch_method(cls: type) -> Any:
    for klass in cls.__mro__:
        if "process_event" in klass.__dict__:
            return klass.__dict__["process_event"]
    raise TypeError(f"{cls.__name__} has no process_event")


def aggregate_id(event: Any) -> str:
    """The id of the aggregate an event belongs to, as the views store it."""
    return id_text(event.originator_id)


def id_text(value: Any) -> str:
    """`str(value)` of an id, remembered for the last few thousand ids: every view
    writes the aggregate's id of each event, and `str(UUID)` is Python code."""
    try:
        return _ID_TEXTS[value]
    except KeyError:
        pass
    if len(_ID_TEXTS) >= _ID_TEXTS_MAX:
        _ID_TEXTS.clear()  # bounded: a rebuild's memory must not grow with the store
    text = _ID_TEXTS[value] = str(value)
    return text


_ID_TEXTS: dict[Any, str] = {}
_ID_TEXTS_MAX = 20_000
