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

# What the domain refuses in text (kompetanse_domain.model.values, ADR 0020), said in the
# OpenAPI document as patterns for clients; the domain enforces it (422 `invalid-value`),
# so pydantic is not asked to. Control characters (C0, DEL, C1, line and paragraph
# separators) and bidirectional controls nowhere; tab and newline allowed in multi-line
# text; a required text needs one visible character (not blank, zero-width, a filler or
# a lone combining mark; the domain's full rule is by Unicode category, this is its
# common part).
_BIDI = r"\u202a-\u202e\u2066-\u2069"
_LINE_CONTROLS = r"\u0000-\u001f\u007f-\u009f\u2028\u2029" + _BIDI
_TEXT_CONTROLS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029" + _BIDI
_INVISIBLE = (
    r"\s\u00ad\u034f\u0300-\u036f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0"
)
LINE_PATTERN = rf"^[^{_LINE_CONTROLS}]*[^{_INVISIBLE}{_LINE_CONTROLS}][^{_LINE_CONTROLS}]*$"
TEXT_PATTERN = rf"^[^{_TEXT_CONTROLS}]*[^{_INVISIBLE}{_TEXT_CONTROLS}][^{_TEXT_CONTROLS}]*$"
# blank, or with one visible character (an optional comment, a summary not yet written)
BLANK_OR_TEXT_PATTERN = (
    rf"^(?:\s*|[^{_TEXT_CONTROLS}]*[^{_INVISIBLE}{_TEXT_CONTROLS}][^{_TEXT_CONTROLS}]*)$"
)


def _text(pattern: str, *, min_length: int = 0, max_length: int) -> object:
    """A text field: lengths checked here, the pattern documented (the domain checks it)."""
    return Field(
        min_length=min_length, max_length=max_length, json_schema_extra={"pattern": pattern}
    )


Name = Annotated[str, _text(LINE_PATTERN, min_length=1, max_length=500)]
Email = Annotated[str, StringConstraints(min_length=3, max_length=320)]
Code = Annotated[str, _text(LINE_PATTERN, min_length=1, max_length=60)]
Sub = Annotated[str, _text(LINE_PATTERN, min_length=1, max_length=255)]
Reason = Annotated[str, _text(TEXT_PATTERN, min_length=1, max_length=4000)]
Comment = Annotated[str, _text(BLANK_OR_TEXT_PATTERN, max_length=4000)]
LongText = Annotated[str, _text(BLANK_OR_TEXT_PATTERN, max_length=50_000)]


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
    id: Annotated[str, _text(LINE_PATTERN, min_length=1, max_length=100)]
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
    hpr_number: HprNumber | None = None  # v1.1: only that person may accept it
    until: date | None = None  # v1.1: a deputy's last day


class AssignPlan(Body):
    plan_code: Annotated[str, Field(min_length=1, max_length=60, examples=["FKM"])]
    version: Annotated[
        str | None,
        Field(
            max_length=20,
            pattern=r"^[0-9]+(?:\.[0-9]+)*$",
            examples=["2026.1"],
            description="A version held in the catalogue; the newest when left out (R30).",
        ),
    ] = None


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


class EditActivity(Body):
    """R29: any of the fields of a registration; null removes an optional one."""

    title: Name | None = None
    kind: Annotated[str, Field(min_length=1, max_length=40, examples=["course"])] | None = None
    fulfilled_on: date | None = None
    activity_code: Code | None = None
    count: Count | None = None
    note: Comment | None = None
    attachment_id: UUID | None = None


class Withdrawal(Body):
    reason: Reason


class Recall(Body):
    reason: Comment | None = None


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


class CancelMeeting(Body):
    """R25: why the meeting will not be held."""

    reason: Reason


class RaiseConcern(Body):
    """R26: the mentor tells the leader that progress is not as expected."""

    text: Reason


class ResolveConcern(Body):
    """R26: the leader's (or deputy's) answer to a concern."""

    note: Reason


class Person(Body):
    hpr_number: HprNumber | None = None
    sub: Sub | None = None


class ImportApproval(Body):
    source_portal: Name
    source_event_id: Annotated[str, _text(LINE_PATTERN, min_length=1, max_length=200)]
    person: Person
    goal_code: Code
    approved_at: AwareDatetime
    approver_name: Name
