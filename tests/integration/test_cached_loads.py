"""Commands with the aggregate cache still see what other processes recorded (ADR 0002).

A writer with the cache (`process_a`) fast-forwards the cached candidate and goal of a
goal command in one read (`PrefetchingEventStore`). `process_b`, an
application without the cache, stands for another process. Runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.errors import NotFoundError
from kompetanse_domain.model.identity import goal_id_for
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.plan_versions import held_version
from kompetanse_store.urls import event_store_env
from support.domain import Team, application, context, register_team

GOAL = "FKM-001"


@pytest.fixture
def process_a(database_url: str) -> Iterator[KompetanseApplication]:
    app = KompetanseApplication(env=event_store_env(database_url, aggregate_cache=100))
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def process_b(database_url: str) -> Iterator[KompetanseApplication]:
    with application(database_url) as app:
        yield app


@pytest.fixture
def team(process_b: KompetanseApplication) -> Team:
    return register_team(process_b, plans=("FKM",))


def comment(app: KompetanseApplication, team: Team, text: str = "Godt arbeid") -> Any:
    return app.comment_goal(context(team.people.veileder), team.candidate_id, GOAL, text=text)


def test_cached_writer_records_after_comments_from_another_process(
    process_a: KompetanseApplication, process_b: KompetanseApplication, team: Team
) -> None:
    first = comment(process_a, team, "a1")
    comment(process_b, team, "b1")
    comment(process_b, team, "b2")

    last = comment(process_a, team, "a2")

    assert last.version == first.version + 3
    goal = process_b.get_goal(team.candidate_id, GOAL)
    assert [c["text"] for c in goal.comments] == ["a1", "b1", "b2", "a2"]


def test_cached_writer_refuses_a_veileder_removed_by_another_process(
    process_a: KompetanseApplication, process_b: KompetanseApplication, team: Team
) -> None:
    comment(process_a, team)
    process_b.revoke_role(
        context(team.people.candidate),
        team.candidate_id,
        role="veileder",
        sub=team.people.veileder.sub,
        reason="sluttet",
    )

    with pytest.raises(NotFoundError):
        comment(process_a, team)


def _counted_reads(
    app: KompetanseApplication, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Any], list[Any]]:
    """The ids of the aggregates `app` reads one at a time, and its prefetches (each the
    (id, version) pairs read in one statement), from now on."""
    reads: list[Any] = []
    prefetches: list[Any] = []
    select_events = app.recorder.select_events
    prefetch = app.events._select_newer

    def counted(originator_id: Any, *args: Any, **kwargs: Any) -> Any:
        reads.append(originator_id)
        return select_events(originator_id, *args, **kwargs)

    def counted_prefetch(wanted: Any) -> Any:
        prefetches.append(wanted)
        return prefetch(wanted)

    monkeypatch.setattr(app.recorder, "select_events", counted)
    monkeypatch.setattr(app.events, "_select_newer", counted_prefetch)
    return reads, prefetches


def test_cached_goal_command_fast_forwards_candidate_and_goal_in_one_statement(
    process_a: KompetanseApplication,
    process_b: KompetanseApplication,
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    comment(process_a, team)  # both aggregates are now in the cache
    comment(process_b, team, "from b")
    reads, prefetches = _counted_reads(process_a, monkeypatch)

    comment(process_a, team, "a2")

    goal_id = goal_id_for(team.candidate_id, GOAL)
    assert (reads, len(prefetches)) == ([], 1)  # no aggregate read on its own
    assert {aggregate_id for aggregate_id, _ in prefetches[0]} == {team.candidate_id, goal_id}
    goal = process_a.repository.get(goal_id)
    assert isinstance(goal, LearningGoal)
    assert [c["text"] for c in goal.comments][-2:] == ["from b", "a2"]


def test_moving_a_plan_to_a_new_version_reads_its_goals_in_one_statement(
    process_a: KompetanseApplication,
    process_b: KompetanseApplication,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R30: `kompetanse catalogue migrate` starts with nothing cached; each candidate's
    goals (40 on SAM) are read in one statement, not one read each."""
    team = register_team(process_b)
    leader = team.people.leader
    process_b.assign_plan(context(leader), team.candidate_id, plan_code="SAM", version="2026.1")
    old_goals = {
        goal_id_for(team.candidate_id, code)
        for code in held_version(process_b.catalogue, "SAM", "2026.1").goal_codes
    }
    read_ids, prefetches = _counted_reads(process_a, monkeypatch)

    answer = process_a.migrate_plan(
        context(leader), team.candidate_id, plan_code="SAM", to_version="2026.2"
    ).value

    assert answer["from_version"] == "2026.1" and answer["to_version"] == "2026.2"
    assert len(prefetches) == 1
    assert {aggregate_id for aggregate_id, _ in prefetches[0]} == old_goals
    assert not old_goals & set(read_ids)  # none of them read on its own
