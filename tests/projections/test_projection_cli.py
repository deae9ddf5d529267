"""`kompetanse projections run | rebuild | status` over one database from the environment."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from projection_world import World, dump
from typer.testing import CliRunner

from kompetanse.cli_projections import EXIT_NOT_ALIVE, projections_app

VIEWS = [
    *("candidates", "goals", "meetings", "progress", "leader", "inbox", "audit", "finder"),
    "profile",  # R28
    "mentor",  # R26
]


@pytest.fixture
def env(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"KOMPETANSE_DATABASE_URL": world.url, "KOMPETANSE_DATA_DIR": str(tmp_path)}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_status_prints_each_view_and_fails_when_nothing_follows(
    world: World, env: dict[str, str]
) -> None:
    world.team(plans=("TEST-A",))

    result = CliRunner().invoke(projections_app, ["status", "--json"])

    assert result.exit_code == EXIT_NOT_ALIVE, result.output
    views = json.loads(result.output)
    assert [view["name"] for view in views] == VIEWS
    assert {view["lag_events"] for view in views} == {world.max_position()}


def test_rebuild_one_view_or_all(world: World, env: dict[str, str]) -> None:
    world.team(plans=("TEST-A",))

    one = CliRunner().invoke(projections_app, ["rebuild", "inbox"])
    every = CliRunner().invoke(projections_app, ["rebuild"])
    unknown = CliRunner().invoke(projections_app, ["rebuild", "nope"])

    assert one.exit_code == 0, one.output
    assert f"inbox: rebuilt and swapped in at position {world.max_position()}" in one.output
    assert every.exit_code == 0, every.output
    assert all(f"{view}: rebuilt" in every.output for view in VIEWS)
    assert unknown.exit_code == 2
    assert world.service.position() == world.max_position()


def test_rebuild_in_two_processes_gives_the_views_the_follower_gives(
    world: World, env: dict[str, str]
) -> None:
    world.team(plans=("TEST-A",))
    world.service.catch_up()
    followed = dump(world.service)

    result = CliRunner().invoke(projections_app, ["rebuild", "--processes", "2"])

    assert result.exit_code == 0, result.output
    assert all(f"{view}: rebuilt" in result.output for view in VIEWS)
    assert dump(world.service) == followed


def test_run_follows_the_store_until_sigterm(world: World, env: dict[str, str]) -> None:
    world.team(plans=("TEST-A",))
    code = "from kompetanse.cli_projections import projections_app; projections_app()"
    child = subprocess.Popen(
        [sys.executable, "-c", code, "run"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while world.service.position() < world.max_position() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert world.service.position() == world.max_position()
        assert all(status.alive for status in world.service.status())  # its heartbeat
        child.send_signal(signal.SIGTERM)
        output, _ = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, output
    assert "Following the event store" in output
