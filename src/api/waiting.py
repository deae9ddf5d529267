"""Waiting for the views to reach a position (`X-Min-Position`) without holding a thread.

A query may ask to read its caller's own writes: it waits up to a few seconds until
every view has applied that position. The waiting is done on the event loop: one
poller per process reads the views' position (a one-row read, in a worker thread only
for that read) every `POLL_SECONDS` while anyone waits, and wakes the waiters whose
position has been reached. A thousand waiting queries cost one read per poll and no
worker thread, so they cannot starve other people's queries (issue 22, finding 7).

Each caller (`sub`) may wait in at most `PER_CALLER` queries at once; more are refused
at once (`TooManyWaitsError`, answered 503 with `Retry-After`), so one client cannot
fill the process with waits.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import anyio.to_thread

from api.deps import Projections

POLL_SECONDS = 0.05
PER_CALLER = 8


class TooManyWaitsError(Exception):
    """Raised when a caller already waits in `PER_CALLER` queries."""


class PositionWaits:
    """The waits of one process for the views' position."""

    def __init__(
        self,
        projections: Projections,
        *,
        per_caller: int = PER_CALLER,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._projections = projections
        self.per_caller = per_caller
        self._poll_seconds = poll_seconds
        self._waiting: Counter[str] = Counter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self._seen = 0
        self._failure: BaseException | None = None

    def waiting(self, caller: str) -> int:
        return self._waiting[caller]

    async def wait_for(self, caller: str, position: int, timeout: float) -> bool:
        """True once every view has applied `position`; False after `timeout` seconds.
        Raises `TooManyWaitsError` at once when `caller` already waits too often."""
        if self._waiting[caller] >= self.per_caller:
            raise TooManyWaitsError(
                f"You already wait for the views in {self.per_caller} queries; "
                "retry after Retry-After seconds"
            )
        self._bind_to_running_loop()
        deadline = time.monotonic() + timeout
        self._waiting[caller] += 1
        try:
            self._ensure_poller()
            while True:
                changed = self._changed  # replaced by the poller after each read
                if self._failure is not None:
                    raise self._failure
                if self._seen >= position:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(changed.wait(), remaining)
                except TimeoutError:
                    return False
        finally:
            self._waiting[caller] -= 1
            if self._waiting[caller] <= 0:
                del self._waiting[caller]

    def _bind_to_running_loop(self) -> None:
        """asyncio primitives belong to one loop; a test client may start a new one."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._changed = asyncio.Event()
            self._poller = None

    def _ensure_poller(self) -> None:
        if self._poller is None or self._poller.done():
            self._failure = None
            self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        """Read the position while anyone waits; wake every waiter after each read."""
        try:
            while self._waiting:
                try:
                    self._projections.notify()  # wake an in-process read side
                    self._seen = await anyio.to_thread.run_sync(self._projections.position)
                except Exception as error:  # the store is down: every waiter hears it
                    self._failure = error
                self._wake()
                if self._failure is not None:
                    return
                await asyncio.sleep(self._poll_seconds)
        finally:
            self._wake()

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
