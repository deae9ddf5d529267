"""Helpers for the fault tests: the real server as a subprocess, a retrying HTTP client.

Imported as a top-level module (tests/faults has no `__init__.py`, like tests/api).

- `ServerProcess`: `kompetanse serve` on a free loopback port, stdout/stderr to files,
  readiness by polling `/healthz`, `kill9()`, `stop()`; always stopped by its fixture.
- `Portal`: an httpx client that acts as named people with dev tokens minted from the
  server's data directory, remembers the last `X-Event-Position` and reads with
  `X-Min-Position` (read your own writes).
- `send_with_retries`: what a careful client does: the same `Idempotency-Key` again on
  connection errors and 5xx, with bounded, growing back-off.
- `stored_events`: every stored event of a database, decoded by the application.
- `run_cli` (a new process) and `cli_here` (this process): `kompetanse <command>`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from kompetanse.devkeys import ensure_dev_keys, mint_dev_token
from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env

KOMPETANSE = Path(sys.executable).with_name("kompetanse")
READY_SECONDS = 60.0
# Subprocesses keep compiled bytecode here, outside the venv: with
# PYTHONDONTWRITEBYTECODE (set on some machines) every start would compile the whole
# stack again, which takes seconds, tens of seconds under load.
PYCACHE = Path(tempfile.gettempdir()) / f"kompetanse-test-pycache-{os.getuid()}"
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, database_url: str, **settings: str | None) -> dict[str, str]:
    """The process environment without any outer KOMPETANSE_* setting, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOMPETANSE_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env |= {
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
        "KOMPETANSE_DATA_DIR": str(data_dir),
        "KOMPETANSE_DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "400",  # a start-up error printed by rich is not wrapped mid-message
    }
    for name, value in settings.items():
        if value is not None:
            env[f"KOMPETANSE_{name.upper()}"] = value
    return env


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KOMPETANSE), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def cli_here(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`kompetanse <args>` in this process, seeing only `env`'s KOMPETANSE_* settings.

    The same command as `run_cli`, without the second or so of CPU a new Python process
    spends importing the stack: for short commands that read or mint and exit
    (`dev-token`, `sync status`, `notifications status`). What runs for a while, or is
    killed or restarted by the test, stays a subprocess.
    """
    from typer.testing import CliRunner

    from kompetanse.cli import app

    settings: dict[str, str | None] = {k: None for k in os.environ if k.startswith("KOMPETANSE_")}
    settings |= {k: v for k, v in env.items() if k.startswith("KOMPETANSE_")}
    result = CliRunner().invoke(app, list(args), env=settings)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(
        ["kompetanse", *args], result.exit_code, result.stdout, result.stderr
    )


class ServerNotReadyError(AssertionError):
    pass


class ServerProcess:
    """`kompetanse serve` in a subprocess; each start logs to its own pair of files."""

    def __init__(self, log_dir: Path, port: int | None = None) -> None:
        self.log_dir = log_dir
        self.port = port or free_port()
        self._port_pinned = port is not None
        self._env: dict[str, str] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.log_files: list[Path] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str]) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self._env = env
        self.starts += 1
        out = self.log_dir / f"server-{self.starts}.out"
        err = self.log_dir / f"server-{self.starts}.err"
        self.log_files += [out, err]
        with out.open("wb") as stdout, err.open("wb") as stderr:
            self.process = subprocess.Popen(
                [str(KOMPETANSE), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = READY_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        port_retries = 3
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                if self._lost_port_race() and port_retries > 0:
                    port_retries -= 1
                    self.port = free_port()
                    self.start(self._env)
                    continue
                raise ServerNotReadyError(
                    f"server exited with {self.process.returncode}:\n{self.last_logs()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise ServerNotReadyError(f"server not ready after {timeout} s:\n{self.last_logs()}")

    def _lost_port_race(self) -> bool:
        """Another process took the free port we picked before uvicorn bound it."""
        return not self._port_pinned and "address already in use" in self.last_stderr()

    def wait_exit(self, timeout: float = READY_SECONDS) -> tuple[int, bool]:
        """Wait for the process to exit by itself; (exit code, whether it ever served).

        It served if uvicorn started listening (its own log says so) or if `/healthz`
        answered while it ran.
        """
        assert self.process is not None
        answered = False
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"server still running after {timeout} s")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{self.base_url}/healthz", timeout=0.5)
                answered = self.process.poll() is None
            time.sleep(0.1)
        listening = "Uvicorn running on" in self.last_logs()
        return self.process.returncode, answered or listening

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit within 15 s."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(10)

    def logs(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.log_files)

    def last_logs(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.log_files[-2:])

    def last_stderr(self) -> str:
        return self.log_files[-1].read_text(errors="replace")


@dataclass(frozen=True)
class Person:
    sub: str
    name: str
    roles: tuple[str, ...] = ()


@dataclass
class Portal:
    """Requests as named people against one running server."""

    base_url: str
    data_dir: Path
    timeout: float = 60.0
    people: dict[str, Person] = field(default_factory=dict)
    position: int = 0
    _tokens: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ensure_dev_keys(self.data_dir)
        self.client = httpx.Client(base_url=self.base_url, timeout=self.timeout)

    def close(self) -> None:
        self.client.close()

    def person(self, who: str, name: str | None = None) -> Person:
        if who not in self.people:
            self.people[who] = Person(f"{who}-{uuid.uuid4().hex[:8]}", name or who.title())
        return self.people[who]

    def headers(self, who: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        person = self.person(who)
        if who not in self._tokens:
            self._tokens[who] = mint_dev_token(
                self.data_dir, sub=person.sub, name=person.name, roles=list(person.roles)
            )
        return {"Authorization": f"Bearer {self._tokens[who]}", **(extra or {})}

    def call(
        self, method: str, path: str, who: str, body: Any = None, **headers: str
    ) -> httpx.Response:
        extra = {name.replace("_", "-"): value for name, value in headers.items()}
        response = self.client.request(method, path, json=body, headers=self.headers(who, extra))
        if "X-Event-Position" in response.headers:
            self.position = max(self.position, int(response.headers["X-Event-Position"]))
        return response

    def ok(self, method: str, path: str, who: str, body: Any = None, status: int = 200) -> Any:
        response = self.call(method, path, who, body)
        assert response.status_code == status, (method, path, who, response.text)
        return response.json() if response.content else None

    def read(self, path: str, who: str, patience: float = 60.0) -> Any:
        """A query that sees every write this portal made (X-Min-Position).

        The server waits up to 5 s for its views, then answers 503 with Retry-After;
        a loaded test machine may need longer, so this asks again (bounded).
        """
        give_up = time.monotonic() + patience
        while True:
            response = self.call("GET", path, who, X_Min_Position=str(self.position))
            if response.status_code != 503 or time.monotonic() > give_up:
                break
            time.sleep(min(1.0, float(response.headers.get("Retry-After", "1"))))
        assert response.status_code == 200, (path, who, response.text)
        return response.json()


def invite_and_accept(portal: Portal, cid: str, role: str, inviter: str, invitee: str) -> None:
    person = portal.person(invitee)
    body = {"role": role, "name": person.name, "email": f"{person.sub}@example.no"}
    invitation = portal.ok("POST", f"/v1/candidates/{cid}/invitations", inviter, body, 201)
    accepted = portal.ok("POST", f"/v1/invitations/{invitation['token']}/accept", invitee, {})
    assert accepted == {"candidate_id": cid, "role": role}


def build_team(portal: Portal, *, candidate_name: str = "Lise Lege", plan: str = "ALM") -> str:
    """A candidate with a leader and a veileder, and the plan assigned; returns the id."""
    portal.person("candidate", candidate_name)
    registration = {
        "name": candidate_name,
        "email": "lise.lege@example.no",
        "specialty": "ALM",
        "organisation": {"id": "kommune-0301", "name": "Oslo kommune"},
    }
    cid: str = portal.ok("POST", "/v1/candidates", "candidate", registration, 201)["candidate_id"]
    invite_and_accept(portal, cid, "leader", "candidate", "leader")
    invite_and_accept(portal, cid, "veileder", "candidate", "veileder")
    portal.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": plan}, 201)
    return cid


def activity(title: str) -> dict[str, Any]:
    return {"title": title, "kind": "course", "fulfilled_on": YESTERDAY}


RETRYABLE = (httpx.TransportError,)


@dataclass
class Attempts:
    """What a retrying client saw for one command."""

    statuses: list[int | str] = field(default_factory=list)
    response: httpx.Response | None = None


def send_with_retries(
    portal: Portal,
    method: str,
    path: str,
    who: str,
    body: Any,
    *,
    key: str,
    attempts: int = 30,
    deadline: float = 90.0,
    first_backoff: float = 0.1,
    max_backoff: float = 2.0,
) -> Attempts:
    """Send with `Idempotency-Key`, again on connection errors and 5xx (bounded)."""
    seen = Attempts()
    backoff = first_backoff
    give_up = time.monotonic() + deadline
    for _ in range(attempts):
        try:
            response = portal.call(method, path, who, body, Idempotency_Key=key)
        except RETRYABLE as error:
            seen.statuses.append(type(error).__name__)
        else:
            seen.statuses.append(response.status_code)
            if response.status_code < 500:
                seen.response = response
                return seen
        if time.monotonic() + backoff > give_up:
            break
        time.sleep(backoff)
        backoff = min(backoff * 2, max_backoff)
    return seen


def stored_events(database_url: str, cipher_key: str | None = None) -> Iterator[Any]:
    """Every stored event, in position order, decoded by a fresh application."""
    app = KompetanseApplication(env=event_store_env(database_url, cipher_key=cipher_key))
    try:
        after = 0
        while batch := app.recorder.select_notifications(
            start=after, limit=500, inclusive_of_start=False
        ):
            for notification in batch:
                yield app.mapper.to_domain_event(notification)
            after = batch[-1].id
    finally:
        app.close()


def eventually(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    """Wait until `condition()` holds, failing the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.2)
