#!/usr/bin/env python3
"""Projection rebuild from zero, against a bare read-and-decode loop, and its memory.

    .venv/bin/python scripts/bench/rebuild.py [--store sqlite|postgres|both] [--candidates 100]

Targets (issue 7): rebuild >= 20,000 events/s and >= 50 % of the bare loop measured in
the same run; a rebuild's peak memory must not grow with the number of events (shown
at N and 2N candidates, each rebuild in a fresh process). Each rebuild runs in one
process and in two (`--processes 2`: a forked worker fills the audit view; its peak is
shown too and counts for the growth ratio). Then each view is rebuilt alone (what
`kompetanse projections rebuild <view>` does after a release changes that view's
tables), at N candidates, each against a bare loop measured just before it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from common import ROOT, fresh_database, line, load_average, on_stores, rate
from generate_dataset import generate

from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env
from projections.views import all_views

CHILD = """
import json, resource, sys, time
sys.path[:0] = {paths!r}
from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env, views_database_url
from projections.service import ProjectionService
url, mode, processes = sys.argv[1], sys.argv[2], int(sys.argv[3])
app = KompetanseApplication(env=event_store_env(url))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
began = time.perf_counter()
if mode == "bare":
    after, count = 0, 0
    while True:
        batch = app.recorder.select_notifications(start=after, limit=500, inclusive_of_start=False)
        if not batch:
            break
        for n in batch:
            app.mapper.to_domain_event(n)
        count += len(batch)
        after = batch[-1].id
else:
    service = ProjectionService(app, views_database_url(url))
    service.rebuild(None if mode == "rebuild" else mode.split(":", 1)[1], processes=processes)
    count = app.recorder.max_notification_id()
seconds = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # a rebuild's worker process
print(json.dumps({{
    "events": count, "seconds": seconds, "peak_kib": peak, "base_kib": before,
    "worker_peak_kib": worker,
}}))
"""


def child(url: str, mode: str, processes: int = 1) -> dict[str, float]:
    code = CHILD.format(paths=[str(ROOT / "src")])
    out = subprocess.run(
        [sys.executable, "-c", code, url, mode, str(processes)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def each_view_alone(store: str, url: str, events: int) -> None:
    """Every view rebuilt on its own, each against a bare loop measured just before."""
    line(f"[{store}] each view rebuilt alone, {events:,} events", "one process")
    for view in all_views():
        bare = child(url, "bare")
        bare_rate = rate(int(bare["events"]), bare["seconds"])
        alone = child(url, f"view:{view.name}")
        alone_rate = rate(int(alone["events"]), alone["seconds"])
        line(
            f"[{store}]   {view.name} alone (bare {bare_rate:,.0f}/s)",
            f"{alone_rate:,.0f} events/s, {alone_rate / bare_rate:.2f} of bare ({load_average()})",
            ">= 20,000 and >= 0.50",
            alone_rate >= 20_000 and alone_rate / bare_rate >= 0.5,
        )


def measure(store: str, server: str | None, candidates: int) -> None:
    peaks: dict[int, list[float]] = {1: [], 2: []}
    for scale in (1, 2):
        with fresh_database(store, server) as url:
            app = KompetanseApplication(env=event_store_env(url))
            began = time.perf_counter()
            events = generate(app, candidates * scale, progress=False)
            made = time.perf_counter() - began
            app.close()
            line(
                f"[{store}] dataset {candidates * scale} candidates",
                f"{events:,} events in {made:.0f} s ({rate(events, made):,.0f}/s)",
            )
            bare = child(url, "bare")
            bare_rate = rate(int(bare["events"]), bare["seconds"])
            line(f"[{store}] {events:,} events: bare read+decode", f"{bare_rate:,.0f} events/s")
            for processes in (1, 2):
                rebuilt = child(url, "rebuild", processes)
                rebuild_rate = rate(int(rebuilt["events"]), rebuilt["seconds"])
                how = f"{processes} process{'es' if processes > 1 else ''}"
                line(
                    f"[{store}] {events:,} events: rebuild all views, {how}",
                    f"{rebuild_rate:,.0f} events/s ({load_average()})",
                    ">= 20,000",
                    rebuild_rate >= 20_000,
                )
                line(
                    f"[{store}] rebuild / bare, {how}",
                    f"{rebuild_rate / bare_rate:.2f}",
                    ">= 0.50",
                    rebuild_rate / bare_rate >= 0.5,
                )
                peak_mib = rebuilt["peak_kib"] / 1024
                worker_mib = rebuilt["worker_peak_kib"] / 1024
                peaks[processes].append(max(peak_mib, worker_mib))
                line(
                    f"[{store}] rebuild peak RSS at {events:,} events, {how}",
                    f"{peak_mib:.0f} MiB, worker process {worker_mib:.0f} MiB "
                    f"(bare loop {bare['peak_kib'] / 1024:.0f} MiB)",
                )
            if scale == 1:
                each_view_alone(store, url, events)
    for processes, seen in peaks.items():
        growth = seen[1] / seen[0]
        line(
            f"[{store}] rebuild peak RSS at 2x events / 1x, {processes} process(es)",
            f"{growth:.2f}",
            "~1.0 (flat)",
            growth < 1.15,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--candidates", type=int, default=50)
    args = parser.parse_args()
    on_stores(args.store, lambda store, server: measure(store, server, args.candidates))


if __name__ == "__main__":
    main()
