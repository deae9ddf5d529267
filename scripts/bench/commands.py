#!/usr/bin/env python3
"""Commands in process (load, decide, save) against the bare library and raw inserts.

    .venv/bin/python scripts/bench/commands.py [--store sqlite|postgres|both] [--commands 2000]

Ours: `KompetanseApplication.comment_goal` (loads candidate and goal, checks R13, saves).
Baseline: a rule-free aggregate with the same number of stored events, `get`, one
method, `save`, through the same library and store, same aggregate cache. Raw: one
INSERT of the same row shape per transaction with psycopg / sqlite3.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sqlite3
import uuid
from datetime import date

from common import fresh_database, line, postgres_server, rate, timed
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.application.store import event_store_env, is_sqlite, sqlite_path
from kompetanse_domain.model.identity import Identity

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


def run_ours(
    url: str, cid: uuid.UUID, codes: list[str], commands: int, *, create_table: bool = True
) -> float:
    app = KompetanseApplication(env={**env(url), "CREATE_TABLE": "y" if create_table else "n"})
    ctx = CommandContext(Identity("veil", "V"))
    for code in codes:  # warm the cache, as a long-running server has it
        app.get_goal(cid, code)
    app.get_candidate(cid)

    def work() -> None:
        for n in range(commands):
            app.comment_goal(ctx, cid, codes[n % len(codes)], text="Progresjon som forventet")

    seconds = timed(work)
    app.close()
    return rate(commands, seconds)


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


def run_bare(url: str, ids: list[uuid.UUID], commands: int) -> float:
    app = Bare(env=env(url))
    for aggregate_id in ids:
        app.repository.get(aggregate_id)

    def work() -> None:
        for n in range(commands):
            tally: Tally = app.repository.get(ids[n % len(ids)])
            tally.note("Progresjon som forventet")
            app.save(tally)

    seconds = timed(work)
    app.close()
    return rate(commands, seconds)


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


def _ours_worker(args: tuple[str, str, list[str], int]) -> float:
    url, cid, codes, commands = args
    return run_ours(url, uuid.UUID(cid), codes, commands, create_table=False)


def measure(store: str, server: str | None, commands: int, processes: int) -> None:
    with fresh_database(store, server) as url:
        cid, codes = prepare_ours(url, goals=200)
        ids = prepare_bare(url, 200)
        ours = run_ours(url, cid, codes, commands)
        bare = run_bare(url, ids, commands)
        raw = run_raw(url, commands)
        line(f"[{store}] one writer: ours (comment_goal)", f"{ours:,.0f} cmd/s")
        line(f"[{store}] one writer: bare library, same events", f"{bare:,.0f} cmd/s")
        line(f"[{store}] one writer: raw insert, one tx each", f"{raw:,.0f} rows/s")
        line(f"[{store}] ours / bare", f"{ours / bare:.2f}", ">= 0.85", ours / bare >= 0.85)
        line(f"[{store}] ours / raw insert", f"{ours / raw:.2f}")
        if processes > 1:
            share = [codes[i::processes] for i in range(processes)]
            with mp.get_context("spawn").Pool(processes) as pool:
                rates = pool.map(
                    _ours_worker, [(url, str(cid), part, commands // processes) for part in share]
                )
            total = sum(rates)
            target = 1000 if store == "postgres" else 2000
            line(
                f"[{store}] {processes} writer processes: ours in total",
                f"{total:,.0f} cmd/s",
                f">= {target}",
                total >= target,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=4)
    args = parser.parse_args()
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    if "postgres" in stores:
        with postgres_server() as server:
            for store in stores:
                measure(store, server, args.commands, args.processes)
    else:
        measure("sqlite", None, args.commands, args.processes)


if __name__ == "__main__":
    main()
