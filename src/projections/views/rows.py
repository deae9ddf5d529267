"""Column values a handler takes from its event as they are.

`fields(event, "text note")` is `{"text": event.text, "note": event.note}`, for the
columns named like the event's fields; `actor(event, "raised_by_sub", "raised_by_name",
"raised_at")` names the columns that keep who did it (`event.actor`, `event.actor_name`)
and when (`event.timestamp`, never the clock).
"""

from __future__ import annotations

from typing import Any


def fields(event: Any, names: str) -> dict[str, Any]:
    """The event's fields named in `names` (space-separated), under the same names."""
    return {name: getattr(event, name) for name in names.split()}


def actor(event: Any, sub: str, name: str, at: str) -> dict[str, Any]:
    """Who did it and when, under the columns `sub`, `name` and `at`."""
    return {sub: event.actor, name: event.actor_name, at: event.timestamp}


def versioned(event: Any) -> dict[str, Any]:
    """The row's version (its ETag) and instant of change: the event's."""
    return {"version": event.originator_version, "updated_at": event.timestamp}
