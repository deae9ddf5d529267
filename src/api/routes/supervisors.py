"""A supervisor's own list (GET): activities waiting for their signature (R10). The
signer's commands are on the activity (`api.routes.goals`: sign, reject)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from api.responses import Attachment, CandidateRef, Person
from api.routes.queries import Listed, ListPublic, ReaderDep, listed, query_router
from kompetanse_domain.model.vocabulary import ActivityKind, ActivityState
from projections.queries.port import SigningRequestRow

reads = query_router()


class SigningRequest(BaseModel):
    activity_id: str
    candidate: CandidateRef
    goal_code: str
    title: str
    kind: ActivityKind
    fulfilled_on: date
    activity_code: str | None
    count: int | None
    attachment_id: str | None
    attachment: Attachment | None
    state: ActivityState
    sent_at: datetime | None
    signer: Person | None


class SigningRequestsPublic(ListPublic[SigningRequest]):
    pass


@reads.get("/v1/supervisors/me/signing-requests", response_model=SigningRequestsPublic)
def list_signing_requests(read: ReaderDep) -> Listed[SigningRequestRow]:
    """Activities waiting for the actor's signature (R10)."""
    return listed(read.queries.list_signing_requests(read.identity.sub))
