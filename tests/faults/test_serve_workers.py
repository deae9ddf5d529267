"""`kompetanse serve --workers 2`: two API processes, one follower process, on both stores.

Either worker answers a command; a read with `X-Min-Position` sees every command (the one
follower applies them for both); `/metrics` counts the requests of every worker; and a
server killed with SIGKILL leaves no worker or follower behind, so a new one (a single
process) can take the same port and carry on.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from fault_support import Portal, ServerProcess, activity, build_team, server_env
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow

GOAL = "ALM-001"


def _descendants(pid: int) -> dict[int, str]:
    """Live descendants of a process (Linux /proc), with their command lines."""
    found: dict[int, str] = {}
    queue = [pid]
    while queue:
        current = queue.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                found[child] = _command(child)
                queue.append(child)
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may be slow to reap orphans)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _requests_counted(base_url: str, route: str) -> float:
    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "kompetanse_http_requests"
        for sample in family.samples
        if sample.name.endswith("_total") and sample.labels.get("route") == route
    )


def test_two_workers_share_one_follower_and_leave_nothing_behind_when_killed(
    database_url: str, tmp_path: Path, server: ServerProcess
) -> None:
    data_dir = tmp_path / "data"
    env = server_env(data_dir, database_url, workers="2")
    server.start(env)
    server.wait_ready()
    assert server.process is not None
    children = _descendants(server.process.pid)
    workers = [pid for pid, command in children.items() if "multiprocessing.spawn" in command]
    followers = [pid for pid, command in children.items() if "projections run" in command]
    assert (len(workers), len(followers)) == (2, 1), children

    portal = Portal(server.base_url, data_dir)
    cid = build_team(portal)
    titles = [f"Kurs {n}" for n in range(8)]
    for title in titles:
        portal.ok("POST", f"/v1/candidates/{cid}/goals/{GOAL}/activities", "candidate",
                  activity(title), 201)  # fmt: skip
    goal = portal.read(f"/v1/candidates/{cid}/goals/{GOAL}", "candidate")
    assert sorted(a["title"] for a in goal["activities"]) == titles

    before = _requests_counted(server.base_url, "/healthz")
    for _ in range(20):  # a new connection each, so the kernel spreads them over workers
        assert httpx.get(f"{server.base_url}/healthz", timeout=10).status_code == 200
    assert _requests_counted(server.base_url, "/healthz") == before + 20

    server.kill9()
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [children[pid] for pid in children if _running(pid)]

    # The same port: nothing holds it any more. One process is enough to prove that
    # (a second `--workers 2` start would only build four more sets of services).
    server.start(server_env(data_dir, database_url, workers="1"))
    server.wait_ready()
    again = portal.read(f"/v1/candidates/{cid}/goals/{GOAL}", "candidate")
    assert sorted(a["title"] for a in again["activities"]) == titles
    portal.close()
