#!/usr/bin/env python3
"""Leader dashboard and progress queries at 1x and 5x the stored events.

    .venv/bin/python scripts/bench/queries.py [--store sqlite|postgres|both] [--candidates 40]

Targets (issue 7): p95 <= 20 ms, and no more than 1.5x slower at 5x the stored events.
The generator groups consecutive candidates `--per-leader` (40) to a leader, so the
measured leader, `leader-000`, holds that many candidates at 1x and at 5x alike (the
output names how many, and how many goals wait for their approval); 5x only adds
other leaders' candidates. Progress and goal detail are those of candidate 0.
"""

from __future__ import annotations

import argparse
import os
import time

from common import fresh_database, line, on_stores, percentile, summary_ms
from generate_dataset import generate

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.application.store import event_store_env, views_database_url
from kompetanse_domain.model.identity import candidate_id_for
from projections.service import ProjectionService

ROUNDS = 200


def sample(call: object, rounds: int = ROUNDS) -> list[float]:
    for _ in range(10):  # warm up: statements compiled and cached, connections pooled
        call()  # type: ignore[operator]
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append(time.perf_counter() - began)
    return samples


def analyze(service: ProjectionService) -> None:
    """PostgreSQL: the planner statistics autovacuum gathers on a live system within a
    minute of such growth (a rebuild gathers them itself); without them the progress
    query's plan scans (p95 43 ms instead of 9 measured once)."""
    if service.db.writer.dialect.name == "postgresql":
        with service.db.write() as conn:
            conn.exec_driver_sql("ANALYZE")


def measure_at(
    url: str, candidates: int, per_leader: int, *, generated: bool = False
) -> dict[str, list[float]]:
    app = KompetanseApplication(env=event_store_env(url))
    if generated:
        events = app.recorder.max_notification_id() or 0
    else:
        events = generate(app, candidates, progress=False, per_leader=per_leader)
    service = ProjectionService(app, views_database_url(url))
    service.catch_up()
    analyze(service)
    queries = service.queries
    leader = "leader-000"
    led = len(queries.list_leader_candidates(leader))
    waiting = len(queries.list_leader_approvals(leader))
    cid = candidate_id_for("lis-000000")
    goals = len(queries.get_progress(cid)["goals"])  # type: ignore[index]
    results = {
        "leader dashboard": sample(lambda: queries.list_leader_candidates(leader)),
        "leader approvals": sample(lambda: queries.list_leader_approvals(leader)),
        "candidate progress": sample(lambda: queries.get_progress(cid)),
        "goal detail": sample(lambda: queries.get_goal(cid, "LIS1-FKM-001")),
    }
    line(
        f"  {candidates} candidates, {events:,} events; {leader} holds",
        f"{led} candidates, {waiting} goals sent for approval; candidate 0 has {goals} goals",
    )
    line("  load average (1, 5, 15 min)", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    service.close()
    app.close()
    return results


def measure(
    store: str, server: str | None, candidates: int, per_leader: int, existing: list[str]
) -> None:
    scales = {}
    for scale in (1, 5):
        if existing:
            url = existing[0 if scale == 1 else 1]
            scales[scale] = measure_at(url, candidates * scale, per_leader, generated=True)
            continue
        with fresh_database(store, server) as url:
            scales[scale] = measure_at(url, candidates * scale, per_leader)
    for name in scales[1]:
        one, five = scales[1][name], scales[5][name]
        p95_1, p95_5 = percentile(one, 95) * 1000, percentile(five, 95) * 1000
        line(f"[{store}] {name} at 1x", summary_ms(one), "p95 <= 20 ms", p95_1 <= 20)
        line(f"[{store}] {name} at 5x", summary_ms(five), "p95 <= 20 ms", p95_5 <= 20)
        line(
            f"[{store}] {name} p95 5x / 1x", f"{p95_5 / p95_1:.2f}", "<= 1.5", p95_5 / p95_1 <= 1.5
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--candidates", type=int, default=40, help="at 1x; 5x has 5 times as many")
    parser.add_argument(
        "--per-leader", type=int, default=40, help="candidates of each leader (generator)"
    )
    parser.add_argument(
        "--existing",
        nargs=2,
        metavar=("URL_1X", "URL_5X"),
        default=[],
        help="measure stores filled before by generate_dataset.py (same --candidates, "
        "5x, --per-leader) instead of generating; --store names their kind",
    )
    args = parser.parse_args()
    if args.existing and args.store == "both":
        parser.error("--existing needs --store sqlite or --store postgres")
    if args.candidates < args.per_leader:
        parser.error("--candidates must be at least --per-leader, so the leader holds them all")
    if args.existing:
        measure(args.store, None, args.candidates, args.per_leader, args.existing)
        return
    on_stores(
        args.store,
        lambda store, server: measure(store, server, args.candidates, args.per_leader, []),
    )


if __name__ == "__main__":
    main()
