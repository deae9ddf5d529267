#!/usr/bin/env python3
"""What serialising writers costs (ADR 0013, 0018): events/s at 1, 2, 4, 8 writer processes.

    .venv/bin/python scripts/bench/writers.py [--store postgres|sqlite|both] [--seconds 3]
                                              [--sweeps 2]

PostgreSQL, with the store's ordering lock: the library's PostgreSQL recorder, which
takes `LOCK TABLE ... IN EXCLUSIVE MODE` in every insert transaction (one event per
transaction). Baseline: raw psycopg inserts of the same rows without the lock.

SQLite, with writers taking turns (ADR 0018): our store, whose writers of all processes
queue on a file lock. Baseline: the library's own SQLite store, where the writer that
loses the race for SQLite's write lock sleeps in its busy handler. Beside events/s, the
p50 / p99 time of one save across all processes: the sleep shows in the tail.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from common import fresh_database, line, load_average, on_stores
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from kompetanse_store.urls import event_store_env


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class Writer(Application[uuid.UUID]):
    name = "Kompetanse"


def _save_loop(env: dict[str, str], seconds: float, barrier: Any, out: Any) -> None:
    app = Writer(env={**env, "CREATE_TABLE": "n"})
    times: list[float] = []
    barrier.wait()
    deadline = time.perf_counter() + seconds
    while (began := time.perf_counter()) < deadline:
        app.save(Note("Progresjon som forventet"))
        times.append(time.perf_counter() - began)
    out.put(times)
    app.close()


def library_writer(url: str, seconds: float, barrier: Any, out: Any) -> None:
    """Our store's settings: on SQLite, writers taking turns (ADR 0018)."""
    _save_loop(event_store_env(url), seconds, barrier, out)


def plain_sqlite_writer(url: str, seconds: float, barrier: Any, out: Any) -> None:
    """The library's own SQLite store: no turns, SQLite's busy handler orders writers."""
    _save_loop(
        {**event_store_env(url), "PERSISTENCE_MODULE": "eventsourcing.sqlite"},
        seconds,
        barrier,
        out,
    )


def raw_writer(url: str, seconds: float, barrier: Any, out: Any) -> None:
    import psycopg

    times: list[float] = []
    state = b'{"text":"Progresjon som forventet"}'
    with psycopg.connect(url) as conn:
        barrier.wait()
        deadline = time.perf_counter() + seconds
        while (began := time.perf_counter()) < deadline:
            conn.execute(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state) "
                "VALUES (%s, 1, 'Note.Written', %s)",
                (uuid.uuid4(), state),
            )
            conn.commit()
            times.append(time.perf_counter() - began)
    out.put(times)


@dataclass
class Sweep:
    """Events/s and save times of one kind of writer, summed over the sweeps."""

    events_per_second: float = 0.0
    times: list[float] = field(default_factory=list)

    def add(self, rate: float, times: list[float]) -> None:
        self.events_per_second += rate
        self.times.extend(times)

    def describe(self, sweeps: int) -> str:
        ordered = sorted(self.times) or [0.0]
        p50, p99 = (ordered[int(q * (len(ordered) - 1))] * 1000 for q in (0.50, 0.99))
        return f"{self.events_per_second / sweeps:,.0f} events/s, p50 {p50:.1f} / p99 {p99:.1f} ms"


def run(
    url: str, worker: Callable[..., None], processes: int, seconds: float
) -> tuple[float, list[float]]:
    """Events/s of all processes together, and every save's time; they start writing at
    once (a barrier), after each has started up and connected, and all write for the
    same `seconds`."""
    context = mp.get_context("spawn")
    barrier, out = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=worker, args=(url, seconds, barrier, out)) for _ in range(processes)
    ]
    for process in workers:
        process.start()
    times = [t for _ in workers for t in out.get()]
    for process in workers:
        process.join()
    return len(times) / seconds, times


def _raw_table(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE raw_events (originator_id uuid, originator_version bigint,"
            " topic text, state bytea, notification_id bigserial,"
            " PRIMARY KEY (originator_id, originator_version))"
        )


def measure(store: str, server_url: str | None, seconds: float, sweeps: int) -> None:
    ours, baseline = "with ordering lock", "raw, no lock"
    other: Callable[..., None] = raw_writer
    if store == "sqlite":
        ours, baseline, other = "taking turns", "library's plain SQLite", plain_sqlite_writer
    with fresh_database(store, server_url) as url:
        Writer(env=event_store_env(url)).close()  # creates the tables
        if store == "postgres":
            _raw_table(url)
        counts = (1, 2, 4, 8)
        mine = {n: Sweep() for n in counts}
        theirs = {n: Sweep() for n in counts}
        for _ in range(sweeps):  # whole sweeps repeated, so drifting load hits all
            for processes in counts:
                mine[processes].add(*run(url, library_writer, processes, seconds))
                theirs[processes].add(*run(url, other, processes, seconds))
    line(f"[{store}] {load_average()}", "")
    for processes in counts:
        line(f"[{store}] {processes} writers: {ours}", mine[processes].describe(sweeps))
        line(f"[{store}] {processes} writers: {baseline}", theirs[processes].describe(sweeps))
        ratio = mine[processes].events_per_second / theirs[processes].events_per_second
        line(f"[{store}] {processes} writers: ours / baseline", f"{ratio:.2f}")
    scaling = mine[8].events_per_second / mine[1].events_per_second
    if store == "postgres":
        line(
            f"[{store}] 8 writers / 1 writer (with lock)",
            f"{scaling:.2f}x",
            ">= 1.5x",
            scaling >= 1.5,
        )
    else:  # one writer at a time by design: what matters is that more do not cost more
        line(f"[{store}] 8 writers / 1 writer (taking turns)", f"{scaling:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--sweeps", type=int, default=2, help="repeats of the 1-2-4-8 sweep")
    args = parser.parse_args()
    on_stores(args.store, lambda store, url: measure(store, url, args.seconds, args.sweeps))


if __name__ == "__main__":
    main()
