"""The profile that follows the doctor (R28, ADR 0022) and the invitations list (API.md
v1.1 "Profile and specialty", "Mentor and leader")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Response
from pydantic import BaseModel, Field

from api.bodies import command_router
from api.commanding import CommandDep
from api.routes.paths import CandidateId
from api.routes.queries import Listed, ListPublic, ReaderDep, listed, query_router
from api.schemas import Body, Email, Name, Organisation
from kompetanse_domain.application.context import utc_now

router = command_router("candidates")
reads = query_router()


class EditProfile(Body):
    """Any of name, e-mail and organisation; what is left out stays as it is."""

    name: Name | None = None
    email: Email | None = None
    organisation: Organisation | None = None


class ProfileEdited(BaseModel):
    candidate_id: str


class ChangeSpecialty(Body):
    specialty: Annotated[str, Field(min_length=1, max_length=40, examples=["ALM"])]
    from_: Annotated[date, Field(alias="from", examples=["2026-03-01"])]


class SpecialtyChanged(BaseModel):
    candidate_id: str
    specialty: str
    from_: Annotated[date, Field(alias="from")]


@router.patch("/v1/candidates/{cid}", response_model=ProfileEdited)
async def edit_profile(cid: CandidateId, body: EditProfile, cmd: CommandDep) -> Response:
    """R28: the candidate changes their name, e-mail and/or organisation."""
    organisation = body.organisation
    return await cmd.run(
        lambda ctx: cmd.application.edit_profile(
            ctx,
            cid,
            name=body.name,
            email=body.email,
            organisation_id=organisation.id if organisation else None,
            organisation_name=organisation.name if organisation else None,
        ),
        body,
    )


@router.post("/v1/candidates/{cid}/specialties", status_code=201, response_model=SpecialtyChanged)
async def change_specialty(cid: CandidateId, body: ChangeSpecialty, cmd: CommandDep) -> Response:
    """R28: the doctor goes on in another specialty from a date, in the same profile (a
    LIS1 continuing in ALM); readiness (R20-R22) and R19 follow the current one. The
    candidate, the leader or a deputy; 409 for the specialty already current."""
    return await cmd.run(
        lambda ctx: cmd.application.change_specialty(
            ctx, cid, specialty=body.specialty, from_date=body.from_
        ),
        body,
        status=201,
    )


class InvitationItem(BaseModel):
    invitation_id: str
    role: str
    name: str
    email: str
    expires_at: datetime
    state: str  # pending | accepted | revoked | expired
    hpr_number: str | None  # bound to this person (v1.1)
    until: date | None  # a deputy's last day (v1.1)


class Invitations(ListPublic[InvitationItem]):
    pass


@reads.get("/v1/candidates/{cid}/invitations", response_model=Invitations)
def list_invitations(cid: CandidateId, read: ReaderDep) -> Listed[dict[str, Any]]:
    """The candidate's invitations, oldest first, each with its state now; for the
    candidate and the leader."""
    application = read.services.application
    return listed(application.invitations_of(read.identity, cid, utc_now()))
