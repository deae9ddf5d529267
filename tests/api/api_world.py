"""Helpers for the HTTP tests: people, a client that acts as one of them, builders.

Imported as a top-level module (tests/api has no `__init__.py`, see conftest).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.attachments import AttachmentStore
from api.deps import Services
from api.settings import Settings
from kompetanse.devkeys import mint_dev_token
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.catalogue import Catalogue, GoalDefinition, PlanDefinition, shipped_plans
from kompetanse_store.urls import event_store_env, views_database_url
from projections.service import ProjectionService

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


TEST_PLANS = tuple(f"TEST-{letter}" for letter in "ABCDEFGHJK")


def small_plan(code: str) -> PlanDefinition:
    """A one-goal plan, so a test can approve a whole plan quickly (archive, R5)."""
    return PlanDefinition(
        code=code,
        title=f"Testplan {code}",
        version="2026.1",
        part="part3",
        sample_titles=True,
        source="Written for the API tests.",
        goals=(
            GoalDefinition(code=f"{code}-001", title="Kunne teste", competence_level="kjenne til"),
        ),
    )


def catalogue_with_test_plans() -> Catalogue:
    """The shipped plans and the one-goal plans TEST-A ... TEST-K."""
    return Catalogue(plans=(*shipped_plans(), *(small_plan(code) for code in TEST_PLANS)))


@dataclass(frozen=True)
class Person:
    sub: str
    name: str
    roles: tuple[str, ...] = ()


def people_by_label() -> dict[str, Person]:
    return {
        "candidate": Person("lis-sub", "Lise Lege"),
        "leader": Person("leader-sub", "Leif Leder"),
        "deputy": Person("deputy-sub", "Dina Stedfortreder"),
        "veileder": Person("veileder-sub", "Vera Veileder"),
        "supervisor": Person("sup1-sub", "Siri Supervisør"),
        "supervisor_2": Person("sup2-sub", "Sverre Supervisør"),
        "unrelated": Person("stranger-sub", "Ukjent Person"),
        "auditor": Person("auditor-sub", "Anne Revisor", ("auditor",)),
        "sync": Person("sync-sub", "Portal-synk", ("sync",)),
    }


class Api:
    """Sends requests as a named person (`who`), with a dev token."""

    def __init__(
        self, client: TestClient, people: dict[str, Person], token_for: Callable[[Person], str]
    ) -> None:
        self.client = client
        self.people = people
        self.token_for = token_for
        self.written = 0  # the last `X-Event-Position` answered: a read may wait for it

    def person(self, who: str) -> Person:
        if who not in self.people:
            self.people[who] = Person(f"{who}-sub", who.replace("_", " ").title())
        return self.people[who]

    def headers(self, who: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if who is not None:
            headers["Authorization"] = f"Bearer {self.token_for(self.person(who))}"
        return headers

    def call(
        self,
        method: str,
        path: str,
        who: str | None,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        files: Any = None,
    ) -> httpx.Response:
        response = self.client.request(
            method, path, json=body, files=files, headers=self.headers(who, headers)
        )
        position = response.headers.get("X-Event-Position", "")
        if position.isdigit():
            self.written = max(self.written, int(position))
        return response

    def ok(self, method: str, path: str, who: str, body: Any = None, status: int = 200) -> Any:
        response = self.call(method, path, who, body)
        assert response.status_code == status, (method, path, who, response.text)
        return response.json() if response.content else None


def registration(name: str = "Lise Lege") -> dict[str, Any]:
    return {
        "name": name,
        "email": "lise.lege@example.no",
        "specialty": "ALM",
        "organisation": {"id": "kommune-0301", "name": "Oslo kommune"},
    }


def invite_and_accept(api: Api, cid: str, role: str, inviter: str, invitee: str) -> None:
    person = api.person(invitee)
    invitation = api.ok(
        "POST",
        f"/v1/candidates/{cid}/invitations",
        inviter,
        {"role": role, "name": person.name, "email": f"{person.sub}@example.no"},
        201,
    )
    accepted = api.ok("POST", f"/v1/invitations/{invitation['token']}/accept", invitee, {})
    assert accepted == {"candidate_id": cid, "role": role}


def build_team(api: Api) -> str:
    """A registered candidate with leader, deputy, veileder and two supervisors."""
    cid: str = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    for role, who in (
        ("leader", "leader"),
        ("veileder", "veileder"),
        ("supervisor", "supervisor"),
        ("supervisor", "supervisor_2"),
    ):
        invite_and_accept(api, cid, role, "candidate", who)
    invite_and_accept(api, cid, "deputy", "leader", "deputy")
    return cid


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """The problem+json body of a refusal, checked for the RFC 9457 members."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert {"type", "title", "status", "detail"} <= body.keys()
    return body


@dataclass
class ProjectionStatus:
    name: str
    position: int
    lag_events: int = 0
    lag_seconds: float = 0.0
    alive: bool = True
    error: str | None = None


@dataclass
class FakeProjections:
    """Stands in for `projections.service.ProjectionService` in command tests."""

    application: KompetanseApplication
    alive: bool = True
    queries: Any = None
    started: list[bool] = field(default_factory=list)

    def position(self) -> int:
        return self.application.recorder.max_notification_id() or 0

    def wait_for(self, position: int, timeout: float) -> bool:
        return self.position() >= position

    def status(self) -> list[ProjectionStatus]:
        return [ProjectionStatus("progress", self.position(), alive=self.alive)]

    def start(self) -> None:
        self.started.append(True)

    def stop(self) -> None:
        self.started.clear()

    def notify(self) -> None:
        """Nothing follows the store here: `position` reads the store itself."""

    def close(self) -> None:
        self.stop()


@contextlib.contextmanager
def services_with_views(
    store_url: str, data_dir: Path, catalogue: Catalogue | None = None
) -> Iterator[Services]:
    """The shared fixture's services, but with the real read side following the store."""
    settings = Settings(data_dir=data_dir, database_url=store_url)
    application = KompetanseApplication(
        env=event_store_env(store_url), catalogue=catalogue or catalogue_with_test_plans()
    )
    projections = ProjectionService(application, views_database_url(store_url), idle_sleep=0.02)
    projections.start()
    try:
        yield Services(
            application=application,
            projections=projections,
            settings=settings,
            attachments=AttachmentStore(settings.attachments_dir),
        )
    finally:
        projections.close()
        application.close()


def dev_token_minter(data_dir: Path) -> Callable[[Person], str]:
    """A dev token per person, minted with `data_dir`'s dev key once and then reused."""
    cache: dict[Person, str] = {}

    def token(person: Person) -> str:
        if person not in cache:
            cache[person] = mint_dev_token(
                data_dir, sub=person.sub, name=person.name, roles=person.roles
            )
        return cache[person]

    return token
