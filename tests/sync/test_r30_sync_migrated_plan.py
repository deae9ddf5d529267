"""R23 x R30 (ADR 0026 "Sync"): the sync job reads a migrated plan's events and posts only
the leader's own approvals, once; a goal approved by carry-over
(`LearningGoal.MovedToVersion` with `carried_over_from`) is not an approval and is
not posted. On SQLite and PostgreSQL: the source's real feed, a fake target.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from sync_support import APPROVED, FeedWorld

from kompetanse.sync import SyncJob
from kompetanse.sync_position import SyncPositionStore
from kompetanse_domain.catalogue import load_catalogue
from support.domain import TODAY, context, register_team

MOVED = "LearningGoal.MovedToVersion"
APPROVED_BY_HAND = ("SAM-035", "SAM-036", "SAM-037")


class Target:
    """Answers like the target's POST /v1/sync/approvals: a source event applies once."""

    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []
        self.applied: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body: dict[str, Any] = httpx.Response(200, content=request.content).json()
        self.posted.append(body)
        fresh = body["source_event_id"] not in self.applied
        self.applied.add(body["source_event_id"])
        return httpx.Response(200, json={"candidate_id": "municipal-cid", "applied": fresh})


def _migrated_candidate(world: FeedWorld) -> UUID:
    """SAM 2026.1 with SAM-035..037 approved by the leader, then moved to 2026.2:
    SAM-041 and SAM-044 approved by carry-over."""
    assert world.app.catalogue.mapping("SAM", "2026.1", "2026.2") == load_catalogue().mapping(
        "SAM", "2026.1", "2026.2"
    )
    team = register_team(world.app, hpr_number="1234567")
    cid, people = team.candidate_id, team.people
    world.app.assign_plan(context(people.leader), cid, plan_code="SAM", version="2026.1")
    for code in APPROVED_BY_HAND:
        world.app.send_goal_for_approval(context(people.candidate), cid, code, completed_on=TODAY)
        world.app.approve_goal(context(people.leader), cid, code)
    answer = world.app.migrate_plan(
        context(people.leader), cid, plan_code="SAM", to_version="2026.2"
    ).value
    assert {each["to"] for each in answer["carried_over"]} == {"SAM-041", "SAM-044"}
    return cid


def _job(world: FeedWorld, target: Target, positions: SyncPositionStore) -> SyncJob:
    token = world.token()
    world.client.headers["Authorization"] = f"Bearer {token}"
    return SyncJob(
        source=world.client,
        target=httpx.Client(
            base_url="http://municipal.test", transport=httpx.MockTransport(target)
        ),
        positions=positions,
        source_key="http://hospital.test",
        batch=50,
        sleep=lambda _: None,
    )


def test_r30_sync_posts_the_leaders_approvals_once_and_no_carried_over_approval(
    feed_world: FeedWorld, tmp_path: Path
) -> None:
    _migrated_candidate(feed_world)
    feed_world.caught_up()
    items = feed_world.page(after=0, limit=1000)["items"]
    moved = {item["goal_code"]: item for item in items if item["type"] == MOVED}
    assert moved["SAM-041"]["data"]["carried_over_from"]["goal_code"] == "SAM-035"
    native = [item["event_id"] for item in items if item["type"] == APPROVED]
    target = Target()
    positions = SyncPositionStore(f"sqlite:///{tmp_path / 'views.db'}")
    try:
        job = _job(feed_world, target, positions)

        job.run(once=True)  # no crash on the migration's events

        assert [body["goal_code"] for body in target.posted] == list(APPROVED_BY_HAND)
        assert [body["source_event_id"] for body in target.posted] == native
        assert {body["approver_name"] for body in target.posted} == {"Leif Leder"}
        assert (job.stats.applied, job.stats.skipped) == (3, 0)
        assert job.stats.events_seen == len(items)

        again = _job(feed_world, target, positions)
        again.run(once=True)
        assert len(target.posted) == 3  # nothing posted twice

        from_start = _job(feed_world, target, positions)
        from_start.run(once=True, start=0)
        assert [body["goal_code"] for body in target.posted[3:]] == list(APPROVED_BY_HAND)
        assert (from_start.stats.applied, from_start.stats.already_applied) == (0, 3)
    finally:
        positions.close()
