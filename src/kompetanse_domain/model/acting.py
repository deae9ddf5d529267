"""`trigger_by` and `create_by`: the one way the aggregates record an event with who did it."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from eventsourcing.domain import Aggregate

A = TypeVar("A", bound=Aggregate)


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


def create_by(aggregate_class: type[A], person: Person, event_class: Any, **fields: Any) -> A:
    """A new aggregate of `aggregate_class` from its first event, `event_class` with
    `fields`, naming `person` as who did it (as `trigger_by`)."""
    return aggregate_class._create(event_class, actor=person.sub, actor_name=person.name, **fields)
