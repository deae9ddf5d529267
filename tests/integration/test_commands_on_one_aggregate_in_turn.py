"""Many clients change one goal at the same moment: every command is applied (ADR 0007).

API.md v1.1 "Concurrency": commands on one aggregate sent at once are applied one after
another, never refused because another write happened to run at the same time. A
barrier releases 32 registrations of an activity on one goal together, from threads
of one application (one process: they take turns) and from threads spread over three
applications on one database (three processes: the losers of a race decide again).
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import timedelta

import pytest

from kompetanse_domain.application import KompetanseApplication, Outcome
from kompetanse_domain.errors import VersionMismatchError
from support.domain import TODAY, Team, application, context, register_team

GOAL = "FKM-001"
CLIENTS = 8
EACH = 4  # registrations per client


@pytest.fixture
def processes(database_url: str) -> Iterator[list[KompetanseApplication]]:
    with ExitStack() as stack:
        yield [stack.enter_context(application(database_url)) for _ in range(3)]


def register_all_at_once(
    apps: list[KompetanseApplication], team: Team, **ctx: object
) -> list[Outcome | BaseException]:
    """CLIENTS x EACH registrations, released together; client n uses apps[n % len]."""
    barrier = threading.Barrier(CLIENTS * EACH, timeout=30)

    def register(n: int) -> Outcome:
        app = apps[n % len(apps)]
        barrier.wait()
        return app.register_activity(
            context(team.people.candidate, **ctx),
            team.candidate_id,
            GOAL,
            title=f"Kurs {n}",
            kind="course",
            fulfilled_on=TODAY - timedelta(days=1),
        )

    with ThreadPoolExecutor(max_workers=CLIENTS * EACH) as pool:
        futures = [pool.submit(register, n) for n in range(CLIENTS * EACH)]
        return [f.exception() or f.result() for f in futures]


def test_registrations_sent_at_once_to_one_process_are_all_applied(
    processes: list[KompetanseApplication],
) -> None:
    app = processes[0]
    team = register_team(app, plans=("FKM",))

    results = register_all_at_once([app], team)

    assert [r for r in results if not isinstance(r, Outcome)] == []
    goal = app.get_goal(team.candidate_id, GOAL)
    assert sorted(a["title"] for a in goal.activities.values()) == sorted(
        f"Kurs {n}" for n in range(CLIENTS * EACH)
    )
    assert sorted(r.version for r in results if isinstance(r, Outcome)) == list(
        range(2, CLIENTS * EACH + 2)
    )
    assert len(app._turns) == 0  # the table of turns keeps nothing once all are done


def test_registrations_sent_at_once_to_three_processes_are_all_applied(
    processes: list[KompetanseApplication],
) -> None:
    team = register_team(processes[0], plans=("FKM",))

    results = register_all_at_once(processes, team)

    assert [r for r in results if not isinstance(r, Outcome)] == []
    goal = processes[1].get_goal(team.candidate_id, GOAL)
    assert len(goal.activities) == CLIENTS * EACH
    assert goal.version == CLIENTS * EACH + 1


def test_if_match_sent_at_once_by_many_lets_one_through_and_refuses_the_rest_412(
    processes: list[KompetanseApplication],
) -> None:
    team = register_team(processes[0], plans=("FKM",))

    results = register_all_at_once(processes, team, expected_version=1)

    assert len([r for r in results if isinstance(r, Outcome)]) == 1
    refused = [r for r in results if not isinstance(r, Outcome)]
    assert len(refused) == CLIENTS * EACH - 1
    assert all(isinstance(r, VersionMismatchError) for r in refused), refused
    assert len(processes[2].get_goal(team.candidate_id, GOAL).activities) == 1
