"""A candidate: registration, invitations, roles and plans (R1-R5, ADR 0009); its profile
and its progress (GET, `reads`: R12, R19-R22).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Query, Response
from pydantic import BaseModel, Field

from api.bodies import command_router
from api.commanding import CommandDep
from api.deps import PrincipalDep
from api.responses import (
    CandidateRegistered,
    Done,
    InvitationAccepted,
    InvitationIssued,
    Person,
    PlanAssigned,
)
from api.routes.paths import CandidateId, InvitationToken, PlanCode, RoleName, Sub
from api.routes.queries import Listed, ListPublic, ReaderDep, etag, listed, query_router
from api.schemas import AssignPlan, Empty, Invite, RegisterCandidate, RemovePlan
from kompetanse_domain.errors import NotFoundError
from kompetanse_domain.model.finding import Q_MAX, Q_MIN, check_candidate_search
from projections.queries.port import CandidateMatchRow, CandidateView, ProgressView

router = command_router("candidates")
reads = query_router()


@router.post("/v1/candidates", status_code=201, response_model=CandidateRegistered)
async def register_candidate(body: RegisterCandidate, cmd: CommandDep) -> Response:
    """R1: register yourself as a candidate (LIS/ALIS)."""
    return await cmd.run(
        lambda ctx: cmd.application.register_candidate(
            ctx,
            name=body.name,
            email=body.email,
            specialty=body.specialty,
            organisation_id=body.organisation.id,
            organisation_name=body.organisation.name,
            hpr_number=body.hpr_number,
        ),
        body,
        status=201,
    )


@router.post("/v1/candidates/{cid}/invitations", status_code=201, response_model=InvitationIssued)
async def invite(cid: CandidateId, body: Invite, cmd: CommandDep) -> Response:
    """R2: invite a leader, veileder or supervisor; the leader invites deputies (R7)."""
    fields = body.model_dump()  # the command's own arguments, as register_activity's
    return await cmd.run(lambda ctx: cmd.application.invite(ctx, cid, **fields), body, status=201)


@router.delete("/v1/candidates/{cid}/invitations/{invitation_id}", status_code=204)
async def revoke_invitation(cid: CandidateId, invitation_id: Sub, cmd: CommandDep) -> Response:
    """R2: withdraw a pending invitation."""
    return await cmd.run(
        lambda ctx: cmd.application.revoke_invitation(ctx, cid, invitation_id), status=204
    )


@router.post("/v1/invitations/{token}/accept", response_model=InvitationAccepted)
async def accept_invitation(
    token: InvitationToken, cmd: CommandDep, principal: PrincipalDep, body: Empty | None = None
) -> Response:
    """R3: accept an invitation with the token from its link (one bound to an HPR number:
    only with a token whose `hpr_number` claim is that number, 403 otherwise)."""
    hpr_number = principal.hpr_number
    return await cmd.run(
        lambda ctx: cmd.application.accept_invitation(ctx, token, hpr_number=hpr_number), body
    )


@router.delete("/v1/candidates/{cid}/roles/{role}/{sub}", status_code=204)
async def revoke_role(cid: CandidateId, role: RoleName, sub: Sub, cmd: CommandDep) -> Response:
    """R2: remove a person from a role (the candidate or the leader); history is kept."""
    return await cmd.run(
        lambda ctx: cmd.application.revoke_role(ctx, cid, role=role, sub=sub), status=204
    )


@router.post("/v1/candidates/{cid}/plans", status_code=201, response_model=PlanAssigned)
async def assign_plan(cid: CandidateId, body: AssignPlan, cmd: CommandDep) -> Response:
    """R4: assign a plan of the catalogue; opens one learning goal per goal of the plan."""
    fields = body.model_dump()  # the command's own arguments, as register_activity's
    return await cmd.run(
        lambda ctx: cmd.application.assign_plan(ctx, cid, **fields), body, status=201
    )


@router.post("/v1/candidates/{cid}/plans/{plan_code}/archive", response_model=Done)
async def archive_plan(
    cid: CandidateId, plan_code: PlanCode, cmd: CommandDep, body: Empty | None = None
) -> Response:
    """R5: archive a plan whose every goal is approved."""
    return await cmd.run(
        lambda ctx: cmd.application.archive_plan(ctx, cid, plan_code=plan_code), body
    )


@router.delete("/v1/candidates/{cid}/plans/{plan_code}", status_code=204)
async def remove_plan(
    cid: CandidateId, plan_code: PlanCode, body: RemovePlan, cmd: CommandDep
) -> Response:
    """R5: delete a plan assigned by mistake, saying why; its history is kept."""
    return await cmd.run(
        lambda ctx: cmd.application.remove_plan(ctx, cid, plan_code=plan_code, reason=body.reason),
        body,
        status=204,
    )


# -- GET: the profile and the progress -----------------------------------------------------


class RoleHolder(Person):
    role: str
    since: datetime
    until: date | None = None  # a deputy's last day (v1.1)


class SpecialtyPeriod(BaseModel):
    """R28: a specialty of the doctor, from a day until the day the next one began."""

    specialty: str
    from_: date = Field(alias="from")
    until: date | None


class PlanState(BaseModel):
    plan_code: str
    title: str
    catalogue_version: str
    state: str
    goal_count: int
    assigned_at: datetime
    changed_at: datetime


class Organisation(BaseModel):
    id: str
    name: str


class CandidatePublic(BaseModel):
    candidate_id: str
    state: str
    sub: str
    name: str
    email: str
    specialty: str
    organisation: Organisation
    hpr_number: str | None
    registered_at: datetime
    version: int
    roles: list[RoleHolder]
    plans: list[PlanState]
    specialties: list[SpecialtyPeriod]  # R28: oldest first, the current one last


class ProgressPublic(BaseModel):
    candidate_id: str
    specialty: str
    totals: dict[str, int]
    plans: list[dict[str, Any]]
    goals: list[dict[str, Any]]
    supervision: dict[str, Any]
    readiness: dict[str, Any]  # the registered specialty's (R20, R21)
    readiness_by_specialty: list[dict[str, Any]]  # R22: one per specialty, registered first


@reads.get("/v1/candidates/{cid}", response_model=CandidatePublic)
def get_candidate(cid: CandidateId, read: ReaderDep, response: Response) -> CandidateView:
    """Profile, roles (sub, name) and plans with their states."""
    read.actor(cid)
    view = read.queries.get_candidate(cid)
    if view is None:
        raise NotFoundError("Candidate not found, or you have no role for this candidate")
    etag(response, view["version"])
    return view


@reads.get("/v1/candidates/{cid}/progress", response_model=ProgressPublic)
def get_progress(cid: CandidateId, read: ReaderDep) -> ProgressView:
    """Per plan and goal, procedures (R12), supervision hours (R19), readiness (R20, R21),
    and readiness per specialty for a candidate in two (R22)."""
    read.actor(cid)
    view = read.queries.get_progress(cid)
    if view is None:
        raise NotFoundError("Candidate not found, or you have no role for this candidate")
    return view


# -- GET: finding candidates (API.md v1.1 "Finding things") --------------------------------


class CandidateMatch(BaseModel):
    candidate_id: str
    name: str
    hpr_number: str | None
    specialty: str
    organisation: Organisation


class CandidateMatches(ListPublic[CandidateMatch]):
    pass


# Checked by the domain (`check_candidate_search`), after who asks: a non-auditor gets
# 403 whatever the parameters; their patterns are declared in `api.openapi.PARAMETERS`.
HprQuery = Query(None, description="The candidate's HPR number: 4 to 9 digits (0-9).")
NameQuery = Query(
    None,
    description=f"A part of the name, {Q_MIN} to {Q_MAX} characters, case-insensitive "
    "(æøå included); `%` and `_` are matched literally.",
)


@reads.get("/v1/candidates", response_model=CandidateMatches)
def search_candidates(
    read: ReaderDep, hpr_number: str | None = HprQuery, q: str | None = NameQuery
) -> Listed[CandidateMatchRow]:
    """Auditors find candidates by HPR number or by a part of the name (both given: both
    must match), ordered by name, at most 50 (`SEARCH_LIMIT`; narrow `q` when `count`
    is 50). Anyone else gets 403: a search spans all candidates, so no role towards one
    candidate can grant it (and no one candidate's existence could leak by a 404).
    Neither parameter, or a malformed one: 422."""
    search = check_candidate_search(read.identity, hpr_number, q)
    return listed(read.queries.search_candidates(search))
