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

from sqlalchemy import BigInteger, Column, MetaData, Table, Text

from projections.engine.tables import index, table
from projections.views.columns import TYPES, Tables, columns


@dataclass(frozen=True)
class AuditTables:
    event: Table
    head: Table
    owner: Table
    candidate: Table


def define_audit_tables(md: MetaData, g: int) -> AuditTables:
    t = Tables(md, g, {**TYPES, "detail": Text})
    # detail: {"actor", "occurred_at", "data"} as JSON text
    event = table(md, "audit_event", g, Column(
        "position", BigInteger, primary_key=True, autoincrement=False
    ), *columns(
        "event_id candidate_id aggregate aggregate_id version type actor_sub actor_name"
        " occurred_at detail schema goal_code? hash prev_hash", t.types
    ))  # fmt: skip
    index(event, "candidate_id", "position")  # `position` itself is the primary key
    head = t("audit_head", "candidate_id hash position events")
    owner = t("audit_owner", "aggregate_id candidate_id goal_code?")
    candidate = t("audit_candidate", "candidate_id sub hpr_number?")
    return AuditTables(event, head, owner, candidate)
