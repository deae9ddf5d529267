"""Rebuilding views from position 0 while queries keep being served (ADR 0004).

1. Create each view's next generation of tables (dropping leftovers of a crashed
   rebuild), without their secondary indexes.
2. Fill them in one pass over the store, in large batches: each batch is read and
   decoded once for all the views being rebuilt, and each view's rows are written
   at the end of the batch (`apply_batch`). Nothing reads these tables yet, so one
   transaction per batch suffices; memory is bounded by the batch size.
3. Create the secondary indexes (PostgreSQL: and gather the planner's statistics).
4. Swap, in one write transaction: keep new readers out and wait for running ones
   (PostgreSQL: the exclusive side of the readers' advisory lock; SQLite: readers
   keep their WAL snapshot), lock the tracking rows (the follower waits), apply the
   events that arrived meanwhile, point the rows at the new generations and
   positions, drop the old generations. A reader sees the old view or the new one,
   never a half-built one; the follower notices the moved row and carries on.

Run one rebuild of a view at a time (a second one would drop the first's tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from tqdm import tqdm

from projections import tracking
from projections.applying import DecodedBatch, apply_batch
from projections.base import ViewProjection
from projections.db import ViewDatabase
from projections.follower import utc_now
from projections.schema import ViewSchema
from projections.store import StoreReader

REBUILD_BATCH_SIZE = 5000


def rebuild_views(
    views: Sequence[ViewProjection[Any]],
    *,
    db: ViewDatabase,
    schema: ViewSchema,
    reader: StoreReader,
    batch_size: int = REBUILD_BATCH_SIZE,
    progress: bool = False,
) -> dict[str, int]:
    """Rebuild views into new generations and swap them in; returns their positions."""
    names = [view.name for view in views]
    with db.write() as conn:
        db.lock_schema(conn)
        old = {name: tracking.ensure(conn, name).generation for name in names}
        new = {name: generation + 1 for name, generation in old.items()}
        for name in names:
            schema.drop(conn, name, new[name])
            schema.create_bare(conn, name, new[name])
    tables = {name: schema.tables(name, new[name]) for name in names}

    def apply(conn: Connection, batch: DecodedBatch) -> None:
        for view in views:
            apply_batch(view, conn, tables[view.name], batch)

    position = 0
    label = names[0] if len(names) == 1 else "views"
    with tqdm(
        total=reader.max_position(),
        disable=not progress,
        desc=f"rebuild {label:<10}",
        unit="event",
        leave=True,
    ) as bar:
        while notifications := reader.read(position, batch_size):
            with db.write() as conn:
                apply(conn, DecodedBatch(reader, notifications))
            bar.update(notifications[-1].id - position)
            position = notifications[-1].id
        with db.write() as conn:
            for name in names:
                schema.create_indexes(conn, name, new[name])
                schema.analyze(conn, name, new[name])
        with db.write() as conn:
            db.lock_out_readers(conn)
            for name in names:
                if tracking.lock(conn, name).generation != old[name]:
                    raise RuntimeError(f"view {name!r} was swapped by another rebuild meanwhile")
            while notifications := reader.read(position, batch_size):
                apply(conn, DecodedBatch(reader, notifications))
                bar.update(notifications[-1].id - position)
                position = notifications[-1].id
            for name in names:
                tracking.advance(
                    conn,
                    name,
                    generation=new[name],
                    position=position,
                    now=utc_now(),
                    shape=schema.shape(name),
                )
                schema.drop(conn, name, old[name])
    return dict.fromkeys(names, position)


def rebuild_view(
    view: ViewProjection[Any],
    *,
    db: ViewDatabase,
    schema: ViewSchema,
    reader: StoreReader,
    batch_size: int = REBUILD_BATCH_SIZE,
    progress: bool = False,
) -> int:
    """Rebuild one view into a new generation and swap it in; returns its position."""
    positions = rebuild_views(
        [view], db=db, schema=schema, reader=reader, batch_size=batch_size, progress=progress
    )
    return positions[view.name]
