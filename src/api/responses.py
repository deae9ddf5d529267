"""Response shapes of the commands, the people every answer names, and the problem
responses every route may give.

They document the contract in OpenAPI (and let schemathesis check it); routes
answer with the application's `Outcome.value` as is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Validation only: `[{loc, msg}]`, at most 20."
    )
    errors_left_out: int | None = Field(
        default=None, description="Validation only: how many errors beyond the 20 listed."
    )


# A person in an answer (API.md): the one model of every resource. No docstring on
# response models: it would become their description in the OpenAPI document.
class Attachment(BaseModel):
    """R27: the file an activity carries (download: GET .../attachments/{attachment_id})."""

    attachment_id: str
    filename: str
    content_type: str
    size: int
    sha256: str


class Person(BaseModel):
    sub: str
    name: str


class CandidateRef(BaseModel):  # the candidate an item of a list is about
    candidate_id: str
    sub: str
    name: str


class CandidateRegistered(BaseModel):
    candidate_id: str


class InvitationIssued(BaseModel):
    invitation_id: str
    token: str
    expires_at: datetime


class InvitationAccepted(BaseModel):
    candidate_id: str
    role: str


class PlanAssigned(BaseModel):
    plan_code: str
    goals: int


class AttachmentStored(BaseModel):
    attachment_id: str
    sha256: str
    size: int


class ActivityRegistered(BaseModel):
    activity_id: str


class CommentWritten(BaseModel):
    comment_id: str


class MeetingCreated(BaseModel):
    meeting_id: str


class ApprovalImported(BaseModel):
    candidate_id: str
    applied: bool


class Done(BaseModel):
    """An empty object: the command was recorded."""


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


COMMAND_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: _problem("Malformed request"),
    401: _problem("No token, or one we do not trust"),
    403: _problem("Your role for this candidate may not do this"),
    404: _problem("Unknown resource, or a candidate you have no role for"),
    409: _problem("The domain refuses the transition"),
    412: _problem("If-Match does not match the current version"),
    413: _problem("Request body too large"),
    422: _problem("Invalid input, or an Idempotency-Key reused with another body"),
    503: _problem("The event store is unavailable; retry after Retry-After seconds"),
}

ATTACHMENT_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **COMMAND_PROBLEMS,
    415: _problem("The file is not a PDF, PNG or JPEG"),
}
