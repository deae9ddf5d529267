"""The read port: every query the API (and the CLI) asks of the read side, typed (ADR 0001).

`ReadPort` is what a caller depends on; `projections.queries.Queries` implements it
over the view tables (mypy checks that where `ProjectionService` builds it). Answers
are plain data: `TypedDict`s of strings, numbers, `date`s and aware `datetime`s, so a
route can be followed by mypy from its path to the SQL that answers it. `data` of an
event and the detail of a meeting change are the JSON the view stored (`JsonObject`).
Progress nests the domain's rule results (R12, R19-R22) as JSON objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Protocol, TypedDict
from uuid import UUID

from kompetanse_domain.audit.verify import RecordedLink
from kompetanse_domain.model.finding import CandidateSearch

JsonObject = dict[str, object]


class PersonRow(TypedDict):
    """A person in an answer: who they are (`sub`) and their name (API.md)."""

    sub: str
    name: str


class CandidateRefRow(TypedDict):
    candidate_id: str
    sub: str
    name: str


# -- GET /v1/candidates/{cid} ------------------------------------------------------------


class OrganisationRow(TypedDict):
    id: str
    name: str


class RoleHolderRow(TypedDict):
    role: str
    sub: str
    name: str
    since: datetime
    until: date | None  # a deputy's last day (R7), else None


# R28: a specialty the doctor trained in, `from` a day `until` the day the next one began
# (None: the current one); the functional form, as `from` is a Python keyword
SpecialtyRow = TypedDict("SpecialtyRow", {"specialty": str, "from": date, "until": date | None})


class PlanStateRow(TypedDict):
    plan_code: str
    title: str
    catalogue_version: str
    state: str
    goal_count: int
    assigned_at: datetime
    changed_at: datetime


class CandidateView(TypedDict):
    candidate_id: str
    state: str
    sub: str
    name: str
    email: str
    specialty: str
    organisation: OrganisationRow
    hpr_number: str | None
    registered_at: datetime
    version: int
    roles: list[RoleHolderRow]
    plans: list[PlanStateRow]
    specialties: list[SpecialtyRow]  # R28: oldest first, the current one last


class ProgressView(TypedDict):
    """GET /v1/candidates/{cid}/progress: counts per state, and the rules' results."""

    candidate_id: str
    specialty: str
    totals: dict[str, int]
    plans: list[JsonObject]
    goals: list[JsonObject]
    supervision: JsonObject  # R19
    readiness: JsonObject  # R20, R21: the registered specialty's
    readiness_by_specialty: list[JsonObject]  # R22: one per specialty, registered first


# -- GET /v1/candidates/{cid}/goals/{code} -------------------------------------------------


class AttachmentRow(TypedDict):
    """R27: the file an activity carries, so its signer and approver can open it."""

    attachment_id: str
    filename: str
    content_type: str
    size: int
    sha256: str


class ActivityRow(TypedDict):
    activity_id: str
    title: str
    kind: str
    fulfilled_on: date
    activity_code: str | None
    count: int | None
    note: str | None
    attachment_id: str | None
    attachment: AttachmentRow | None
    state: str
    signer: PersonRow | None
    decision_comment: str | None
    registered_at: datetime
    sent_for_signing_at: datetime | None
    decided_at: datetime | None
    withdrawn_at: datetime | None  # R29
    withdrawal_reason: str | None


class DecisionRow(TypedDict):
    """R29: an approval or rejection of the goal; a withdrawn approval stays, marked."""

    decision: str  # approved | rejected
    decided_by: PersonRow | None
    decided_at: datetime
    comment: str | None
    source_portal: str | None  # R23: the approval was imported from the other portal
    source_event_id: str | None
    withdrawn: bool
    withdrawn_by: PersonRow | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None


class CommentRow(TypedDict):
    comment_id: str
    author: PersonRow | None
    text: str
    written_at: datetime


class GoalView(TypedDict):
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
    approver: PersonRow | None
    decided_by: PersonRow | None
    decided_at: datetime | None
    decision_comment: str | None
    imported_from: list[dict[str, str]]
    carried_over_from: dict[str, str | None] | None  # R30: where a carried approval came from
    opened_at: datetime
    updated_at: datetime
    version: int
    activities: list[ActivityRow]
    comments: list[CommentRow]
    decisions: list[DecisionRow]  # R29: oldest first


# -- meetings (R15-R18) --------------------------------------------------------------------


class MeetingSummaryRow(TypedDict):
    meeting_id: str
    candidate_id: str
    state: str
    scheduled_for: str
    planned_minutes: int
    held_on: date | None
    duration_minutes: int | None
    veileder: PersonRow | None
    created_at: datetime
    updated_at: datetime
    version: int


class PreparationRow(TypedDict):
    author_role: str
    author: PersonRow | None
    text: str
    written_at: datetime


class ChangeRow(TypedDict):
    version: int
    at: datetime
    actor: PersonRow | None
    what: str
    detail: JsonObject


class MeetingView(MeetingSummaryRow):
    preparations: list[PreparationRow]
    summary: str
    goals_discussed: list[str]
    changes: list[ChangeRow]


# -- the leader's and the supervisor's own lists ---------------------------------------------


class LeaderCandidateRow(TypedDict):
    candidate_id: str
    candidate: CandidateRefRow
    specialty: str
    roles: list[str]
    totals: dict[str, int]
    pending_approvals: int
    open_concerns: int  # R26


# -- the veileder's own list and concerns (API.md v1.1 "Mentor and leader", R26) --------------


class NextMeetingRow(TypedDict):
    meeting_id: str
    scheduled_for: str
    planned_minutes: int


class FinalisedMeetingRow(TypedDict):
    meeting_id: str
    held_on: date
    duration_minutes: int


class VeilederCandidateRow(TypedDict):
    candidate_id: str
    candidate: CandidateRefRow
    specialty: str
    totals: dict[str, int]
    next_meeting: NextMeetingRow | None
    last_finalised_meeting: FinalisedMeetingRow | None
    open_concerns: int


class ConcernRow(TypedDict):
    concern_id: str
    text: str
    raised_by: PersonRow
    raised_at: datetime
    state: str  # open | resolved
    resolved_by: PersonRow | None
    resolved_at: datetime | None
    note: str | None


class ApprovalRow(TypedDict):
    candidate: CandidateRefRow
    goal_code: str
    plan_code: str
    state: str
    completed_on: date | None
    sent_at: datetime | None
    comment: str | None
    approver: PersonRow | None
    evidence: dict[str, int]


class ReportRow(TypedDict):
    """One goal of a led candidate, for report.csv."""

    candidate_id: str
    candidate_sub: str
    candidate_name: str
    plan_code: str
    goal_code: str
    state: str
    completed_on: date | None
    sent_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    approver: str | None


class SigningRequestRow(TypedDict):
    activity_id: str
    candidate: CandidateRefRow
    goal_code: str
    title: str
    kind: str
    fulfilled_on: date
    activity_code: str | None
    count: int | None
    attachment_id: str | None
    attachment: AttachmentRow | None
    state: str
    sent_at: datetime | None
    signer: PersonRow | None


# -- audit (R24) and the feed (R23) -----------------------------------------------------------


class _HistoryRow(TypedDict):
    position: int
    event_id: str
    aggregate: str
    aggregate_id: str
    version: int
    type: str
    actor: PersonRow
    occurred_at: datetime
    data: JsonObject
    hash: str
    prev_hash: str


class HistoryRow(_HistoryRow, total=False):
    repaired: JsonObject  # only on an event whose stored text was repaired (ADR 0019)


class FeedCandidateRow(TypedDict):
    candidate_id: str | None
    hpr_number: str | None
    sub: str | None


class FeedRow(TypedDict):
    position: int
    event_id: str
    type: str
    aggregate: str
    aggregate_id: str
    version: int
    occurred_at: datetime
    actor: PersonRow
    candidate: FeedCandidateRow
    data: JsonObject
    schema: int
    goal_code: str | None


# -- finding things (API.md v1.1): candidates by HPR number or a part of the name ------------


class CandidateMatchRow(TypedDict):
    candidate_id: str
    name: str
    hpr_number: str | None
    specialty: str
    organisation: OrganisationRow


# -- the applicant's export (API.md v1.1, ADR 0024) -------------------------------------------


class ExportContent(TypedDict):
    """What the export is made of, read in one transaction at `position`: the profile,
    progress with the rules' results (R12, R19-R22), the detail of every goal that is
    approved or has a signed activity, and the meetings."""

    position: int
    candidate: CandidateView
    progress: ProgressView
    goals: list[GoalView]
    meetings: list[MeetingSummaryRow]


class MenuRow(TypedDict):
    """What the pages' menu offers a person (see `menu_of`)."""

    leads: bool  # leader, or deputy still acting, of someone
    mentors: bool  # veileder of someone
    signs: bool  # an activity waits for their signature


class ReadPort(Protocol):
    """Every read the API makes. Each call is one read transaction over the live views;
    a view stopped at a poison event raises `ViewStoppedError` (ADR 0019)."""

    def get_candidate(self, cid: UUID) -> CandidateView | None: ...

    def get_goal(self, cid: UUID, code: str) -> GoalView | None: ...

    def get_attachment(self, cid: UUID, attachment_id: str) -> AttachmentRow | None: ...

    def attachment_sent_to(self, cid: UUID, attachment_id: str, sub: str) -> bool: ...

    def get_progress(self, cid: UUID, today: date | None = None) -> ProgressView | None: ...

    def get_goal_procedures(self, cid: UUID, code: str) -> list[ProcedureCountRow]:
        """R12 for one goal: its row's `procedures` in `get_progress`, read alone."""
        ...

    def list_goals(self, cid: UUID, state: str | None = None) -> list[GoalListRow]:
        """The candidate's goals (not withdrawn) by code, only those in `state` if given:
        the goal rows of `get_progress` without the rules' results."""
        ...

    def get_meeting(self, mid: UUID) -> MeetingView | None: ...

    def list_meetings(self, cid: UUID) -> list[MeetingSummaryRow]: ...

    def list_meetings_discussing(self, cid: UUID, code: str) -> list[DiscussedMeetingRow]:
        """The candidate's meetings whose discussed goals include `code`, in date order."""
        ...

    def list_leader_candidates(self, sub: str) -> list[LeaderCandidateRow]: ...

    def list_leader_approvals(self, sub: str) -> list[ApprovalRow]: ...

    def page_leader_approvals(self, sub: str, limit: int, offset: int) -> ApprovalPage:
        """`limit` rows of `list_leader_approvals` from `offset`, paged by the database."""
        ...

    def oldest_approval_waits(self, sub: str) -> dict[str, datetime]:
        """Candidate id -> when their oldest goal still waiting for approval was sent."""
        ...

    def list_veileder_candidates(
        self, sub: str, today: date | None = None
    ) -> list[VeilederCandidateRow]: ...

    def list_concerns(self, cid: UUID) -> list[ConcernRow]: ...

    def list_signing_requests(self, sub: str) -> list[SigningRequestRow]: ...

    def menu_of(self, sub: str) -> MenuRow: ...

    def iter_report_rows(self, sub: str) -> Iterator[ReportRow]:
        """Streams; the read transaction stays open until the iterator is exhausted."""
        ...

    def list_history(self, cid: UUID, as_of: datetime | None = None) -> list[HistoryRow]: ...

    def history_json(self, cid: UUID, as_of: datetime | None = None) -> tuple[int, str]:
        """The history as the API serves it: (count, JSON array text)."""
        ...

    def versions_as_of(self, cid: UUID, as_of: datetime) -> dict[UUID, int]: ...

    def iter_recorded_links(
        self, cid: UUID | None = None, *, upto: int | None = None
    ) -> Iterator[RecordedLink]: ...

    def audit_position(self) -> int: ...

    def feed_page(self, after: int, limit: int) -> list[FeedRow]: ...

    def get_export_content(self, cid: UUID, today: date | None = None) -> ExportContent | None:
        """The applicant's export's content, in one read transaction (ADR 0024)."""
        ...

    # -- finding things (API.md v1.1) -----------------------------------------------------

    def search_candidates(self, search: CandidateSearch) -> list[CandidateMatchRow]:
        """Candidates by HPR number and/or name search key, by name, at most `search.limit`."""
        ...


# The pages' lighter answers: `page_rows` builds on this module's rows, so it is imported
# here, once they exist (the package imports this module first), and
# `typing.get_type_hints` resolves every answer of the read port at run time.
from projections.queries.page_rows import (  # noqa: E402
    ApprovalPage,
    DiscussedMeetingRow,
    GoalListRow,
    ProcedureCountRow,
)
