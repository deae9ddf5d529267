"""Rebuilding a view from position 0 while queries keep being served (ADR 0004).

1. Create the next generation's tables (dropping leftovers of a crashed rebuild).
2. Fill them from the store in batches, with a progress bar.
3. Swap, in one write transaction: keep new readers out and wait for running ones
   (PostgreSQL: the exclusive side of the readers' advisory lock; SQLite: readers
   keep their WAL snapshot), lock the tracking row (the follower waits), apply the
   events that arrived meanwhile, point the row at the new generation and
   position, drop the old generation. A reader sees the old view or the new one,
   never a half-built one; the follower notices the moved row and carries on.

Run one rebuild of a view at a time (a second one would drop the first's tables).
"""

from __future__ import annotations

from typing import Any

from tqdm import tqdm

from projections import tracking
from projections.applying import apply_batch
from projections.base import ViewProjection
from projections.db import ViewDatabase
from projections.follower import utc_now
from projections.schema import ViewSchema
from projections.store import StoreReader


def rebuild_view(
    view: ViewProjection[Any],
    *,
    db: ViewDatabase,
    schema: ViewSchema,
    reader: StoreReader,
    batch_size: int = 500,
    progress: bool = False,
    bar_position: int = 0,
) -> int:
    """Rebuild one view into a new generation and swap it in; returns its position."""
    name = view.name
    with db.write() as conn:
        db.lock_schema(conn)
        old = tracking.ensure(conn, name)
        new = old.generation + 1
        schema.drop(conn, name, new)
        schema.create(conn, name, new)
    tables = schema.tables(name, new)
    position = 0
    with tqdm(
        total=reader.max_position(),
        disable=not progress,
        desc=f"{name:<10}",
        unit="event",
        position=bar_position,
        leave=True,
    ) as bar:
        while batch := reader.read(position, batch_size):
            with db.write() as conn:
                apply_batch(view, conn, tables, batch, reader)
            bar.update(batch[-1].id - position)
            position = batch[-1].id
        with db.write() as conn:
            db.lock_out_readers(conn)
            live = tracking.lock(conn, name)
            if live.generation != old.generation:
                raise RuntimeError(f"view {name!r} was swapped by another rebuild meanwhile")
            while batch := reader.read(position, batch_size):
                apply_batch(view, conn, tables, batch, reader)
                bar.update(batch[-1].id - position)
                position = batch[-1].id
            tracking.advance(conn, name, generation=new, position=position, now=utc_now())
            schema.drop(conn, name, old.generation)
    return position
