"""`SyncJob` against fake portals (httpx.MockTransport): what it posts, skips, retries (ADR 0012).

The position store is real (SQLite); sleeping is recorded, not done.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from kompetanse.sync import SyncJob
from kompetanse.sync_position import SyncPositionStore

SOURCE = "http://hospital.test"


def _item(position: int, kind: str, goal: str | None = "LIS1-FKM-001") -> dict[str, Any]:
    return {
        "position": position,
        "event_id": f"event-{position}",
        "type": kind,
        "aggregate": kind.split(".")[0],
        "aggregate_id": "goal-id",
        "version": position,
        "occurred_at": "2026-11-23T10:00:00+00:00",
        "actor": {"sub": "leader-sub", "name": "Leif Leder"},
        "candidate": {"candidate_id": "cid", "hpr_number": "7654321", "sub": "lis-sub"},
        "data": {},
        "schema": 1,
        "goal_code": goal,
    }


FEED = [
    _item(2, "Candidate.Registered", None),
    _item(3, "LearningGoal.Approved", "LIS1-FKM-001"),
    _item(5, "LearningGoal.ApprovalImported", "LIS1-FKM-002"),  # never echoed back
    _item(8, "Future.SomethingNew", None),  # unknown types are skipped
    _item(9, "LearningGoal.Approved", "LIS1-KLK-001"),  # the target has no such goal
    _item(12, "LearningGoal.Approved", "LIS1-FKM-003"),
]


@dataclass
class FakeTarget:
    """Answers like POST /v1/sync/approvals; `failures` are served first, in order."""

    failures: list[int | str] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)
    applied: set[str] = field(default_factory=set)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/sync/approvals"
        assert request.headers["Authorization"] == "Bearer target-token"
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "connect":
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(int(failure), json={"detail": "down"})
        body = httpx.Response(200, content=request.content).json()
        self.posted.append(body)
        if body["goal_code"].startswith("LIS1-KLK"):
            return httpx.Response(404, json={"status": 404, "detail": "no such goal"})
        fresh = body["source_event_id"] not in self.applied
        self.applied.add(body["source_event_id"])
        return httpx.Response(200, json={"candidate_id": "municipal-cid", "applied": fresh})


@dataclass
class FakeSource:
    items: list[dict[str, Any]]
    status: int = 200
    reads: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/feed"
        params = dict(request.url.params)
        self.reads.append(params)
        if self.status != 200:
            return httpx.Response(self.status, json={"detail": "no"})
        after, limit = int(params["after"]), int(params["limit"])
        page = [item for item in self.items if item["position"] > after][:limit]
        next_after = page[-1]["position"] if page else after
        return httpx.Response(
            200, json={"portal": "hospital-hso", "items": page, "next_after": next_after}
        )


@pytest.fixture
def positions(tmp_path: Path) -> Iterator[SyncPositionStore]:
    store = SyncPositionStore(f"sqlite:///{tmp_path / 'views.db'}")
    try:
        yield store
    finally:
        store.close()


def _job(
    source: FakeSource, target: FakeTarget, positions: SyncPositionStore, sleeps: list[float]
) -> SyncJob:
    return SyncJob(
        source=httpx.Client(base_url=SOURCE, transport=httpx.MockTransport(source)),
        target=httpx.Client(
            base_url="http://municipal.test",
            transport=httpx.MockTransport(target),
            headers={"Authorization": "Bearer target-token"},
        ),
        positions=positions,
        source_key=SOURCE,
        batch=2,
        sleep=sleeps.append,
    )


def test_posts_native_approvals_once_and_keeps_its_position(
    positions: SyncPositionStore,
) -> None:
    source, target, sleeps = FakeSource(FEED), FakeTarget(), []
    job = _job(source, target, positions, sleeps)
    job.run(once=True)

    assert [body["source_event_id"] for body in target.posted] == [
        "event-3",
        "event-9",
        "event-12",
    ]
    first = target.posted[0]
    assert first == {
        "source_portal": "hospital-hso",  # learned from the feed
        "source_event_id": "event-3",
        "person": {"hpr_number": "7654321", "sub": "lis-sub"},
        "goal_code": "LIS1-FKM-001",
        "approved_at": "2026-11-23T10:00:00+00:00",
        "approver_name": "Leif Leder",
    }
    assert (job.stats.applied, job.stats.already_applied, job.stats.skipped) == (2, 0, 1)
    assert job.stats.events_seen == len(FEED)
    assert positions.load(SOURCE) == 12
    assert [read["wait"] for read in source.reads] == ["0"] * len(source.reads)
    assert sleeps == []

    again = _job(source, target, positions, sleeps)
    again.run(once=True)
    # Resumes after the stored position; only the approval that waits (404) is posted again.
    assert [body["source_event_id"] for body in target.posted[3:]] == ["event-9"]

    from_start = _job(source, target, positions, sleeps)
    from_start.run(once=True, start=0)
    stats = from_start.stats
    assert (stats.applied, stats.already_applied, stats.skipped) == (0, 2, 1)


def test_retries_5xx_and_transport_errors_with_growing_backoff(
    positions: SyncPositionStore,
) -> None:
    target = FakeTarget(failures=[503, "connect", 502, 429, 500])
    sleeps: list[float] = []
    job = _job(FakeSource(FEED), target, positions, sleeps)
    job.run(once=True)
    assert job.stats.applied == 2
    assert len(sleeps) == 5
    for delay, base in zip(sleeps, (0.5, 1, 2, 4, 8), strict=True):
        assert base <= delay <= base * 1.25
    assert positions.load(SOURCE) == 12


def test_backoff_is_capped(positions: SyncPositionStore) -> None:
    target = FakeTarget(failures=[503] * 12)
    sleeps: list[float] = []
    job = _job(FakeSource(FEED), target, positions, sleeps)
    job.max_backoff = 30.0
    job.run(once=True)
    assert max(sleeps) <= 30.0 * 1.25
    assert all(b >= a or b >= 30 for a, b in itertools.pairwise(sleeps))


def test_refused_feed_stops_the_job_without_moving(positions: SyncPositionStore) -> None:
    positions.save(SOURCE, 3)
    job = _job(FakeSource(FEED, status=401), FakeTarget(), positions, [])
    with pytest.raises(httpx.HTTPStatusError):
        job.run(once=True)
    assert positions.load(SOURCE) == 3


def test_a_stop_request_ends_after_the_item_in_flight(positions: SyncPositionStore) -> None:
    target = FakeTarget()
    job = _job(FakeSource(FEED), target, positions, [])
    job.run(should_stop=lambda: len(target.posted) >= 1)
    assert [body["source_event_id"] for body in target.posted] == ["event-3"]
    assert positions.load(SOURCE) == 3


def test_a_given_source_portal_name_wins(positions: SyncPositionStore) -> None:
    target = FakeTarget()
    job = _job(FakeSource(FEED), target, positions, [])
    job.source_portal = "hospital-vest"
    job.run(once=True)
    assert {body["source_portal"] for body in target.posted} == {"hospital-vest"}
