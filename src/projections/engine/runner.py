"""The loop that keeps the views following the store, in a thread or the foreground.

It polls: when a step finds nothing new it sleeps `idle_sleep` or until
`wake` is set (`ProjectionService.notify()`, after a write in this process).
After a step that applied events, the next one starts no sooner than
`busy_interval` after it began: a step costs about as much for one event as for
ten (`scripts/bench/follower.py`), so under a stream of commands each step takes
the events of the last few milliseconds instead of one each; after a quiet spell the
first event is applied at once.
An unreachable store or views database is retried with back-off. The in-memory
beat moves only after a successful step, and the database heartbeat every
`beat_interval`, so a runner that died or hangs is seen as not alive.
"""

from __future__ import annotations

import logging
import threading
import time

from projections.engine.follower import Follower

log = logging.getLogger("projections")

# the least time between the starts of two steps that apply events: what a query sent
# with X-Min-Position waits at most beyond the step itself, while commands keep coming
BUSY_INTERVAL = 0.02


class Runner:
    def __init__(
        self,
        follower: Follower,
        *,
        idle_sleep: float = 0.1,
        beat_interval: float = 2.0,
        busy_interval: float = BUSY_INTERVAL,
    ) -> None:
        self.follower = follower
        self.idle_sleep = idle_sleep
        self.busy_interval = busy_interval
        self.beat_interval = beat_interval
        self.wake = threading.Event()
        self.last_beat = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = False

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="projections", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def alive(self, heartbeat_timeout: float) -> bool:
        running = self._thread.is_alive() if self._thread is not None else self._running
        return running and time.monotonic() - self.last_beat < heartbeat_timeout

    def run(self) -> None:
        """Follow until `stop()`; the body of the thread, or of `kompetanse projections run`."""
        self._running = True
        next_db_beat = 0.0
        backoff = 0.1
        log.info("projection runner started")
        try:
            while not self._stop.is_set():
                try:
                    if time.monotonic() >= next_db_beat:
                        self.follower.beat()
                        next_db_beat = time.monotonic() + self.beat_interval
                    began = time.monotonic()
                    processed = self.follower.step()
                except Exception as error:
                    log.warning("projection runner: %s; retrying in %.1f s", error, backoff)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                backoff = 0.1
                self.last_beat = time.monotonic()
                if processed:
                    self._stop.wait(began + self.busy_interval - time.monotonic())
                else:
                    self.wake.wait(self.idle_sleep)
                    self.wake.clear()
        finally:
            self._running = False
            log.info("projection runner stopped")
