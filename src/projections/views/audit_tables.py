"""Tables of the `audit` view (R24, ADR 0011): the recorded hash chain and its helpers.

- `audit_event`: one row per event of a candidate, its goals and its meetings, with the
  link hash recorded when the event was projected. `detail` is the JSON text of the
  event's actor, instant and own fields exactly as the history serves them, so a
  history of thousands of events is assembled from stored text, not re-encoded.
- `audit_head`: each candidate's chain head (hash, position, count), written in the
  same transaction as the link, so the next link chains onto it.
- `audit_owner`: which candidate a goal or meeting belongs to (from Opened/Created),
  and a goal's code.
- `audit_candidate`: the candidate's `sub` and `hpr_number` (from Registered), so the
  feed never depends on another view's progress.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

from projections.engine.tables import CODE, ID, NAME, STATE, SUB, UTCDateTime, index, table

HASH = String(64)
TYPE = String(128)


@dataclass(frozen=True)
class AuditTables:
    event: Table
    head: Table
    owner: Table
    candidate: Table


def define_audit_tables(md: MetaData, g: int) -> AuditTables:
    event = table(
        md, "audit_event", g,
        Column("position", BigInteger, primary_key=True, autoincrement=False),
        Column("event_id", ID, nullable=False),
        Column("candidate_id", ID, nullable=False),
        Column("aggregate", STATE, nullable=False),
        Column("aggregate_id", ID, nullable=False),
        Column("version", Integer, nullable=False),
        Column("type", TYPE, nullable=False),
        Column("actor_sub", SUB, nullable=False),
        Column("actor_name", NAME, nullable=False),
        Column("occurred_at", UTCDateTime, nullable=False),
        Column("detail", Text, nullable=False),  # {"actor", "occurred_at", "data"} as JSON
        Column("schema", Integer, nullable=False),
        Column("goal_code", CODE),
        Column("hash", HASH, nullable=False),
        Column("prev_hash", HASH, nullable=False),
    )  # fmt: skip
    index(event, "candidate_id", "position")  # `position` itself is the primary key
    head = table(
        md, "audit_head", g,
        Column("candidate_id", ID, primary_key=True),
        Column("hash", HASH, nullable=False),
        Column("position", BigInteger, nullable=False),
        Column("events", Integer, nullable=False),
    )  # fmt: skip
    owner = table(
        md, "audit_owner", g,
        Column("aggregate_id", ID, primary_key=True),
        Column("candidate_id", ID, nullable=False),
        Column("goal_code", CODE),
    )  # fmt: skip
    candidate = table(
        md, "audit_candidate", g,
        Column("candidate_id", ID, primary_key=True),
        Column("sub", SUB, nullable=False),
        Column("hpr_number", CODE),
    )  # fmt: skip
    return AuditTables(event, head, owner, candidate)
