"""Applying a batch of notifications to one view inside an open transaction (ADR 0004).

The handlers' writes are kept in memory for the whole batch and written at its end
(`ViewTx.flush`, one executemany per table and statement shape), inside a savepoint
of the caller's transaction. When that final write fails, the savepoint is rolled
back and the batch is applied again event by event, writing after each one, so the
error names the very event that caused it (and the events before it stay applied in
the savepoint's place, ready for the caller to commit or roll back).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from projections.engine.base import ViewProjection, ViewTx
from projections.engine.store import StoreReader


class EventFailedError(Exception):
    """Raised when a view fails on one event; names the event's position and topic."""

    def __init__(
        self,
        view: str,
        notification: Notification,
        error: BaseException,
        *,
        error_type: str | None = None,  # the error's own type, when `error` only reports it
    ) -> None:
        super().__init__(
            f"view {view!r} failed on the event at position {notification.id} "
            f"({notification.topic}): {error_type or type(error).__name__}: {error}"
        )
        self.view = view
        self.notification = notification
        self.error = error


class _FlushFailedError(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def is_transient(error: BaseException) -> bool:
    """A lost or unreachable database: retry the batch later, the view is fine."""
    cause = error.error if isinstance(error, EventFailedError) else error
    return isinstance(cause, DBAPIError) and bool(cause.connection_invalidated)


class DecodedBatch:
    """One batch read from the store: each event's class and domain event, found once.

    Shared by the views of a batch (each event is decoded at most once, and only when
    some view handles it); dropped with the batch, so memory stays bounded.
    """

    def __init__(self, reader: StoreReader, notifications: Sequence[Notification]) -> None:
        self.reader = reader
        self.notifications = notifications
        self.classes: list[type | None] = []
        self.errors: dict[int, Exception] = {}  # topics that name no event class
        for index, notification in enumerate(notifications):
            try:
                self.classes.append(reader.event_class(notification.topic))
            except Exception as error:
                self.classes.append(None)
                self.errors[index] = error
        self._events: list[Any] = [None] * len(notifications)
        self._distinct: set[type] | None = None

    def distinct_classes(self) -> set[type]:
        """The event classes of the batch, each once (topics naming none left out)."""
        if self._distinct is None:
            self._distinct = {cls for cls in self.classes if cls is not None}
        return self._distinct

    def event(self, index: int) -> Any:
        event = self._events[index]
        if event is None:
            event = self._events[index] = self.reader.decode(self.notifications[index])
        return event

    def before(self, position: int) -> DecodedBatch:
        """The events of this batch before `position` (decoded ones are kept)."""
        count = sum(1 for n in self.notifications if n.id < position)
        head = DecodedBatch.__new__(DecodedBatch)
        head.reader, head.notifications = self.reader, self.notifications[:count]
        head.classes, head._events = self.classes[:count], self._events[:count]
        head.errors = {index: error for index, error in self.errors.items() if index < count}
        head._distinct = None
        return head


def apply_batch(
    view: ViewProjection[Any],
    conn: Connection,
    tables: Any,
    batch: DecodedBatch,
    *,
    isolated: bool = True,
    bulk: bool = False,
) -> None:
    """Run the view's handlers for the events it handles; others are only passed over.

    `isolated=False`: no savepoint, and any failure is raised as it is, for a caller
    that rolls its whole transaction back then (the follower's shared step).
    `bulk`: a rebuild's large batch, its new rows written in bulk (`TableRows.flush`);
    when that fails, the batch is applied again event by event without it.
    """
    if not batch.errors and not any(view.handles(cls) for cls in batch.distinct_classes()):
        return  # nothing for this view: no savepoint, no writes (its position still moves)
    if not isolated:
        _run(view, conn, tables, batch, each=False, bulk=bulk).flush()
        return
    try:
        with conn.begin_nested():
            tx = _run(view, conn, tables, batch, each=False, bulk=bulk)
            try:
                tx.flush()
            except Exception as error:
                raise _FlushFailedError(error) from error
    except _FlushFailedError as failed:
        if is_transient(failed.error):
            raise failed.error from None
        _run(view, conn, tables, batch, each=True)  # raises at the failing event


def _run(
    view: ViewProjection[Any],
    conn: Connection,
    tables: Any,
    batch: DecodedBatch,
    *,
    each: bool,
    bulk: bool = False,
) -> ViewTx[Any]:
    tx: ViewTx[Any] = ViewTx(conn, tables, source=batch.reader.name, bulk=bulk and not each)
    handlers = view.handlers()  # event class -> the handler function, None when none
    handler_of = view.handler
    events = batch._events
    decode = batch.event
    for index, (cls, notification) in enumerate(
        zip(batch.classes, batch.notifications, strict=True)
    ):
        if cls is None:
            raise EventFailedError(view.name, notification, batch.errors[index])
        handler = handlers.get(cls, _UNKNOWN)
        if handler is _UNKNOWN:
            handler = handler_of(cls)
        if handler is None:
            continue
        try:
            tx.notification = notification
            event = events[index]
            handler(view, decode(index) if event is None else event, tx)
            if each:
                tx.flush()
        except Exception as error:
            raise EventFailedError(view.name, notification, error) from error
    return tx


_UNKNOWN: Any = object()
