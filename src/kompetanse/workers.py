"""`kompetanse serve --workers N`: N uvicorn worker processes and one follower process.

One process serves at most one core (Python's GIL), and with the projections inline
it also applies every event. With N workers the API uses N cores: each worker builds
its own services (`kompetanse.asgi:worker_app`, projections external), and the views
are followed by one `kompetanse projections run` child, restarted when it dies and
stopped with the server; so is the notification process (`kompetanse notifications run`,
ADR 0025). Workers and follower stop by themselves when the server
process is gone (killed with SIGKILL, say), so none is left holding the port. The
workers' Prometheus values are shared through files in a directory of the server's
own (`PROMETHEUS_MULTIPROC_DIR`), so `/metrics` counts every worker's requests.
Set `KOMPETANSE_PROJECTIONS=external` to run the follower elsewhere instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from types import FrameType
from typing import Protocol

import typer

from api.observability import MULTIPROCESS_DIR

log = logging.getLogger("kompetanse.serve")

PARENT_ENV = "KOMPETANSE_EXIT_WITH_PARENT"  # workers and follower watch this process id
RESTART_DELAY = 2.0
# uvicorn kills a worker that does not answer its supervisor's ping within this many
# seconds and starts another (its default: 5). A new worker answers only once it has
# imported the whole stack, a few seconds of CPU: on a busy machine that took longer
# than 5 s, so workers were killed and started again, over and over, before they served.
WORKER_HEALTHCHECK_SECONDS = 60


class FollowerProcess:
    """`kompetanse projections run` (or another `kompetanse ... run`, such as
    `notifications run`) as a child process, restarted when it exits."""

    def __init__(self, command: tuple[str, ...] = ("projections", "run")) -> None:
        self.command = command
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="follower", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        command = [sys.executable, "-m", "kompetanse", *self.command]
        return subprocess.Popen(command, env=env)

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            self._process = process = self._spawn()
            if self._stopping.is_set():  # stop() came while it started
                process.terminate()
            code = process.wait()
            if self._stopping.is_set():
                return
            log.error("`kompetanse %s` exited with %s; restarting it", " ".join(self.command), code)
            self._stopping.wait(RESTART_DELAY)

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout)


def serve_workers(*, host: str, port: int, workers: int, follow: bool) -> None:
    """Serve with `workers` processes until stopped; `follow`: start the follower child."""
    import uvicorn

    metrics_dir = tempfile.mkdtemp(prefix="kompetanse-metrics-")
    os.environ[MULTIPROCESS_DIR] = metrics_dir  # the workers inherit the environment
    os.environ["KOMPETANSE_PROJECTIONS"] = "external"
    os.environ[PARENT_ENV] = str(os.getpid())  # workers and follower stop when it is gone
    follower = FollowerProcess() if follow else None
    # R31: the notification process (follower, reminders, e-mail) is one more child
    notifier = FollowerProcess(("notifications", "run")) if follow else None
    try:
        if follower is not None:
            follower.start()
        if notifier is not None:
            notifier.start()
        uvicorn.run(
            "kompetanse.asgi:worker_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_config=None,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
    finally:
        if notifier is not None:
            notifier.stop()
        if follower is not None:
            follower.stop()
        shutil.rmtree(metrics_dir, ignore_errors=True)


def exit_with_parent(stop: threading.Event, on_exit: Callable[[], None]) -> None:
    """In a worker or the follower: call `on_exit()` once the server process that started
    it is gone (the child is then re-parented), so a killed server leaves none behind."""
    expected = os.environ.get(PARENT_ENV)
    if not expected:
        return

    def watch() -> None:
        while not stop.wait(1.0):
            if str(os.getppid()) != expected:
                log.warning("the server process %s is gone; the follower stops", expected)
                on_exit()
                return

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class Follower(Protocol):
    """A process's loop over the store: the projections' or the notifications'."""

    def run(self) -> None: ...

    def stop(self) -> None: ...


def follow_until_stopped(service: Follower, logger: str, banner: str) -> None:
    """`kompetanse projections run`, `notifications run`: run `service` in the
    foreground until SIGTERM or Ctrl-C, or until the `serve` process that started it
    is gone."""

    def stop(signum: int, _: FrameType | None) -> None:
        logging.getLogger(logger).info("signal %d: stopping", signum)
        service.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    stopped = threading.Event()
    exit_with_parent(stopped, service.stop)  # a child of `serve --workers N`
    typer.echo(banner)
    try:
        service.run()
    finally:
        stopped.set()


def stop_this_process() -> None:
    """Ask this process to shut down as on SIGTERM (uvicorn finishes what it serves)."""
    os.kill(os.getpid(), signal.SIGTERM)
