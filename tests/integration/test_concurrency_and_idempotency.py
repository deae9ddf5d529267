"""Races between processes and threads, If-Match, and idempotent retries (ADR 0007).

Two application instances stand for two processes on one database. A race is
forced deterministically by letting the other process commit just before this
one saves (`other_process_wins`), or by holding two saves at a barrier so they
hit the store together (`saves_meet`). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from kompetanse_domain.application import KompetanseApplication, Outcome
from kompetanse_domain.errors import (
    ConflictError,
    IdempotencyKeyReusedError,
    VersionMismatchError,
)
from kompetanse_domain.model.identity import Identity, goal_id_for
from kompetanse_domain.model.learning_goal import GoalState, LearningGoal
from support.domain import TODAY, Team, application, context, register_team

GOAL = "FKM-001"


@pytest.fixture
def process_a(database_url: str) -> Iterator[KompetanseApplication]:
    with application(database_url) as app:
        yield app


@pytest.fixture
def process_b(database_url: str) -> Iterator[KompetanseApplication]:
    with application(database_url) as app:
        yield app


@pytest.fixture
def team(process_a: KompetanseApplication) -> Team:
    return register_team(process_a, plans=("FKM",))


def other_process_wins(
    app: KompetanseApplication, monkeypatch: pytest.MonkeyPatch, first: Callable[[], object]
) -> list[int]:
    """Before `app` saves for the first time, run `first` (another process commits)."""
    saves: list[int] = []
    save = app.save

    def racing_save(*aggregates: Any, **kwargs: Any) -> Any:
        saves.append(len(saves) + 1)
        if len(saves) == 1:
            first()
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(app, "save", racing_save)
    return saves


def saves_meet(monkeypatch: pytest.MonkeyPatch, *apps: KompetanseApplication) -> None:
    """Hold the first two saves (over `apps`) at a barrier, so they reach the store together."""
    barrier = threading.Barrier(2, timeout=20)
    lock = threading.Lock()
    held = [0]
    for app in dict.fromkeys(apps):
        save = app.save

        def meeting_save(*aggregates: Any, _save: Any = save, **kwargs: Any) -> Any:
            with lock:
                held[0] += 1
                wait = held[0] <= 2
            if wait:
                barrier.wait()
            return _save(*aggregates, **kwargs)

        monkeypatch.setattr(app, "save", meeting_save)


def in_two_threads(*calls: Callable[[], Outcome]) -> list[Outcome | BaseException]:
    """Run the calls at once; each gives its outcome or the exception it raised."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [f.exception() or f.result() for f in futures]


def goal_events(app: KompetanseApplication, team: Team) -> list[Any]:
    return list(app.events.get(goal_id_for(team.candidate_id, GOAL)))


def send_for_approval(app: KompetanseApplication, team: Team) -> None:
    app.send_goal_for_approval(
        context(team.people.candidate), team.candidate_id, GOAL, completed_on=TODAY
    )


def register_activity(
    app: KompetanseApplication, team: Team, identity: Identity | None = None, **ctx: Any
) -> Outcome:
    return app.register_activity(
        context(identity or team.people.candidate, **ctx),
        team.candidate_id,
        GOAL,
        title="Kurs i kommunikasjon",
        kind="course",
        fulfilled_on=TODAY,
    )


# -- races between two processes ------------------------------------------------------


def test_compatible_commands_racing_on_one_goal_are_both_applied_once(
    process_a: KompetanseApplication,
    process_b: KompetanseApplication,
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people, cid = team.people, team.candidate_id
    saves = other_process_wins(
        process_b,
        monkeypatch,
        lambda: process_a.comment_goal(context(people.veileder), cid, GOAL, text="Bra"),
    )
    outcome = register_activity(process_b, team)

    assert saves == [1, 2]  # the first save lost the race; the retry decided again
    events = goal_events(process_a, team)
    assert [type(e) for e in events] == [
        LearningGoal.Opened,
        LearningGoal.MentorCommented,
        LearningGoal.ActivityRegistered,
    ]
    assert [e.originator_version for e in events] == [1, 2, 3]
    assert outcome.version == 3
    goal = process_b.get_goal(cid, GOAL)
    assert list(goal.activities) == [outcome.value["activity_id"]]
    assert len(goal.comments) == 1


def test_two_approvals_racing_record_one_and_refuse_the_other(
    process_a: KompetanseApplication,
    process_b: KompetanseApplication,
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people, cid = team.people, team.candidate_id
    send_for_approval(process_a, team)
    other_process_wins(
        process_b, monkeypatch, lambda: process_a.approve_goal(context(people.leader), cid, GOAL)
    )
    with pytest.raises(ConflictError, match="R7"):
        process_b.approve_goal(context(people.deputy), cid, GOAL)

    approvals = [e for e in goal_events(process_a, team) if isinstance(e, LearningGoal.Approved)]
    assert [e.actor for e in approvals] == [people.leader.sub]
    assert process_b.get_goal(cid, GOAL).decided_by_sub == people.leader.sub


def test_approvals_from_two_processes_at_once_never_record_two(
    process_a: KompetanseApplication,
    process_b: KompetanseApplication,
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people, cid = team.people, team.candidate_id
    send_for_approval(process_a, team)
    saves_meet(monkeypatch, process_a, process_b)

    results = in_two_threads(
        lambda: process_a.approve_goal(context(people.leader), cid, GOAL),
        lambda: process_b.approve_goal(context(people.deputy), cid, GOAL),
    )

    assert sorted(type(r).__name__ for r in results) == ["GoalTransitionError", "Outcome"]
    assert any(isinstance(r, ConflictError) for r in results)
    approvals = [e for e in goal_events(process_a, team) if isinstance(e, LearningGoal.Approved)]
    assert len(approvals) == 1
    assert process_a.get_goal(cid, GOAL).state == GoalState.APPROVED


# -- If-Match ------------------------------------------------------------------------------


def test_stale_expected_version_is_refused_with_version_mismatch(
    process_a: KompetanseApplication, team: Team
) -> None:
    register_activity(process_a, team)  # the goal is now at version 2
    position = process_a.recorder.max_notification_id()
    with pytest.raises(VersionMismatchError):
        register_activity(process_a, team, expected_version=1)
    assert process_a.recorder.max_notification_id() == position

    outcome = register_activity(process_a, team, expected_version=2)
    assert outcome.version == 3


def test_expected_version_overtaken_during_the_save_is_a_version_mismatch(
    process_a: KompetanseApplication,
    process_b: KompetanseApplication,
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people, cid = team.people, team.candidate_id
    other_process_wins(
        process_b,
        monkeypatch,
        lambda: process_a.comment_goal(context(people.veileder), cid, GOAL, text="Først"),
    )
    with pytest.raises(VersionMismatchError):
        register_activity(process_b, team, expected_version=1)

    assert [type(e) for e in goal_events(process_a, team)] == [
        LearningGoal.Opened,
        LearningGoal.MentorCommented,
    ]


# -- idempotency keys --------------------------------------------------------------------


def test_retry_with_same_key_and_request_returns_first_outcome_and_records_nothing(
    process_a: KompetanseApplication, process_b: KompetanseApplication, team: Team
) -> None:
    key = {"idempotency_key": "key-1", "fingerprint": "sha256:request-1"}
    first = register_activity(process_a, team, **key)
    position = process_a.recorder.max_notification_id()

    retried = register_activity(process_a, team, **key)
    from_other_process = register_activity(process_b, team, **key)

    for outcome in (retried, from_other_process):
        assert outcome.value == first.value
        assert outcome.version == first.version
        assert outcome.replayed and not first.replayed
    assert process_a.recorder.max_notification_id() == position
    goal = process_a.get_goal(team.candidate_id, GOAL)
    assert list(goal.activities) == [first.value["activity_id"]]


def test_same_key_with_another_request_is_refused(
    process_a: KompetanseApplication, team: Team
) -> None:
    register_activity(process_a, team, idempotency_key="key-1", fingerprint="sha256:request-1")
    position = process_a.recorder.max_notification_id()

    with pytest.raises(IdempotencyKeyReusedError):
        register_activity(process_a, team, idempotency_key="key-1", fingerprint="sha256:other")

    assert process_a.recorder.max_notification_id() == position
    assert len(process_a.get_goal(team.candidate_id, GOAL).activities) == 1


def test_same_key_from_another_person_is_their_own_request(
    process_a: KompetanseApplication, team: Team
) -> None:
    people, cid = team.people, team.candidate_id
    register_activity(process_a, team, idempotency_key="key-1", fingerprint="sha256:a")
    process_a.comment_goal(
        context(people.veileder, idempotency_key="key-1", fingerprint="sha256:b"),
        cid,
        GOAL,
        text="Egen forespørsel",
    )
    assert len(process_a.get_goal(cid, GOAL).comments) == 1


def test_concurrent_duplicates_with_one_key_record_one_event(
    process_a: KompetanseApplication, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = {"idempotency_key": "key-2", "fingerprint": "sha256:request-2"}
    saves_meet(monkeypatch, process_a)

    results = in_two_threads(
        lambda: register_activity(process_a, team, **key),
        lambda: register_activity(process_a, team, **key),
    )

    outcomes = [r for r in results if isinstance(r, Outcome)]
    assert len(outcomes) == 2, results
    assert outcomes[0].value == outcomes[1].value
    assert sorted(o.replayed for o in outcomes) == [False, True]
    registered = [
        e for e in goal_events(process_a, team) if isinstance(e, LearningGoal.ActivityRegistered)
    ]
    assert [e.activity_id for e in registered] == [outcomes[0].value["activity_id"]]
