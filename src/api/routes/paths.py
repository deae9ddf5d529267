"""Path parameters shared by the command routes; malformed ones are 422, not 404."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path

CandidateId = Annotated[UUID, Path(description="The candidate's id")]
MeetingId = Annotated[UUID, Path(description="The supervision meeting's id")]
ActivityId = Annotated[UUID, Path(description="The learning activity's id")]
GoalCode = Annotated[str, Path(pattern=r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[0-9]{3}$", max_length=44)]
PlanCode = Annotated[str, Path(pattern=r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$", max_length=40)]
InvitationToken = Annotated[str, Path(min_length=1, max_length=200)]
RoleName = Annotated[str, Path(min_length=1, max_length=40)]
Sub = Annotated[str, Path(min_length=1, max_length=255)]
