"""`audit`: every event of a candidate, its goals and meetings, with its chain link (R24).

ADR 0011: the link of each event is `link_hash` over the stored notification (position,
aggregate id, version, topic, stored state bytes) and the candidate's previous head,
exactly as `kompetanse_domain.audit.ChainRecomputer` recomputes it from the store. The
head lives in `audit_head` and moves in the same transaction as the row, so the
recorded chain is what `verify` later compares the store with. Goals and meetings are
attributed to candidates by their Opened/Created events (`audit_owner`); an event that
cannot be attributed is not recorded (verify reports it at its position).

An event read with a declared repair (ADR 0019) is recorded with `repaired` (why,
which fields, by whom, when) beside its data; the declaration itself marks the row of
an event recorded before it, so the history always shows that the views read it
repaired. The link hash stays over the stored bytes: verify is not affected.

The rows also serve the event feed (R23): type, actor, time, the event's own fields as
JSON (in `detail`, ready to serve), its schema version, the goal code, and the
candidate's sub and HPR number.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from kompetanse_domain.application.repairs import StoredEventRepairs, repair_of
from kompetanse_domain.audit.chain import GENESIS, link_hash
from kompetanse_domain.audit.recompute import CREATED_TOPICS, is_chained_topic
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import NAMESPACE
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.meeting import SupervisionMeeting
from kompetanse_domain.model.values import in_zone
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.views import candidate_rows
from projections.views.audit_tables import AuditTables, define_audit_tables

log = logging.getLogger("projections.audit")

Tx = ViewTx[AuditTables]

ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


def event_id_for(aggregate_id: uuid.UUID | str, version: int) -> uuid.UUID:
    """A stable id of one stored event: the same in every portal and every rebuild."""
    return uuid.UUID(event_id_text(aggregate_id, version))


def event_id_text(aggregate_id: uuid.UUID | str, version: int) -> str:
    """`str(event_id_for(...))`: uuid5 of "event:<aggregate id>:<version>", formatted
    without building UUID objects (a rebuild computes one per stored event)."""
    if not isinstance(aggregate_id, uuid.UUID):
        aggregate_id = uuid.UUID(aggregate_id)
    return _event_id(str(aggregate_id), version)


def _event_id(aggregate_text: str, version: int) -> str:
    """`event_id_text` of an aggregate id already in its canonical text form."""
    name = f"event:{aggregate_text}:{version}".encode()
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


_NAMESPACE_BYTES = NAMESPACE.bytes


def jsonable(value: Any) -> Any:
    """Event field values as JSON: UUIDs, dates and instants as ISO strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return str(value)


def event_data(event: Any) -> dict[str, Any]:
    """The event's own fields (not the envelope: id, version, time, topic)."""
    data = {}
    for name in _own_fields(event.__class__):
        value = getattr(event, name)
        data[name] = value if value is None or type(value) in _PLAIN else jsonable(value)
    return data


_PLAIN = frozenset({str, int, float, bool})  # exactly these: JSON as they are


@functools.cache
def _own_fields(event_class: type) -> tuple[str, ...]:
    return tuple(
        field.name for field in dataclasses.fields(event_class) if field.name not in ENVELOPE
    )


def detail_json(
    actor_sub: str,
    actor_name: str,
    occurred_at: datetime,
    data: dict[str, Any],
    repaired: dict[str, Any] | None = None,
) -> str:
    """The `detail` column: actor, instant and fields as JSON, the way the API writes them
    (compact, UTF-8 unescaped; the instant as RFC 3339 UTC with `Z`, as pydantic does).

    The same text as `json.dumps({"actor": {"sub": .., "name": ..}, "occurred_at": ..,
    "data": data}, ensure_ascii=False, separators=(",", ":"))`, with the fixed outer
    object written directly (a rebuild writes one per stored event); `"repaired"` after
    `data` when the event was read with a declared repair (ADR 0019)."""
    text = (
        f'{{"actor":{{"sub":{_string(actor_sub)},"name":{_string(actor_name)}}},'
        f'"occurred_at":{_string(instant_json(occurred_at))},"data":{_encode(data)}}}'
    )
    return text if repaired is None else with_repaired(text, repaired)


def with_repaired(detail: str, repaired: dict[str, Any]) -> str:
    """A `detail` text with `"repaired"` set (replaced when it was there)."""
    described = json.loads(detail)
    described["repaired"] = repaired
    return _encode(described)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_encode = _JSON.encode
_string = json.encoder.encode_basestring  # what `_JSON` writes a str as


def instant_json(instant: datetime) -> str:
    """An aware instant as the API's JSON writes it: UTC, `Z`, microseconds when any."""
    text = in_zone(instant, UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def schema_version(event: Any) -> int:
    """The event class's `class_version` (what it was upcast to), 1 when it has none."""
    return _class_version(event.__class__)


@functools.cache
def _class_version(event_class: type) -> int:
    return int(getattr(event_class, "class_version", None) or 1)


class AuditView(ViewProjection[AuditTables], name="audit"):
    define = staticmethod(define_audit_tables)

    process_event = event_handlers()  # receipts and indexes are not part of any candidate's history

    @process_event.register
    def candidate_event(self, event: Candidate.Event, tx: Tx) -> None:
        if isinstance(event, Candidate.Registered):
            tx.insert(tx.t.candidate, **candidate_rows.registered(event, "sub hpr_number"))
        self._record(event, tx, aggregate_id(event), None)

    @process_event.register
    def repair_declared(self, event: StoredEventRepairs.Declared, tx: Tx) -> None:
        """Mark the history item of the repaired event, when it was recorded before."""
        key = {"position": event.position}
        row = tx.row(tx.t.event, key)
        if row is None or (row["aggregate_id"], row["version"]) != (
            str(event.target_id),
            event.target_version,
        ):
            return  # not recorded yet (it will be, repaired) or not a candidate's event
        shown = {
            "reason": event.reason,
            "fields": list(event.fields),
            "declared_by": event.actor_name or event.actor,
            "declared_at": instant_json(event.timestamp),
        }
        tx.update(tx.t.event, key, detail=with_repaired(row["detail"], shown))

    @process_event.register
    def goal_event(self, event: LearningGoal.Event, tx: Tx) -> None:
        self._owned(event, tx, getattr(event, "code", None))

    @process_event.register
    def meeting_event(self, event: SupervisionMeeting.Event, tx: Tx) -> None:
        self._owned(event, tx, None)

    def _owned(self, event: Any, tx: Tx, code: str | None) -> None:
        notification = tx.notification
        assert notification is not None, "the follower passes the stored event"
        owned_id = aggregate_id(event)
        if notification.topic in CREATED_TOPICS:
            tx.insert(
                tx.t.owner,
                aggregate_id=owned_id,
                candidate_id=str(event.candidate_id),
                goal_code=code,
            )
        owner = tx.row(tx.t.owner, {"aggregate_id": owned_id})
        if owner is None:
            log.warning(
                "audit: event at position %d (%s) belongs to no known candidate; not recorded",
                notification.id,
                notification.topic,
            )
            return
        self._record(event, tx, owner["candidate_id"], owner["goal_code"])

    def _record(self, event: Any, tx: Tx, candidate_id: str, goal_code: str | None) -> None:
        """Chain the stored event onto the candidate's head and record the row (ADR 0011)."""
        notification = tx.notification
        assert notification is not None, "the follower passes the stored event"
        topic = notification.topic
        if not is_chained_topic(topic):
            return
        t = tx.t
        head_key = {"candidate_id": candidate_id}
        head = tx.row(t.head, head_key)
        previous = None if head is None else head["hash"]
        prev_hash = previous or GENESIS
        position = notification.id
        version = notification.originator_version
        # the stored event's aggregate id: the decoded event's, as text
        owned_id = aggregate_id(event)
        digest = link_hash(
            position=position,
            aggregate_id=owned_id,
            version=version,
            topic=topic,
            state=notification.state,
            prev_hash=prev_hash,
        )
        kind = topic.split(":", 1)[1]
        actor_sub = getattr(event, "actor", "") or ""
        actor_name = getattr(event, "actor_name", "") or ""
        occurred_at = event.timestamp
        tx.insert(
            t.event,
            position=position,
            event_id=_event_id(owned_id, version),
            candidate_id=candidate_id,
            aggregate=kind.split(".", 1)[0],
            aggregate_id=owned_id,
            version=version,
            type=kind,
            actor_sub=actor_sub,
            actor_name=actor_name,
            occurred_at=occurred_at,
            detail=detail_json(
                actor_sub,
                actor_name,
                occurred_at,
                event_data(event),
                None if (repair := repair_of(event)) is None else repair.shown(),
            ),
            schema=schema_version(event),
            goal_code=goal_code,
            hash=digest,
            prev_hash=prev_hash,
        )
        if head is None or previous is None:
            tx.insert(t.head, candidate_id=candidate_id, hash=digest, position=position, events=1)
        else:  # one update of the row read above (was: update, then add events=1)
            tx.update(t.head, head_key, hash=digest, position=position, events=head["events"] + 1)
