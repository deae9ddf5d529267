"""The sync job between portal versions (R23, ADR 0012).

Follows a source portal's `GET /v1/feed` and posts each approval of a learning goal to
the target's `POST /v1/sync/approvals`. The target matches the person (HPR number or
`sub`) and the goal code, and applies a `source_event_id` at most once; this job keeps
its position in the target's database and retries with backoff when either side is down.

An approval the target answers 404 for (the person or the goal is not there yet: in the
seeds a LIS1's hospital approvals come before the municipal profile and plan) is kept in
`sync_waiting`, beside the position and in the same transaction, and retried at the start
of every run and every `retry_seconds` while following; it never holds back the position.
A 409 or 422 is kept as refused (shown by `kompetanse sync status`, not retried).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx

from kompetanse.sync_position import REFUSED, WAITING, SyncPositionStore, Waiting

log = logging.getLogger("kompetanse.sync")

APPROVED = "LearningGoal.Approved"
# R29 (ADR 0021): an approval withdrawn in the source is not propagated; the target keeps
# the approval it imported until its own leader withdraws it. Skipped like any other type.
# R30 (ADR 0026 "Sync"): a migration's events are neither: a goal approved by carry-over
# (`MovedToVersion` with `carried_over_from`) repeats a judgement already posted as its
# source's `Approved`; the target carries it by its own migration.
NOT_PROPAGATED = (
    "LearningGoal.ApprovalWithdrawn",
    "LearningGoal.MovedToVersion",
    "LearningGoal.LeftPlan",
)


class SyncStopped(BaseException):
    """Raised (by a signal handler) while the job waits: stop now, nothing is half done.

    A `BaseException`, like `KeyboardInterrupt`, so no `except Exception` on the way swallows it.
    """


@dataclass
class SyncStats:
    applied: int = 0
    already_applied: int = 0
    skipped: int = 0
    events_seen: int = 0
    waiting: int = 0  # kept to retry (404)
    refused: int = 0  # kept as refused (409, 422)
    retried: int = 0


@dataclass
class SyncJob:
    """Follows one source feed into one target (ADR 0012).

    `source_portal` may be empty: it is then taken from the feed's `portal` field.
    `idle` is True only while the job waits (a feed long poll, a back-off sleep); a
    signal handler may raise `SyncStopped` then, and otherwise sets a flag that
    `should_stop` reports, so the job stops after the item in flight.
    """

    source: httpx.Client
    target: httpx.Client
    positions: SyncPositionStore
    source_key: str
    source_portal: str = ""
    batch: int = 200
    wait_seconds: int = 20
    max_backoff: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    retry_seconds: float = 60.0
    retry_batch: int = 500
    clock: Callable[[], float] = time.monotonic
    stats: SyncStats = field(default_factory=SyncStats)
    idle: bool = False

    def run(
        self,
        *,
        once: bool = False,
        should_stop: Callable[[], bool] = lambda: False,
        start: int | None = None,
    ) -> None:
        """Follow the feed; `once` stops when the feed has nothing new.

        `start` overrides the stored position (0 for `--from-start`); the position is
        saved after every approval posted and at the end of every page, so a crash
        repeats at most the approval in flight and events that need no action.
        """
        after = self.positions.load(self.source_key) if start is None else start
        retried_at: float | None = None
        while not should_stop():
            if retried_at is None or self.clock() - retried_at >= self.retry_seconds:
                self.retry_waiting(should_stop)
                retried_at = self.clock()
                if should_stop():
                    return
            wait = 0 if once else self.wait_seconds
            page = self._waiting(partial(self._retrying, partial(self._read_feed, after, wait)))
            if not self.source_portal:
                self.source_portal = str(page.get("portal") or "")
                if not self.source_portal:
                    raise ValueError("the feed names no portal: pass --source-portal")
            for item in page["items"]:
                if should_stop():
                    return
                self._apply(item)
                after = int(item["position"])
            after = max(after, int(page.get("next_after", after)))
            if page["items"]:
                self.positions.save(self.source_key, after)
            if once and not page["items"]:
                return

    def _waiting(self, call: Callable[[], Any]) -> Any:
        before, self.idle = self.idle, True
        try:
            return call()
        finally:
            self.idle = before

    def _read_feed(self, after: int, wait: int) -> dict[str, Any]:
        response = self.source.get(
            "/v1/feed",
            params={"after": after, "limit": self.batch, "wait": wait},
            timeout=wait + 15,
        )
        response.raise_for_status()
        page: dict[str, Any] = response.json()
        return page

    def retry_waiting(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Post again what waits (a bounded batch, the longest untried first)."""
        for waiting in self.positions.waiting(self.source_key, self.retry_batch):
            if should_stop():
                return
            self.stats.retried += 1
            body: dict[str, Any] = json.loads(waiting.body)
            response: dict[str, Any] = self._retrying(partial(self._post, body))
            if "refused" in response:
                kept = _kept(self.source_key, waiting.source_position, body, response)
                kept = replace(kept, first_seen_at=waiting.first_seen_at)
                self.positions.keep(kept)
                outcome = "still_waiting" if kept.status == WAITING else "refused"
                if kept.status == REFUSED:
                    self.stats.refused += 1
            else:
                self.positions.settle(self.source_key, waiting.source_event_id)
                outcome = self._count(response)
            self._log(outcome, waiting.source_position, body, response, retry=True)

    def _apply(self, item: dict[str, Any]) -> None:
        """Post an approval and move the position past it; other items (`NOT_PROPAGATED`
        among them) are skipped."""
        self.stats.events_seen += 1
        if item.get("type") != APPROVED or not item.get("goal_code"):
            return
        position = int(item["position"])
        person = item.get("candidate") or {}
        body = {
            "source_portal": self.source_portal,
            "source_event_id": item["event_id"],
            "person": {"hpr_number": person.get("hpr_number"), "sub": person.get("sub")},
            "goal_code": item["goal_code"],
            "approved_at": item["occurred_at"],
            "approver_name": (item.get("actor") or {}).get("name") or "ukjent",
        }
        response: dict[str, Any] = self._retrying(partial(self._post, body))
        if "refused" in response:
            self.stats.skipped += 1
            kept = _kept(self.source_key, position, body, response)
            if kept.status == WAITING:
                self.stats.waiting += 1
            else:
                self.stats.refused += 1
            self.positions.save(self.source_key, position, keep=kept)
            response = {**response, "kept": kept.status, "reason": kept.reason}
            outcome = "skipped"
        else:
            self.positions.save(self.source_key, position, settled=str(body["source_event_id"]))
            outcome = self._count(response)
        self._log(outcome, position, body, response)

    def _count(self, response: dict[str, Any]) -> str:
        if response.get("applied"):
            self.stats.applied += 1
            return "applied"
        self.stats.already_applied += 1
        return "already_applied"

    def _log(
        self,
        outcome: str,
        position: int,
        body: dict[str, Any],
        response: dict[str, Any],
        *,
        retry: bool = False,
    ) -> None:
        fields = {
            "source_portal": body["source_portal"],
            "source_event_id": body["source_event_id"],
            "source_position": position,
            "goal_code": body["goal_code"],
            "retry": retry,
            **response,
        }
        log.info(
            "sync %s %s %s",
            outcome,
            body["goal_code"],
            body["source_event_id"],
            extra={"fields": {"outcome": outcome, **fields}},
        )

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """The target's answer; `{refused: status, detail}` when it does not hold it."""
        response = self.target.post("/v1/sync/approvals", json=body, timeout=30)
        if response.status_code in (404, 409, 422):
            # The target does not hold this person or goal (or refuses it): nothing to do.
            return {"refused": response.status_code, "detail": _detail(response)}
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
                self._waiting(partial(self.sleep, delay + random.uniform(0, delay / 4)))
                delay = min(delay * 2, self.max_backoff)


def _kept(source: str, position: int, body: dict[str, Any], response: dict[str, Any]) -> Waiting:
    """What to keep of a refused post: 404 waits (the person or the goal may come), 409 and
    422 are refused by the target's rules and are only shown."""
    detail = str(response.get("detail") or "")
    status = int(response["refused"])
    if status == 404:
        lowered = detail.lower()
        if "plan" in lowered or "goal" in lowered:
            reason = "goal not in plans"
        elif "candidate" in lowered or "person" in lowered:
            reason = "person unknown"
        else:
            reason = "not in the target"
    else:
        reason = f"refused by the target ({status})"
    now = datetime.now(UTC)
    return Waiting(
        source=source,
        source_event_id=str(body["source_event_id"]),
        source_position=position,
        goal_code=str(body["goal_code"]),
        body=json.dumps(body, sort_keys=True),
        status=WAITING if status == 404 else REFUSED,
        reason=reason,
        detail=detail,
        first_seen_at=now,
        last_tried_at=now,
        tries=1,
    )


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    return str(body.get("detail", "") if isinstance(body, dict) else response.text)[:200]
