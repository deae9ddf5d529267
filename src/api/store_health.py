"""Answer 503 at once while the event store is known to be down (issue 7, ADR 0015).

The `eventsourcing` library retries a failed statement ten times, and each try waits
for its PostgreSQL pool's connect timeout: a request sent during an outage was answered
503 only after about 20 seconds, and so was every request after it. Once a request has
failed on the store, `StoreHealth` remembers that the store is down; later requests
first make one direct connection (at most one every `probe_every` seconds, shared by
all of them), and are refused with `StoreUnreachableError` (503) at once while it
fails. The first connection that succeeds ends the outage. `/readyz` probes every time,
so an outage is noticed by the first readiness check too. The embedded SQLite store is a
local file and has no such outage: there `check()` never refuses. Why the store is down
(the driver's words, naming host and port) goes to the log, not to the client.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import psycopg

from kompetanse_domain.errors import UnavailableError
from kompetanse_store.urls import is_sqlite

log = logging.getLogger("api.store")
PROBE_EVERY_SECONDS = 0.5
PROBE_CONNECT_TIMEOUT = 1  # seconds; a stopped server refuses at once


class StoreUnreachableError(UnavailableError):
    """The event store cannot be reached now (503 with Retry-After)."""


def connect_probe(database_url: str) -> Callable[[], None]:
    """A direct connection to the store's PostgreSQL server, opened and closed."""
    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)

    def probe() -> None:
        psycopg.connect(conninfo, connect_timeout=PROBE_CONNECT_TIMEOUT).close()

    return probe


class StoreHealth:
    """Whether the event store is known to be down, and a quick check of it."""

    def __init__(
        self,
        probe: Callable[[], None] | None,
        *,
        probe_every: float = PROBE_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe  # None: a store without outages (SQLite)
        self._probe_every = probe_every
        self._clock = clock
        self._lock = threading.Lock()
        self._down = False
        self._probed_at = float("-inf")

    @classmethod
    def for_store(cls, database_url: str) -> StoreHealth:
        return cls(None if is_sqlite(database_url) else connect_probe(database_url))

    @property
    def down(self) -> bool:
        """True after a failure on the store, until a connection succeeds again."""
        return self._down

    def saw_outage(self, error: BaseException) -> None:
        """A request failed because the store could not be reached."""
        if self._probe is not None and not self._down:
            with self._lock:
                self._down = True
            log.warning("event store unreachable, refusing commands until it answers: %s", error)

    def check(self, *, probe: bool = False) -> None:
        """Raise `StoreUnreachableError` while the store is down (blocks at most a second).

        `probe`: connect even when no outage is known (readiness: an outage is then seen
        by the first readiness check, before any request waits on the library)."""
        if not (self._down or (probe and self._probe is not None)):
            return
        with self._lock:
            now = self._clock()
            if (self._down or probe) and now - self._probed_at >= self._probe_every:
                self._probed_at = now
                assert self._probe is not None
                try:
                    self._probe()
                except Exception as error:  # any failure to connect: down
                    if not self._down:
                        log.warning("event store unreachable: %s", error)
                    self._down = True
                else:
                    if self._down:
                        log.info("event store reachable again")
                    self._down = False
            if self._down:
                raise StoreUnreachableError(
                    "The event store is unreachable right now; try again shortly"
                )
