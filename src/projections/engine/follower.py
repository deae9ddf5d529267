"""The follower: read a batch from the store, apply it to each view exactly once (ADR 0004).

A batch is one transaction for all the views at the same position (the usual case):
lock their tracking rows, check that each generation and position is what we applied
last, write every view's rows, write the new positions, commit. A crash anywhere
before the commit loses nothing and doubles nothing. When that shared transaction
cannot be used (views at different positions, a row moved by someone else) or fails
for any reason but a lost database, the batch is applied view by view instead, each
in a transaction of its own, which isolates the failing view: the others go on.

A view that fails on an event stops (this process will not apply more to it),
logs the view and the event's position, and records why (`StoppedAt`: the event's
position and type and the error's class, never SQL or values); the event is never
skipped. Events before it in the batch are applied first. A stopped view resumes when
its recorded error is cleared (`kompetanse projections repair|resume`, ADR 0019): the
follower looks for that about once a second, reads the declared repairs again, and
tries the event anew.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from projections.engine import tracking
from projections.engine.applying import DecodedBatch, EventFailedError, apply_batch, is_transient
from projections.engine.base import ViewProjection
from projections.engine.db import ViewDatabase
from projections.engine.schema import ViewSchema
from projections.engine.stopped import StoppedAt, error_class
from projections.engine.store import StoreReader

log = logging.getLogger("projections")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ViewState:
    view: ViewProjection[Any]
    generation: int
    position: int
    error: str | None = None  # why it stopped, for people (no SQL, no values)
    stopped: StoppedAt | None = None


class _MovedError(Exception):
    def __init__(self, row: tracking.TrackingRow) -> None:
        self.row = row


class Follower:
    """Applies the store's events to every view; `step()` does one batch."""

    def __init__(
        self, db: ViewDatabase, schema: ViewSchema, reader: StoreReader, batch_size: int = 500
    ) -> None:
        self.db, self.schema, self.reader = db, schema, reader
        self.batch_size = batch_size
        self.before_commit: Callable[[str, int], None] | None = None  # a test hook
        self.advanced = threading.Condition()
        self._lock = threading.RLock()
        self.resume_check_interval = 1.0
        self._next_resume_check = 0.0
        self._repairs_read = False  # the declared repairs are read before the first step
        with db.read() as conn:
            rows = tracking.read_all(conn)
        self.states = {
            name: ViewState(view, rows[name].generation, rows[name].position)
            for name, view in schema.views.items()
        }
        # PostgreSQL: the views' transactions of a batch run side by side (each waits
        # on round trips, not on the others); SQLite has one writer at a time anyway.
        self._pool = (
            None
            if db.is_sqlite
            else ThreadPoolExecutor(len(schema.views), thread_name_prefix="projection")
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def live(self) -> list[ViewState]:
        return [state for state in self.states.values() if state.error is None]

    def step(self) -> int:
        """Apply the next batch to every live view; returns how many events were read.

        Views at the same position (the usual case) share one read of the store; a view
        that is far behind (new, or rebuilt elsewhere) does not hold the others back.
        """
        with self._lock:
            if not self._repairs_read:
                self.reader.refresh_repairs()
                self._repairs_read = True
            self._resume_cleared()
            groups: dict[int, list[ViewState]] = {}
            for state in self.live():
                groups.setdefault(state.position, []).append(state)
            work: list[tuple[ViewState, DecodedBatch]] = []
            read = 0
            for position, states in groups.items():
                notifications = self.reader.read(position, self.batch_size)
                read = max(read, len(notifications))
                if notifications:
                    batch = DecodedBatch(self.reader, notifications)
                    work.extend((state, batch) for state in states)
            if len(groups) == 1 and len(work) > 1 and self._apply_together(work):
                work = []
            if self._pool is None or len(work) < 2:
                for state, batch in work:
                    self._apply(state, batch)
            else:
                futures = [self._pool.submit(self._apply, s, batch) for s, batch in work]
                wait(futures)
                for future in futures:
                    future.result()  # re-raises a lost connection: the runner retries
            if read:
                with self.advanced:
                    self.advanced.notify_all()
            return read

    def _resume_cleared(self) -> None:
        """Resume the stopped views whose recorded error was cleared (an operator's repair)."""
        stopped = [state for state in self.states.values() if state.error is not None]
        if not stopped or time.monotonic() < self._next_resume_check:
            return
        self._next_resume_check = time.monotonic() + self.resume_check_interval
        with self.db.read() as conn:
            rows = tracking.read_all(conn)
        cleared = [state for state in stopped if rows[state.view.name].error is None]
        if not cleared:
            return
        self.reader.refresh_repairs()
        for state in cleared:
            row = rows[state.view.name]
            state.generation, state.position = row.generation, row.position
            state.error = state.stopped = None
            log.info("projection %s resumed at position %d", row.name, row.position)

    def beat(self) -> None:
        """Stamp the live views' heartbeat (status reads it from any process)."""
        names = [state.view.name for state in self.live()]
        if names:
            with self.db.write() as conn:
                tracking.beat(conn, names, utc_now())

    def _apply_together(self, work: list[tuple[ViewState, DecodedBatch]]) -> bool:
        """Apply one batch to several views in one transaction; False: nothing applied.

        One lock, one position update and one commit for all the views instead of one
        each: a step of one event costs about half the CPU (`scripts/bench/follower.py`).
        """
        batch = work[0][1]
        states = {state.view.name: state for state, _ in work}
        position = batch.notifications[-1].id
        try:
            with self.db.write() as conn:
                rows = tracking.lock_many(conn, sorted(states))
                for name, state in states.items():
                    row = rows[name]
                    if (row.generation, row.position) != (state.generation, state.position):
                        raise _MovedError(row)
                for name, state in states.items():
                    tables = self.schema.tables(name, state.generation)
                    apply_batch(state.view, conn, tables, batch, isolated=False)
                positions = {name: (s.generation, position) for name, s in states.items()}
                tracking.advance_many(conn, positions, now=utc_now())
                if self.before_commit is not None:
                    for name in states:
                        self.before_commit(name, position)
        except _MovedError:
            return False  # view by view: each one notices its moved row
        except Exception as error:
            if is_transient(error):
                raise  # the views database is unreachable: the runner retries
            log.info("batch applied view by view after a %s", type(error).__name__)
            return False  # view by view: the failing view stops, the others go on
        for state in states.values():
            state.position = position
        return True

    def _apply(self, state: ViewState, todo: DecodedBatch) -> None:
        name = state.view.name
        locked = False
        try:
            with self.db.write() as conn:
                row = tracking.lock(conn, name)
                locked = True
                if (row.generation, row.position) != (state.generation, state.position):
                    raise _MovedError(row)
                tables = self.schema.tables(name, row.generation)
                apply_batch(state.view, conn, tables, todo)
                position = todo.notifications[-1].id
                tracking.advance(
                    conn, name, generation=row.generation, position=position, now=utc_now()
                )
                if self.before_commit is not None:
                    self.before_commit(name, position)
        except _MovedError as moved:
            log.info(
                "view %r was moved to position %d elsewhere; resuming there",
                name,
                moved.row.position,
            )
            state.generation, state.position = moved.row.generation, moved.row.position
            return
        except Exception as error:
            if not locked or is_transient(error):
                raise  # the views database is unreachable or busy: the runner retries
            self._stop_view(state, todo, error)
            return
        state.position = position

    def _stop_view(self, state: ViewState, todo: DecodedBatch, error: Exception) -> None:
        name = state.view.name
        if isinstance(error, EventFailedError):
            before = todo.before(error.notification.id)
            if before.notifications:
                self._apply(state, before)
            failing = error.notification
            stopped = StoppedAt.of_topic(failing.id, failing.topic, error.error)
        else:  # the batch's commit failed: the event is not known
            stopped = StoppedAt(None, None, error_class(error))
        message = stopped.message(name)
        log.error(
            "projection %s stopped at position %d and will not skip the event: %s",
            name,
            state.position,
            message,
            exc_info=error,  # the log (operators only) has the database's own words
        )
        state.error, state.stopped = message, stopped
        try:
            with self.db.write() as conn:
                tracking.record_error(conn, name, stopped.to_json())
        except Exception:  # the log line above already says what failed
            log.exception("could not record the error of view %r", name)
