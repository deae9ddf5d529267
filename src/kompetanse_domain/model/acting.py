"""`trigger_by`: the one way the aggregates record an event with who did it."""

from __future__ import annotations

from typing import Any, Protocol


class Person(Protocol):
    """Who did it: an `Actor`, or an `Identity` where no candidate relation applies."""

    @property
    def sub(self) -> str: ...

    @property
    def name(self) -> str: ...


class Triggers(Protocol):
    """An aggregate (or a mixin of one) that records events."""

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...


def trigger_by(aggregate: Triggers, person: Person, event_class: Any, **fields: Any) -> None:
    """Record `event_class` on `aggregate` with `fields`, naming `person` as who did it
    (every command event carries `actor` and `actor_name`)."""
    aggregate.trigger_event(event_class, actor=person.sub, actor_name=person.name, **fields)
