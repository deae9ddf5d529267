"""Applying a batch of notifications to one view inside an open transaction (ADR 0004)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Notification, Tracking
from sqlalchemy import Connection

from projections.base import ViewProjection, ViewTx
from projections.store import StoreReader


class EventFailedError(Exception):
    """Raised when a view fails on one event; names the event's position and topic."""

    def __init__(self, view: str, notification: Notification, error: BaseException) -> None:
        super().__init__(
            f"view {view!r} failed on the event at position {notification.id} "
            f"({notification.topic}): {type(error).__name__}: {error}"
        )
        self.view = view
        self.notification = notification
        self.error = error


def apply_batch(
    view: ViewProjection[Any],
    conn: Connection,
    tables: Any,
    notifications: Sequence[Notification],
    reader: StoreReader,
    decoded: dict[int, Any] | None = None,
) -> None:
    """Run the view's handlers for the events it handles; others are only passed over.

    `decoded` caches domain events across the views of one batch.
    """
    cache = decoded if decoded is not None else {}
    tx: ViewTx[Any] = ViewTx(conn, tables)
    for notification in notifications:
        try:
            if not view.handles(reader.event_class(notification.topic)):
                continue
            event = cache.get(notification.id)
            if event is None:
                event = cache[notification.id] = reader.decode(notification)
            tx.tracking = Tracking(reader.name, notification.id)
            tx.notification = notification
            view.process_event(event, tx)
        except Exception as error:
            raise EventFailedError(view.name, notification, error) from error
