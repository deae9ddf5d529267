#!/usr/bin/env python3
"""The notification process catching up a generated dataset, beside the views' follower.

    .venv/bin/python scripts/bench/notifications.py [--store sqlite|postgres|both]
        [--candidates 50 | --national] [--rounds 2]

Issue 26 ("Must show"): notifications keep up with the dataset's event rate, at a cost per
event printed beside the views' follower cost in the same run. The dataset is written by
`generate_dataset.py` (real domain events, one transaction per candidate), timed: that is
the event rate to keep up with. Then, in `--rounds` rounds whose order alternates, the
notification process (`NotificationService`: the views' engine with the one view
`notifications`, which writes each notification and its e-mail in the outbox) and the
views' follower (`ProjectionService`, all views: the baseline) each catch up the whole
store from nothing, into a views database of their own made fresh for each round. The
e-mails are not sent (the sender is another loop; its cost is per e-mail, not per event).

CPU is this process's (`time.process_time`): on PostgreSQL the server's own CPU is not in
it. When the notification process falls behind the generator, its catch-up of a dataset
of 5 candidates is profiled (cProfile, top 15 by cumulative time). `--national`
generates the national dataset (1,000 candidates, about 2.2 million events; 10-20
minutes on a quiet machine).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from commands import ours_writer, prepare_ours
from common import fresh_database, line, load_average, on_stores
from generate_dataset import generate

from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env, views_database_url
from projections.notifications.config import NotificationSettings
from projections.notifications.service import NotificationService
from projections.service import ProjectionService

NATIONAL = 1000

Follower = Callable[[str], tuple[int, Callable[[], object]]]


def measure(store: str, server: str | None, candidates: int, rounds: int, profile: bool) -> None:
    with fresh_database(store, server) as url, tempfile.TemporaryDirectory() as data:
        app = KompetanseApplication(env=event_store_env(url))
        began = time.perf_counter()
        events = generate(app, candidates, progress=False)
        written = events / (time.perf_counter() - began)
        line(f"[{store}] {load_average()}", "")
        line(
            f"[{store}] dataset: {candidates} candidates, {events:,} events",
            f"written at {written:,.0f} events/s (generator, one transaction per candidate)",
        )
        live = command_rate(store, server)
        line(
            f"[{store}] commands in one process (comment_goal, one event each)",
            f"{live:,.0f} events/s (the rate a running service records, for scale)",
        )
        settings = NotificationSettings(
            data_dir=Path(data),
            public_url="https://kompetanse.example.no",
            invitation_key_text="bench-invitation-key",
        )

        def notifications(views_url: str) -> tuple[int, Callable[[], object]]:
            service = NotificationService(app, views_url, settings)
            applied = service.catch_up()
            waiting = service.status()["outbox"]["waiting"]
            return applied, lambda: (service.close(), waiting)[1]

        def views(views_url: str) -> tuple[int, Callable[[], object]]:
            service = ProjectionService(app, views_url)
            applied = service.catch_up()
            return applied, service.close

        followers: dict[str, Follower] = {
            "notification process (1 view)": notifications,
            "views' follower (all views, baseline)": views,
        }
        wall: dict[str, list[float]] = {name: [] for name in followers}
        cpu: dict[str, list[float]] = {name: [] for name in followers}
        outbox = 0
        for index in range(rounds):
            order = list(followers) if index % 2 == 0 else list(reversed(followers))
            for name in order:
                with fresh_database(store, server) as fresh:  # views of their own
                    views_url = views_database_url(fresh)
                    began_cpu, began = time.process_time(), time.perf_counter()
                    applied, close = followers[name](views_url)
                    wall[name].append(time.perf_counter() - began)
                    cpu[name].append(time.process_time() - began_cpu)
                    result = close()
                    if isinstance(result, int):
                        outbox = result
                    assert applied == events, (name, applied, events)
        line(f"[{store}] {load_average()} (after {rounds} rounds, order alternating)", "")
        per_event: dict[str, float] = {}
        for name in followers:
            rates = [events / seconds for seconds in wall[name]]
            per_event[name] = statistics.median(cpu[name]) / events
            line(
                f"[{store}] {name}",
                f"{statistics.median(rates):,.0f} events/s (runs: "
                + ", ".join(f"{r:,.0f}" for r in rates)
                + f"), CPU {per_event[name] * 1e6:.0f} µs an event",
            )
        ours, base = per_event.values()
        line(f"[{store}] notifications written (each with its e-mail)", f"{outbox:,}")
        line(f"[{store}] CPU an event, notifications / views' follower", f"{ours / base:.2f}")
        slowest = events / max(wall["notification process (1 view)"])
        line(
            f"[{store}] notifications (slowest run) / dataset's write rate",
            f"{slowest / written:.2f} ({slowest:,.0f} against {written:,.0f} events/s)",
            ">= 1 (keeps up)",
            slowest >= written,
        )
        line(
            f"[{store}] notifications (slowest run) / commands' rate",
            f"{slowest / live:.2f}",
            ">= 1 (keeps up)",
            slowest >= live,
        )
        app.close()
        if profile and slowest < written:
            profile_catch_up(store, server, settings)


def profile_catch_up(store: str, server: str | None, settings: NotificationSettings) -> None:
    """cProfile of the notification process catching up a dataset of 5 candidates (the
    same per event, a tenth of the time): top 15 by cumulative time."""
    with fresh_database(store, server) as url:
        app = KompetanseApplication(env=event_store_env(url))
        events = generate(app, 5, progress=False)
        service = NotificationService(app, views_database_url(url), settings)
        profile = cProfile.Profile()
        profile.runcall(service.catch_up)
        service.close()
        app.close()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(15)
    print(f"[{store}] where the notification process's time goes ({events:,} events)")
    print(out.getvalue(), flush=True)


def command_rate(store: str, server: str | None, count: int = 1000) -> float:
    """Events/s of `comment_goal` commands in one process (`commands.py`'s writer), in a
    database of their own."""
    with fresh_database(store, server) as url:
        cid, codes = prepare_ours(url, goals=20)
        command = ours_writer(url, cid, codes)
        command(50)  # warm up
        return count / command(count)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--candidates", type=int, default=50, help="size of the dataset")
    parser.add_argument(
        "--national", action="store_true", help=f"the national dataset ({NATIONAL} candidates)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="catch-ups of each, alternating")
    parser.add_argument("--no-profile", action="store_true", help="no cProfile when missed")
    args = parser.parse_args()
    candidates = NATIONAL if args.national else args.candidates
    on_stores(
        args.store,
        lambda store, server: measure(store, server, candidates, args.rounds, not args.no_profile),
    )


if __name__ == "__main__":
    main()
