"""Rebuilding views from position 0 while queries keep being served (ADR 0004).

1. Create each view's next generation of tables (dropping leftovers of a crashed
   rebuild), without their secondary indexes.
2. Fill them in one pass over the store, in large batches: each batch is read and
   decoded once for all the views being rebuilt, and each view's rows are written
   at the end of the batch (`apply_batch`). Nothing reads these tables yet, so one
   transaction per batch suffices; memory is bounded by the batch size.
   With `workers=2` a rebuild of several views runs them in two groups: this
   process reads each batch, hands it to one forked worker process (a pipe, so at
   most a batch or two in flight) and applies its own group meanwhile; the worker
   applies the other group, in its own connection and transactions (`_Worker`).
   Two cores then share the handlers' Python, which is nearly all of a rebuild's
   CPU. Both groups end at the same position (this process reads every batch).
   SQLite has one writer at a time, so there the worker fills its tables in a file
   of its own, which is copied into the views database at the end (one
   `INSERT ... SELECT` per table, rowids included).
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

import contextlib
import multiprocessing
import os
from collections.abc import Sequence
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Notification
from sqlalchemy import Connection, MetaData
from sqlalchemy.schema import CreateTable
from tqdm import tqdm

from projections.engine import tracking
from projections.engine.applying import DecodedBatch, EventFailedError, apply_batch
from projections.engine.base import ViewProjection
from projections.engine.db import ViewDatabase
from projections.engine.follower import utc_now
from projections.engine.schema import ViewSchema
from projections.engine.store import StoreReader

REBUILD_BATCH_SIZE = 5000
# a view's share of a rebuild's CPU, measured (scripts/bench/rebuild.py; unknown: 5)
VIEW_COST = {
    "audit": 47,
    "goals": 12,
    "progress": 10,
    "inbox": 6,
    "meetings": 4,
    "leader": 3,
    "candidates": 1,
    # not measured yet; each handles a few kinds of candidate and meeting events only
    "finder": 1,
    "profile": 1,
    "mentor": 1,
}


def rebuild_views(
    views: Sequence[ViewProjection[Any]],
    *,
    db: ViewDatabase,
    schema: ViewSchema,
    reader: StoreReader,
    batch_size: int = REBUILD_BATCH_SIZE,
    progress: bool = False,
    workers: int = 1,
) -> dict[str, int]:
    """Rebuild views into new generations and swap them in; returns their positions.

    `workers`: processes that fill the new tables, 1 or 2 (`kompetanse projections
    rebuild --processes 2`). Two pay on a machine with a core to spare: the second
    costs about a fifth more CPU in all (both decode every event, batches cross a
    pipe), and on a busy machine two were slower than one.
    """
    names = [view.name for view in views]
    label = names[0] if len(names) == 1 else "views"
    rebuild = _Rebuild(views, db, schema, reader, batch_size)
    with tqdm(
        total=reader.max_position(),
        disable=not progress,
        desc=f"rebuild {label:<10}",
        unit="event",
        leave=True,
    ) as bar:
        position = rebuild.fill(split_views(views, workers), bar)
        rebuild.index()
        position = rebuild.swap_in(position, bar)
    return dict.fromkeys(names, position)


class _Rebuild:
    """The steps of `rebuild_views` (the module's docstring) for one set of views."""

    def __init__(
        self,
        views: Sequence[ViewProjection[Any]],
        db: ViewDatabase,
        schema: ViewSchema,
        reader: StoreReader,
        batch_size: int,
    ) -> None:
        self.views, self.db, self.schema, self.reader = views, db, schema, reader
        self.batch_size = batch_size
        self.names = [view.name for view in views]
        with db.write() as conn:  # 1. the next generations, without secondary indexes
            db.lock_schema(conn)
            self.old = {name: tracking.ensure(conn, name).generation for name in self.names}
            self.new = {name: generation + 1 for name, generation in self.old.items()}
            for name in self.names:
                schema.drop(conn, name, self.new[name])
                schema.create_bare(conn, name, self.new[name])
        self.tables = {name: schema.tables(name, self.new[name]) for name in self.names}

    def apply(
        self, conn: Connection, batch: DecodedBatch, group: Sequence[ViewProjection[Any]]
    ) -> None:
        for view in group:
            apply_batch(view, conn, self.tables[view.name], batch, bulk=True)

    def fill(self, groups: list[list[ViewProjection[Any]]], bar: tqdm[Any]) -> int:
        """2. One pass over the store, the second group (if any) in a forked worker;
        returns the position reached."""
        position, worker = 0, None
        if len(groups) > 1:
            metadata = [self.schema.metadata(view.name, self.new[view.name]) for view in groups[1]]
            worker = _Worker(groups[1], self.tables, metadata, self.db, self.reader)
        try:
            while notifications := self.reader.read(position, self.batch_size):
                if worker is not None:
                    worker.send(notifications)
                with self.db.write() as conn:
                    self.apply(conn, DecodedBatch(self.reader, notifications), groups[0])
                bar.update(notifications[-1].id - position)
                position = notifications[-1].id
            if worker is not None:
                worker.finish()
                worker.collect(self.db)
        finally:
            if worker is not None:
                worker.stop()
        return position

    def index(self) -> None:
        """3. Secondary indexes and the planner's statistics."""
        with self.db.write() as conn:
            for name in self.names:
                self.schema.create_indexes(conn, name, self.new[name])
                self.schema.analyze(conn, name, self.new[name])

    def swap_in(self, position: int, bar: tqdm[Any]) -> int:
        """4. Readers and follower held off, the events since `position` applied, the new
        generations put in place of the old ones; returns the views' position."""
        with self.db.write() as conn:
            self.db.lock_out_readers(conn)
            for name in sorted(self.names):  # in name order, as the follower locks them
                if tracking.lock(conn, name).generation != self.old[name]:
                    raise RuntimeError(f"view {name!r} was swapped by another rebuild meanwhile")
            while notifications := self.reader.read(position, self.batch_size):
                self.apply(conn, DecodedBatch(self.reader, notifications), self.views)
                bar.update(notifications[-1].id - position)
                position = notifications[-1].id
            for name in self.names:
                tracking.advance(
                    conn,
                    name,
                    generation=self.new[name],
                    position=position,
                    now=utc_now(),
                    shape=self.schema.shape(name),
                )
                self.schema.drop(conn, name, self.old[name])
        return position


def split_views(
    views: Sequence[ViewProjection[Any]], groups: int
) -> list[list[ViewProjection[Any]]]:
    """The views in at most `groups` groups of about equal cost (each in `views` order);
    the first group is the one with the least cost (its process also reads the store)."""
    if groups <= 1 or len(views) <= 1:
        return [list(views)]
    cost = {view.name: VIEW_COST.get(view.name, 5) for view in views}
    loads: list[tuple[int, list[str]]] = [(0, []) for _ in range(min(groups, len(views)))]
    for name in sorted(cost, key=lambda name: -cost[name]):
        load, members = min(loads, key=lambda found: found[0])
        loads[loads.index((load, members))] = (load + cost[name], [*members, name])
    loads.sort(key=lambda found: found[0])
    return [[view for view in views if view.name in members] for _load, members in loads]


class RebuildWorkerError(RuntimeError):
    """A rebuild's worker process failed (not on an event: then `EventFailedError`)."""


class _Worker:
    """A forked process applying the batches it is sent to its group of views.

    It shares nothing with this process but what `fork` copied: it opens its own
    connection to the views database and never touches the store (it is sent the
    notifications; decoding needs no connection). The pipe holds at most one batch,
    so memory stays bounded. An error is sent back and raised here, an
    `EventFailedError` still naming the view and the event.
    """

    def __init__(
        self,
        views: Sequence[ViewProjection[Any]],
        tables: dict[str, Any],
        metadata: Sequence[MetaData],
        db: ViewDatabase,
        reader: StoreReader,
    ) -> None:
        self._metadata = metadata
        url, self._scratch = db.url, None
        if db.is_sqlite:  # its own file (SQLite has one writer at a time), copied at the end
            self._scratch = Path(f"{db.url.split('///', 1)[1]}-rebuild-worker")
            _remove_database(self._scratch)
            url = f"sqlite:///{self._scratch}"
        context = multiprocessing.get_context("fork")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(
            target=_work,
            args=(theirs, list(views), tables, metadata if self._scratch else (), url, reader),
            name="rebuild-worker",
            daemon=True,
        )
        self._process.start()
        theirs.close()

    def send(self, notifications: Sequence[Notification]) -> None:
        try:
            self._pipe.send(list(notifications))
        except (BrokenPipeError, ConnectionResetError):
            self._raise_reported()
            raise

    def finish(self) -> None:
        """Wait until the worker has applied every batch sent; raise what it failed on."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._pipe.send(None)  # when it broke, the worker has reported why
        self._raise_reported()

    def _raise_reported(self) -> None:
        try:
            report = self._pipe.recv()
        except EOFError:
            code = self._process.exitcode
            raise RebuildWorkerError(
                f"the rebuild worker ended without a report ({code})"
            ) from None
        if report is None:
            return
        kind, args = report
        if kind == "event":
            view, notification, error_type, text = args
            raise EventFailedError(
                view, notification, RebuildWorkerError(text), error_type=error_type
            )
        raise RebuildWorkerError(f"the rebuild worker failed: {args}")

    def collect(self, db: ViewDatabase) -> None:
        """SQLite: copy the worker's tables from its file into the views database (rowids
        too, so the rows are exactly those a rebuild in one process writes)."""
        if self._scratch is None:
            return
        raw = db.writer.raw_connection()
        try:
            sqlite = raw.driver_connection
            assert sqlite is not None
            sqlite.execute("ATTACH DATABASE ? AS worker", (str(self._scratch),))
            try:
                sqlite.execute("BEGIN IMMEDIATE")
                quote = db.writer.dialect.identifier_preparer.quote
                for md in self._metadata:
                    for tbl in md.sorted_tables:
                        columns = ", ".join(["rowid", *(quote(c.name) for c in tbl.columns)])
                        name = quote(tbl.name)
                        sqlite.execute(
                            f"INSERT INTO main.{name} ({columns}) "
                            f"SELECT {columns} FROM worker.{name} ORDER BY rowid"
                        )
                sqlite.execute("COMMIT")
            except BaseException:
                sqlite.execute("ROLLBACK")
                raise
            finally:
                sqlite.execute("DETACH DATABASE worker")
        finally:
            raw.close()

    def stop(self) -> None:
        self._pipe.close()
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        if self._scratch is not None:
            _remove_database(self._scratch)


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _work(
    pipe: Pipe,
    views: list[ViewProjection[Any]],
    tables: dict[str, Any],
    create: Sequence[MetaData],
    url: str,
    reader: StoreReader,
) -> None:
    """The worker process: apply each batch received, report None or the error."""
    report: Any = None
    try:
        db = ViewDatabase(url)  # its own engine: the copied ones belong to the parent
        with db.write() as conn:
            for md in create:  # its own SQLite file: the tables without their indexes
                for tbl in md.sorted_tables:
                    conn.execute(CreateTable(tbl))
        while (notifications := pipe.recv()) is not None:
            batch = DecodedBatch(reader, notifications)
            with db.write() as conn:
                for view in views:
                    apply_batch(view, conn, tables[view.name], batch, bulk=True)
        db.dispose()
    except EventFailedError as failed:
        error = failed.error
        report = ("event", (failed.view, failed.notification, type(error).__name__, str(error)))
    except BaseException as error:  # reported to the parent, which raises it
        report = ("error", f"{type(error).__name__}: {error}")
    try:
        pipe.send(report)
    finally:
        pipe.close()
        # no clean-up of what fork copied: the parent's connections are the parent's
        os._exit(0)
