"""Where the sync job keeps its feed position and what waits: the target's database (ADR 0012).

One `sync_positions` row per source feed (keyed by the source's base URL). The job saves
after each approval it posted and at the end of each page, so a crash repeats at most the
approval in flight, and the target refuses a repeated `source_event_id`.

`sync_waiting` holds the approvals the target could not take yet (it answered 404: the
person or the goal is not there yet) and those it refused (409/422), one row per source
event. A row is written or removed in the same transaction as the position it belongs to,
so after a crash an approval is either past the position and waiting, or still ahead of
the position: never lost. Applying is idempotent at the target, so a retry after a crash
between "applied" and "removed" applies nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    Select,
    String,
    Text,
    create_engine,
    select,
)
from sqlalchemy.engine import Connection, Engine

from projections.views.columns import Tables

metadata = MetaData()

# each column's type (the columns are NOT NULL; the first `key` make the primary key)
SYNC_TYPES: dict[str, Any] = {
    "source": String(500),
    "source_event_id": String(200),
    "goal_code": String(100),
    "body": Text,  # the JSON posted to the target
    "status": String(20),  # waiting | refused
    "reason": String(100),
    "detail": String(500),
    **dict.fromkeys(("position", "source_position"), BigInteger),
    **dict.fromkeys(("updated_at", "first_seen_at", "last_tried_at"), DateTime(timezone=True)),
    "tries": Integer,
}
table = Tables(metadata, None, SYNC_TYPES)
sync_positions = table("sync_positions", "source position updated_at")
sync_waiting = table("sync_waiting", (
    "source source_event_id source_position goal_code body status reason detail"
    " first_seen_at last_tried_at tries"
), key=2)  # fmt: skip

WAITING, REFUSED = "waiting", "refused"


@dataclass(frozen=True)
class Waiting:
    """An approval the target did not take (yet), and why."""

    source: str
    source_event_id: str
    source_position: int
    goal_code: str
    body: str
    status: str
    reason: str
    detail: str
    first_seen_at: datetime
    last_tried_at: datetime
    tries: int


class SyncPositionStore:
    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        metadata.create_all(self.engine)

    def load(self, source: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(sync_positions.c.position).where(sync_positions.c.source == source)
            ).scalar()
        return int(value or 0)

    def save(
        self,
        source: str,
        position: int,
        *,
        keep: Waiting | None = None,
        settled: str | None = None,
    ) -> None:
        """Move the position; in the same transaction keep an approval that waits (or was
        refused), or forget one that is now `settled` (applied, or already there)."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            updated = conn.execute(
                sync_positions.update()
                .where(sync_positions.c.source == source)
                .values(position=position, updated_at=now)
            ).rowcount
            if not updated:
                conn.execute(
                    sync_positions.insert().values(source=source, position=position, updated_at=now)
                )
            if keep is not None:
                _keep(conn, keep)
            if settled is not None:
                _forget(conn, source, settled)

    def keep(self, waiting: Waiting) -> None:
        """After a retry: still waiting (tried once more), or refused now."""
        with self.engine.begin() as conn:
            _keep(conn, waiting)

    def settle(self, source: str, source_event_id: str) -> None:
        """After a retry the target took it (or already had it): it waits no more."""
        with self.engine.begin() as conn:
            _forget(conn, source, source_event_id)

    def waiting(self, source: str, limit: int) -> list[Waiting]:
        """Those to retry, the longest untried first (so a bounded batch rotates)."""
        query = (
            select(sync_waiting)
            .where(sync_waiting.c.source == source, sync_waiting.c.status == WAITING)
            .order_by(sync_waiting.c.last_tried_at, sync_waiting.c.source_position)
            .limit(limit)
        )
        return self._rows(query)

    def listing(self, source: str | None = None) -> list[Waiting]:
        """Everything that waits or was refused, by source and feed position."""
        query = select(sync_waiting).order_by(sync_waiting.c.source, sync_waiting.c.source_position)
        if source is not None:
            query = query.where(sync_waiting.c.source == source)
        return self._rows(query)

    def _rows(self, query: Select[Any]) -> list[Waiting]:
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Waiting(
                **{
                    **row,
                    "first_seen_at": _utc(row["first_seen_at"]),
                    "last_tried_at": _utc(row["last_tried_at"]),
                }
            )
            for row in rows
        ]

    def close(self) -> None:
        self.engine.dispose()


def _utc(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _keep(conn: Connection, waiting: Waiting) -> None:
    key = (sync_waiting.c.source == waiting.source) & (
        sync_waiting.c.source_event_id == waiting.source_event_id
    )
    first = conn.execute(select(sync_waiting.c.first_seen_at, sync_waiting.c.tries).where(key))
    row = first.first()
    values = {
        "source_position": waiting.source_position,
        "goal_code": waiting.goal_code[:100],
        "body": waiting.body,
        "status": waiting.status,
        "reason": waiting.reason[:100],
        "detail": waiting.detail[:500],
        "last_tried_at": waiting.last_tried_at,
    }
    if row is None:
        conn.execute(
            sync_waiting.insert().values(
                source=waiting.source,
                source_event_id=waiting.source_event_id,
                first_seen_at=waiting.first_seen_at,
                tries=1,
                **values,
            )
        )
    else:
        conn.execute(sync_waiting.update().where(key).values(tries=row.tries + 1, **values))


def _forget(conn: Connection, source: str, source_event_id: str) -> None:
    conn.execute(
        sync_waiting.delete().where(
            (sync_waiting.c.source == source) & (sync_waiting.c.source_event_id == source_event_id)
        )
    )
