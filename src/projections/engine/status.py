"""How far each view is, and whether something is following the store for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from projections.engine.stopped import StoppedAt
from projections.engine.tracking import TrackingRow


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    lag_events: int  # store's last position minus the view's
    lag_seconds: float  # age of the oldest event the view has not applied; 0 when caught up
    alive: bool  # a runner follows it: beating, not stopped by an error
    error: str | None  # why it stopped, for people: no SQL, no values (ADR 0019)
    stopped_at: int | None = None  # the position of the event it stopped before
    event_type: str | None = None  # that event's type, e.g. "LearningGoal.Approved"
    error_type: str | None = None  # the class of the error it met


def view_status(
    row: TrackingRow,
    *,
    store_max: int,
    recorded_after: Callable[[int], datetime | None],
    now: datetime,
    alive: bool,
    stopped: StoppedAt | None,
) -> ProjectionStatus:
    lag_events = max(0, store_max - row.position)
    lag_seconds = 0.0
    if lag_events:
        oldest = recorded_after(row.position)
        lag_seconds = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return ProjectionStatus(
        name=row.name,
        position=row.position,
        lag_events=lag_events,
        lag_seconds=round(lag_seconds, 3),
        alive=alive and stopped is None,
        error=None if stopped is None else stopped.message(row.name),
        stopped_at=None if stopped is None else stopped.event_position,
        event_type=None if stopped is None else stopped.event_type,
        error_type=None if stopped is None else stopped.error_type,
    )
