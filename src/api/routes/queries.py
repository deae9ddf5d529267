"""Queries (GET): read the projections, authorize through the domain (API.md, ADR 0004).

Every answer, refusals included, carries `X-Projection-Position` (the position every
view has applied). `X-Min-Position: n` waits up to 5 s for the views to reach `n`
(read your own writes), else 503 with `Retry-After: 1`; the wait holds no worker
thread, and one caller waits in at most `api.waiting.PER_CALLER` queries at once
(more: 503 at once). Single resources carry `ETag: "<aggregate version>"`. Who may
read is decided by the domain: `actor_for` (404 for people unrelated to the
candidate) and, for meetings, `check_can_read_meetings` (403 for a related role that
may not read them).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.deps import IdentityDep, Services, ServicesDep
from api.errors import domain_error, http_error
from api.responses import COMMAND_PROBLEMS
from api.routes.paths import CandidateId, GoalCode, MeetingId
from api.waiting import PositionWaits, TooManyWaitsError
from kompetanse_domain.application.service import MeetingNotFoundError
from kompetanse_domain.errors import DomainError, NotFoundError
from kompetanse_domain.model.identity import Actor, Identity
from kompetanse_domain.model.values import in_zone

MIN_POSITION_WAIT = 5.0
_POSITION = re.compile(r"[0-9]{1,18}")  # ASCII digits only: "²".isdigit() is True
OSLO = ZoneInfo("Europe/Oslo")
QUERY_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: COMMAND_PROBLEMS[code]
    for code in (400, 401, 403, 404, 422, 503)
    if code in COMMAND_PROBLEMS
}


class QueryRoute(APIRoute):
    """Adds `X-Projection-Position` to every answer of a query, refusals included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await handle(request)
            except DomainError as error:
                response = await domain_error(request, error)
            except HTTPException as error:
                response = await http_error(request, error)
            position = getattr(request.state, "projection_position", None)
            if position is not None:
                response.headers["X-Projection-Position"] = str(position)
            return response

        return handler


router = APIRouter(tags=["queries"], route_class=QueryRoute, responses=QUERY_PROBLEMS)


# -- reading at a position -------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """The services and identity of one query, after X-Min-Position was honoured."""

    services: Services
    identity: Identity

    @property
    def queries(self) -> Any:
        return self.services.projections.queries

    def actor(self, cid: UUID) -> Actor:
        """R14, R24: related people and auditors read; others get 404 (no existence leak)."""
        return self.services.application.actor_for(self.identity, cid)

    def check_can_read_meetings(self, cid: UUID) -> None:
        """R17: the candidate, the veileder and auditors read meetings (others 403/404)."""
        actor = self.actor(cid)
        self.services.application.get_candidate(cid).check_can_read_meetings(actor)


async def reader(
    request: Request,
    services: ServicesDep,
    identity: IdentityDep,
    min_position: Annotated[
        str | None,
        Header(
            alias="X-Min-Position",
            description="Wait (up to 5 s) until the views have applied this event position.",
        ),
    ] = None,
) -> Reader:
    """Waits on the event loop (no worker thread held; `api.waiting`), at most
    `PER_CALLER` waits of one caller at once."""
    projections = services.projections
    if min_position is not None:
        wanted = min_position.strip()
        if not _POSITION.fullmatch(wanted):
            request.state.projection_position = await run_in_threadpool(projections.position)
            raise HTTPException(
                400, "X-Min-Position must be an event position: a whole number such as 42"
            )
        waits: PositionWaits = request.app.state.position_waits
        try:
            reached = await waits.wait_for(identity.sub, int(wanted), MIN_POSITION_WAIT)
        except TooManyWaitsError as error:
            request.state.projection_position = await run_in_threadpool(projections.position)
            raise HTTPException(503, str(error), headers={"Retry-After": "1"}) from None
        if not reached:
            request.state.projection_position = await run_in_threadpool(projections.position)
            raise HTTPException(
                503,
                f"The views have not reached position {wanted} yet; try again shortly",
                headers={"Retry-After": "1"},
            )
    request.state.projection_position = await run_in_threadpool(projections.position)
    return Reader(services, identity)


ReaderDep = Annotated[Reader, Depends(reader)]


def _etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


# -- response shapes ---------------------------------------------------------------------


class Person(BaseModel):
    sub: str
    name: str


class CandidateRef(BaseModel):
    candidate_id: str
    sub: str
    name: str


class RoleHolder(Person):
    role: str
    since: datetime


class PlanState(BaseModel):
    plan_code: str
    title: str
    catalogue_version: str
    state: str
    goal_count: int
    assigned_at: datetime
    changed_at: datetime


class Organisation(BaseModel):
    id: str
    name: str


class CandidatePublic(BaseModel):
    candidate_id: str
    state: str
    sub: str
    name: str
    email: str
    specialty: str
    organisation: Organisation
    hpr_number: str | None
    registered_at: datetime
    version: int
    roles: list[RoleHolder]
    plans: list[PlanState]


class ActivityPublic(BaseModel):
    activity_id: str
    title: str
    kind: str
    fulfilled_on: date
    activity_code: str | None
    count: int | None
    note: str | None
    attachment_id: str | None
    state: str
    signer: Person | None
    decision_comment: str | None
    registered_at: datetime
    sent_for_signing_at: datetime | None
    decided_at: datetime | None


class CommentPublic(BaseModel):
    comment_id: str
    author: Person
    text: str
    written_at: datetime


class GoalPublic(BaseModel):
    candidate_id: str
    code: str
    title: str
    plan_code: str
    catalogue_version: str
    state: str
    withdrawn: bool
    completed_on: date | None
    sent_for_approval_at: datetime | None
    comment: str | None
    approver: Person | None
    decided_by: Person | None
    decided_at: datetime | None
    decision_comment: str | None
    imported_from: list[dict[str, str]]
    opened_at: datetime
    updated_at: datetime
    version: int
    activities: list[ActivityPublic]
    comments: list[CommentPublic]


class ProgressPublic(BaseModel):
    candidate_id: str
    specialty: str
    totals: dict[str, int]
    plans: list[dict[str, Any]]
    goals: list[dict[str, Any]]
    supervision: dict[str, Any]
    readiness: dict[str, Any]  # the registered specialty's (R20, R21)
    readiness_by_specialty: list[dict[str, Any]]  # R22: one per specialty, registered first


class MeetingSummary(BaseModel):
    meeting_id: str
    candidate_id: str
    state: str
    scheduled_for: str
    planned_minutes: int
    held_on: date | None
    duration_minutes: int | None
    veileder: Person
    created_at: datetime
    updated_at: datetime
    version: int


class MeetingsPublic(BaseModel):
    data: list[MeetingSummary]
    count: int


class Preparation(BaseModel):
    author_role: str
    author: Person
    text: str
    written_at: datetime


class Change(BaseModel):
    version: int
    at: datetime
    actor: Person
    what: str
    detail: dict[str, Any]


class MeetingPublic(MeetingSummary):
    preparations: list[Preparation]
    summary: str
    goals_discussed: list[str]
    changes: list[Change]


class LeaderCandidate(BaseModel):
    candidate_id: str
    candidate: CandidateRef
    specialty: str
    roles: list[str]
    totals: dict[str, int]
    pending_approvals: int


class LeaderCandidatesPublic(BaseModel):
    data: list[LeaderCandidate]
    count: int


class Approval(BaseModel):
    candidate: CandidateRef
    goal_code: str
    plan_code: str
    state: str
    completed_on: date | None
    sent_at: datetime | None
    comment: str | None
    approver: Person | None
    evidence: dict[str, int]


class ApprovalsPublic(BaseModel):
    data: list[Approval]
    count: int


class SigningRequest(BaseModel):
    activity_id: str
    candidate: CandidateRef
    goal_code: str
    title: str
    kind: str
    fulfilled_on: date
    activity_code: str | None
    count: int | None
    attachment_id: str | None
    state: str
    sent_at: datetime | None
    signer: Person | None


class SigningRequestsPublic(BaseModel):
    data: list[SigningRequest]
    count: int


def _listed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": rows, "count": len(rows)}


# -- one candidate ------------------------------------------------------------------------


@router.get("/v1/candidates/{cid}", response_model=CandidatePublic)
def get_candidate(cid: CandidateId, read: ReaderDep, response: Response) -> dict[str, Any]:
    """Profile, roles (sub, name) and plans with their states."""
    read.actor(cid)
    view = read.queries.get_candidate(cid)
    if view is None:
        raise NotFoundError("Candidate not found, or you have no role for this candidate")
    _etag(response, view["version"])
    return dict(view)


@router.get("/v1/candidates/{cid}/goals/{code}", response_model=GoalPublic)
def get_goal(cid: CandidateId, code: GoalCode, read: ReaderDep, response: Response) -> Any:
    """A learning goal: state, activities with states, comments, approver, times."""
    read.actor(cid)
    view = read.queries.get_goal(cid, code)
    if view is None:
        raise NotFoundError(f"Goal {code} is not in this candidate's plans")
    _etag(response, view["version"])
    return view


@router.get("/v1/candidates/{cid}/progress", response_model=ProgressPublic)
def get_progress(cid: CandidateId, read: ReaderDep) -> Any:
    """Per plan and goal, procedures (R12), supervision hours (R19), readiness (R20, R21),
    and readiness per specialty for a candidate in two (R22)."""
    read.actor(cid)
    view = read.queries.get_progress(cid)
    if view is None:
        raise NotFoundError("Candidate not found, or you have no role for this candidate")
    return view


@router.get("/v1/candidates/{cid}/meetings", response_model=MeetingsPublic)
def list_meetings(cid: CandidateId, read: ReaderDep) -> Any:
    """The candidate's supervision meetings with state and durations (R17)."""
    read.check_can_read_meetings(cid)
    return _listed(read.queries.list_meetings(cid))


@router.get("/v1/meetings/{mid}", response_model=MeetingPublic)
def get_meeting(mid: MeetingId, read: ReaderDep, response: Response) -> Any:
    """Preparations, summary, goals discussed and the full change log (R15-R18)."""
    view = read.queries.get_meeting(mid)
    if view is None:
        raise MeetingNotFoundError(f"Supervision meeting {mid} not found")
    try:
        read.check_can_read_meetings(UUID(view["candidate_id"]))
    except NotFoundError:  # unrelated: the same 404 as for no such meeting (no leak)
        raise MeetingNotFoundError(f"Supervision meeting {mid} not found") from None
    _etag(response, view["version"])
    return view


# -- the actor's own lists ------------------------------------------------------------------


@router.get("/v1/leaders/me/candidates", response_model=LeaderCandidatesPublic)
def list_leader_candidates(read: ReaderDep) -> Any:
    """Candidates the actor leads (leader or deputy), with totals and pending approvals."""
    return _listed(read.queries.list_leader_candidates(read.identity.sub))


@router.get("/v1/leaders/me/approvals", response_model=ApprovalsPublic)
def list_leader_approvals(read: ReaderDep) -> Any:
    """Goals sent for approval that the actor may decide (R7), oldest first."""
    return _listed(read.queries.list_leader_approvals(read.identity.sub))


@router.get("/v1/supervisors/me/signing-requests", response_model=SigningRequestsPublic)
def list_signing_requests(read: ReaderDep) -> Any:
    """Activities waiting for the actor's signature (R10)."""
    return _listed(read.queries.list_signing_requests(read.identity.sub))


# -- report.csv ---------------------------------------------------------------------------

REPORT_COLUMNS = (
    "candidate",
    "candidate_sub",
    "plan",
    "goal",
    "state",
    "completed_on",
    "sent_at",
    "decided_at",
    "decided_by",
    "approver",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """Dates as ISO dates, instants in Oslo time; text that Excel would run is defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return in_zone(value, OSLO).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def report_lines(rows: Iterator[dict[str, Any]], chunk: int = 200) -> Iterator[bytes]:
    """UTF-8 with BOM, `;`-separated, CRLF: what Excel in a Norwegian locale opens (ADR 0004)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    pending = 0
    for row in rows:
        writer.writerow(
            _cell(value)
            for value in (
                row["candidate_name"],
                row["candidate_sub"],
                row["plan_code"],
                row["goal_code"],
                row["state"],
                row["completed_on"],
                row["sent_at"],
                row["decided_at"],
                row["decided_by"],
                row["approver"],
            )
        )
        pending += 1
        if pending >= chunk:
            yield _take(buffer)
            pending = 0
    yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")


@router.get(
    "/v1/leaders/me/report.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per goal"}},
)
def report_csv(read: ReaderDep, request: Request) -> StreamingResponse:
    """One row per goal of the actor's candidates, streamed as CSV for Excel."""
    rows = read.queries.iter_report_rows(read.identity.sub)

    def body() -> Iterator[bytes]:
        yield "\ufeff".encode()
        yield from report_lines(rows)

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="kompetanse-report.csv"',
            "X-Projection-Position": str(request.state.projection_position),
        },
    )
