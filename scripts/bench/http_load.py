#!/usr/bin/env python3
"""HTTP commands under 32 concurrent clients on loopback, against a bare FastAPI endpoint.

    .venv/bin/python scripts/bench/http_load.py [--store sqlite|postgres|both] [--seconds 10]

The load comes from `wrk` (Debian package `wrk`) in a process of its own: 32 keep-alive
connections on 2 threads, each a closed loop, a request timeout of 30 s so that no slow
answer drops out of the latency figures. A Lua script POSTs the command with a bearer
token, a JSON body and a unique `Idempotency-Key` (API.md: every POST honours one, so a
real client sends it); its `done()` prints the request count, p50/p90/p99 and the count
of answers outside 2xx as one JSON line. Any non-2xx answer or socket error makes the
run invalid.

The server is the real `kompetanse serve` (uvicorn, projections inline) in its own
process, and `kompetanse serve --workers 2` (two API processes and one follower process;
`--workers N ...` picks the counts); the command is POST .../goals/{code}/comments
(load candidate and goal, R13, save with a receipt). Baselines in the same run: the same
command in process (no HTTP, same idempotency keys), and a bare FastAPI POST endpoint under
the same load. The peak
resident memory (VmHWM) of each server process and its children is read from /proc after
the load, and so is its CPU time per request (user + system over the measured run), a
figure that moves less than throughput on a shared machine. `BENCH_CLIENTS=N` changes
the 32 connections (at least 2, wrk's thread count), for exploring.

Targets (issue 7): p99 <= 100 ms, throughput >= 60 % of the in-process rate. With 32
clients in a closed loop the mean latency is 32 / throughput (Little's law), so a p99
of 100 ms needs well over 320 requests a second.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from common import (
    ROOT,
    cpu_seconds,
    fresh_database,
    line,
    load_average,
    on_stores,
    peak_rss_mib,
    peak_rss_summary,
    rate,
)

from api.settings import DEFAULT_AGGREGATE_CACHE
from kompetanse.devkeys import mint_dev_token
from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.model.identity import Identity
from kompetanse_store.urls import event_store_env

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
WRK_THREADS = 2
WARM_UP_SECONDS = 2
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

# Globals set by thread:set() live in each thread's own Lua state; done() runs in the
# main state and reads them back through the thread objects kept by setup().
WRK_SCRIPT = """
local paths = {%(paths)s}
local threads = {}
wrk.method = "POST"
wrk.body = '{"text":"Progresjon"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  sent, non2xx = 0, 0
end

function request()
  sent = sent + 1
  wrk.headers["Idempotency-Key"] = string.format("%(run)s-%%d-%%d", id, sent)
  return wrk.format(nil, paths[(id * 37 + sent) %% #paths + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,' ..
    '"max_us":%%d,"non2xx":%%d,"socket_errors":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, bad, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int

    @property
    def throughput(self) -> float:
        return rate(self.requests, self.seconds)

    @property
    def valid(self) -> bool:
        return self.requests > 0 and self.non2xx == 0 and self.socket_errors == 0


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit(
            "http_load.py: the load tool `wrk` is not installed. Install it with\n"
            "  apt-get install -y wrk      (Debian/Ubuntu)\n"
            "  brew install wrk            (macOS)\n"
            "and run again."
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, process: subprocess.Popen[bytes], path: str) -> None:
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


@contextmanager
def serving(
    command: list[str], env: dict[str, str], folder: str, health: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start a server on a free port (output to <folder>/server.log), stop it after."""
    port = free_port()
    with (Path(folder) / "server.log").open("wb") as out:
        server = subprocess.Popen(
            [*command, "--port", str(port)], cwd=folder, env=env, stdout=out, stderr=out
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, server, health)
            yield base, server
        finally:
            server.terminate()
            server.wait(timeout=30)


def run_wrk(wrk: str, base: str, paths: list[str], token: str, seconds: float) -> WrkResult:
    """One closed-loop wrk run of CLIENTS connections; the figures its done() printed."""
    script = WRK_SCRIPT % {
        "paths": ", ".join(f'"{path}"' for path in paths),
        "token": token,
        "run": f"bench-{uuid.uuid4().hex[:12]}",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = [wrk, f"-t{WRK_THREADS}", f"-c{CLIENTS}", f"-d{max(1, round(seconds))}s"]
        command += ["--timeout", "30s", "-s", lua.name, base]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = next(json.loads(row[6:]) for row in output.splitlines() if row.startswith("BENCH "))
    return WrkResult(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p90_ms=figures["p90_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        non2xx=figures["non2xx"],
        socket_errors=figures["socket_errors"],
    )


def load(
    wrk: str, base: str, paths: list[str], token: str, seconds: float, pid: int
) -> tuple[WrkResult, float]:
    """A short warm-up (imports, pools, caches), then the measured run and its server CPU."""
    run_wrk(wrk, base, paths, token, WARM_UP_SECONDS)
    cpu = cpu_seconds(pid)
    result = run_wrk(wrk, base, paths, token, seconds)
    return result, cpu_seconds(pid) - cpu


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


def in_process_rate(url: str, cid: str, codes: list[str], seconds: float) -> tuple[float, float]:
    """The same command, with a unique idempotency key each, called in process, with the
    aggregate cache the server has by default (`KOMPETANSE_AGGREGATE_CACHE`): commands a
    second, and CPU seconds per command."""
    env = event_store_env(url, aggregate_cache=DEFAULT_AGGREGATE_CACHE)
    app = KompetanseApplication(env=env)
    veil, run = Identity("veil", "V"), uuid.uuid4().hex[:12]
    count, began, began_cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - began < seconds:
        ctx = CommandContext(veil, idempotency_key=f"inproc-{run}-{count}", fingerprint=run)
        app.comment_goal(ctx, uuid.UUID(cid), codes[count % len(codes)], text="Progresjon")
        count += 1
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    app.close()
    return rate(count, elapsed), cpu / max(1, count)


def report(
    label: str, result: WrkResult, cpu: float, peaks: dict[int, float], load_before: str
) -> None:
    failed = f"{result.non2xx} non-2xx, {result.socket_errors} socket errors"
    line(
        f"[{label}] HTTP, {CLIENTS} clients: throughput",
        f"{result.throughput:,.0f} req/s ({result.requests} requests, {failed}; {load_before})",
        "no failures",
        result.valid,
    )
    line(
        f"[{label}] HTTP latency",
        f"p50 {result.p50_ms:.1f} ms, p90 {result.p90_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, max {result.max_ms:.0f} ms",
    )
    line(f"[{label}] server CPU per request", f"{cpu * 1000 / max(1, result.requests):.1f} ms")
    line(f"[{label}] server peak RSS (VmHWM) after load", peak_rss_summary(peaks))


def measure_bare(wrk: str, seconds: float) -> WrkResult:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "bare_app.py").write_text(BARE_APP)
        command = [sys.executable, "-m", "uvicorn", "bare_app:app", "--log-level", "warning"]
        with serving(command, dict(os.environ), folder, "/docs") as (base, server):
            paths = [f"/v1/bare/{n}/comments" for n in range(100)]
            load_before = load_average()
            result, cpu = load(wrk, base, paths, "none", seconds, server.pid)
            peaks = peak_rss_mib(server.pid)
    report("bare", result, cpu, peaks, load_before)
    return result


def measure(
    wrk: str, store: str, server_url: str | None, seconds: float, bare: WrkResult, workers: int
) -> None:
    label = store if workers == 1 else f"{store}, --workers {workers}"
    with fresh_database(store, server_url) as url, tempfile.TemporaryDirectory() as data:
        cid, codes = seed(url)
        load_before = load_average()
        baseline, command_cpu = in_process_rate(url, cid, codes, seconds / 2)
        line(f"[{label}] in process: comment_goal", f"{baseline:,.0f} cmd/s ({load_before})")
        line(f"[{label}] in process: CPU per command", f"{command_cpu * 1000:.1f} ms")
        env = {**os.environ, "KOMPETANSE_DATA_DIR": data, "KOMPETANSE_DATABASE_URL": url}
        env["KOMPETANSE_WORKERS"] = str(workers)
        with serving([str(KOMPETANSE), "serve"], env, data, "/healthz") as (base, server):
            token = mint_dev_token(Path(data), sub="veil", name="V")
            paths = [f"/v1/candidates/{cid}/goals/{code}/comments" for code in codes]
            load_before = load_average()
            result, cpu = load(wrk, base, paths, token, seconds, server.pid)
            peaks = peak_rss_mib(server.pid)
        report(label, result, cpu, peaks, load_before)
        if not result.valid:
            print(f"[{label}] server log tail:", *_tail(Path(data) / "server.log"), sep="\n")
    line(f"[{label}] HTTP p99", f"{result.p99_ms:.0f} ms", "<= 100 ms", result.p99_ms <= 100)
    ratio = result.throughput / baseline
    line(f"[{label}] HTTP / in-process throughput", f"{ratio:.2f}", ">= 0.60", ratio >= 0.6)
    line(f"[{label}] HTTP / bare FastAPI throughput", f"{result.throughput / bare.throughput:.2f}")


def _tail(log: Path, rows: int = 5) -> list[str]:
    return log.read_text(errors="replace").splitlines()[-rows:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="`kompetanse serve --workers N` for each N given (1: projections inline)",
    )
    args = parser.parse_args()
    wrk = require_wrk()
    bare = measure_bare(wrk, args.seconds)

    def measure_store(store: str, server: str | None) -> None:
        for workers in args.workers:
            measure(wrk, store, server, args.seconds, bare, workers)

    on_stores(args.store, measure_store)


if __name__ == "__main__":
    main()
