"""Column values a handler takes from its event as they are.

`fields(event, "text note")` is `{"text": event.text, "note": event.note}`, for the
columns named like the event's fields; `actor(event, "raised_by_sub", "raised_by_name",
"raised_at")` names the columns that keep who did it (`event.actor`, `event.actor_name`)
and when (`event.timestamp`, never the clock); `register_calls` registers handlers
that differ only in such values from a table (event class -> values), `per_event`
such a table from one column's value per event class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import singledispatchmethod
from typing import Any

# the column values a handler writes, from its event
Values = Callable[[Any], Mapping[str, Any]]


def fields(event: Any, names: str) -> dict[str, Any]:
    """The event's fields named in `names` (space-separated), under the same names."""
    return {name: getattr(event, name) for name in names.split()}


def actor(event: Any, sub: str, name: str, at: str) -> dict[str, Any]:
    """Who did it and when, under the columns `sub`, `name` and `at`."""
    return {sub: event.actor, name: event.actor_name, at: event.timestamp}


def versioned(event: Any) -> dict[str, Any]:
    """The row's version (its ETag) and instant of change: the event's."""
    return {"version": event.originator_version, "updated_at": event.timestamp}


def register_calls(
    process_event: singledispatchmethod[None],
    method: str,
    values_by_event: Mapping[type, Values],
) -> None:
    """Handlers that differ only in the values they write, as a table: for each event
    class, the one handler `self.<method>(event, tx, **values(event))`."""
    for event_class, values in values_by_event.items():
        process_event.register(event_class, _calling(method, values))


def _calling(method: str, values: Values) -> Callable[..., None]:
    def handler(view: Any, event: Any, tx: Any) -> None:
        getattr(view, method)(event, tx, **values(event))

    return handler


def per_event(column: str, value_by_event: Mapping[type, Any]) -> dict[type, Values]:
    """`register_calls` values that are one constant per event class, in `column`."""
    return {
        event_class: _constant({column: value}) for event_class, value in value_by_event.items()
    }


def _constant(values: dict[str, Any]) -> Values:
    return lambda event: values
