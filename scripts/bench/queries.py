#!/usr/bin/env python3
"""Leader dashboard and progress queries at 1x and 5x the stored events.

    .venv/bin/python scripts/bench/queries.py [--store sqlite|postgres|both] [--candidates 40]

Targets (issue 7): p95 <= 20 ms, and no more than 1.5x slower at 5x the stored events.
The generator groups consecutive candidates `--per-leader` (40) to a leader, so the
measured leader, `leader-000`, holds that many candidates at 1x and at 5x alike (the
output names how many, and how many goals wait for their approval); 5x only adds
other leaders' candidates. Progress and goal detail are those of candidate 0. Both
scales are filled first and then sampled in alternating chunks of 20, 200 samples each.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from contextlib import ExitStack

from common import fresh_database, line, on_stores, percentile, summary_ms
from generate_dataset import generate

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.model.identity import candidate_id_for
from kompetanse_store.urls import event_store_env, views_database_url
from projections.service import ProjectionService

ROUNDS = 200
CHUNK = 20  # samples of each query at one scale before switching to the other


def sample(call: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def analyze(service: ProjectionService) -> None:
    """PostgreSQL: the planner statistics autovacuum gathers on a live system within a
    minute of such growth (a rebuild gathers them itself); without them the progress
    query's plan scans (p95 43 ms instead of 9 measured once)."""
    if service.db.writer.dialect.name == "postgresql":
        with service.db.write() as conn:
            conn.exec_driver_sql("ANALYZE")


def prepare(
    stack: ExitStack, url: str, candidates: int, per_leader: int, *, generated: bool = False
) -> dict[str, Callable[[], object]]:
    """The store at `url` filled (unless `generated`) and its views caught up; the queries
    to measure, warmed up (statements compiled and cached, connections pooled)."""
    app = KompetanseApplication(env=event_store_env(url))
    stack.callback(app.close)
    if generated:
        events = app.recorder.max_notification_id() or 0
    else:
        events = generate(app, candidates, progress=False, per_leader=per_leader)
    service = ProjectionService(app, views_database_url(url))
    stack.callback(service.close)
    service.catch_up()
    analyze(service)
    queries = service.queries
    leader = "leader-000"
    led = len(queries.list_leader_candidates(leader))
    waiting = len(queries.list_leader_approvals(leader))
    cid = candidate_id_for("lis-000000")
    goals = len(queries.get_progress(cid)["goals"])
    line(
        f"  {candidates} candidates, {events:,} events; {leader} holds",
        f"{led} candidates, {waiting} goals sent for approval; candidate 0 has {goals} goals",
    )
    calls: dict[str, Callable[[], object]] = {
        "leader dashboard": lambda: queries.list_leader_candidates(leader),
        "leader approvals": lambda: queries.list_leader_approvals(leader),
        "candidate progress": lambda: queries.get_progress(cid),
        "goal detail": lambda: queries.get_goal(cid, "LIS1-FKM-001"),
    }
    for call in calls.values():
        sample(call, 10)
    return calls


def measure(
    store: str, server: str | None, candidates: int, per_leader: int, existing: list[str]
) -> None:
    """Both scales are prepared first, then sampled in alternating chunks, so that a
    change in the machine's speed meanwhile hits both alike (it drifts by up to 1.5x
    within minutes) and the 5x / 1x ratio compares like with like."""
    with ExitStack() as stack:
        scales: dict[int, dict[str, Callable[[], object]]] = {}
        for index, scale in enumerate((1, 5)):
            if existing:
                url, generated = existing[index], True
            else:
                url, generated = stack.enter_context(fresh_database(store, server)), False
            scales[scale] = prepare(stack, url, candidates * scale, per_leader, generated=generated)
        samples: dict[int, dict[str, list[float]]] = {1: {}, 5: {}}
        for _ in range(ROUNDS // CHUNK):
            for scale, calls in scales.items():
                for name, call in calls.items():
                    samples[scale].setdefault(name, []).extend(sample(call, CHUNK))
        line("  load average (1, 5, 15 min)", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for name in samples[1]:
        one, five = samples[1][name], samples[5][name]
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
