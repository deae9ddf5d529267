#!/usr/bin/env python3
"""What serialising writers costs (ADR 0013): events/s at 1, 2, 4, 8 writer processes.

    .venv/bin/python scripts/bench/writers.py [--seconds 3]

With the store's ordering lock: the library's PostgreSQL recorder, which takes
`LOCK TABLE ... IN EXCLUSIVE MODE` in every insert transaction (one event per
transaction). Baseline: raw psycopg inserts of the same rows without the lock.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import uuid

from common import fresh_database, line, postgres_server
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from kompetanse_domain.application.store import event_store_env


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class Writer(Application[uuid.UUID]):
    name = "Kompetanse"


def library_writer(args: tuple[str, float]) -> int:
    url, seconds = args
    app = Writer(env={**event_store_env(url), "CREATE_TABLE": "n"})
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.save(Note("Progresjon som forventet"))
        count += 1
    app.close()
    return count


def raw_writer(args: tuple[str, float]) -> int:
    import psycopg

    url, seconds = args
    count = 0
    state = b'{"text":"Progresjon som forventet"}'
    with psycopg.connect(url) as conn:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            conn.execute(
                "INSERT INTO raw_events (originator_id, originator_version, topic, state) "
                "VALUES (%s, 1, 'Note.Written', %s)",
                (uuid.uuid4(), state),
            )
            conn.commit()
            count += 1
    return count


def run(url: str, worker: object, processes: int, seconds: float) -> float:
    with mp.get_context("spawn").Pool(processes) as pool:
        began = time.perf_counter()
        counts = pool.map(worker, [(url, seconds)] * processes)  # type: ignore[arg-type]
        elapsed = max(seconds, time.perf_counter() - began)
    return sum(counts) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
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
        results = {}
        for processes in (1, 2, 4, 8):
            locked = run(url, library_writer, processes, args.seconds)
            raw = run(url, raw_writer, processes, args.seconds)
            results[processes] = locked
            line(f"[postgres] {processes} writers: with ordering lock", f"{locked:,.0f} events/s")
            line(f"[postgres] {processes} writers: raw inserts, no lock", f"{raw:,.0f} events/s")
            line(f"[postgres] {processes} writers: lock / raw", f"{locked / raw:.2f}")
        scaling = results[8] / results[1]
        line(
            "[postgres] 8 writers / 1 writer (with lock)",
            f"{scaling:.2f}x",
            ">= 1.5x",
            scaling >= 1.5,
        )


if __name__ == "__main__":
    main()
