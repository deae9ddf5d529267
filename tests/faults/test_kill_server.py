"""kill -9 of the server during a stream of commands: nothing lost, nothing doubled.

Four clients register activities on four goals, each command with its own
`Idempotency-Key` and a unique title, and retry the same request on connection errors
and 5xx (bounded, with back-off). The server (projections inline) is killed with
SIGKILL while they are sending and restarted on the same database and port; the
clients finish their retries. Then every acknowledged command's event is stored
exactly once, no unacknowledged activity exists, the views show each activity once,
and the views equal a rebuild from scratch into a fresh database.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fault_support import (
    Attempts,
    Portal,
    ServerProcess,
    activity,
    build_team,
    send_with_retries,
    server_env,
    stored_events,
)

from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env, is_sqlite, views_database_url
from projections.service import ProjectionService

pytestmark = pytest.mark.slow

CLIENTS = 4
COMMANDS_PER_CLIENT = 20
KILL_AFTER_ACKNOWLEDGED = 24
GOALS = tuple(f"ALM-{n:03d}" for n in range(1, CLIENTS + 1))
ACTIVITY_REGISTERED = "LearningGoal.ActivityRegistered"


class Client(threading.Thread):
    """One client: a stream of activity registrations on one goal, each retried."""

    def __init__(self, portal: Portal, cid: str, goal: str, acknowledged: list[str]) -> None:
        super().__init__(name=f"client-{goal}", daemon=True)
        self.portal, self.goal = portal, goal
        self.path = f"/v1/candidates/{cid}/goals/{goal}/activities"
        self.acknowledged = acknowledged  # shared, appended under the GIL
        self.titles = [
            f"kill9 {goal} #{n} {uuid.uuid4().hex[:8]}" for n in range(COMMANDS_PER_CLIENT)
        ]
        self.attempts: dict[str, Attempts] = {}
        self.positions: list[int] = []

    def run(self) -> None:
        try:
            for title in self.titles:
                seen = send_with_retries(
                    self.portal, "POST", self.path, "candidate", activity(title), key=_key(title)
                )
                self.attempts[title] = seen
                if seen.response is not None and seen.response.status_code == 201:
                    self.acknowledged.append(title)
                    self.positions.append(int(seen.response.headers["X-Event-Position"]))
        finally:
            self.portal.close()


def _key(title: str) -> str:
    """An Idempotency-Key (visible ASCII, no spaces) unique to the command."""
    return title.replace(" ", "_").replace("#", "n")


def views_snapshot(service: ProjectionService, cid: str, people: dict[str, str]) -> dict[str, Any]:
    """What the queries answer for this candidate and its people."""
    queries = service.queries
    candidate = uuid.UUID(cid)
    return {
        "candidate": queries.get_candidate(candidate),
        "goals": {code: queries.get_goal(candidate, code) for code in GOALS},
        "progress": queries.get_progress(candidate, today=date(2030, 1, 1)),
        "meetings": queries.list_meetings(candidate),
        "leader": queries.list_leader_candidates(people["leader"]),
        "approvals": queries.list_leader_approvals(people["leader"]),
        "signing": queries.list_signing_requests(people["veileder"]),
        "report": list(queries.iter_report_rows(people["leader"])),
    }


def fresh_views_url(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> str:
    """An empty views database of the same kind as the store's."""
    if is_sqlite(database_url):
        return f"sqlite:///{tmp_path / 'fresh-views.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"fresh_{uuid.uuid4().hex[:12]}"
    url = server.create_database(name)
    request.addfinalizer(lambda: server.drop_database(name))
    return views_database_url(url)


def test_kill_9_during_commands_loses_and_doubles_nothing(
    database_url: str, tmp_path: Path, server: ServerProcess, request: pytest.FixtureRequest
) -> None:
    data_dir = tmp_path / "data"
    env = server_env(data_dir, database_url, projections="inline")
    server.start(env)
    server.wait_ready()
    setup = Portal(server.base_url, data_dir)
    cid = build_team(setup)
    setup.close()

    acknowledged: list[str] = []
    clients = [
        Client(
            Portal(server.base_url, data_dir, people=dict(setup.people)), cid, goal, acknowledged
        )
        for goal in GOALS
    ]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < KILL_AFTER_ACKNOWLEDGED:
        assert time.monotonic() < deadline, "the clients made no progress"
        assert any(c.is_alive() for c in clients), "the clients finished before the kill"
        time.sleep(0.01)
    server.kill9()
    killed_at = len(acknowledged)
    time.sleep(0.5)
    server.start(env)
    server.wait_ready()
    for client in clients:
        client.join(120)
        assert not client.is_alive(), f"{client.name} did not finish its retries"

    expected = {title: client.goal for client in clients for title in client.titles}
    assert killed_at < len(expected), "the kill came after the last command"
    assert sorted(acknowledged) == sorted(expected), "some commands were never acknowledged"
    retried = [t for c in clients for t, seen in c.attempts.items() if len(seen.statuses) > 1]
    assert retried, "no client saw the kill: the test did not exercise a retry"
    assert all(seen.statuses[-1] == 201 for c in clients for seen in c.attempts.values()), (
        "a retry ended in something other than 201"
    )

    # The store: each acknowledged command's event exactly once, and nothing else.
    stored = Counter(
        event.title
        for event in stored_events(database_url)
        if type(event).__qualname__ == ACTIVITY_REGISTERED
    )
    assert stored == Counter(expected.keys()), (
        f"doubled: {sorted(t for t, n in stored.items() if n > 1)}; "
        f"missing: {sorted(set(expected) - set(stored))}; "
        f"unacknowledged: {sorted(set(stored) - set(expected))}"
    )

    # The live views (after the restart) show each activity once, on its goal.
    reader = Portal(server.base_url, data_dir, people=dict(setup.people))
    reader.position = max(p for c in clients for p in c.positions)
    try:
        for goal in GOALS:
            view = reader.read(f"/v1/candidates/{cid}/goals/{goal}", "candidate")
            titles = [a["title"] for a in view["activities"]]
            assert sorted(titles) == sorted(t for t, g in expected.items() if g == goal)
        progress = reader.read(f"/v1/candidates/{cid}/progress", "leader")
        assert progress["candidate_id"] == cid
    finally:
        reader.close()
    server.stop()

    # The views equal a rebuild from scratch into a fresh views database.
    people = {who: person.sub for who, person in setup.people.items()}
    app = KompetanseApplication(env=event_store_env(database_url))
    live = ProjectionService(app, views_database_url(database_url))
    fresh = ProjectionService(app, fresh_views_url(request, database_url, tmp_path))
    try:
        assert live.position() == app.recorder.max_notification_id()
        fresh.catch_up()
        assert fresh.position() == live.position()
        assert views_snapshot(live, cid, people) == views_snapshot(fresh, cid, people)
    finally:
        fresh.close()
        live.close()
        app.close()
