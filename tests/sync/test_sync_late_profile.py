"""Sync that loses nothing: the hospital approval made before the municipal profile and
plan exist (issue 24 point 7, API.md v1.1 "Sync", R23, ADR 0012).

Two real portals (`kompetanse serve` each): "hospital-hso" on SQLite is the source, the
municipal target runs on each store. As in the seeds, the LIS1's hospital approval comes
first; the municipal profile and plan are created later (the hour is simulated by the
order of the passes). Each pass is `kompetanse sync --once` in a new process, so every
pass is also a restart of the job (`sync status` and `dev-token` run in the test's own
process: they only read and print). The approval waits (first: the person is unknown, then:
the goal is not in the plans), `kompetanse sync status` lists it with why, and once the
plan exists it arrives exactly once; a later pass applies nothing and nothing waits.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_support import (
    APPROVED,
    IMPORTED,
    RunningPortal,
    SyncProcess,
    approve,
    follow,
    hospital_and_municipal,
    register_lis1,
)

from faults.fault_support import cli_here

pytestmark = [pytest.mark.slow]

HPR = "7654321"
GOAL = "LIS1-FKM-001"


@pytest.fixture
def portals(tmp_path: Path, database_url: str) -> Iterator[tuple[RunningPortal, RunningPortal]]:
    hospital_db = f"sqlite:///{tmp_path / 'hospital' / 'data' / 'kompetanse.db'}"
    with hospital_and_municipal(tmp_path, hospital_db, database_url) as portals:
        yield portals


def _status(municipal: RunningPortal) -> str:
    done = cli_here("sync", "status", env=municipal.env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _imports(municipal: RunningPortal, token: str) -> list[dict[str, Any]]:
    items = follow(lambda after: municipal.feed(token, after))
    return [item for item in items if item["type"] == IMPORTED]


def test_an_approval_made_before_the_municipal_profile_and_plan_arrives_exactly_once(
    portals: tuple[RunningPortal, RunningPortal], tmp_path: Path
) -> None:
    hospital, municipal = portals
    hospital_cid = register_lis1(hospital, HPR, ["LIS1-FKM"])
    approve(hospital, hospital_cid, GOAL)
    source_token = hospital.cli_token("sync-municipal", "Synk til kommunal", "sync")
    target_token = municipal.cli_token("sync-hospital", "Synk fra sykehus", "sync")
    approval = next(
        item
        for item in follow(lambda after: hospital.feed(source_token, after))
        if item["type"] == APPROVED
    )
    job = SyncProcess(tmp_path / "sync-logs", municipal.env)
    args = (
        "--source", hospital.url, "--source-token", source_token,
        "--target", municipal.url, "--target-token", target_token,
        "--once", "--wait", "0",
    )  # fmt: skip
    assert _status(municipal).strip() == "nothing waits"

    # Pass 1: the municipal portal has no such person yet; the approval waits.
    assert job.run(*args) == 0, job.text()
    assert job.count("applied", run=0) == 0, job.text()
    [kept] = job.outcomes(run=0)
    assert (kept["outcome"], kept["refused"], kept["kept"]) == ("skipped", 404, "waiting")
    status = _status(municipal)
    assert status.splitlines()[0] == "1 waiting, 0 refused", status
    [line] = status.splitlines()[1:]
    assert line.startswith(f"waiting\t{GOAL}\tperson unknown\t"), line
    assert approval["event_id"] in line and hospital.url in line

    # Later: the profile, without the plan yet. Pass 2: still waiting, now for the goal.
    municipal_cid = register_lis1(municipal, HPR, [])
    assert job.run(*args) == 0, job.text()
    assert job.count("applied", run=1) == 0, job.text()
    assert [line["outcome"] for line in job.outcomes(run=1)] == ["still_waiting"]
    [line] = _status(municipal).splitlines()[1:]
    assert line.startswith(f"waiting\t{GOAL}\tgoal not in plans\t"), line
    assert "tried 2x" in line, line

    # The leader assigns the plan. Pass 3: the approval arrives.
    municipal.portal.ok(
        "POST", f"/v1/candidates/{municipal_cid}/plans", "leader", {"plan_code": "LIS1-FKM"}, 201
    )
    assert job.run(*args) == 0, job.text()
    [arrived] = job.outcomes(run=2)
    assert (arrived["outcome"], arrived["source_event_id"]) == ("applied", approval["event_id"])
    assert _status(municipal).strip() == "nothing waits"

    # Pass 4, and a run from the start: nothing is applied again, nothing waits.
    assert job.run(*args) == 0, job.text()
    assert job.outcomes(run=3) == [], job.text()
    assert job.run(*args, "--from-start") == 0, job.text()
    assert [line["outcome"] for line in job.outcomes(run=4)] == ["already_applied"]
    assert _status(municipal).strip() == "nothing waits"

    imports = _imports(municipal, target_token)
    assert [item["data"]["source_event_id"] for item in imports] == [approval["event_id"]]
    assert imports[0]["candidate"]["candidate_id"] == municipal_cid
    goal = municipal.portal.read(f"/v1/candidates/{municipal_cid}/goals/{GOAL}", "candidate")
    assert goal["imported_from"] == [
        {"source_portal": "hospital-hso", "source_event_id": approval["event_id"]}
    ]
