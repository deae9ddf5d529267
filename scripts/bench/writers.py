#!/usr/bin/env python3
"""What serialising writers costs (ADR 0013): events/s at 1, 2, 4, 8 writer processes.

    .venv/bin/python scripts/bench/writers.py [--seconds 3] [--sweeps 2]

With the store's ordering lock: the library's PostgreSQL recorder, which takes
`LOCK TABLE ... IN EXCLUSIVE MODE` in every insert transaction (one event per
transaction). Baseline: raw psycopg inserts of the same rows without the lock.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import uuid
from collections.abc import Callable
from typing import Any

from common import fresh_database, line, load_average, postgres_server
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from kompetanse_domain.application.store import event_store_env


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class Writer(Application[uuid.UUID]):
    name = "Kompetanse"


def library_writer(url: str, seconds: float, barrier: Any, out: Any) -> None:
    app = Writer(env={**event_store_env(url), "CREATE_TABLE": "n"})
    count = 0
    barrier.wait()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.save(Note("Progresjon som forventet"))
        count += 1
    out.put(count)
    app.close()


def raw_writer(url: str, seconds: float, barrier: Any, out: Any) -> None:
    import psycopg

    count = 0
    state = b'{"text":"Progresjon som forventet"}'
    with psycopg.connect(url) as conn:
        barrier.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            conn.execute(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state) "
                "VALUES (%s, 1, 'Note.Written', %s)",
                (uuid.uuid4(), state),
            )
            conn.commit()
            count += 1
    out.put(count)


def run(url: str, worker: Callable[..., None], processes: int, seconds: float) -> float:
    """Events/s of all processes together; they start writing at once (a barrier), after
    each has started up and connected, and all write for the same `seconds`."""
    context = mp.get_context("spawn")
    barrier, out = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=worker, args=(url, seconds, barrier, out)) for _ in range(processes)
    ]
    for process in workers:
        process.start()
    counts = [out.get() for _ in workers]
    for process in workers:
        process.join()
    return sum(counts) / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--sweeps", type=int, default=2, help="repeats of the 1-2-4-8 sweep")
    args = parser.parse_args()
    import psycopg

    with postgres_server() as server, fresh_database("postgres", server) as url:
        Writer(env=event_store_env(url)).close()  # creates the tables
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE raw_events (originator_id uuid, originator_version bigint,"
                " topic text, state bytea, notification_id bigserial,"
                " PRIMARY KEY (originator_id, originator_version))"
            )
        counts = (1, 2, 4, 8)
        locked = dict.fromkeys(counts, 0.0)
        raw = dict.fromkeys(counts, 0.0)
        for _ in range(args.sweeps):  # whole sweeps repeated, so drifting load hits all
            for processes in counts:
                locked[processes] += run(url, library_writer, processes, args.seconds)
                raw[processes] += run(url, raw_writer, processes, args.seconds)
        line(f"[postgres] {load_average()}", "")
        results = {n: locked[n] / args.sweeps for n in counts}
        for processes in counts:
            with_lock, without = results[processes], raw[processes] / args.sweeps
            line(
                f"[postgres] {processes} writers: with ordering lock", f"{with_lock:,.0f} events/s"
            )
            line(f"[postgres] {processes} writers: raw, no lock", f"{without:,.0f} events/s")
            line(f"[postgres] {processes} writers: lock / raw", f"{with_lock / without:.2f}")
        scaling = results[8] / results[1]
        line(
            "[postgres] 8 writers / 1 writer (with lock)",
            f"{scaling:.2f}x",
            ">= 1.5x",
            scaling >= 1.5,
        )


if __name__ == "__main__":
    main()
