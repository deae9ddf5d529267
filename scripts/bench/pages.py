#!/usr/bin/env python3
"""Server time of the web pages against the API's JSON of the same data.

    .venv/bin/python scripts/bench/pages.py [--store sqlite|postgres|both]
        [--candidates 40 | --national] [--requests 200]

Issue 25 ("Must show"): the leader dashboard (`/leder`), the approval pages (the
leader's queue `/leder/godkjenninger`, its first page of 50, the approval page
`/kandidater/{cid}/mal/{code}/grunnlag` and the goal page a leader opens from it) and a
candidate's goal list (`/kandidater/{cid}/mal`), p95 at most 50 ms each, and the HTML
of a 40-candidate dashboard under 150 KB. The dataset is `generate_dataset.py`'s (40
candidates to a leader, so `leader-000` leads 40 at any size); the pages are asked for
with starlette's TestClient in process (server time and the in-process transport, no
network), signed in as `leader-000` through the dev sign-in form. The baseline, in the
same run and alternating in chunks of 20 with the page, is the API's JSON of the same
data as the same leader (a dev token): `/v1/leaders/me/candidates`,
`/v1/leaders/me/approvals` (all rows), `/v1/candidates/{cid}/goals/{code}` and
`/v1/candidates/{cid}/progress`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import fastapi.routing
from common import fresh_database, line, load_average, on_stores, percentile, summary_ms
from fastapi.testclient import TestClient
from generate_dataset import generate

from api.app import create_app
from api.attachments import AttachmentStore
from api.deps import Services
from api.settings import Settings
from kompetanse.devkeys import mint_dev_token
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.model.identity import candidate_id_for
from kompetanse_store.urls import event_store_env, views_database_url
from projections.service import ProjectionService
from web.app import install

NATIONAL = 1000
CHUNK = 20
LEADER = ("leader-000", "Leder 0")


@contextmanager
def serving(url: str, catalogue: Catalogue | None = None) -> Iterator[tuple[TestClient, Path]]:
    """The app `kompetanse serve` runs (API and pages) over the store at `url`, its views
    caught up (not followed in the background: nothing is written meanwhile), in a
    TestClient; and its data directory (dev keys)."""
    with tempfile.TemporaryDirectory(prefix="kompetanse-bench-data-") as folder:
        data = Path(folder)
        settings = Settings(data_dir=data, database_url=url)
        env = event_store_env(url, aggregate_cache=settings.aggregate_cache)
        application = (
            KompetanseApplication(env=env)
            if catalogue is None
            else KompetanseApplication(env=env, catalogue=catalogue)
        )
        projections = ProjectionService(application, views_database_url(url))
        projections.catch_up()
        if projections.db.writer.dialect.name == "postgresql":
            with projections.db.write() as conn:  # what autovacuum does on a live system
                conn.exec_driver_sql("ANALYZE")
        services = Services(
            application=application,
            projections=projections,
            settings=settings,
            attachments=AttachmentStore(settings.attachments_dir),
        )
        app = install(create_app(services), secret="secret-of-the-benchmark")
        try:
            with TestClient(app, follow_redirects=False) as client:
                yield client, data
        finally:
            projections.close()
            application.close()


def sign_in(client: TestClient, sub: str, name: str) -> None:
    """Through the dev sign-in form with its CSRF token, as a person would."""
    page = client.get("/logg-inn")
    marker = 'name="csrf" value="'
    start = page.text.index(marker) + len(marker)
    csrf = page.text[start : page.text.index('"', start)]
    answer = client.post("/logg-inn", data={"csrf": csrf, "sub": sub, "name": name})
    assert answer.status_code == 303, answer.text


def timed_get(client: TestClient, path: str, headers: dict[str, str] | None = None) -> float:
    began = time.perf_counter()
    answer = client.get(path, headers=headers)
    seconds = time.perf_counter() - began
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return seconds


def profile_endpoint(
    client: TestClient, path: str, headers: dict[str, str] | None = None, count: int = 20
) -> str:
    """cProfile of the endpoint's function (it runs in the server's worker threads, so
    the profiler is switched on there) over `count` requests: top 15 by cumulative time."""
    profile = cProfile.Profile()
    original = fastapi.routing.run_in_threadpool

    async def profiled(func: Any, *args: Any, **kwargs: Any) -> Any:
        return await original(profile.runcall, func, *args, **kwargs)

    fastapi.routing.run_in_threadpool = profiled  # type: ignore[assignment]
    try:
        for _ in range(count):
            timed_get(client, path, headers)
    finally:
        fastapi.routing.run_in_threadpool = original
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(15)
    return out.getvalue()


def measure(store: str, server: str | None, candidates: int, requests: int, profile: bool) -> None:
    with fresh_database(store, server) as url:
        app = KompetanseApplication(env=event_store_env(url))
        events = generate(app, candidates, progress=False)
        app.close()
        with serving(url) as (client, data):
            sign_in(client, *LEADER)
            token = mint_dev_token(data, sub=LEADER[0], name=LEADER[1])
            bearer = {"Authorization": f"Bearer {token}"}
            approvals = client.get("/v1/leaders/me/approvals", headers=bearer).json()["data"]
            led = client.get("/v1/leaders/me/candidates", headers=bearer).json()["data"]
            if approvals:
                cid, code = approvals[0]["candidate"]["candidate_id"], approvals[0]["goal_code"]
            else:
                cid, code = str(candidate_id_for("lis-000000")), "LIS1-KLK-001"
            goals = len(
                client.get(f"/v1/candidates/{cid}/progress", headers=bearer).json()["goals"]
            )
            line(
                f"[{store}] {candidates} candidates, {events:,} events; {LEADER[0]} leads",
                f"{len(led)} candidates, {len(approvals)} goals wait for approval; "
                f"the goal list has {goals} goals",
            )
            pairs = {
                "leader dashboard": ("/leder", "/v1/leaders/me/candidates"),
                "approvals queue, page 1": ("/leder/godkjenninger", "/v1/leaders/me/approvals"),
                "approval page (basis)": (
                    f"/kandidater/{cid}/mal/{code}/grunnlag",
                    f"/v1/candidates/{cid}/goals/{code}",
                ),
                "goal page (approval)": (
                    f"/kandidater/{cid}/mal/{code}",
                    f"/v1/candidates/{cid}/goals/{code}",
                ),
                "candidate's goal list": (
                    f"/kandidater/{cid}/mal",
                    f"/v1/candidates/{cid}/progress",
                ),
            }
            dashboard = client.get("/leder")
            size = len(dashboard.content)
            for page, api in pairs.values():  # warm up: templates, statements, pools
                for _ in range(5):
                    timed_get(client, page)
                    timed_get(client, api, bearer)
            samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
            for _ in range(max(1, requests // CHUNK)):
                for name, (page, api) in pairs.items():
                    pages, apis = samples[name]
                    pages += [timed_get(client, page) for _ in range(CHUNK)]
                    apis += [timed_get(client, api, bearer) for _ in range(CHUNK)]
            line(f"[{store}] {load_average()}", " ".join(f"{x:.2f}" for x in os.getloadavg()))
            for name, (pages, apis) in samples.items():
                page = pairs[name][0]
                p95, api95 = percentile(pages, 95) * 1000, percentile(apis, 95) * 1000
                line(f"[{store}] {name}, page", summary_ms(pages), "p95 <= 50 ms", p95 <= 50)
                line(f"[{store}] {name}, API JSON (baseline)", summary_ms(apis))
                line(f"[{store}] {name}, page / API (p95)", f"{p95 / api95:.2f}")
                if p95 > 50 and profile:
                    print(f"[{store}] {name}: where the page's time goes ({page}, 20 requests)")
                    print(profile_endpoint(client, pairs[name][0]), flush=True)
            line(
                f"[{store}] HTML of the dashboard with {len(led)} candidates",
                f"{size / 1000:,.1f} KB ({size:,} bytes)",
                "< 150 KB",
                size < 150_000,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--candidates", type=int, default=40, help="size of the dataset (40 to a leader)"
    )
    parser.add_argument(
        "--national", action="store_true", help=f"the national dataset ({NATIONAL} candidates)"
    )
    parser.add_argument("--requests", type=int, default=200, help="requests of each page")
    parser.add_argument(
        "--no-profile", action="store_true", help="no cProfile of a page that missed its target"
    )
    args = parser.parse_args()
    candidates = NATIONAL if args.national else args.candidates
    on_stores(
        args.store,
        lambda store, server: measure(
            store, server, candidates, args.requests, not args.no_profile
        ),
    )


if __name__ == "__main__":
    main()
