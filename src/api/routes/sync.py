"""Approvals synchronised from the other portal version (R23, ADR 0009)."""

from __future__ import annotations

from fastapi import Response

from api.bodies import command_router
from api.commanding import CommandDep
from api.deps import SyncIdentityDep
from api.responses import ApprovalImported
from api.schemas import ImportApproval

router = command_router("sync")


@router.post("/v1/sync/approvals", response_model=ApprovalImported)
async def import_approval(body: ImportApproval, _: SyncIdentityDep, cmd: CommandDep) -> Response:
    """R23: record a goal approved in the other portal; a repeated event applies nothing."""
    return await cmd.run(
        lambda ctx: cmd.application.import_approval(
            ctx,
            hpr_number=body.person.hpr_number,
            sub=body.person.sub,
            goal_code=body.goal_code,
            source_portal=body.source_portal,
            source_event_id=body.source_event_id,
            approved_at=body.approved_at,
            approver_name=body.approver_name,
        ),
        body,
    )
