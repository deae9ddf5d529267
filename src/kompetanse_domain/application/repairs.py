"""Repairs of stored events the views cannot project (ADR 0019).

A stored event is never rewritten: its bytes stay what was recorded and the audit
chain keeps hashing them (ADR 0011). When a view cannot apply one (a NUL in a text,
which PostgreSQL text columns refuse; an instant so close to the ends of the calendar
that converting it to UTC overflows), an operator declares a repair of that one event
(`kompetanse projections repair POSITION --reason ...`). The declaration is itself an
event, of the `StoredEventRepairs` aggregate, so it is part of the record: who, when,
why, which event and which fields.

From then on the application's mapper (`RepairingMapper`) reads that stored event with
its values made projectable (`make_projectable`): NUL and lone surrogates in texts
become U+FFFD, instants outside 0001-01-02 .. 9999-12-30 UTC are clamped to that
range. Views, the history and the audit export all read events through the mapper, so
they all see the same repaired values; `repair_of(event)` tells that an event was
repaired, and the audit view records it with the history item (`repaired`).
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Mapper, StoredEvent

from kompetanse_domain.errors import ConflictError, InvalidInputError, NotFoundError
from kompetanse_domain.model.identity import NAMESPACE

REPAIRS_ID = uuid.uuid5(NAMESPACE, "stored-event-repairs")
REPAIRED_KEY = "_repaired"  # in a repaired event's __dict__; never a dataclass field
ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})

# instants kept at least a day inside datetime's range, so that converting them to any
# offset (UTC for the views, Europe/Oslo for reports) cannot overflow
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Repair:
    """A declared repair of one stored event (what the history shows as `repaired`)."""

    position: int
    target_id: UUID
    target_version: int
    topic: str
    reason: str
    fields: tuple[str, ...]
    declared_by: str
    declared_at: datetime

    def shown(self) -> dict[str, Any]:
        """The history's `repaired`: why, which fields, by whom and when (no values)."""
        return {
            "reason": self.reason,
            "fields": list(self.fields),
            "declared_by": self.declared_by,
            "declared_at": _instant_text(self.declared_at),
        }


def _instant_text(instant: datetime) -> str:
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


# -- making values projectable ---------------------------------------------------------------


def projectable_value(value: Any) -> Any:
    """`value` with texts and instants the views can store; the same object when fine."""
    if isinstance(value, str):
        return _UNSAFE_TEXT.sub(REPLACEMENT, value) if _UNSAFE_TEXT.search(value) else value
    if isinstance(value, datetime):
        return _projectable_instant(value)
    if isinstance(value, dict):
        repaired = {key: projectable_value(item) for key, item in value.items()}
        same = all(repaired[key] is value[key] for key in value)
        return value if same else repaired
    if isinstance(value, list | tuple):
        items = [projectable_value(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value


def _projectable_instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        return EARLIEST if value.year < 5000 else LATEST
    if utc < EARLIEST:
        return EARLIEST
    if utc > LATEST:
        return LATEST
    return value


def make_projectable(state: dict[str, Any]) -> tuple[str, ...]:
    """Repair an event's decoded state in place; returns the names of the fields changed."""
    changed = []
    for name, value in state.items():
        if name in ("originator_id", "originator_version") or name == REPAIRED_KEY:
            continue
        repaired = projectable_value(value)
        if repaired is not value:
            state[name] = repaired
            changed.append(name)
    return tuple(changed)


def repair_of(event: Any) -> Repair | None:
    """The declared repair an event was read with (None: read as stored)."""
    found = getattr(event, "__dict__", {}).get(REPAIRED_KEY)
    return found if isinstance(found, Repair) else None


# -- the record of declared repairs ----------------------------------------------------------


class StoredEventRepairs(Aggregate):
    """Every declared repair of a stored event, in one aggregate (few, and read at once)."""

    class Started(Aggregate.Created):
        pass

    class Declared(Aggregate.Event):
        actor: str
        actor_name: str
        position: int
        target_id: UUID
        target_version: int
        topic: str
        reason: str
        fields: list[str]

        def apply(self, aggregate: Any) -> None:
            repairs: dict[str, dict[str, Any]] = aggregate.repairs
            repairs[f"{self.target_id}:{self.target_version}"] = {
                "position": self.position,
                "target_id": str(self.target_id),
                "target_version": self.target_version,
                "topic": self.topic,
                "reason": self.reason,
                "fields": list(self.fields),
                "declared_by": self.actor_name or self.actor,
                "declared_at": self.timestamp.isoformat(),
            }

    @staticmethod
    def create_id() -> UUID:
        return REPAIRS_ID

    def __init__(self) -> None:
        self.repairs: dict[str, dict[str, Any]] = {}

    def declare(
        self, *, actor: str, actor_name: str, stored: StoredEvent, position: int, reason: str,
        fields: tuple[str, ...],
    ) -> None:  # fmt: skip
        self.trigger_event(
            self.Declared,
            actor=actor,
            actor_name=actor_name,
            position=position,
            target_id=UUID(str(stored.originator_id)),
            target_version=stored.originator_version,
            topic=stored.topic,
            reason=reason,
            fields=list(fields),
        )

    def all(self) -> list[Repair]:
        return [
            Repair(
                position=int(item["position"]),
                target_id=UUID(item["target_id"]),
                target_version=int(item["target_version"]),
                topic=item["topic"],
                reason=item["reason"],
                fields=tuple(item["fields"]),
                declared_by=item["declared_by"],
                declared_at=datetime.fromisoformat(item["declared_at"]),
            )
            for item in self.repairs.values()
        ]


class RepairRegistry:
    """The declared repairs this process knows, by (aggregate id, version)."""

    def __init__(self) -> None:
        self._by_event: Mapping[tuple[UUID, int], Repair] = {}
        self._lock = threading.Lock()

    def replace(self, repairs: list[Repair]) -> None:
        by_event = {(repair.target_id, repair.target_version): repair for repair in repairs}
        with self._lock:
            self._by_event = by_event

    def find(self, stored: StoredEvent) -> Repair | None:
        if not self._by_event:
            return None
        key = (UUID(str(stored.originator_id)), stored.originator_version)
        repair = self._by_event.get(key)
        return repair if repair is not None and repair.topic == stored.topic else None

    def __len__(self) -> int:
        return len(self._by_event)


class RepairingMapper(Mapper[UUID]):
    """The library's mapper, reading each event with a declared repair made projectable."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.repairs = RepairRegistry()

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event = super().to_domain_event(stored_event)
        repair = self.repairs.find(stored_event)
        if repair is not None:
            state = event.__dict__
            make_projectable(state)
            state[REPAIRED_KEY] = repair
        return event

    def decode_as_stored(self, stored_event: StoredEvent) -> Any:
        """The event as stored, without any declared repair."""
        return super().to_domain_event(stored_event)


# -- the operator's use cases ----------------------------------------------------------------


class NothingToRepairError(InvalidInputError):
    """Raised when the stored event's values are projectable as they are."""

    title = "Nothing to repair"


def load_repairs(application: Application[UUID]) -> list[Repair]:
    """Every declared repair, from the store."""
    try:
        record: Any = application.repository.get(REPAIRS_ID)
    except AggregateNotFoundError:
        return []
    assert isinstance(record, StoredEventRepairs)
    return record.all()


def refresh_repairs(application: Application[UUID]) -> int:
    """Read the declared repairs into the application's mapper; returns how many."""
    mapper = application.mapper
    if not isinstance(mapper, RepairingMapper):
        return 0
    mapper.repairs.replace(load_repairs(application))
    return len(mapper.repairs)


def stored_event_at(application: Application[UUID], position: int) -> StoredEvent:
    """The stored event at a notification position (NotFoundError when there is none)."""
    found = application.recorder.select_notifications(start=position, limit=1)
    if not found or found[0].id != position:
        raise NotFoundError(f"No stored event at position {position}")
    return found[0]


def fields_to_repair(application: Application[UUID], stored: StoredEvent) -> tuple[str, ...]:
    """The fields `make_projectable` would change in this stored event (none: fine)."""
    mapper = application.mapper
    if not isinstance(mapper, RepairingMapper):
        raise NothingToRepairError("This application reads events without repairs")
    event = mapper.decode_as_stored(stored)
    return make_projectable(dict(event.__dict__))


def declare_repair(
    application: Application[UUID],
    *,
    position: int,
    reason: str,
    actor: str,
    actor_name: str,
) -> Repair:
    """Record that the event at `position` is read with its values made projectable.

    Refused when the reason is blank, when there is no such event, or when its values
    are projectable already (then the view fails for another reason: a bug to fix in
    the view's code, see the log). Declaring the same repair again changes nothing.
    """
    reason = reason.strip()
    if not reason or len(reason) > 2000 or _UNSAFE_TEXT.search(reason):
        raise InvalidInputError("Say why the event is repaired (1-2000 characters, no NUL)")
    stored = stored_event_at(application, position)
    fields = fields_to_repair(application, stored)
    if not fields:
        raise NothingToRepairError(
            f"The event at position {position} has no text or instant that a view cannot "
            "store; the view fails for another reason (see its log line), which a repair "
            "of the stored values cannot fix"
        )
    for _ in range(5):
        try:
            record: Any = application.repository.get(REPAIRS_ID)
        except AggregateNotFoundError:
            record = StoredEventRepairs()
        assert isinstance(record, StoredEventRepairs)
        known = {(r.target_id, r.target_version): r for r in record.all()}
        key = (UUID(str(stored.originator_id)), stored.originator_version)
        if key in known:
            refresh_repairs(application)
            return known[key]
        record.declare(
            actor=actor,
            actor_name=actor_name,
            stored=stored,
            position=position,
            reason=reason,
            fields=fields,
        )
        try:
            application.save(record)
        except IntegrityError:
            continue  # declared by someone else meanwhile: read again
        refresh_repairs(application)
        (repair,) = (r for r in record.all() if (r.target_id, r.target_version) == key)
        return repair
    raise ConflictError("Repairs are being declared by others right now; try again")
