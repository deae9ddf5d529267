"""Where the sync job keeps its feed position: the target portal's database (ADR 0012).

One row per source feed (keyed by the source's base URL). The job saves after each
approval it posted and at the end of each page, so a crash repeats at most the approval
in flight, and the target refuses a repeated `source_event_id`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, create_engine, select
from sqlalchemy.engine import Engine

metadata = MetaData()

sync_positions = Table(
    "sync_positions",
    metadata,
    Column("source", String(500), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


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

    def save(self, source: str, position: int) -> None:
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

    def close(self) -> None:
        self.engine.dispose()
