"""Helpers for the feed and sync tests (R23, ADR 0012, ADR 0013).

Imported as a top-level module (tests/sync has no `__init__.py`, like tests/api).
The real-server pieces come from `faults.fault_support` (tests/faults, another area):

- `FeedWorld`: in-process services and a TestClient; `feed(...)` as the sync role;
  `feed_world_on(database_url, folder)` opens one.
- `follow(get_page)`: every item of a feed, page by page, with the ordering checks.
- `RunningPortal` / `start_portals`: `kompetanse serve` subprocesses, one per portal,
  each with its own data directory, database, dev keys and `KOMPETANSE_PORTAL_ID`.
- `SyncProcess`: `kompetanse sync ...` as a subprocess; its JSON log lines parsed.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import Services
from api.settings import Settings
from faults.fault_support import (
    KOMPETANSE,
    YESTERDAY,
    Portal,
    ServerProcess,
    cli_here,
    invite_and_accept,
    server_env,
)
from kompetanse.bootstrap import build_services, close_services
from kompetanse.devkeys import mint_dev_token
from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.application.context import Outcome
from kompetanse_domain.model.identity import Identity

APPROVED = "LearningGoal.Approved"
IMPORTED = "LearningGoal.ApprovalImported"


# -- in-process feed -------------------------------------------------------------------


@dataclass
class FeedWorld:
    """One portal's services (projections following in a thread) behind a TestClient."""

    services: Services
    client: TestClient
    data_dir: Path
    _tokens: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)

    @property
    def app(self) -> KompetanseApplication:
        return self.services.application

    def token(self, sub: str = "sync-sub", roles: tuple[str, ...] = ("sync",)) -> str:
        key = (sub, roles)
        if key not in self._tokens:
            self._tokens[key] = mint_dev_token(self.data_dir, sub=sub, name=sub, roles=roles)
        return self._tokens[key]

    def feed(
        self,
        *,
        sub: str = "sync-sub",
        roles: tuple[str, ...] = ("sync",),
        min_position: int | None = None,
        **params: Any,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(sub, roles)}"}
        if min_position is not None:
            headers["X-Min-Position"] = str(min_position)
        return self.client.get("/v1/feed", params=params, headers=headers)

    def page(self, **params: Any) -> dict[str, Any]:
        response = self.feed(**params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def caught_up(self) -> int:
        """Wait until the views have applied every stored event; returns that position."""
        position = self.app.recorder.max_notification_id() or 0
        assert self.services.projections.wait_for(position, 20), "views did not catch up"
        return position


@contextlib.contextmanager
def feed_world_on(database_url: str, folder: Path) -> Iterator[FeedWorld]:
    """The services of portal "hospital-hso" on this database (data under `folder`)."""
    settings = Settings(
        data_dir=folder / "data", database_url=database_url, portal_id="hospital-hso"
    )
    services = build_services(settings)
    try:
        with TestClient(create_app(services), raise_server_exceptions=False) as client:
            yield FeedWorld(services=services, client=client, data_dir=settings.data_dir)
    finally:
        close_services(services)


def registered(app: KompetanseApplication, sub: str, *, hpr: str | None = None) -> Outcome:
    """A LIS1 registered through the application (no HTTP): the command's outcome."""
    identity = Identity(sub, f"Lege {sub}")
    return app.register_candidate(
        CommandContext(identity=identity),
        name=identity.name,
        email=f"{sub}@example.no",
        specialty="LIS1",
        organisation_id="974589095",
        organisation_name="Helse Sør-Øst",
        hpr_number=hpr,
    )


def register(app: KompetanseApplication, sub: str, *, hpr: str | None = None) -> str:
    """A LIS1 registered through the application (no HTTP): the candidate's id."""
    return str(registered(app, sub, hpr=hpr).value["candidate_id"])


def follow(
    get_page: Callable[[int], dict[str, Any]], after: int = 0, pages: int = 10_000
) -> list[dict[str, Any]]:
    """Every item after `after`, page by page until an empty page, checking the order."""
    items: list[dict[str, Any]] = []
    for _ in range(pages):
        page = get_page(after)
        if not page["items"]:
            assert page["next_after"] == after, page
            return items
        check_increasing(page["items"], after)
        assert page["next_after"] == page["items"][-1]["position"], page
        items += page["items"]
        after = page["next_after"]
    raise AssertionError("the feed did not end")


def check_increasing(items: list[dict[str, Any]], after: int) -> None:
    positions = [item["position"] for item in items]
    assert all(p > after for p in positions), (after, positions)
    assert all(a < b for a, b in itertools.pairwise(positions)), positions


# -- real servers ----------------------------------------------------------------------


@dataclass
class RunningPortal:
    """`kompetanse serve` for one portal id, with people acting through `portal`."""

    portal_id: str
    data_dir: Path
    database_url: str
    server: ServerProcess
    env: dict[str, str]
    portal: Portal = field(init=False)

    def __post_init__(self) -> None:
        self.portal = Portal(self.server.base_url, self.data_dir)

    @property
    def url(self) -> str:
        return self.server.base_url

    def cli_token(self, sub: str, name: str, *roles: str) -> str:
        """A token minted by `kompetanse dev-token --data-dir <this portal's data dir>`."""
        args = ["dev-token", "--sub", sub, "--name", name, "--data-dir", str(self.data_dir)]
        for role in roles:
            args += ["--role", role]
        done = cli_here(*args, env=self.env)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def feed(self, token: str, after: int = 0, limit: int = 1000) -> dict[str, Any]:
        response = self.portal.client.get(
            "/v1/feed",
            params={"after": after, "limit": limit},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    def last_logs(self, chars: int = 4000) -> str:
        return f"--- {self.portal_id} server log (tail):\n{self.server.last_logs()[-chars:]}"

    def close(self) -> None:
        try:
            self.server.stop()
        finally:
            self.portal.close()


def start_portals(specs: list[tuple[str, Path, str]]) -> list[RunningPortal]:
    """Start one server per (portal id, folder, database URL), all at once; wait for all."""
    started: list[RunningPortal] = []
    try:
        for portal_id, folder, database_url in specs:
            data_dir = folder / "data"
            env = server_env(data_dir, database_url, portal_id=portal_id)
            server = ServerProcess(folder / "logs")
            server.start(env)
            started.append(RunningPortal(portal_id, data_dir, database_url, server, env))
        for running in started:
            running.server.wait_ready()
    except BaseException:
        for running in started:
            running.close()
        raise
    return started


@contextlib.contextmanager
def hospital_and_municipal(
    tmp_path: Path, hospital_url: str, municipal_url: str
) -> Iterator[tuple[RunningPortal, RunningPortal]]:
    """The two portals of R23 on these stores, both stopped afterwards."""
    hospital, municipal = start_portals(
        [
            ("hospital-hso", tmp_path / "hospital", hospital_url),
            ("municipal", tmp_path / "municipal", municipal_url),
        ]
    )
    try:
        yield hospital, municipal
    finally:
        try:
            hospital.close()
        finally:
            municipal.close()


def register_lis1(running: RunningPortal, hpr: str, plans: Iterable[str]) -> str:
    """A LIS1 with an HPR number registers, invites a leader, who assigns `plans`."""
    portal = running.portal
    person = portal.person("candidate", "Lise Lege")
    body = {
        "name": person.name,
        "email": "lise.lege@example.no",
        "specialty": "LIS1",
        "organisation": {"id": running.portal_id, "name": running.portal_id.title()},
        "hpr_number": hpr,
    }
    cid: str = portal.ok("POST", "/v1/candidates", "candidate", body, 201)["candidate_id"]
    invite_and_accept(portal, cid, "leader", "candidate", "leader")
    for plan in plans:
        portal.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": plan}, 201)
    return cid


def approve(running: RunningPortal, cid: str, code: str) -> None:
    """R6, R7: the candidate sends the goal, the leader approves it."""
    goal = f"/v1/candidates/{cid}/goals/{code}"
    running.portal.ok("POST", f"{goal}/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    running.portal.ok("POST", f"{goal}/approve", "leader", {})


class SyncProcess:
    """`kompetanse sync ...` in a subprocess; each start logs to its own stderr file."""

    def __init__(self, log_dir: Path, env: dict[str, str]) -> None:
        self.log_dir, self.env = log_dir, env
        self.process: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, *args: str) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        path = self.log_dir / f"sync-{len(self.logs) + 1}.log"
        self.logs.append(path)
        with path.open("wb") as out:
            self.process = subprocess.Popen(
                [str(KOMPETANSE), "sync", *args],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def run(self, *args: str, timeout: float = 120) -> int:
        """Start and wait for the exit (e.g. with `--once`); returns the exit code."""
        self.start(*args)
        assert self.process is not None
        return self.process.wait(timeout)

    def outcomes(self, run: int | None = None) -> list[dict[str, Any]]:
        """The per-approval log lines (`outcome`: applied, already_applied, skipped)."""
        paths = self.logs if run is None else [self.logs[run]]
        found = []
        for path in paths:
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("{") and '"outcome"' in line:
                    try:
                        found.append(json.loads(line))
                    except ValueError:
                        continue  # the last line may be cut off by SIGKILL
        return found

    def count(self, outcome: str, run: int | None = None) -> int:
        return sum(1 for line in self.outcomes(run) if line["outcome"] == outcome)

    def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float,
        poll: float = 0.005,
        context: Callable[[], str] = str,
    ) -> None:
        """Poll `predicate`; on exit or timeout fail with the job's log and `context()`."""
        deadline = time.monotonic() + timeout
        while not predicate():
            assert self.process is not None
            if self.process.poll() is not None:
                why = f"sync exited with {self.process.returncode}"
            elif time.monotonic() > deadline:
                why = f"sync: condition not met in {timeout} s"
            else:
                time.sleep(poll)
                continue
            raise AssertionError(f"{why}:\n{self.text()}\n{context()}")

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 10) -> int | None:
        """SIGTERM, then SIGKILL if it does not exit in `timeout` s; returns the exit code."""
        process = self.process
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            raise

    def text(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.logs)
