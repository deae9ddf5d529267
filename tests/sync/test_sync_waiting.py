"""The sync job keeps what the target answered 404 for and applies it once it can
(issue 24 point 7, API.md v1.1 "Sync", ADR 0012).

The position store is real, on both stores (`database_url`); the portals are fakes
(httpx.MockTransport) so a crash can be placed exactly. The target below applies a
`source_event_id` at most once, like `POST /v1/sync/approvals`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from kompetanse.sync import SyncJob
from kompetanse.sync_position import SyncPositionStore

SOURCE = "http://hospital.test"


def _approval(position: int, goal: str) -> dict[str, Any]:
    return {
        "position": position,
        "event_id": f"event-{position}",
        "type": "LearningGoal.Approved",
        "aggregate": "LearningGoal",
        "aggregate_id": "goal-id",
        "version": 1,
        "occurred_at": "2026-11-23T10:00:00+00:00",
        "actor": {"sub": "leader-sub", "name": "Leif Leder"},
        "candidate": {"candidate_id": "cid", "hpr_number": "7654321", "sub": "lis-sub"},
        "data": {},
        "schema": 1,
        "goal_code": goal,
    }


FEED = [
    _approval(3, "LIS1-FKM-001"),  # the municipal plan comes later
    _approval(7, "LIS1-FKM-002"),  # held from the start
    _approval(9, "LIS1-FKM-003"),  # the target refuses it (422)
]


@dataclass
class Target:
    """Holds the goals in `held`; 422 for those in `refuses`; each event applied once."""

    held: set[str] = field(default_factory=lambda: {"LIS1-FKM-002"})
    refuses: set[str] = field(default_factory=lambda: {"LIS1-FKM-003"})
    posted: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = httpx.Response(200, content=request.content).json()
        self.posted.append(body["source_event_id"])
        if body["goal_code"] in self.refuses:
            return httpx.Response(422, json={"detail": "approved_at lies in the future"})
        if body["goal_code"] not in self.held:
            detail = f"Goal {body['goal_code']} is not in this candidate's plans"
            return httpx.Response(404, json={"detail": detail})
        fresh = body["source_event_id"] not in self.applied
        if fresh:
            self.applied.append(body["source_event_id"])
        return httpx.Response(200, json={"candidate_id": "municipal-cid", "applied": fresh})


def _source(request: httpx.Request) -> httpx.Response:
    after = int(request.url.params["after"])
    page = [item for item in FEED if item["position"] > after]
    next_after = page[-1]["position"] if page else after
    return httpx.Response(
        200, json={"portal": "hospital-hso", "items": page, "next_after": next_after}
    )


class CrashingPositions(SyncPositionStore):
    """Dies (once) right after the target took a retried approval, before forgetting it."""

    crash = False

    def settle(self, source: str, source_event_id: str) -> None:
        if self.crash:
            self.crash = False
            raise SystemExit("killed")
        super().settle(source, source_event_id)


@pytest.fixture
def positions(database_url: str) -> Iterator[CrashingPositions]:
    store = CrashingPositions(database_url)
    try:
        yield store
    finally:
        store.close()


def _run(target: Target, positions: SyncPositionStore, **params: Any) -> SyncJob:
    job = SyncJob(
        source=httpx.Client(base_url=SOURCE, transport=httpx.MockTransport(_source)),
        target=httpx.Client(
            base_url="http://municipal.test", transport=httpx.MockTransport(target)
        ),
        positions=positions,
        source_key=SOURCE,
        sleep=lambda _: None,
    )
    job.run(once=True, **params)
    return job


def _kept(positions: SyncPositionStore) -> dict[str, tuple[str, str]]:
    return {kept.goal_code: (kept.status, kept.reason) for kept in positions.listing()}


def test_an_approval_the_target_lacks_waits_without_holding_back_the_feed(
    positions: CrashingPositions,
) -> None:
    target = Target()
    job = _run(target, positions)
    assert target.applied == ["event-7"]
    assert positions.load(SOURCE) == 9, "the position moves past what waits"
    assert _kept(positions) == {
        "LIS1-FKM-001": ("waiting", "goal not in plans"),
        "LIS1-FKM-003": ("refused", "refused by the target (422)"),
    }
    assert (job.stats.waiting, job.stats.refused) == (1, 1)

    # The plan comes: the next pass applies it, the one after applies nothing.
    target.held.add("LIS1-FKM-001")
    job = _run(target, positions)
    assert target.applied == ["event-7", "event-3"]
    assert job.stats.applied == 1
    assert _kept(positions) == {"LIS1-FKM-003": ("refused", "refused by the target (422)")}
    posted = len(target.posted)
    _run(target, positions)
    assert len(target.posted) == posted, "nothing waits, a refused one is not retried"


def test_a_crash_after_the_target_took_a_waiting_approval_neither_loses_nor_doubles_it(
    positions: CrashingPositions,
) -> None:
    target = Target()
    _run(target, positions)
    target.held.add("LIS1-FKM-001")
    positions.crash = True
    with pytest.raises(SystemExit):
        _run(target, positions)
    assert target.applied == ["event-7", "event-3"]
    assert "LIS1-FKM-001" in _kept(positions), "still listed: the job died before forgetting it"

    job = _run(target, positions)  # the restarted job
    assert target.applied == ["event-7", "event-3"], "applied once"
    assert (job.stats.applied, job.stats.already_applied) == (0, 1)
    assert "LIS1-FKM-001" not in _kept(positions)


def test_a_run_from_the_start_keeps_one_row_per_waiting_approval(
    positions: CrashingPositions,
) -> None:
    target = Target()
    _run(target, positions)
    _run(target, positions, start=0)
    [waiting] = [kept for kept in positions.listing() if kept.status == "waiting"]
    assert (waiting.source_event_id, waiting.tries) == ("event-3", 3)  # feed, retry, feed
    assert waiting.first_seen_at <= waiting.last_tried_at


def test_a_following_job_applies_a_waiting_approval_once_the_target_gains_the_plan(
    positions: CrashingPositions,
) -> None:
    target, reads = Target(), []
    ticks = itertools.count(step=25)  # the clock moves 25 s per look: a retry every 3rd loop

    def source(request: httpx.Request) -> httpx.Response:
        reads.append(request.url.params["after"])
        if len(reads) == 3:
            target.held.add("LIS1-FKM-001")  # the plan is assigned while the job follows
        return _source(request)

    job = SyncJob(
        source=httpx.Client(base_url=SOURCE, transport=httpx.MockTransport(source)),
        target=httpx.Client(
            base_url="http://municipal.test", transport=httpx.MockTransport(target)
        ),
        positions=positions,
        source_key=SOURCE,
        sleep=lambda _: None,
        retry_seconds=60,
        clock=lambda: float(next(ticks)),
    )
    job.run(should_stop=lambda: "event-3" in target.applied or len(reads) > 20)
    assert target.applied == ["event-7", "event-3"]
    assert len(reads) <= 6, reads
    assert [kept.goal_code for kept in positions.listing()] == ["LIS1-FKM-003"]
