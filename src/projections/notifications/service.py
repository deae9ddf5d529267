"""The notification process: the follower, the reminders' scheduler and the sender.

    service = NotificationService(application, views_url, settings)
    service.start()   # threads of this process (the embedded default: inline)
    service.run()     # `kompetanse notifications run`, a child of `serve --workers N`

The follower is the views' engine with one projection, `notifications`, with a tracking
row of its own; it is never rebuilt (its tables hold read marks and the outbox).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kompetanse_domain.application import KompetanseApplication
from projections.notifications.config import NotificationSettings
from projections.notifications.reminders import remind
from projections.notifications.sender import Sender, utc_now
from projections.notifications.store import NotificationStore, OutboxStatus
from projections.notifications.view import NotificationsView
from projections.service import ProjectionService

log = logging.getLogger("notifications")

SEND_INTERVAL = 1.0
REMIND_INTERVAL = 300.0


class NotificationService:
    def __init__(
        self,
        application: KompetanseApplication,
        views_url: str,
        settings: NotificationSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
        idle_sleep: float = 0.1,
    ) -> None:
        self.settings = settings
        self.clock = clock
        view = NotificationsView(settings.public_url, settings.invitation_key())
        self.follower = ProjectionService(
            application, views_url, views=[view], idle_sleep=idle_sleep
        )
        self.db = self.follower.db
        self.store = NotificationStore(self.db)
        self.sender = Sender(self.db, settings, clock=clock)
        self.send_interval = SEND_INTERVAL
        self.remind_interval = REMIND_INTERVAL
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one round each (tests, `remind`, the loop) ------------------------------------

    def catch_up(self) -> int:
        return self.follower.catch_up()

    def remind(self, now: datetime | None = None) -> int:
        return remind(self.db, self.settings, now or self.clock())

    def send(self) -> int:
        return self.sender.step()

    def status(self) -> dict[str, Any]:
        views = self.follower.status()
        outbox: OutboxStatus = self.store.outbox_status()
        oldest = outbox["oldest_waiting_at"]
        return {
            "follower": [
                {
                    "name": s.name,
                    "position": s.position,
                    "lag_events": s.lag_events,
                    "alive": s.alive,
                }
                for s in views
            ],
            "outbox": {
                "waiting": outbox["waiting"],
                "oldest_waiting_seconds": None
                if oldest is None
                else max((self.clock() - oldest).total_seconds(), 0.0),
                "failures": outbox["failures"],
                "undeliverable": outbox["undeliverable"],
                "sent": outbox["sent"],
            },
        }

    # -- running -----------------------------------------------------------------------

    def start(self) -> None:
        """The follower, the sender and the scheduler in threads of this process."""
        self.follower.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="notifications", daemon=True)
        self._thread.start()

    def run(self) -> None:
        """Everything in this process until `stop()` (the loop in this thread)."""
        self.follower.start()
        self._stop.clear()
        self._loop()

    def _loop(self) -> None:
        next_remind = 0.0
        backoff = self.send_interval
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_remind:
                    self.remind()
                    next_remind = time.monotonic() + self.remind_interval
                self.send()
                backoff = self.send_interval
            except Exception:  # the database is away: try again, slower
                log.exception("notifications: a round failed; trying again")
                backoff = min(backoff * 2, 60.0)
            self._stop.wait(backoff)

    def notify(self) -> None:
        self.follower.notify()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self.follower.stop()

    def close(self) -> None:
        self.stop()
        self.sender.close()
        self.follower.close()
