"""Every event is applied exactly once per view, whatever crashes in between (ADR 0004).

A view's rows and its tracking position are written in one transaction, so after
a failure before the commit, or a SIGKILL, a restarted service carries on where
the last commit left off, and the views equal views rebuilt from scratch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from projection_world import World, dump
from sqlalchemy import event

from kompetanse_store.urls import views_database_url
from projections.engine import tracking
from projections.engine.db import ViewDatabase

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "scripts"))

from generate_dataset import generate  # noqa: E402


class InjectedCrashError(RuntimeError):
    """The failure a test injects after the rows were written, before the commit."""


def _history(world: World, teams: int = 2) -> None:
    for _ in range(teams):
        crew = world.team(plans=("FKM", "TEST-A"))
        for code in ("FKM-001", "FKM-002", "TEST-A-001"):
            aid = crew.activity(code)
            crew.app.send_activity_for_signing(
                crew.ctx("candidate"), crew.candidate_id, code, aid, signer_sub=crew.sub("veileder")
            )
            crew.app.sign_activity(crew.ctx("veileder"), crew.candidate_id, code, aid)


def _rebuilt(world: World) -> dict[str, object]:
    fresh = world.new_service()
    try:
        fresh.rebuild()
        return dump(fresh)
    finally:
        fresh.close()


def test_a_crash_before_commit_loses_and_doubles_nothing(world: World) -> None:
    _history(world)
    world.service.batch_size = 7
    commits: list[tuple[str, int]] = []

    def crash_on_the_fifth_commit(name: str, position: int) -> None:
        """The power cuts at the fifth commit, and at every later try of that batch."""
        commits.append((name, position))
        if len(commits) >= 5 and (name, position) == commits[4]:
            raise InjectedCrashError("power cut")

    world.service.follower.before_commit = crash_on_the_fifth_commit
    world.service.catch_up()
    crashed_view, crashed_at = commits[4]
    stopped = {s.name: s for s in world.service.status()}[crashed_view]
    assert stopped.error is not None and stopped.error_type == "InjectedCrashError"
    assert "power cut" not in stopped.error  # the error's own words: the log only (ADR 0019)
    assert stopped.position < crashed_at  # the batch was rolled back, position included

    world.service.close()
    world.service = world.new_service()  # the restart
    world.service.catch_up()

    assert world.service.position() == world.max_position()
    assert dump(world.service) == _rebuilt(world)


def test_a_step_commits_every_view_with_its_position_in_one_transaction(world: World) -> None:
    """One commit per batch, not one per view: a crash keeps all views at one position."""
    _history(world, teams=1)
    commits: list[int] = []
    event.listen(world.service.db.writer, "commit", lambda conn: commits.append(1))

    world.service.follower.step()

    assert len(commits) == 1
    positions = {s.name: s.position for s in world.service.status()}
    assert set(positions.values()) == {world.max_position()}, positions
    assert len(positions) == len(world.service.schema.views) > 1
    assert dump(world.service) == _rebuilt(world)


def test_two_followers_of_one_views_database_apply_each_event_once(world: World) -> None:
    _history(world)
    second = world.new_service(batch_size=3)
    world.service.batch_size = 5
    try:
        threads = [threading.Thread(target=s.catch_up) for s in (world.service, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        second.catch_up()
        world.service.catch_up()
    finally:
        second.close()

    assert world.service.position() == world.max_position()
    assert dump(world.service) == _rebuilt(world)


@pytest.mark.slow
def test_sigkill_half_way_through_a_backlog_then_restart_catches_up(world: World) -> None:
    world.service.close()
    generate(world.app, 1, seed=11, progress=False)
    store_max = world.max_position()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, str(HERE / "projection_crash_runner.py"), world.url, "40"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        watcher = ViewDatabase(views_database_url(world.url))  # reads only: never waits

        def applied() -> int:
            with watcher.read() as conn:
                return min((row.position for row in tracking.read_all(conn).values()), default=0)

        deadline = time.monotonic() + 60
        while applied() < store_max // 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        killed_at = applied()
        watcher.dispose()
    finally:
        if child.poll() is None:
            child.kill()
    assert store_max // 3 <= killed_at < store_max, f"killed at {killed_at} of {store_max}"

    world.service = world.new_service()  # the restart
    world.service.catch_up()

    assert {s.position for s in world.service.status()} == {store_max}
    assert dump(world.service) == _rebuilt(world)
