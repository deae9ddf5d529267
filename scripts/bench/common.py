"""Shared set-up for benchmarks: stores, a throwaway PostgreSQL, timing and printing.

Benchmarks print figures and ratios against a baseline measured in the same run; they
are never timed tests (the machines are shared and noisy).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

from support.postgres import ThrowawayPostgres  # noqa: E402


@contextmanager
def postgres_server() -> Iterator[str]:
    """A server URL: KOMPETANSE_BENCH_POSTGRES_URL, or a throwaway cluster for this run."""
    given = os.environ.get("KOMPETANSE_BENCH_POSTGRES_URL")
    if given:
        yield given
        return
    server = ThrowawayPostgres()
    server.start()
    try:
        yield server.url
    finally:
        server.close()


def on_stores(choice: str, measure: Callable[[str, str | None], None]) -> None:
    """`measure(store, server_url)` for `sqlite`, `postgres` or `both`; a PostgreSQL
    server (`postgres_server`) only when one is measured, else `server_url` is None."""
    stores = ["sqlite", "postgres"] if choice == "both" else [choice]
    if "postgres" not in stores:
        for store in stores:
            measure(store, None)
        return
    with postgres_server() as server:
        for store in stores:
            measure(store, server)


@contextmanager
def fresh_database(store: str, server_url: str | None) -> Iterator[str]:
    """An empty database URL on the given store (`sqlite` or `postgres`)."""
    if store == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kompetanse-bench-") as folder:
            yield f"sqlite:///{folder}/kompetanse.db"
        return
    assert server_url is not None, "postgres needs a server"
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
        f"p99 {percentile(ms, 99):.1f} ms (n={len(ms)})"
    )


def line(label: str, figure: str, target: str = "", met: bool | None = None) -> None:
    verdict = "" if met is None else ("  [target met]" if met else "  [target MISSED]")
    print(f"{label:<58} {figure}{'  target ' + target if target else ''}{verdict}", flush=True)


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (Linux /proc), parents first."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop(0)
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                queue += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def peak_rss_mib(pid: int) -> dict[int, float]:
    """VmHWM (peak resident set) of the process and its descendants, in MiB, by pid."""
    peaks: dict[int, float] = {}
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for row in status.splitlines():
            if row.startswith("VmHWM:"):
                peaks[member] = int(row.split()[1]) / 1024
    return peaks


def peak_rss_summary(peaks: dict[int, float]) -> str:
    """`123 MiB`, or for several processes `250 MiB in 3 processes (50 + 100 + 100)`."""
    total = sum(peaks.values())
    if len(peaks) <= 1:
        return f"{total:,.0f} MiB"
    parts = " + ".join(f"{peak:,.0f}" for peak in peaks.values())
    return f"{total:,.0f} MiB in {len(peaks)} processes ({parts}; peaks summed)"


def load_average() -> str:
    """The 1-minute load average, to print beside figures from a shared machine."""
    return f"load {os.getloadavg()[0]:.2f}"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by the process and its live descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total
