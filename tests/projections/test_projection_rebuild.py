"""Rebuild fills new tables from position 0 and swaps them in while queries run.

No query fails and none sees a half-built view: every answer equals the complete
view (the store does not change meanwhile, so old and new views agree). Events
recorded during a rebuild end up in the swapped-in view.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from projection_world import YESTERDAY, Crew, World, dump

from projections.engine import tracking
from projections.views.goals import GoalsView
from projections.views.inbox import InboxView


def _history(world: World) -> Crew:
    crew = world.team(plans=("FKM", "TEST-A"))
    cid, app = crew.candidate_id, crew.app
    for code in ("FKM-001", "FKM-002", "TEST-A-001"):
        app.send_goal_for_approval(crew.ctx("candidate"), cid, code, completed_on=YESTERDAY)
    app.approve_goal(crew.ctx("leader"), cid, "FKM-001")
    aid = crew.activity("FKM-003")
    app.send_activity_for_signing(
        crew.ctx("candidate"), cid, "FKM-003", aid, signer_sub=crew.sub("supervisor")
    )
    return crew


def _answers(world: World, crew: Crew) -> dict[str, Any]:
    q, cid = world.q, crew.candidate_id
    progress = q.get_progress(cid, today=date(2026, 6, 1))
    return {
        "candidate": q.get_candidate(cid),
        "goal": q.get_goal(cid, "FKM-001"),
        "totals": progress["totals"],
        "plans": progress["plans"],
        "dashboard": q.list_leader_candidates(crew.sub("leader")),
        "approvals": q.list_leader_approvals(crew.sub("leader")),
        "inbox": q.list_signing_requests(crew.sub("supervisor")),
        "report": list(q.iter_report_rows(crew.sub("leader"))),
    }


def _generations(world: World) -> dict[str, int]:
    with world.service.db.read() as conn:
        return {name: row.generation for name, row in tracking.read_all(conn).items()}


def test_queries_during_a_rebuild_see_the_whole_old_or_new_view_never_half(world: World) -> None:
    crew = _history(world)
    world.service.catch_up()
    expected = _answers(world, crew)
    assert expected["totals"]["total"] == 27
    answers: list[bool] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def keep_asking() -> None:
        while not done.is_set():
            try:
                answers.append(_answers(world, crew) == expected)
            except Exception as error:  # any failing query fails the test
                errors.append(error)

    readers = [threading.Thread(target=keep_asking) for _ in range(2)]
    for reader in readers:
        reader.start()
    before = _generations(world)
    try:
        world.service.batch_size = 16  # many small batches: a long window for the readers
        for _ in range(2):
            world.service.rebuild()
    finally:
        done.set()
        for reader in readers:
            reader.join()

    assert errors == []
    assert answers and all(answers), f"{answers.count(False)} of {len(answers)} answers differed"
    assert len(answers) >= 10
    assert all(_generations(world)[name] == before[name] + 2 for name in world.service.schema.views)


def test_events_recorded_during_a_rebuild_end_up_in_the_new_view(world: World) -> None:
    crew = _history(world)
    world.service.start()  # the follower keeps running through the swap
    writer_done = threading.Event()

    def keep_writing() -> None:
        for code in ("FKM-010", "FKM-011", "FKM-012", "FKM-013"):
            crew.app.send_goal_for_approval(
                crew.ctx("candidate"), crew.candidate_id, code, completed_on=YESTERDAY
            )
        writer_done.set()

    writer = threading.Thread(target=keep_writing)
    try:
        writer.start()
        world.service.batch_size = 3
        world.service.rebuild()
        writer.join()
        assert world.service.wait_for(world.max_position(), timeout=10)
    finally:
        world.service.stop()

    fresh = world.new_service()
    try:
        fresh.rebuild()
        assert dump(world.service) == dump(fresh)
    finally:
        fresh.close()
    assert len(world.q.list_leader_approvals(crew.sub("leader"))) == 6


def test_rebuild_of_an_unknown_view_names_the_known_ones(world: World) -> None:
    with pytest.raises(KeyError, match="candidates, goals, meetings, progress, leader, inbox"):
        world.service.rebuild("nope")


def test_rebuild_of_one_view_leaves_the_others_alone(world: World) -> None:
    _history(world)
    world.service.catch_up()
    before = _generations(world)

    positions = world.service.rebuild("inbox")

    assert positions == {"inbox": world.max_position()}
    after = _generations(world)
    assert after["inbox"] == before["inbox"] + 1
    assert {name: g for name, g in after.items() if name != "inbox"} == {
        name: g for name, g in before.items() if name != "inbox"
    }


def test_a_new_view_builds_up_from_zero_without_holding_the_others_back(world: World) -> None:
    world.service.close()
    world.service = world.new_service(views=[GoalsView()])
    crew = _history(world)
    world.service.catch_up()
    before = world.max_position()
    crew.activity("FKM-004")  # a new event for the view that is up to date
    world.service.close()
    world.service = world.new_service(views=[GoalsView(), InboxView()], batch_size=5)

    world.service.follower.step()

    positions = {s.name: s.position for s in world.service.status()}
    assert positions == {"goals": world.max_position(), "inbox": 5}
    assert before < world.max_position()
    world.service.catch_up()
    assert world.service.position() == world.max_position()


@pytest.mark.postgres
def test_a_rebuilt_view_has_planner_statistics_on_postgresql(postgres_url: str) -> None:
    """Without them PostgreSQL plans scans until autovacuum comes round (ADR 0004)."""
    world = World(postgres_url)
    try:
        _history(world)
        world.service.rebuild("goals")
        with world.service.db.read() as conn:
            generation = tracking.read_all(conn)["goals"].generation
            analysed = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_user_tables "
                "WHERE relname LIKE %(pattern)s AND last_analyze IS NOT NULL",
                {"pattern": f"view_%_g{generation}"},
            ).scalar()
        assert analysed == len(world.service.schema.metadata("goals", generation).sorted_tables)
    finally:
        world.close()
