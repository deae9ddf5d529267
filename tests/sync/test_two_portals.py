"""Two real portals and the sync job between them, killed mid-stream (R23, ADR 0012).

"hospital-hso" runs on PostgreSQL, "municipal" on SQLite, each `kompetanse serve` in its
own process with its own data directory and dev keys. The same LIS1 (one HPR number,
two `sub`s) is registered in both with LIS1-FKM; the hospital leader approves the 24
hospital goals (LIS1-FKM-001..024) and one LIS1-KLK goal the municipal portal does
not hold. `kompetanse sync` runs as a subprocess with the municipal deployment's
settings: it is killed with SIGKILL after some approvals were applied, approvals go on
while it is down and while it runs again, and in the end every hospital approval is in
the municipal portal exactly once; a run from the start applies nothing new.
"""

from __future__ import annotations

import time
from collections import Counter
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

from kompetanse.sync_position import SyncPositionStore
from kompetanse_store.urls import views_database_url

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

HPR = "7654321"
HOSPITAL_GOALS = tuple(f"LIS1-FKM-{n:03d}" for n in range(1, 25))
BEFORE_FIRST_RUN, WHILE_DOWN = HOSPITAL_GOALS[:12], HOSPITAL_GOALS[12:18]
WHILE_RUNNING = HOSPITAL_GOALS[18:]
NOT_HELD = "LIS1-KLK-001"  # the municipal LIS1 has no LIS1-KLK plan
SETTLE_SECONDS = 90.0


@pytest.fixture
def portals(tmp_path: Path, postgres_url: str) -> Iterator[tuple[RunningPortal, RunningPortal]]:
    municipal_db = f"sqlite:///{tmp_path / 'municipal' / 'data' / 'kompetanse.db'}"
    with hospital_and_municipal(tmp_path, postgres_url, municipal_db) as portals:
        yield portals


@pytest.fixture
def sync_process(
    tmp_path: Path, portals: tuple[RunningPortal, RunningPortal]
) -> Iterator[SyncProcess]:
    process = SyncProcess(tmp_path / "sync-logs", portals[1].env)  # the target's settings
    try:
        yield process
    finally:
        process.stop()


def _imported(municipal: RunningPortal, token: str) -> list[dict[str, Any]]:
    items = follow(lambda after: municipal.feed(token, after))
    return [item for item in items if item["type"] == IMPORTED]


def test_every_hospital_approval_reaches_the_municipal_portal_once(
    portals: tuple[RunningPortal, RunningPortal], sync_process: SyncProcess
) -> None:
    hospital, municipal = portals
    hospital_cid = register_lis1(hospital, HPR, ["LIS1-FKM", "LIS1-KLK"])
    municipal_cid = register_lis1(municipal, HPR, ["LIS1-FKM"])
    assert hospital.portal.person("candidate").sub != municipal.portal.person("candidate").sub
    for code in (*BEFORE_FIRST_RUN, NOT_HELD):
        approve(hospital, hospital_cid, code)

    source_token = hospital.cli_token("sync-municipal", "Synk til kommunal", "sync")
    target_token = municipal.cli_token("sync-hospital", "Synk fra sykehus", "sync")
    job_args = (
        "--source", hospital.url, "--source-token", source_token,
        "--target", municipal.url, "--target-token", target_token,
        "--wait", "2",
    )  # fmt: skip

    # 1. Kill -9 after some, not all, approvals were applied.
    sync_process.start(*job_args)

    def servers() -> str:
        return hospital.last_logs() + municipal.last_logs()

    sync_process.wait_for(
        lambda: sync_process.count("applied") >= 2, timeout=60, poll=0.002, context=servers
    )
    sync_process.kill9()
    applied_before_kill = sync_process.count("applied")
    assert 2 <= applied_before_kill < len(BEFORE_FIRST_RUN), sync_process.text()

    # 2. Approvals while the job is down, then while it runs again.
    for code in WHILE_DOWN:
        approve(hospital, hospital_cid, code)
    sync_process.start(*job_args)
    sync_process.wait_for(
        lambda: sync_process.count("applied", run=1) >= 1, timeout=60, context=servers
    )
    for code in WHILE_RUNNING:
        approve(hospital, hospital_cid, code)
        time.sleep(0.1)
    sync_process.wait_for(
        lambda: len(_settled(sync_process)) >= len(HOSPITAL_GOALS),
        timeout=SETTLE_SECONDS,
        poll=0.1,
        context=servers,
    )
    # SIGTERM while it long-polls: it stops at once and says where it stopped.
    started = time.monotonic()
    assert sync_process.stop() == 0, sync_process.text()
    assert time.monotonic() - started < 5
    assert "stopped at position" in sync_process.text()

    # Every hospital approval of a held goal applied exactly once, across both runs.
    source_items = follow(lambda after: hospital.feed(source_token, after))
    approvals = {i["goal_code"]: i for i in source_items if i["type"] == APPROVED}
    assert set(approvals) == {*HOSPITAL_GOALS, NOT_HELD}
    applied = Counter(line["source_event_id"] for line in _applied(sync_process))
    held = {approvals[code]["event_id"] for code in HOSPITAL_GOALS}
    assert _settled(sync_process) == held and max(applied.values()) == 1, applied
    skipped = [line for line in sync_process.outcomes() if line["outcome"] == "skipped"]
    assert {line["goal_code"] for line in skipped} == {NOT_HELD}
    assert all(line["refused"] == 404 for line in skipped)

    # The municipal portal: one ApprovalImported per source approval, with its source.
    imported = _imported(municipal, target_token)
    by_source = Counter(item["data"]["source_event_id"] for item in imported)
    assert set(by_source) == held and max(by_source.values()) == 1, by_source
    for item in imported:
        assert item["data"]["source_portal"] == "hospital-hso"
        assert item["candidate"]["candidate_id"] == municipal_cid
        source = next(
            a for a in approvals.values() if a["event_id"] == item["data"]["source_event_id"]
        )
        assert item["goal_code"] == source["goal_code"]
    _check_municipal_views(municipal, municipal_cid, approvals)

    # The stored position is past the last hospital approval.
    positions = SyncPositionStore(views_database_url(municipal.database_url))
    try:
        stored = positions.load(hospital.url)
    finally:
        positions.close()
    assert stored >= max(item["position"] for item in approvals.values())

    # 3. From the start again: everything is already there, nothing is applied.
    assert sync_process.run(*job_args, "--from-start", "--once", timeout=120) == 0
    assert sync_process.count("applied", run=2) == 0, sync_process.text()
    assert sync_process.count("already_applied", run=2) == len(HOSPITAL_GOALS)
    assert sync_process.count("skipped", run=2) == 1
    assert len(_imported(municipal, target_token)) == len(HOSPITAL_GOALS)


def _settled(process: SyncProcess) -> set[str]:
    """Approvals the job logged as applied, or as already there: one applied just before
    the kill -9 may have been logged only by the next run, as already applied (the
    target's imports, checked separately, prove each arrived exactly once)."""
    return {
        line["source_event_id"]
        for line in process.outcomes()
        if line["outcome"] in ("applied", "already_applied")
    }


def _applied(process: SyncProcess) -> list[dict[str, Any]]:
    return [line for line in process.outcomes() if line["outcome"] == "applied"]


def _check_municipal_views(
    municipal: RunningPortal, cid: str, approvals: dict[str, dict[str, Any]]
) -> None:
    """Goal and progress views show each imported goal approved, with its source."""
    portal = municipal.portal
    deadline = time.monotonic() + 20
    while True:  # the views follow the store; wait until the last import is applied
        progress = portal.read(f"/v1/candidates/{cid}/progress", "candidate")
        plan = next(p for p in progress["plans"] if p["plan_code"] == "LIS1-FKM")
        if plan["approved"] == len(HOSPITAL_GOALS) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert plan["approved"] == len(HOSPITAL_GOALS), plan
    states = {goal["code"]: goal["state"] for goal in progress["goals"]}
    for code in HOSPITAL_GOALS:
        goal = portal.read(f"/v1/candidates/{cid}/goals/{code}", "candidate")
        assert goal["state"] == "approved", goal
        assert goal["imported_from"] == [
            {"source_portal": "hospital-hso", "source_event_id": approvals[code]["event_id"]}
        ]
        assert states[code] == "approved"
    untouched = portal.read(f"/v1/candidates/{cid}/goals/LIS1-FKM-025", "candidate")
    assert untouched["state"] == "not_started"
    history = portal.read(f"/v1/candidates/{cid}/history", "candidate")["data"]
    imports = [event for event in history if event["type"] == IMPORTED]
    assert Counter(event["data"]["source_event_id"] for event in imports) == Counter(
        approvals[code]["event_id"] for code in HOSPITAL_GOALS
    )
    assert {event["data"]["source_portal"] for event in imports} == {"hospital-hso"}
