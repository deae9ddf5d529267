"""32 registrations on one goal from 8 parallel clients, to `serve --workers 2`: all 201.

The case of issue 24 (point 6): tried as a new user would, 1 in 32 came back 409 "being
changed by others" on PostgreSQL. Commands of one server process take turns on the goal;
a race with the other process is decided again (ADR 0007). On both stores.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from fault_support import Portal, ServerProcess, activity, build_team, server_env

GOAL = "ALM-001"
CLIENTS = 8
EACH = 4


def test_registrations_from_parallel_clients_on_two_server_processes_are_all_created(
    database_url: str, tmp_path: Path, server: ServerProcess
) -> None:
    data_dir = tmp_path / "data"
    server.start(server_env(data_dir, database_url, workers="2"))
    server.wait_ready()
    portal = Portal(server.base_url, data_dir)
    cid = build_team(portal)
    path = f"/v1/candidates/{cid}/goals/{GOAL}/activities"
    headers = portal.headers("candidate")
    barrier = threading.Barrier(CLIENTS, timeout=30)

    def client(n: int) -> list[tuple[int, int, str]]:
        # A connection of its own per client, so the kernel spreads them over both workers.
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
            barrier.wait()
            answers = []
            for k in range(EACH):
                response = http.post(path, json=activity(f"Kurs {n}-{k}"))
                position = int(response.headers.get("X-Event-Position", "0"))
                answers.append((response.status_code, position, response.text))
            return answers

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = [a for answers in pool.map(client, range(CLIENTS)) for a in answers]

    assert [(status, text) for status, _, text in answers if status != 201] == []
    portal.position = max(position for _, position, _ in answers)
    goal = portal.read(f"/v1/candidates/{cid}/goals/{GOAL}", "candidate")
    assert sorted(a["title"] for a in goal["activities"]) == sorted(
        f"Kurs {n}-{k}" for n in range(CLIENTS) for k in range(EACH)
    )
    portal.close()
