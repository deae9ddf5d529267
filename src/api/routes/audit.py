"""Audit routes (R24, API.md "Audit", ADR 0011): history, state as of an instant, verify.

- `GET /v1/candidates/{cid}/history?as_of=` (auditor; the candidate): every event of the
  candidate, its goals and meetings from the audit view, in commit order, with the
  recorded chain link (`hash`, `prev_hash`).
- `GET /v1/candidates/{cid}/state?as_of=` (auditor; the candidate): plans, goals and
  meetings as they stood, rebuilt from the stored events up to the versions the audit
  view says existed at that instant (never read from the current views).
- `GET /v1/candidates/{cid}/history/verify` (auditors only): the chain recomputed from
  the stored events compared with the recorded one, up to the audit view's position.

Authorization is the domain's (`actor_for`, `check_can_read_history`,
`check_can_verify_history`). Every answer carries `X-Projection-Position` and honours
`X-Min-Position`, like the other queries.
`as_of` is an RFC 3339 instant with offset; a naive or malformed one is 422.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from api.responses import Person
from api.routes.mentors import Concern
from api.routes.paths import CandidateId
from api.routes.queries import QUERY_PROBLEMS, QueryRoute, Reader, ReaderDep
from kompetanse_domain.application.audit import AuditService
from kompetanse_domain.errors import InvalidInputError
from kompetanse_domain.model import values
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_concerns import concerns_of
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.meeting import SupervisionMeeting
from kompetanse_domain.model.plan_versions import carried_over_from
from kompetanse_domain.model.vocabulary import ActivityKind, ActivityState, GoalState, MeetingState
from projections.views.audit import instant_json

router = APIRouter(tags=["audit"], route_class=QueryRoute, responses=QUERY_PROBLEMS)

RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+ -]\d{2}:\d{2})$"
_FRACTION = re.compile(r"\.(\d{6})\d+")
_UNENCODED_PLUS = re.compile(r" (\d{2}:\d{2})$")

AsOf = Annotated[
    str | None,
    Query(
        pattern=RFC3339,
        max_length=64,
        description="An RFC 3339 instant with offset, e.g. 2026-03-01T12:00:00+01:00",
        examples=["2026-03-01T12:00:00+01:00"],
    ),
]


def parse_instant(value: str) -> datetime:
    """An RFC 3339 instant with offset. A `+` sent unencoded in a query arrives as a space."""
    text = _UNENCODED_PLUS.sub(r"+\1", value.strip()).upper()
    text = _FRACTION.sub(r".\1", text)  # Python keeps microseconds
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"as_of {value!r} is not an RFC 3339 instant") from None
    if instant.tzinfo is None:
        raise InvalidInputError("as_of needs an offset (Z or +01:00), as RFC 3339 requires")
    values.instant(instant, "as_of")  # within the years every stored instant lies in
    return instant


def _check_can_read_history(read: Reader, cid: UUID) -> None:
    """R24: the candidate and auditors (others related 403, unrelated 404)."""
    application = read.services.application
    actor = application.actor_for(read.identity, cid)
    application.get_candidate(cid).check_can_read_history(actor)


def _check_can_verify_history(read: Reader, cid: UUID) -> None:
    """R24: auditors only (others related 403, unrelated 404, as everywhere)."""
    application = read.services.application
    actor = application.actor_for(read.identity, cid)
    application.get_candidate(cid).check_can_verify_history(actor)


# -- response shapes ---------------------------------------------------------------------


class HistoryItem(BaseModel):
    position: int
    event_id: str
    aggregate: str
    aggregate_id: str
    version: int
    type: str
    actor: Person
    occurred_at: datetime
    data: dict[str, Any]
    hash: str
    prev_hash: str


class HistoryPublic(BaseModel):
    candidate_id: str
    as_of: datetime | None
    data: list[HistoryItem]
    count: int


class VerifyPublic(BaseModel):
    ok: bool
    events: int
    first_bad_position: int | None = None


class CandidateAsOf(BaseModel):
    sub: str
    name: str
    specialty: str
    hpr_number: str | None
    organisation: dict[str, str]


class PlanAsOf(BaseModel):
    plan_code: str
    catalogue_version: str
    state: str
    goal_codes: list[str]


class ActivityAsOf(BaseModel):
    activity_id: str
    title: str
    kind: ActivityKind
    fulfilled_on: date
    count: int | None
    state: ActivityState
    signer: Person | None
    decision_comment: str | None


class GoalAsOf(BaseModel):
    code: str
    plan_code: str
    catalogue_version: str
    state: GoalState
    withdrawn: bool
    completed_on: date | None
    approver: Person | None
    decided_by: Person | None
    decided_at: datetime | None
    imported_from: list[str]
    carried_over_from: dict[str, str | None] | None = None  # R30, ADR 0026
    version: int
    activities: list[ActivityAsOf]


class MeetingAsOf(BaseModel):
    meeting_id: str
    state: MeetingState
    scheduled_for: str
    planned_minutes: int
    summary: str
    goals_discussed: list[str]
    held_on: date | None
    duration_minutes: int | None
    cancel_reason: str | None  # R25: set when the meeting was cancelled
    version: int


class ConcernAsOf(Concern):  # R26: a concern as it stood then, as GET .../concerns has it
    pass  # no docstring: it would become the schema's description in the OpenAPI document


class StatePublic(BaseModel):
    candidate_id: str
    as_of: datetime
    candidate: CandidateAsOf | None
    plans: list[PlanAsOf]
    goals: list[GoalAsOf]
    meetings: list[MeetingAsOf]
    concerns: list[ConcernAsOf]


# -- routes ------------------------------------------------------------------------------


@router.get("/v1/candidates/{cid}/history", response_model=HistoryPublic)
def get_history(cid: CandidateId, read: ReaderDep, as_of: AsOf = None) -> Response:
    """Every event of the candidate, its goals and meetings, in commit order (R24)."""
    instant = parse_instant(as_of) if as_of is not None else None
    _check_can_read_history(read, cid)
    count, items = read.queries.history_json(cid, instant)  # stored JSON text, not re-encoded
    head = {"candidate_id": str(cid), "as_of": instant_json(instant) if instant else None}
    body = f'{json.dumps(head, separators=(",", ":"))[:-1]},"data":{items},"count":{count}}}'
    return Response(body, media_type="application/json")


@router.get("/v1/candidates/{cid}/state", response_model=StatePublic)
def get_state(cid: CandidateId, read: ReaderDep, as_of: AsOf = None) -> dict[str, Any]:
    """Plans, goals and meetings as they stood at `as_of` (default now), rebuilt from events."""
    instant = parse_instant(as_of) if as_of is not None else datetime.now(UTC)
    _check_can_read_history(read, cid)
    versions = read.queries.versions_as_of(cid, instant)
    aggregates = AuditService(read.services.application).state_as_of(versions)
    return state_document(cid, instant, aggregates)


@router.get(
    "/v1/candidates/{cid}/history/verify",
    response_model=VerifyPublic,
    response_model_exclude_none=True,
)
def verify_history(cid: CandidateId, read: ReaderDep) -> dict[str, Any]:
    """The candidate's chain recomputed from stored events against the recorded one (R24)."""
    _check_can_verify_history(read, cid)
    upto = read.queries.audit_position()
    links = read.queries.iter_recorded_links(cid, upto=upto)
    result = AuditService(read.services.application).verify(links, candidate_id=cid, upto=upto)
    body: dict[str, Any] = {"ok": result.ok, "events": result.events}
    if not result.ok:
        body["first_bad_position"] = result.first_bad_position
    return body


# -- the state document --------------------------------------------------------------------


def _person(sub: str | None, name: str | None) -> dict[str, str] | None:
    return {"sub": sub, "name": name or ""} if sub else None


def state_document(cid: UUID, as_of: datetime, aggregates: list[Any]) -> dict[str, Any]:
    """The rebuilt aggregates as one JSON document (goals by code, meetings by date)."""
    candidate = next((a for a in aggregates if isinstance(a, Candidate)), None)
    goals = sorted((a for a in aggregates if isinstance(a, LearningGoal)), key=lambda g: g.code)
    meetings = sorted(
        (a for a in aggregates if isinstance(a, SupervisionMeeting)),
        key=lambda m: (m.scheduled_for, str(m.id)),
    )
    return {
        "candidate_id": str(cid),
        "as_of": as_of,
        "candidate": _candidate(candidate) if candidate is not None else None,
        "plans": [
            {
                "plan_code": plan["code"],
                "catalogue_version": plan["version"],
                "state": plan["state"],
                "goal_codes": list(plan["goal_codes"]),
            }
            for plan in (candidate.plans.values() if candidate is not None else [])
        ],
        "goals": [_goal(goal) for goal in goals],
        "meetings": [_meeting(meeting) for meeting in meetings],
        "concerns": [] if candidate is None else _concerns(candidate),
    }


def _candidate(candidate: Candidate) -> dict[str, Any]:
    return {
        "sub": candidate.sub,
        "name": candidate.name,
        "specialty": candidate.specialty,
        "hpr_number": candidate.hpr_number,
        "organisation": {"id": candidate.organisation_id, "name": candidate.organisation_name},
    }


def _goal(goal: LearningGoal) -> dict[str, Any]:
    return {
        "code": goal.code,
        "plan_code": goal.plan_code,
        "catalogue_version": goal.catalogue_version,
        "state": goal.state,
        "withdrawn": goal.withdrawn,
        "completed_on": goal.completed_on,
        "approver": _person(goal.approver_sub, goal.approver_name),
        "decided_by": _person(goal.decided_by_sub, goal.decided_by_name),
        "decided_at": goal.decided_at,
        "imported_from": list(goal.imported_from),
        "carried_over_from": carried_over_from(goal),
        "version": goal.version,
        "activities": [
            {
                "activity_id": record["activity_id"],
                "title": record["title"],
                "kind": record["kind"],
                "fulfilled_on": record["fulfilled_on"],
                "count": record["count"],
                "state": record["state"],
                "signer": _person(record["signer_sub"], record["signer_name"]),
                "decision_comment": record["decision_comment"],
            }
            for record in goal.activities.values()
        ],
    }


def _meeting(meeting: SupervisionMeeting) -> dict[str, Any]:
    return {
        "meeting_id": str(meeting.id),
        "state": meeting.state,
        "scheduled_for": meeting.scheduled_for,
        "planned_minutes": meeting.planned_minutes,
        "summary": meeting.summary,
        "goals_discussed": list(meeting.goals_discussed),
        "held_on": meeting.held_on,
        "duration_minutes": meeting.duration_minutes,
        "cancel_reason": meeting.cancel_reason,
        "version": meeting.version,
    }


def _concerns(candidate: Candidate) -> list[dict[str, Any]]:
    """R26: the concerns as they stood, oldest first."""
    return [
        {
            "concern_id": concern_id,
            "text": concern["text"],
            "raised_by": _person(concern["raised_by_sub"], concern["raised_by_name"]),
            "raised_at": concern["raised_at"],
            "state": concern["state"],
            "resolved_by": _person(concern["resolved_by_sub"], concern["resolved_by_name"]),
            "resolved_at": concern["resolved_at"],
            "note": concern["note"],
        }
        for concern_id, concern in concerns_of(candidate).items()
    ]
