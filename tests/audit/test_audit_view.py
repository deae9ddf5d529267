"""The audit view records the same chain that is recomputed from the store (ADR 0011)."""

from __future__ import annotations

import itertools
from typing import Any

from audit_support import GOALS, PLAN, AuditWorld, Shared

from kompetanse_domain.application.audit import AuditService
from kompetanse_domain.audit import ChainLink, RecordedLink


def recomputed(world: AuditWorld) -> list[RecordedLink]:
    links = list(AuditService(world.app).recompute())
    assert all(isinstance(link, ChainLink) for link in links)
    return [RecordedLink(link.position, link.candidate_id, link.hash) for link in links]  # type: ignore[union-attr]


def test_recorded_chain_equals_the_recomputed_one(shared: Shared) -> None:
    world = shared.world
    recorded = list(world.q.iter_recorded_links())
    assert recorded == recomputed(world)
    assert len({link.candidate_id for link in recorded}) == 2
    assert world.q.audit_position() == world.app.recorder.max_notification_id()


def test_history_rows_chain_and_describe_each_event(shared: Shared) -> None:
    world, story = shared.world, shared.story
    first, _ = story
    items: list[dict[str, Any]] = world.q.list_history(first.candidate_id)
    assert items[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(items))
    assert [i["position"] for i in items] == sorted(i["position"] for i in items)
    registered = items[0]
    assert (registered["type"], registered["aggregate"], registered["version"]) == (
        "Candidate.Registered",
        "Candidate",
        1,
    )
    assert registered["actor"] == {"sub": first.people.candidate.sub, "name": "Lise Lege"}
    assert registered["data"]["hpr_number"] == "1234567"
    approved = [i for i in items if i["type"] == "LearningGoal.Approved"]
    assert [a["actor"]["sub"] for a in approved] == [first.people.leader.sub] * 2
    assert approved[0]["data"] == {
        "actor": first.people.leader.sub,
        "actor_name": "Leif Leder",
        "comment": "Godkjent",
    }
    types = {i["type"] for i in items}
    assert {"SupervisionMeeting.Finalised", "LearningGoal.ApprovalImported"} <= types
    assert len({i["event_id"] for i in items}) == len(items)


def test_feed_page_carries_candidate_schema_and_goal_code(shared: Shared) -> None:
    world, story = shared.world, shared.story
    first, second = story
    page = world.q.feed_page(0, 1000)
    assert [i["position"] for i in page] == [link.position for link in recomputed(world)]
    registered = page[0]
    assert registered["schema"] == 2  # Candidate.Registered is at class_version 2
    assert registered["candidate"] == {
        "candidate_id": str(first.candidate_id),
        "hpr_number": "1234567",
        "sub": first.people.candidate.sub,
    }
    goal_events = [i for i in page if i["aggregate"] == "LearningGoal"]
    codes = {i["goal_code"] for i in goal_events}
    assert set(GOALS) <= codes and all(code.startswith(PLAN + "-") for code in codes)
    assert all(i["goal_code"] is None for i in page if i["aggregate"] != "LearningGoal")
    theirs = [i for i in page if i["candidate"]["candidate_id"] == str(second.candidate_id)]
    assert theirs and all(i["candidate"]["hpr_number"] is None for i in theirs)
    later = world.q.feed_page(page[9]["position"], 5)
    assert later == page[10:15]


def test_versions_as_of_cut_at_an_instant(shared: Shared) -> None:
    world, story = shared.world, shared.story
    first, _ = story
    items = world.q.list_history(first.candidate_id)
    cut = items[len(items) // 2]["occurred_at"]
    versions = world.q.versions_as_of(first.candidate_id, cut)
    expected: dict[Any, int] = {}
    for item in items:
        if item["occurred_at"] <= cut:
            expected[item["aggregate_id"]] = item["version"]
    assert {str(k): v for k, v in versions.items()} == expected
    assert world.q.list_history(first.candidate_id, cut) == [
        i for i in items if i["occurred_at"] <= cut
    ]


def test_rebuilt_view_records_the_same_chain(world: AuditWorld, story: Any) -> None:
    before = world.q.list_history(story[0].candidate_id)
    world.service.rebuild("audit")
    assert list(world.q.iter_recorded_links()) == recomputed(world)
    assert world.q.list_history(story[0].candidate_id) == before
