"""Helpers for the audit tests (R24, ADR 0011): a world with the read side, a journey.

Imported as a top-level module (tests/audit has no `__init__.py`: a package named
`audit` must not shadow anything in src). `Store` gives raw SQL access to the stored
events, as an attacker with write access has (the idea of tests/integration's Store).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.catalogue import Catalogue, shipped_plans
from kompetanse_domain.model.identity import Identity
from kompetanse_store.urls import (
    event_store_env,
    views_database_url,
)
from projections.service import ProjectionService
from support.domain import People, register_team
from support.tampering import RawStore

PLAN = "LIS1-KLK"
GOALS = tuple(f"{PLAN}-{n:03d}" for n in range(1, 5))
YESTERDAY = date.today() - timedelta(days=1)


def ctx(identity: Identity) -> CommandContext:
    return CommandContext(identity=identity)


@dataclass
class Journey:
    """One candidate's history: goals approved, rejected and imported, a meeting."""

    people: People
    candidate_id: UUID
    approved: tuple[str, ...]
    rejected: str
    imported: str
    meeting_id: UUID


def journey(app: KompetanseApplication, people: People, hpr_number: str | None) -> Journey:
    """Every kind of event the audit view records, through the application."""
    team = register_team(app, people, hpr_number=hpr_number, plans=(PLAN,))
    cid = team.candidate_id
    lis, leader, veileder = people.candidate, people.leader, people.veileder
    first, second, third, fourth = GOALS
    signed = app.register_activity(
        ctx(lis), cid, first, title="Kurs i akuttmedisin", kind="course", fulfilled_on=YESTERDAY
    ).value["activity_id"]
    app.send_activity_for_signing(ctx(lis), cid, first, signed, signer_sub=people.supervisor.sub)
    app.sign_activity(ctx(people.supervisor), cid, first, signed, comment="Godt gjennomført")
    refused = app.register_activity(
        ctx(lis), cid, second, title="Prosedyre", kind="procedure", fulfilled_on=YESTERDAY, count=2
    ).value["activity_id"]
    app.send_activity_for_signing(ctx(lis), cid, second, refused, signer_sub=veileder.sub)
    app.reject_activity(ctx(veileder), cid, second, refused, reason="Mangler dokumentasjon")
    app.comment_goal(ctx(veileder), cid, first, text="God fremdrift")
    for code in (first, second):
        app.send_goal_for_approval(ctx(lis), cid, code, completed_on=YESTERDAY)
        app.approve_goal(ctx(leader), cid, code, comment="Godkjent")
    app.send_goal_for_approval(ctx(lis), cid, third, completed_on=YESTERDAY)
    app.reject_goal(ctx(leader), cid, third, reason="Ikke tilstrekkelig")
    app.import_approval(
        ctx(people.sync),
        hpr_number=None,
        sub=lis.sub,
        goal_code=fourth,
        source_portal="hospital-hso",
        source_event_id=f"hso-{uuid.uuid4()}",
        approved_at=datetime.now(UTC) - timedelta(days=3),
        approver_name="Hanne Sykehusleder",
    )
    meeting = UUID(
        app.create_meeting(ctx(veileder), cid, scheduled_for=YESTERDAY, planned_minutes=45).value[
            "meeting_id"
        ]
    )
    app.write_preparation(ctx(lis), meeting, text="Jeg vil snakke om vaktene")
    app.revise_summary(ctx(veileder), meeting, text="Vi snakket om vakter", goals_discussed=[first])
    app.finalise_meeting(ctx(veileder), meeting, held_on=YESTERDAY, duration_minutes=50)
    return Journey(people, cid, (first, second), third, fourth, meeting)


def catalogue() -> Catalogue:
    return Catalogue(plans=shipped_plans())


class AuditWorld:
    """An application and its read side (every view, the audit view among them)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.app = KompetanseApplication(env=event_store_env(url), catalogue=catalogue())
        self.service = ProjectionService(self.app, views_database_url(url))

    @property
    def q(self) -> Any:
        return self.service.queries

    def caught_up(self) -> AuditWorld:
        self.service.catch_up()
        return self

    def close(self) -> None:
        self.service.close()
        self.app.close()


Store = RawStore


class Http:
    """The FastAPI app over a world's services; `get(path, who)` with a dev token."""

    def __init__(self, world: AuditWorld, data_dir: Any) -> None:
        from fastapi.testclient import TestClient

        from api.app import create_app
        from api.attachments import AttachmentStore
        from api.deps import Services
        from api.settings import Settings
        from kompetanse.devkeys import ensure_dev_keys

        ensure_dev_keys(data_dir)
        settings = Settings(data_dir=data_dir, database_url=world.url)
        services = Services(
            application=world.app,
            projections=world.service,
            settings=settings,
            attachments=AttachmentStore(settings.attachments_dir),
        )
        self.data_dir = data_dir
        self.client = TestClient(create_app(services), raise_server_exceptions=False)
        self._tokens: dict[str, str] = {}

    def token(self, identity: Identity) -> str:
        from kompetanse.devkeys import mint_dev_token

        if identity.sub not in self._tokens:
            roles = [role.value for role in identity.platform_roles]
            self._tokens[identity.sub] = mint_dev_token(
                self.data_dir, sub=identity.sub, name=identity.name, roles=roles
            )
        return self._tokens[identity.sub]

    def get(self, path: str, who: Identity, **headers: str) -> Any:
        sent = {"Authorization": f"Bearer {self.token(who)}", **headers}
        return self.client.get(path, headers=sent)


@dataclass
class Shared:
    """A projected world with two histories and its HTTP client (read-only tests)."""

    world: AuditWorld
    story: tuple[Journey, Journey]
    http: Http
