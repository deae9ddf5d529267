"""Reading the event store's notification log in batches (ADR 0004).

One polling reader for SQLite and PostgreSQL alike: `select_notifications` after a
position. On PostgreSQL the library's insert lock makes insert order equal commit
order, so a reader never passes a gap that fills later; ids that rolled back leave
holes that are never waited for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import InterfaceError, Notification, OperationalError
from eventsourcing.utils import resolve_topic

from kompetanse_domain.application.repairs import refresh_repairs


class StoreUnavailableError(Exception):
    """Raised when the event store cannot be read; the follower retries later."""


class StoreReader:
    """Batches of notifications of one application, and their domain events."""

    def __init__(self, application: Application[Any]) -> None:
        self.application = application
        self.name = application.name

    def read(self, after: int, limit: int) -> Sequence[Notification]:
        try:
            return self.application.recorder.select_notifications(
                start=after, limit=limit, inclusive_of_start=False
            )
        except (OperationalError, InterfaceError) as error:
            raise StoreUnavailableError(f"cannot read the event store: {error}") from error

    def max_position(self) -> int:
        try:
            return self.application.recorder.max_notification_id() or 0
        except (OperationalError, InterfaceError) as error:
            raise StoreUnavailableError(f"cannot read the event store: {error}") from error

    @staticmethod
    def event_class(topic: str) -> type:
        """The class a stored topic names (the library caches the lookup)."""
        found = resolve_topic(topic)
        if not isinstance(found, type):
            raise TypeError(f"topic {topic!r} does not name an event class")
        return found

    def refresh_repairs(self) -> None:
        """Read the declared repairs of stored events anew (ADR 0019)."""
        try:
            refresh_repairs(self.application)
        except (OperationalError, InterfaceError) as error:
            raise StoreUnavailableError(f"cannot read the event store: {error}") from error

    def decode(self, notification: Notification) -> Any:
        return self.application.mapper.to_domain_event(notification)

    def recorded_at(self, after: int) -> datetime | None:
        """When the first event after `after` happened (None when there is none)."""
        batch = self.read(after, 1)
        if not batch:
            return None
        event = self.decode(batch[0])
        return getattr(event, "timestamp", None)
