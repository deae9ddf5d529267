"""Request bodies of the commands in API.md: strict shapes, the rules stay in the domain.

`extra="forbid"` refuses unknown fields; lengths and number ranges only keep input
sane (the domain decides what is allowed, e.g. which specialty or activity kind).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from kompetanse_domain.model.meeting import MAX_MINUTES

Name = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Email = Annotated[str, StringConstraints(min_length=3, max_length=320)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Sub = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Comment = Annotated[str, StringConstraints(max_length=4000)]
LongText = Annotated[str, StringConstraints(max_length=50_000)]


def _whole_number(value: object) -> object:
    """JSON Schema's `integer` holds `60.0` as well as `60`; strings and booleans stay out
    (strict), a fraction too."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


MAX_COUNT = 10_000  # the domain's range for a procedure count (R12, LearningGoal)
Minutes = Annotated[  # the domain's range (R15, R17)
    int, Field(strict=True, ge=1, le=MAX_MINUTES), BeforeValidator(_whole_number)
]
Count = Annotated[int, Field(strict=True, ge=1, le=MAX_COUNT), BeforeValidator(_whole_number)]
HprNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{4,9}$")]  # as the domain checks


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Empty(Body):
    """No fields: `{}`."""


class Organisation(Body):
    id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    name: Name


class RegisterCandidate(Body):
    name: Name
    email: Email
    specialty: Annotated[str, Field(min_length=1, max_length=40, examples=["ALM"])]
    organisation: Organisation
    hpr_number: HprNumber | None = None


class Invite(Body):
    role: Annotated[str, Field(min_length=1, max_length=40, examples=["supervisor"])]
    name: Name
    email: Email


class AssignPlan(Body):
    plan_code: Annotated[str, Field(min_length=1, max_length=60, examples=["FKM"])]


class RemovePlan(Body):
    reason: Reason


class RegisterActivity(Body):
    title: Name
    kind: Annotated[str, Field(min_length=1, max_length=40, examples=["course"])]
    fulfilled_on: date
    activity_code: Code | None = None
    count: Count | None = None
    note: Comment | None = None
    attachment_id: UUID | None = None


class SendForSigning(Body):
    signer_sub: Sub


class Decision(Body):
    comment: Comment | None = None


class Rejection(Body):
    reason: Reason


class GoalComment(Body):
    text: Reason


class SendForApproval(Body):
    completed_on: date
    comment: Comment | None = None


class CreateMeeting(Body):
    scheduled_for: AwareDatetime | date = Field(
        description="A date, or an instant with offset (RFC 3339)."
    )
    planned_minutes: Minutes


class Preparation(Body):
    text: LongText


class Summary(Body):
    text: LongText
    goals_discussed: Annotated[list[Code], Field(max_length=500)] = []


class Finalise(Body):
    held_on: date
    duration_minutes: Minutes


class Person(Body):
    hpr_number: HprNumber | None = None
    sub: Sub | None = None


class ImportApproval(Body):
    source_portal: Name
    source_event_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    person: Person
    goal_code: Code
    approved_at: AwareDatetime
    approver_name: Name
