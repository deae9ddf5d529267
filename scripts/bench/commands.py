#!/usr/bin/env python3
"""Commands in process (load, decide, save) against the bare library and raw inserts.

    .venv/bin/python scripts/bench/commands.py [--store sqlite|postgres|both] [--commands 2000]

Ours: `KompetanseApplication.comment_goal` (loads candidate and goal, checks R13, saves).
Baseline: a rule-free aggregate with the same number of stored events, `get`, one
method, `save`, through the same library, store settings and aggregate cache. One
writer: ours and bare run in alternating rounds in one process, so drifting load on a
shared machine hits both alike. Raw: one INSERT of the same row shape per transaction
with psycopg / sqlite3. Several writers: processes start together (a barrier) on goals
or aggregates of their own; the total is all commands over the wall time they spanned,
for ours and for bare, alternating (`--rounds` / 2 times each).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sqlite3
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from common import fresh_database, line, load_average, on_stores, rate, timed
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.model.identity import Identity
from kompetanse_store.urls import event_store_env, is_sqlite, sqlite_path

PRIOR_EVENTS = 20
CACHE = 10_000


class Tally(Aggregate):
    """The bare library's aggregate: no rules, one event per command."""

    @event("Created")
    def __init__(self) -> None:
        self.notes = 0

    @event("Noted")
    def note(self, text: str) -> None:
        self.notes += 1


class Bare(Application[uuid.UUID]):
    name = "Kompetanse"


def env(url: str) -> dict[str, str]:
    return event_store_env(url, aggregate_cache=CACHE)


def prepare_ours(url: str, goals: int) -> tuple[uuid.UUID, list[str]]:
    app = KompetanseApplication(env=env(url))
    lis, leader, veil = Identity("lis", "L"), Identity("leader", "Le"), Identity("veil", "V")
    cid = uuid.UUID(
        app.register_candidate(
            CommandContext(lis),
            name="L",
            email="l@example.no",
            specialty="ALM",
            organisation_id="1",
            organisation_name="K",
        ).value["candidate_id"]
    )
    for role, who in (("leader", leader), ("veileder", veil)):
        token = app.invite(CommandContext(lis), cid, role=role, name=who.name, email="x@example.no")
        app.accept_invitation(CommandContext(who), token.value["token"])
    codes: list[str] = []
    for plan in ("ALM", "FKM", "SAM", "ARB", "LIS1-KLK", "LIS1-FKM"):
        app.assign_plan(CommandContext(leader), cid, plan_code=plan)
        codes += [g.code for g in app.catalogue.plan(plan).goals]
    codes = codes[:goals]
    for code in codes:
        for n in range(PRIOR_EVENTS - 1):
            app.register_activity(
                CommandContext(lis),
                cid,
                code,
                title=f"a{n}",
                kind="course",
                fulfilled_on=date(2026, 1, 1),
            )
    app.close()
    return cid, codes


Step = Callable[[int], float]  # runs n more commands, returns the seconds they took


def ours_writer(url: str, cid: uuid.UUID, codes: list[str], *, create_table: bool = True) -> Step:
    app = KompetanseApplication(env={**env(url), "CREATE_TABLE": "y" if create_table else "n"})
    ctx = CommandContext(Identity("veil", "V"))
    for code in codes:  # warm the cache, as a long-running server has it
        app.get_goal(cid, code)
    app.get_candidate(cid)
    done = 0

    def step(count: int) -> float:
        nonlocal done

        def work() -> None:
            for n in range(done, done + count):
                app.comment_goal(ctx, cid, codes[n % len(codes)], text="Progresjon som forventet")

        seconds = timed(work)
        done += count
        return seconds

    return step


def prepare_bare(url: str, count: int) -> list[uuid.UUID]:
    app = Bare(env=env(url))
    ids = []
    for _ in range(count):
        tally = Tally()
        for _ in range(PRIOR_EVENTS - 1):
            tally.note("x")
        app.save(tally)
        ids.append(tally.id)
    app.close()
    return ids


def bare_writer(url: str, ids: list[uuid.UUID]) -> Step:
    app = Bare(env={**env(url), "CREATE_TABLE": "n"})
    for aggregate_id in ids:
        app.repository.get(aggregate_id)
    done = 0

    def step(count: int) -> float:
        nonlocal done

        def work() -> None:
            for n in range(done, done + count):
                tally: Tally = app.repository.get(ids[n % len(ids)])
                tally.note("Progresjon som forventet")
                app.save(tally)

        seconds = timed(work)
        done += count
        return seconds

    return step


def interleaved(steps: dict[str, Step], commands: int, rounds: int) -> dict[str, float]:
    """Commands/s of each writer, run in alternating rounds so drifting load hits all alike."""
    seconds = dict.fromkeys(steps, 0.0)
    for _ in range(rounds):
        for name, step in steps.items():
            seconds[name] += step(commands // rounds)
    return {name: rate(commands // rounds * rounds, spent) for name, spent in seconds.items()}


def run_raw(url: str, commands: int) -> float:
    state = b'{"actor":"veil","text":"Progresjon som forventet"}' * 3
    if is_sqlite(url):
        db = sqlite3.connect(sqlite_path(url).with_name("raw.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")  # as the library sets it
        db.execute("PRAGMA synchronous=FULL")
        db.execute(
            "CREATE TABLE e (id TEXT, v INTEGER, topic TEXT, state BLOB, PRIMARY KEY (id, v))"
        )

        def work() -> None:
            for n in range(commands):
                db.execute("BEGIN")
                db.execute("INSERT INTO e VALUES (?,?,?,?)", (uuid.uuid4().hex, n, "t", state))
                db.execute("COMMIT")

        return rate(commands, timed(work))
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(
            "CREATE TABLE e (id uuid, v bigint, topic text, state bytea, "
            "n bigserial, PRIMARY KEY (id, v))"
        )
        conn.commit()

        def work_pg() -> None:
            for n in range(commands):
                conn.execute(
                    "INSERT INTO e (id, v, topic, state) VALUES (%s,%s,%s,%s)",
                    (uuid.uuid4(), n, "t", state),
                )
                conn.commit()

        return rate(commands, timed(work_pg))


def _writer_process(
    kind: str, url: str, share: list[str], commands: int, barrier: Any, out: Any
) -> None:
    """One writer process: warm up, wait for all the others, then run its commands."""
    if kind == "ours":
        cid, codes = share[0], share[1:]
        step = ours_writer(url, uuid.UUID(cid), codes, create_table=False)
    else:
        step = bare_writer(url, [uuid.UUID(i) for i in share])
    barrier.wait()
    began = time.time()
    step(commands)
    out.put((began, time.time()))


def in_parallel(kind: str, url: str, shares: list[list[str]], commands: int) -> float:
    """Seconds for all processes together: the wall time their commands spanned."""
    context = mp.get_context("spawn")
    barrier, out = context.Barrier(len(shares)), context.Queue()
    workers = [
        context.Process(target=_writer_process, args=(kind, url, share, commands, barrier, out))
        for share in shares
    ]
    for worker in workers:
        worker.start()
    spans = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    return max(end for _, end in spans) - min(began for began, _ in spans)


def measure(store: str, server: str | None, commands: int, processes: int, rounds: int) -> None:
    with fresh_database(store, server) as url:
        cid, codes = prepare_ours(url, goals=200)
        ids = prepare_bare(url, 200)
        one = interleaved(
            {"ours": ours_writer(url, cid, codes), "bare": bare_writer(url, ids)}, commands, rounds
        )
        ours, bare = one["ours"], one["bare"]
        raw = run_raw(url, commands)
        line(f"[{store}] {load_average()}", "")
        line(f"[{store}] one writer: ours (comment_goal)", f"{ours:,.0f} cmd/s")
        line(f"[{store}] one writer: bare library, same events", f"{bare:,.0f} cmd/s")
        line(f"[{store}] one writer: raw insert, one tx each", f"{raw:,.0f} rows/s")
        line(f"[{store}] ours / bare", f"{ours / bare:.2f}", ">= 0.85", ours / bare >= 0.85)
        line(f"[{store}] ours / raw insert", f"{ours / raw:.2f}")
        if processes > 1:
            # Each process comments on goals of its own, so writers never conflict.
            per = commands // processes
            ours_shares = [[str(cid), *codes[i::processes]] for i in range(processes)]
            bare_shares = [[str(i) for i in ids[n::processes]] for n in range(processes)]
            spent = {"ours": 0.0, "bare": 0.0}
            repeats = max(1, rounds // 2)
            for _ in range(repeats):  # alternating, as for one writer
                spent["ours"] += in_parallel("ours", url, ours_shares, per)
                spent["bare"] += in_parallel("bare", url, bare_shares, per)
            ours_total = rate(per * processes * repeats, spent["ours"])
            bare_total = rate(per * processes * repeats, spent["bare"])
            target = 1000 if store == "postgres" else 2000
            line(f"[{store}] {load_average()}", "")
            line(
                f"[{store}] {processes} writer processes: ours in total",
                f"{ours_total:,.0f} cmd/s",
                f">= {target}",
                ours_total >= target,
            )
            line(
                f"[{store}] {processes} writer processes: bare in total", f"{bare_total:,.0f} cmd/s"
            )
            line(
                f"[{store}] {processes} writer processes: ours / bare",
                f"{ours_total / bare_total:.2f}",
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=4, help="alternations of ours and bare")
    args = parser.parse_args()
    on_stores(
        args.store,
        lambda store, server: measure(store, server, args.commands, args.processes, args.rounds),
    )


if __name__ == "__main__":
    main()
