#!/usr/bin/env python3
"""HTTP commands under 32 concurrent clients on loopback, against a bare FastAPI endpoint.

    .venv/bin/python scripts/bench/http_load.py [--store sqlite|postgres|both] [--seconds 10]

The server is the real `kompetanse serve` (uvicorn, projections inline) in its own
process; the command is POST .../goals/{code}/comments (load candidate and goal, R13,
save). Baselines in the same run: the same command in process (no HTTP), and a bare
FastAPI POST endpoint under the same load. Targets (issue 7): p99 <= 100 ms, throughput
>= 60 % of the in-process rate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from common import ROOT, fresh_database, line, postgres_server, rate, summary_ms

from kompetanse.devkeys import mint_dev_token
from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.application.store import event_store_env
from kompetanse_domain.model.identity import Identity

CLIENTS = 32
KOMPETANSE = ROOT / ".venv" / "bin" / "kompetanse"

BARE_APP = """
from fastapi import FastAPI
from pydantic import BaseModel
app = FastAPI()
class Body(BaseModel):
    text: str
@app.post("/v1/bare/{cid}/comments", status_code=201)
def comment(cid: str, body: Body) -> dict[str, str]:
    return {"comment_id": cid}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, process: subprocess.Popen[bytes], path: str = "/healthz") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(base + path, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def seed(url: str) -> tuple[str, list[str]]:
    app = KompetanseApplication(env=event_store_env(url))
    lis, leader, veil = Identity("lis", "L"), Identity("leader", "Le"), Identity("veil", "V")
    ctx = CommandContext
    cid = app.register_candidate(
        ctx(lis),
        name="L",
        email="l@example.no",
        specialty="ALM",
        organisation_id="1",
        organisation_name="K",
    ).value["candidate_id"]
    for role, who in (("leader", leader), ("veileder", veil)):
        token = app.invite(ctx(lis), uuid.UUID(cid), role=role, name=who.name, email="x@example.no")
        app.accept_invitation(ctx(who), token.value["token"])
    app.assign_plan(ctx(leader), uuid.UUID(cid), plan_code="ALM")
    codes = [g.code for g in app.catalogue.plan("ALM").goals]
    app.close()
    return cid, codes


def in_process_rate(url: str, cid: str, codes: list[str], seconds: float) -> float:
    app = KompetanseApplication(env=event_store_env(url))
    ctx = CommandContext(Identity("veil", "V"))
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        app.comment_goal(ctx, uuid.UUID(cid), codes[count % len(codes)], text="Progresjon")
        count += 1
    elapsed = time.perf_counter() - began
    app.close()
    return rate(count, elapsed)


async def load(base: str, paths: list[str], token: str, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base, limits=limits, headers=headers, timeout=30
    ) as client:

        async def worker(index: int) -> None:
            nonlocal failures
            n = index
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                response = await client.post(paths[n % len(paths)], json={"text": "Progresjon"})
                latencies.append(time.perf_counter() - began)
                if response.status_code >= 300:
                    failures += 1
                n += CLIENTS

        await asyncio.gather(*(worker(i) for i in range(CLIENTS)))
    return latencies, failures


def measure(store: str, server_url: str | None, seconds: float) -> None:
    with fresh_database(store, server_url) as url, tempfile.TemporaryDirectory() as data:
        cid, codes = seed(url)
        baseline = in_process_rate(url, cid, codes, seconds / 2)
        port = free_port()
        env = {**os.environ, "KOMPETANSE_DATA_DIR": data, "KOMPETANSE_DATABASE_URL": url}
        log = Path(data) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [str(KOMPETANSE), "serve", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                wait_healthy(base, server)
                token = mint_dev_token(Path(data), sub="veil", name="V")
                paths = [f"/v1/candidates/{cid}/goals/{code}/comments" for code in codes]
                latencies, failures = asyncio.run(load(base, paths, token, seconds))
            finally:
                server.terminate()
                server.wait(timeout=30)
        throughput = rate(len(latencies), seconds)
        line(f"[{store}] in process: comment_goal", f"{baseline:,.0f} cmd/s")
        line(
            f"[{store}] HTTP, {CLIENTS} clients: throughput",
            f"{throughput:,.0f} req/s ({failures} failed)",
        )
        line(f"[{store}] HTTP latency", summary_ms(latencies))
        p99 = sorted(latencies)[int(0.99 * (len(latencies) - 1))] * 1000
        line(f"[{store}] HTTP p99", f"{p99:.0f} ms", "<= 100 ms", p99 <= 100)
        line(
            f"[{store}] HTTP / in-process throughput",
            f"{throughput / baseline:.2f}",
            ">= 0.60",
            throughput / baseline >= 0.6,
        )


def measure_bare(seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "bare_app.py").write_text(BARE_APP)
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bare_app:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=folder,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, server, "/docs")
            paths = [f"/v1/bare/{n}/comments" for n in range(100)]
            latencies, failures = asyncio.run(load(base, paths, "none", seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
    line(
        "[bare] FastAPI endpoint, 32 clients: throughput",
        f"{rate(len(latencies), seconds):,.0f} req/s ({failures} failed)",
    )
    line("[bare] FastAPI endpoint latency", summary_ms(latencies))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    measure_bare(args.seconds)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    with postgres_server() as server:
        for store in stores:
            measure(store, server, args.seconds)


if __name__ == "__main__":
    main()
