"""`ProjectionService`: follow the store, answer queries, report status, rebuild (ADR 0004).

One per process, wired by `kompetanse.bootstrap`:

    service = ProjectionService(application, views_database_url(database_url))
    service.start()            # background follower (unless KOMPETANSE_PROJECTIONS=external)
    service.queries.get_goal(cid, "ALM-001")
    service.wait_for(position, timeout=5.0)   # read-your-writes (X-Min-Position)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from kompetanse_domain.application import KompetanseApplication
from projections.engine import tracking
from projections.engine.base import ViewProjection
from projections.engine.db import ViewDatabase
from projections.engine.follower import Follower, utc_now
from projections.engine.rebuild import REBUILD_BATCH_SIZE, rebuild_views
from projections.engine.runner import Runner
from projections.engine.schema import ViewSchema
from projections.engine.status import ProjectionStatus, view_status
from projections.engine.stopped import StoppedAt
from projections.engine.store import StoreReader
from projections.queries import Queries
from projections.queries.port import ReadPort
from projections.queries.read import following_position
from projections.views import all_views

HEARTBEAT_TIMEOUT = 10.0


class StaleViewsError(RuntimeError):
    """Views whose tables an older release built: they must be rebuilt before use."""

    def __init__(self, names: list[str]) -> None:
        listed = ", ".join(names)
        super().__init__(
            f"the views {listed} were built by a release with other tables; rebuild them "
            f"before serving: `kompetanse projections rebuild` (one view: `... rebuild NAME`)"
        )
        self.names = names


class ProjectionService:
    def __init__(
        self,
        application: KompetanseApplication,
        views_url: str,
        *,
        views: Sequence[ViewProjection[Any]] | None = None,
        batch_size: int = 1000,
        rebuild_batch_size: int = REBUILD_BATCH_SIZE,
        idle_sleep: float = 0.1,
        heartbeat_timeout: float = HEARTBEAT_TIMEOUT,
    ) -> None:
        self.application = application
        self.db = ViewDatabase(views_url)
        self.schema = ViewSchema(views if views is not None else all_views())
        self.reader = StoreReader(application)
        with self.db.write() as conn:
            self.db.lock_schema(conn)
            self.stale = set(self.schema.install(conn))
        self.follower = Follower(self.db, self.schema, self.reader, batch_size)
        self.rebuild_batch_size = rebuild_batch_size
        self.queries: ReadPort = Queries(self.db, self.schema, application.catalogue)
        self.heartbeat_timeout = heartbeat_timeout
        self.runner = Runner(self.follower, idle_sleep=idle_sleep)
        self._started = False

    @property
    def batch_size(self) -> int:
        return self.follower.batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        """The batch size of the follower and of rebuilds alike (tests make them small)."""
        self.follower.batch_size = value
        self.rebuild_batch_size = value

    def check_not_stale(self) -> None:
        """Refuse to follow or serve views an older release built (`StaleViewsError`)."""
        if self.stale:
            raise StaleViewsError(sorted(self.stale))

    def start(self) -> None:
        """Follow the store in a background thread."""
        self.check_not_stale()
        self._started = True
        self.runner.start()

    def run(self) -> None:
        """Follow the store in this thread until `stop()` (`kompetanse projections run`)."""
        self.check_not_stale()
        self._started = True
        self.runner.run()

    def stop(self) -> None:
        self.runner.stop()

    def close(self) -> None:
        self.stop()
        self.follower.close()
        self.db.dispose()

    def notify(self) -> None:
        """Something was written in this process: look for it now rather than after a nap."""
        self.runner.wake.set()

    def catch_up(self) -> int:
        """Apply everything pending, in this thread; returns how many events were read."""
        self.check_not_stale()
        total = 0
        while processed := self.follower.step():
            total += processed
        return total

    def position(self) -> int:
        """The lowest position the views have applied, stopped views left out (ADR 0019)."""
        with self.db.read() as conn:
            rows = tracking.read_all(conn)
        return following_position(rows[name] for name in self.schema.views)

    def wait_for(self, position: int, timeout: float) -> bool:
        """Wait until every view not stopped has applied `position`; False after `timeout`
        seconds. A query that needs a stopped view is refused when it reads
        (`ViewStoppedError`), not after a wait."""
        deadline = time.monotonic() + timeout
        self.notify()
        while self.position() < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self.follower.advanced:
                self.follower.advanced.wait(min(0.05, remaining))
        return True

    def status(self) -> list[ProjectionStatus]:
        with self.db.read() as conn:
            rows = tracking.read_all(conn)
        store_max = self.reader.max_position()
        now = utc_now()
        result = []
        for name in self.schema.views:
            row = rows[name]
            if self._started:
                alive = self.runner.alive(self.heartbeat_timeout)
                stopped = self.follower.states[name].stopped
            else:  # followed by another process, if any: trust its heartbeat
                beat = row.heartbeat_at
                alive = beat is not None and (now - beat).total_seconds() < self.heartbeat_timeout
                stopped = None if row.error is None else StoppedAt.parse(row.error)
            result.append(
                view_status(
                    row,
                    store_max=store_max,
                    recorded_after=self.reader.recorded_at,
                    now=now,
                    alive=alive,
                    stopped=stopped,
                )
            )
        return result

    def resume(self, names: Sequence[str] | None = None) -> list[str]:
        """Clear the recorded errors of stopped views (all, or those named), so their
        follower, in whichever process, tries the failing event again (ADR 0019).
        Returns the views that were stopped."""
        wanted = list(self.schema.views) if names is None else list(names)
        unknown = [name for name in wanted if name not in self.schema.views]
        if unknown:
            known = ", ".join(self.schema.views)
            raise KeyError(f"no view named {unknown[0]!r}; the views are {known}")
        with self.db.write() as conn:
            cleared = tracking.clear_errors(conn, wanted)
        self.notify()
        return cleared

    def rebuild(
        self, name: str | None = None, progress: bool = False, processes: int = 1
    ) -> dict[str, int]:
        """Rebuild one view (or all) from position 0 and swap it in; returns positions.

        `processes=2` fills the views in two processes (ADR 0004)."""
        if name is not None and name not in self.schema.views:
            known = ", ".join(self.schema.views)
            raise KeyError(f"no view named {name!r}; the views are {known}")
        names = [name] if name is not None else list(self.schema.views)
        self.reader.refresh_repairs()  # stored events read as declared (ADR 0019)
        positions = rebuild_views(
            [self.schema.views[view] for view in names],
            db=self.db,
            schema=self.schema,
            reader=self.reader,
            batch_size=self.rebuild_batch_size,
            progress=progress,
            workers=processes,
        )
        self.stale.difference_update(names)
        return positions
