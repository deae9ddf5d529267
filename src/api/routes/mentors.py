"""The mentor and the leader (API.md v1.1 "Mentor and leader", R26): concerns raised by
the veileder and resolved by the leader or a deputy, the concerns of a candidate, and
the veileder's own list of candidates (GET, `reads`).

`GET /v1/veiledere/me/candidates` is scoped by the caller's `sub` in the read side
(veileder, while the role is held), so it needs no further authorization.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import Path, Response
from pydantic import BaseModel

from api.bodies import command_router
from api.commanding import CommandDep
from api.responses import CandidateRef, Done, Person
from api.routes.paths import CandidateId
from api.routes.queries import Listed, ListPublic, ReaderDep, listed, query_router
from api.schemas import RaiseConcern, ResolveConcern
from projections.queries.port import ConcernRow, VeilederCandidateRow

router = command_router("mentor")
reads = query_router()

ConcernId = Annotated[UUID, Path(description="The concern's id")]


class ConcernRaised(BaseModel):
    concern_id: str


@router.post("/v1/candidates/{cid}/concerns", status_code=201, response_model=ConcernRaised)
async def raise_concern(cid: CandidateId, body: RaiseConcern, cmd: CommandDep) -> Response:
    """R26: the veileder tells the leader that progress is not as expected."""
    return await cmd.run(
        lambda ctx: cmd.application.raise_concern(ctx, cid, text=body.text), body, status=201
    )


@router.post("/v1/candidates/{cid}/concerns/{concern_id}/resolve", response_model=Done)
async def resolve_concern(
    cid: CandidateId, concern_id: ConcernId, body: ResolveConcern, cmd: CommandDep
) -> Response:
    """R26: the leader or a deputy answers a concern with a note; 409 if already resolved."""
    return await cmd.run(
        lambda ctx: cmd.application.resolve_concern(ctx, cid, str(concern_id), note=body.note), body
    )


# -- GET: a candidate's concerns, the veileder's candidates --------------------------------


class Concern(BaseModel):
    concern_id: str
    text: str
    raised_by: Person
    raised_at: datetime
    state: str
    resolved_by: Person | None
    resolved_at: datetime | None
    note: str | None


class ConcernsPublic(ListPublic[Concern]):
    pass


class NextMeeting(BaseModel):
    meeting_id: str
    scheduled_for: str
    planned_minutes: int


class FinalisedMeeting(BaseModel):
    meeting_id: str
    held_on: date
    duration_minutes: int


class VeilederCandidate(BaseModel):
    candidate_id: str
    candidate: CandidateRef
    specialty: str
    totals: dict[str, int]
    next_meeting: NextMeeting | None
    last_finalised_meeting: FinalisedMeeting | None
    open_concerns: int


class VeilederCandidatesPublic(ListPublic[VeilederCandidate]):
    pass


@reads.get("/v1/candidates/{cid}/concerns", response_model=ConcernsPublic)
def list_concerns(cid: CandidateId, read: ReaderDep) -> Listed[ConcernRow]:
    """R26: the concerns about the candidate, oldest first, `open` or `resolved`."""
    actor = read.actor(cid)
    read.services.application.get_candidate(cid).check_can_read_concerns(actor)
    return listed(read.queries.list_concerns(cid))


@reads.get("/v1/veiledere/me/candidates", response_model=VeilederCandidatesPublic)
def list_veileder_candidates(read: ReaderDep) -> Listed[VeilederCandidateRow]:
    """Candidates the actor is veileder for: goal totals, the next open meeting, the last
    finalised one, and open concerns (R26)."""
    return listed(read.queries.list_veileder_candidates(read.identity.sub))
