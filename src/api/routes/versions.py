"""Moving a candidate's plan to a newer version (API.md v1.1 "Curriculum versions", R30).

`POST /v1/candidates/{cid}/plans/{plan_code}/migrate` (leader or deputy) with
`{to_version}`: 200 with what carried over, what opens and which old goals left the
plan with their state; repeating it answers 200 with `from_version` equal to
`to_version` and empty lists (nothing changes); 409 when the catalogue publishes no
mapping from the plan's current version (ADR 0026).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Response
from pydantic import BaseModel, Field

from api.bodies import command_router
from api.commanding import CommandDep
from api.routes.paths import CandidateId, PlanCode
from api.schemas import Body

router = command_router("candidates")


class MigratePlan(Body):
    to_version: Annotated[
        str,
        Field(min_length=1, max_length=20, pattern=r"^[0-9]+(?:\.[0-9]+)*$", examples=["2026.2"]),
    ]


class CarriedOver(BaseModel):
    model_config = {"populate_by_name": True}

    from_: str = Field(alias="from")
    to: str


class DroppedGoal(BaseModel):
    code: str
    state: str


class PlanMigrated(BaseModel):
    plan_code: str
    from_version: str
    to_version: str
    carried_over: list[CarriedOver]
    open: list[str]
    dropped: list[DroppedGoal]


@router.post(
    "/v1/candidates/{cid}/plans/{plan_code}/migrate",
    response_model=PlanMigrated,
    response_model_by_alias=True,
)
async def migrate_plan(
    cid: CandidateId, plan_code: PlanCode, body: MigratePlan, cmd: CommandDep
) -> Response:
    """R30: move the plan to `to_version` along the catalogue's mapping (leader or
    deputy): approved goals mapped to a new goal carry over (`carried_over_from` in the
    goal's detail), a new goal whose old goals were not all approved opens, old goals
    not in the new version leave the plan with their history. Repeating it changes
    nothing; 409 without a mapping from the current version."""
    return await cmd.run(
        lambda ctx: cmd.application.migrate_plan(
            ctx, cid, plan_code=plan_code, to_version=body.to_version
        ),
        body,
    )
