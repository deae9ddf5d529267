#!/usr/bin/env python3
"""The follower keeping up with commands: CPU and wall time per step, and events/s.

    .venv/bin/python scripts/bench/follower.py [--store sqlite|postgres|both] [--steps 200]

A running service applies new events in small steps (`Follower.step`), right after
the commands that wrote them; that cost lands on every HTTP command of a server with
projections inline. For steps of 1 and 10 new events (`comment_goal` commands), this
prints the CPU time (process, all threads) and wall time per step, with all views in one
transaction per step (what ships), against the baseline of one transaction per view
(the follower's way before issue 7's third session, which it still uses when a view
fails), alternating in rounds in the same run. Then a backlog of `--backlog` events
(a follower that was stopped) is caught up in the follower's batches.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from commands import ours_writer, prepare_ours
from common import fresh_database, line, load_average, on_stores

from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env, views_database_url
from projections.engine.follower import Follower
from projections.service import ProjectionService

Mode = Callable[[], None]


def measure(store: str, server: str | None, steps: int, rounds: int, backlog: int) -> None:
    with fresh_database(store, server) as url:
        cid, codes = prepare_ours(url, goals=50)
        app = KompetanseApplication(env=event_store_env(url, aggregate_cache=1000))
        service = ProjectionService(app, views_database_url(url))
        service.catch_up()
        command = ours_writer(url, cid, codes)
        follower = service.follower
        together = follower._apply_together
        modes = {
            "one transaction per step": lambda: setattr(follower, "_apply_together", together),
            "one transaction per view": lambda: setattr(
                follower, "_apply_together", lambda work: False
            ),
        }
        for size in (1, 10):
            cpu: dict[str, list[float]] = {name: [] for name in modes}
            wall: dict[str, list[float]] = {name: [] for name in modes}
            for _ in range(rounds):
                for name, choose in modes.items():
                    choose()
                    for _ in range(steps // rounds):
                        command(size)
                        began_cpu, began = time.process_time(), time.perf_counter()
                        applied = follower.step()
                        wall[name].append(time.perf_counter() - began)
                        cpu[name].append(time.process_time() - began_cpu)
                        assert applied == size, applied  # one event a command (no receipt)
            line(f"[{store}] {load_average()}", "")
            for name in modes:
                per_step_cpu = statistics.mean(cpu[name]) * 1000
                per_step_wall = statistics.mean(wall[name]) * 1000
                line(
                    f"[{store}] {size} command(s) a step, {name}",
                    f"CPU {per_step_cpu:.2f} ms, wall {per_step_wall:.2f} ms a step, "
                    f"{size / statistics.mean(wall[name]):,.0f} events/s",
                )
            ours, base = (statistics.mean(cpu[name]) for name in modes)
            line(f"[{store}] {size} command(s) a step, CPU shared / per view", f"{ours / base:.2f}")
        modes["one transaction per step"]()
        catch_up(store, follower, command, backlog)
        service.close()
        app.close()


def catch_up(store: str, follower: Follower, command: Callable[[int], float], backlog: int) -> None:
    """A follower that was stopped (a restart, a deployment) catching up a backlog of
    `backlog` events in its batches (`Follower.batch_size`), all views in each step."""
    command(backlog)
    began_cpu, began, steps, applied = time.process_time(), time.perf_counter(), 0, 0
    while found := follower.step():
        steps += 1
        applied += found
    wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    assert applied == backlog, applied
    line(
        f"[{store}] catching up {backlog:,} events in batches of {follower.batch_size}",
        f"{backlog / wall:,.0f} events/s ({steps} steps, {wall:.1f} s; "
        f"CPU {cpu / backlog * 1e6:.0f} µs an event)",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--steps", type=int, default=200, help="steps per size and mode")
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the modes")
    parser.add_argument("--backlog", type=int, default=20_000, help="events to catch up")
    args = parser.parse_args()
    on_stores(
        args.store,
        lambda store, server: measure(store, server, args.steps, args.rounds, args.backlog),
    )


if __name__ == "__main__":
    main()
