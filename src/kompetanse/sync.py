"""The sync job between portal versions (R23, ADR 0012).

Follows a source portal's `GET /v1/feed` and posts each approval of a learning goal to
the target's `POST /v1/sync/approvals`. The target matches the person (HPR number or
`sub`) and the goal code, and applies a `source_event_id` at most once; this job keeps
its position in the target's database and retries with backoff when either side is down.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from kompetanse.sync_position import SyncPositionStore

log = logging.getLogger("kompetanse.sync")

APPROVED = "LearningGoal.Approved"


@dataclass
class SyncStats:
    applied: int = 0
    already_applied: int = 0
    skipped: int = 0
    events_seen: int = 0


@dataclass
class SyncJob:
    source: httpx.Client
    target: httpx.Client
    positions: SyncPositionStore
    source_key: str
    source_portal: str
    batch: int = 200
    wait_seconds: int = 20
    max_backoff: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    stats: SyncStats = field(default_factory=SyncStats)

    def run(self, *, once: bool = False, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Follow the feed; `once` stops when the feed has nothing new."""
        after = self.positions.load(self.source_key)
        while not should_stop():
            wait = 0 if once else self.wait_seconds
            page = self._retrying(partial(self._read_feed, after, wait))
            for item in page["items"]:
                self._apply(item)
                after = int(item["position"])
                self.positions.save(self.source_key, after)
            next_after = int(page.get("next_after", after))
            if next_after > after:
                after = next_after
                self.positions.save(self.source_key, after)
            if once and not page["items"]:
                return

    def _read_feed(self, after: int, wait: int) -> dict[str, Any]:
        response = self.source.get(
            "/v1/feed",
            params={"after": after, "limit": self.batch, "wait": wait},
            timeout=wait + 15,
        )
        response.raise_for_status()
        page: dict[str, Any] = response.json()
        return page

    def _apply(self, item: dict[str, Any]) -> None:
        self.stats.events_seen += 1
        if item.get("type") != APPROVED or not item.get("goal_code"):
            return
        person = item.get("candidate") or {}
        body = {
            "source_portal": self.source_portal,
            "source_event_id": item["event_id"],
            "person": {"hpr_number": person.get("hpr_number"), "sub": person.get("sub")},
            "goal_code": item["goal_code"],
            "approved_at": item["occurred_at"],
            "approver_name": (item.get("actor") or {}).get("name") or "ukjent",
        }
        response = self._retrying(partial(self._post, body))
        if response is None:
            self.stats.skipped += 1
        elif response.get("applied"):
            self.stats.applied += 1
        else:
            self.stats.already_applied += 1

    def _post(self, body: dict[str, Any]) -> dict[str, Any] | None:
        response = self.target.post("/v1/sync/approvals", json=body, timeout=30)
        if response.status_code in (404, 409, 422):
            # The target does not hold this person or goal (or refuses it): nothing to do.
            log.info(
                "sync skipped %s %s: %s %s",
                body["source_event_id"],
                body["goal_code"],
                response.status_code,
                response.text[:200],
            )
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def _retrying(self, call: Callable[[], Any]) -> Any:
        delay = 0.5
        while True:
            try:
                return call()
            except (httpx.TransportError, httpx.HTTPStatusError) as error:
                status = getattr(getattr(error, "response", None), "status_code", None)
                if status is not None and status < 500 and status not in (408, 429):
                    raise
                log.warning("sync: %s; retrying in %.1f s", error, delay)
                self.sleep(delay + random.uniform(0, delay / 4))
                delay = min(delay * 2, self.max_backoff)
