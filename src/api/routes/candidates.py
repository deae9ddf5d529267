"""Commands on a candidate: registration, invitations, roles and plans (R1-R5, ADR 0009)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.bodies import JsonBodyRoute
from api.commanding import CommandDep
from api.responses import (
    COMMAND_PROBLEMS,
    CandidateRegistered,
    Done,
    InvitationAccepted,
    InvitationIssued,
    PlanAssigned,
)
from api.routes.paths import CandidateId, InvitationToken, PlanCode, RoleName, Sub
from api.schemas import AssignPlan, Empty, Invite, RegisterCandidate, RemovePlan

router = APIRouter(tags=["candidates"], responses=COMMAND_PROBLEMS, route_class=JsonBodyRoute)


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
    return await cmd.run(
        lambda ctx: cmd.application.invite(
            ctx, cid, role=body.role, name=body.name, email=body.email
        ),
        body,
        status=201,
    )


@router.delete("/v1/candidates/{cid}/invitations/{invitation_id}", status_code=204)
async def revoke_invitation(cid: CandidateId, invitation_id: Sub, cmd: CommandDep) -> Response:
    """R2: withdraw a pending invitation."""
    return await cmd.run(
        lambda ctx: cmd.application.revoke_invitation(ctx, cid, invitation_id), status=204
    )


@router.post("/v1/invitations/{token}/accept", response_model=InvitationAccepted)
async def accept_invitation(
    token: InvitationToken, cmd: CommandDep, body: Empty | None = None
) -> Response:
    """R3: accept an invitation with the token from its link."""
    return await cmd.run(lambda ctx: cmd.application.accept_invitation(ctx, token), body)


@router.delete("/v1/candidates/{cid}/roles/{role}/{sub}", status_code=204)
async def revoke_role(cid: CandidateId, role: RoleName, sub: Sub, cmd: CommandDep) -> Response:
    """R2: remove a person from a role (the candidate or the leader); history is kept."""
    return await cmd.run(
        lambda ctx: cmd.application.revoke_role(ctx, cid, role=role, sub=sub), status=204
    )


@router.post("/v1/candidates/{cid}/plans", status_code=201, response_model=PlanAssigned)
async def assign_plan(cid: CandidateId, body: AssignPlan, cmd: CommandDep) -> Response:
    """R4: assign a plan of the catalogue; opens one learning goal per goal of the plan."""
    return await cmd.run(
        lambda ctx: cmd.application.assign_plan(ctx, cid, plan_code=body.plan_code),
        body,
        status=201,
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
