#!/usr/bin/env python3
"""Audit history of a candidate with 3,000 events, against a raw SQL select of the rows.

    .venv/bin/python scripts/bench/history.py [--store sqlite|postgres|both]

Target (issue 7): p95 <= 50 ms and within 3x of a raw select of the same rows (read
from the audit view; replaying 3,000 events through the repository is shown too).
"""

from __future__ import annotations

import argparse
import time

from common import fresh_database, line, on_stores, percentile, summary_ms
from generate_dataset import generate
from sqlalchemy import text

from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.model.identity import Identity, candidate_id_for, goal_id_for
from kompetanse_store.urls import event_store_env, views_database_url
from projections.queries.read import reading
from projections.service import ProjectionService

TARGET_EVENTS = 3000
ROUNDS = 100


def sample(call: object) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append(time.perf_counter() - began)
    return samples


def measure(store: str, server: str | None) -> None:
    with fresh_database(store, server) as url:
        app = KompetanseApplication(env=event_store_env(url))
        generate(app, 3, progress=False)
        cid = candidate_id_for("lis-000000")
        service = ProjectionService(app, views_database_url(url))
        service.catch_up()
        have = len(service.queries.list_history(cid))
        candidate = app.get_candidate(cid)
        veileder = Identity(candidate.veileder["sub"], candidate.veileder["name"])  # type: ignore[index]
        codes = sorted(candidate.goal_codes())
        for n in range(TARGET_EVENTS - have):
            app.comment_goal(CommandContext(veileder), cid, codes[n % len(codes)], text="Notat")
        service.catch_up()
        events = len(service.queries.list_history(cid))
        ours = sample(lambda: service.queries.history_json(cid))  # what GET .../history serves
        as_dicts = sample(lambda: service.queries.list_history(cid))
        with reading(service.db, service.schema) as r:
            table = r.t("audit").event.name
        statement = text(f"SELECT * FROM {table} WHERE candidate_id = :cid ORDER BY position")

        def raw() -> None:
            with service.db.reader.connect() as conn:
                conn.execute(statement, {"cid": str(cid)}).all()

        baseline = sample(raw)
        goal_id = goal_id_for(cid, codes[0])
        replay = sample(lambda: app.repository.get(goal_id))
        p95, raw95 = percentile(ours, 95) * 1000, percentile(baseline, 95) * 1000
        line(
            f"[{store}] history of {events:,} events (JSON body, audit view)",
            summary_ms(ours),
            "p95 <= 50 ms",
            p95 <= 50,
        )
        line(f"[{store}] raw SELECT of the same rows", summary_ms(baseline))
        line(f"[{store}] for scale: the same rows as Python dicts", summary_ms(as_dicts))
        line(
            f"[{store}] history / raw select (p95)", f"{p95 / raw95:.2f}", "<= 3", p95 / raw95 <= 3
        )
        line(f"[{store}] for scale: replay one goal via repository.get", summary_ms(replay))
        service.close()
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    on_stores(args.store, measure)


if __name__ == "__main__":
    main()
