"""A leader's own lists (GET): the candidates they lead, the goals waiting for their
approval (R7), and report.csv for Excel. The leader's commands are on the goal
(`api.routes.goals`: approve, reject).

Everything is scoped by the caller's `sub` in the read side (leader or deputy, while
the role is held), so these routes need no further authorization.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from itertools import chain
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.responses import CandidateRef, Person
from api.routes.queries import Listed, ListPublic, ReaderDep, listed, query_router
from kompetanse_domain.model.values import in_zone
from kompetanse_domain.model.vocabulary import GoalState
from projections.queries.port import ApprovalRow, LeaderCandidateRow, ReportRow

OSLO = ZoneInfo("Europe/Oslo")

reads = query_router()


class LeaderCandidate(BaseModel):
    candidate_id: str
    candidate: CandidateRef
    specialty: str
    roles: list[str]
    totals: dict[str, int]
    pending_approvals: int
    open_concerns: int  # R26


class LeaderCandidatesPublic(ListPublic[LeaderCandidate]):
    pass


class Approval(BaseModel):
    candidate: CandidateRef
    goal_code: str
    plan_code: str
    state: GoalState
    completed_on: date | None
    sent_at: datetime | None
    comment: str | None
    approver: Person | None
    evidence: dict[str, int]


class ApprovalsPublic(ListPublic[Approval]):
    pass


@reads.get("/v1/leaders/me/candidates", response_model=LeaderCandidatesPublic)
def list_leader_candidates(read: ReaderDep) -> Listed[LeaderCandidateRow]:
    """Candidates the actor leads (leader or deputy), with totals and pending approvals."""
    return listed(read.queries.list_leader_candidates(read.identity.sub))


@reads.get("/v1/leaders/me/approvals", response_model=ApprovalsPublic)
def list_leader_approvals(read: ReaderDep) -> Listed[ApprovalRow]:
    """Goals sent for approval that the actor may decide (R7), oldest first."""
    return listed(read.queries.list_leader_approvals(read.identity.sub))


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


def _cell(value: str | date | datetime | None) -> str:
    """Dates as ISO dates, instants in Oslo time; text that Excel would run is defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return in_zone(value, OSLO).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def report_lines(rows: Iterator[ReportRow], chunk: int = 200) -> Iterator[bytes]:
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


@reads.get(
    "/v1/leaders/me/report.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per goal"}},
)
def report_csv(read: ReaderDep, request: Request) -> StreamingResponse:
    """One row per goal of the actor's candidates, streamed as CSV for Excel."""
    rows = read.queries.iter_report_rows(read.identity.sub)
    position = {"X-Projection-Position": str(request.state.projection_position)}
    return report_download(rows, position)


def report_download(
    rows: Iterator[ReportRow], headers: Mapping[str, str] | None = None
) -> StreamingResponse:
    """The report as a CSV download for Excel (a byte order mark first, so Excel reads the
    UTF-8), streamed: the API's GET and the leader's page serve the same bytes."""
    return StreamingResponse(
        chain(("\ufeff".encode(),), report_lines(rows)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="kompetanse-report.csv"',
            **(headers or {}),
        },
    )
