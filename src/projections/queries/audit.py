"""Reads of the `audit` view: history, versions at an instant, recorded links, feed (R23, R24).

ADR 0011: the recorded chain (`hash`, `prev_hash` per event) is what verify compares
with the chain recomputed from the store. Instants are returned as aware datetimes,
`data` as the JSON the view stored (ISO strings for dates, instants and UUIDs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select

from kompetanse_domain.audit.verify import RecordedLink
from projections.queries.port import FeedRow, HistoryRow, PersonRow
from projections.queries.read import ReadTx
from projections.views.audit_tables import AuditTables

VIEW = "audit"
STREAM = {"stream_results": True, "yield_per": 1000}


def _tables(r: ReadTx) -> AuditTables:
    tables: AuditTables = r.t(VIEW)
    return tables


def _actor(row: Row[Any]) -> PersonRow:
    return {"sub": row.actor_sub, "name": row.actor_name}


def _history_statement(r: ReadTx, cid: UUID, as_of: datetime | None, *columns: Any) -> Any:
    e = _tables(r).event.c
    statement = select(*columns).where(e.candidate_id == str(cid))
    if as_of is not None:
        statement = statement.where(e.occurred_at <= as_of)
    return statement.order_by(e.position)


def list_history(r: ReadTx, cid: UUID, as_of: datetime | None = None) -> list[HistoryRow]:
    """Every recorded event of the candidate, its goals and meetings, in position order.

    With `as_of`, only events that occurred at or before that instant.
    """
    e = _tables(r).event.c
    columns = (e.position, e.event_id, e.aggregate, e.aggregate_id, e.version, e.type)
    rows = r.conn.execute(
        _history_statement(r, cid, as_of, *columns, e.occurred_at, e.detail, e.hash, e.prev_hash)
    ).all()
    items: list[HistoryRow] = []
    for position, event_id, aggregate, aggregate_id, version, type_, at, detail, h, prev in rows:
        described = json.loads(detail)
        item: HistoryRow = {
            "position": position,
            "event_id": event_id,
            "aggregate": aggregate,
            "aggregate_id": aggregate_id,
            "version": version,
            "type": type_,
            "actor": described["actor"],
            "occurred_at": at,
            "data": described["data"],
            "hash": h,
            "prev_hash": prev,
        }
        if "repaired" in described:  # first, as the view stored it
            item = {"repaired": described["repaired"], **item}
        items.append(item)
    return items


HISTORY_ITEM = (
    '{"position":%d,"event_id":%s,"aggregate":%s,"aggregate_id":%s,"version":%d,'
    '"type":%s,%s,"hash":%s,"prev_hash":%s}'
)


def history_json(r: ReadTx, cid: UUID, as_of: datetime | None = None) -> tuple[int, str]:
    """`list_history` as the API serves it: the count and the JSON array text.

    Assembled from the stored `detail` text and the columns (strings escaped as JSON),
    so a long history costs about a raw select of its rows.
    """
    e = _tables(r).event.c
    columns = (e.position, e.event_id, e.aggregate, e.aggregate_id, e.version, e.type)
    statement = _history_statement(r, cid, as_of, *columns, e.detail, e.hash, e.prev_hash)
    rows = r.conn.execute(statement).all()
    q = encode_basestring
    items = [
        HISTORY_ITEM % (p, q(ev), q(agg), q(aid), v, q(kind), detail[1:-1], q(h), q(prev))
        for p, ev, agg, aid, v, kind, detail, h, prev in rows
    ]
    return len(items), f"[{','.join(items)}]"


def versions_as_of(r: ReadTx, cid: UUID, as_of: datetime) -> dict[UUID, int]:
    """Per aggregate of the candidate: the highest version that occurred at or before `as_of`."""
    t = _tables(r)
    e = t.event.c
    rows = r.conn.execute(
        select(e.aggregate_id, func.max(e.version))
        .where(e.candidate_id == str(cid), e.occurred_at <= as_of)
        .group_by(e.aggregate_id)
    ).all()
    return {UUID(aggregate_id): int(version) for aggregate_id, version in rows}


def iter_recorded_links(
    r: ReadTx, cid: UUID | None = None, upto: int | None = None
) -> Iterator[RecordedLink]:
    """The recorded chain links in position order (one candidate's, or all), streamed."""
    t = _tables(r)
    e = t.event.c
    statement = select(e.position, e.candidate_id, e.hash)
    if cid is not None:
        statement = statement.where(e.candidate_id == str(cid))
    if upto is not None:
        statement = statement.where(e.position <= upto)
    statement = statement.order_by(e.position).execution_options(**STREAM)
    for position, candidate_id, digest in r.conn.execute(statement):
        yield RecordedLink(int(position), UUID(candidate_id), digest)


def feed_page(r: ReadTx, after: int, limit: int) -> list[FeedRow]:
    """Up to `limit` recorded events after position `after`, with their candidate (R23)."""
    t = _tables(r)
    e, c = t.event.c, t.candidate.c
    rows = r.conn.execute(
        select(t.event, c.sub.label("candidate_sub"), c.hpr_number)
        .select_from(t.event.outerjoin(t.candidate, c.candidate_id == e.candidate_id))
        .where(e.position > after)
        .order_by(e.position)
        .limit(limit)
    ).all()
    return [
        {
            "position": row.position,
            "event_id": row.event_id,
            "type": row.type,
            "aggregate": row.aggregate,
            "aggregate_id": row.aggregate_id,
            "version": row.version,
            "occurred_at": row.occurred_at,
            "actor": _actor(row),
            "candidate": {
                "candidate_id": row.candidate_id,
                "hpr_number": row.hpr_number,
                "sub": row.candidate_sub,
            },
            "data": json.loads(row.detail)["data"],
            "schema": row.schema,
            "goal_code": row.goal_code if row.aggregate == "LearningGoal" else None,
        }
        for row in rows
    ]
