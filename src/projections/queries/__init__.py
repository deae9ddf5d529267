"""Plain-SQL reads of the view tables; they never load aggregates (STYLE 6, ADR 0004).

Each call is one read transaction over the live generation of the views it uses,
and returns plain dicts (dates and instants as `date`/`datetime`) or, for the
report, an iterator that streams rows from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Concatenate, ParamSpec, TypeVar, cast
from uuid import UUID

from kompetanse_domain.audit.verify import RecordedLink
from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.model.finding import CandidateSearch
from projections.engine import tracking
from projections.engine.db import ViewDatabase
from projections.engine.schema import ViewSchema
from projections.queries import (
    attachments,
    audit,
    candidates,
    export,
    finder,
    goals,
    inbox,
    leader,
    meetings,
    mentor,
    menu,
    progress,
)
from projections.queries.page_rows import (
    ApprovalPage,
    DiscussedMeetingRow,
    GoalListRow,
    ProcedureCountRow,
)
from projections.queries.port import (
    ApprovalRow,
    AttachmentRow,
    CandidateMatchRow,
    CandidateView,
    ConcernRow,
    ExportContent,
    FeedRow,
    GoalView,
    HistoryRow,
    LeaderCandidateRow,
    MeetingSummaryRow,
    MeetingView,
    MenuRow,
    ProgressView,
    ReportRow,
    SigningRequestRow,
    VeilederCandidateRow,
)
from projections.queries.read import ReadTx, reading

P = ParamSpec("P")
R = TypeVar("R")


class Queries:
    """The view tables' answer to `projections.queries.port.ReadPort`."""

    def __init__(self, db: ViewDatabase, schema: ViewSchema, catalogue: Catalogue) -> None:
        self._db, self._schema, self.catalogue = db, schema, catalogue

    def _read(
        self, query: Callable[Concatenate[ReadTx, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """`query`'s answer, read in one read transaction."""
        with reading(self._db, self._schema) as r:
            return query(r, *args, **kwargs)

    def position(self) -> int:
        """The lowest position applied by any view."""
        with reading(self._db, self._schema) as r:
            return r.position

    def get_candidate(self, cid: UUID) -> CandidateView | None:
        return self._read(candidates.get_candidate, self.catalogue, cid)

    def get_attachment(self, cid: UUID, attachment_id: str) -> AttachmentRow | None:
        return self._read(attachments.get_attachment, cid, attachment_id)

    def attachment_sent_to(self, cid: UUID, attachment_id: str, sub: str) -> bool:
        return self._read(attachments.attachment_sent_to, cid, attachment_id, sub)

    def get_goal(self, cid: UUID, code: str) -> GoalView | None:
        with reading(self._db, self._schema) as r:
            return goals.get_goal(r, self.catalogue, cid, code)

    def get_meeting(self, mid: UUID) -> MeetingView | None:
        return self._read(meetings.get_meeting, mid)

    def list_meetings(self, cid: UUID) -> list[MeetingSummaryRow]:
        return self._read(meetings.list_meetings, cid)

    def list_meetings_discussing(self, cid: UUID, code: str) -> list[DiscussedMeetingRow]:
        with reading(self._db, self._schema) as r:
            return meetings.list_meetings_discussing(r, cid, code)

    def get_progress(self, cid: UUID, today: date | None = None) -> ProgressView | None:
        with reading(self._db, self._schema) as r:
            # The rules' results (R12, R19-R22) are built as plain dicts by `progress`.
            return cast(ProgressView | None, progress.get_progress(r, self.catalogue, cid, today))

    def get_goal_procedures(self, cid: UUID, code: str) -> list[ProcedureCountRow]:
        with reading(self._db, self._schema) as r:
            return goals.get_goal_procedures(r, self.catalogue, cid, code)

    def list_goals(self, cid: UUID, state: str | None = None) -> list[GoalListRow]:
        with reading(self._db, self._schema) as r:
            return goals.list_goals(r, cid, state)

    def list_leader_candidates(self, sub: str) -> list[LeaderCandidateRow]:
        with reading(self._db, self._schema) as r:
            return leader.list_leader_candidates(r, sub)

    def list_leader_approvals(self, sub: str) -> list[ApprovalRow]:
        with reading(self._db, self._schema) as r:
            return leader.list_leader_approvals(r, sub)

    def page_leader_approvals(self, sub: str, limit: int, offset: int) -> ApprovalPage:
        with reading(self._db, self._schema) as r:  # the count and the page: one snapshot
            return {
                "rows": leader.list_leader_approvals(r, sub, limit, offset),
                "total": leader.count_leader_approvals(r, sub),
            }

    def oldest_approval_waits(self, sub: str) -> dict[str, datetime]:
        with reading(self._db, self._schema) as r:
            return leader.oldest_approval_waits(r, sub)

    def list_veileder_candidates(
        self, sub: str, today: date | None = None
    ) -> list[VeilederCandidateRow]:
        return self._read(mentor.list_veileder_candidates, sub, today)

    def list_concerns(self, cid: UUID) -> list[ConcernRow]:
        return self._read(mentor.list_concerns, cid)

    def list_signing_requests(self, sub: str) -> list[SigningRequestRow]:
        return self._read(inbox.list_signing_requests, sub)

    def menu_of(self, sub: str) -> MenuRow:
        return self._read(menu.menu_of, sub)

    def iter_report_rows(self, sub: str) -> Iterator[ReportRow]:
        """Streams rows; the read transaction stays open until the iterator is exhausted."""
        with reading(self._db, self._schema) as r:
            yield from leader.iter_report_rows(r, sub)

    # -- audit (R24, ADR 0011) and the event feed (R23) ----------------------------------

    def list_history(self, cid: UUID, as_of: datetime | None = None) -> list[HistoryRow]:
        """Every event of the candidate, its goals and meetings, in position order.

        Items: `position, event_id, aggregate, aggregate_id, version, type,
        actor: {sub, name}, occurred_at, data, hash, prev_hash`; with `as_of` (aware),
        only events with `occurred_at <= as_of`.
        """
        return self._read(audit.list_history, cid, as_of)

    def history_json(self, cid: UUID, as_of: datetime | None = None) -> tuple[int, str]:
        """The history as the API serves it: (count, JSON array text)."""
        return self._read(audit.history_json, cid, as_of)

    def versions_as_of(self, cid: UUID, as_of: datetime) -> dict[UUID, int]:
        """Per aggregate of the candidate, the highest version with `occurred_at <= as_of`."""
        return self._read(audit.versions_as_of, cid, as_of)

    def iter_recorded_links(
        self, cid: UUID | None = None, *, upto: int | None = None
    ) -> Iterator[RecordedLink]:
        """The audit view's recorded chain links in position order (all, or one candidate's).

        Streams; the read transaction stays open until the iterator is exhausted. Pass
        `upto=audit_position()` read beforehand so the links and the bound agree.
        """
        with reading(self._db, self._schema) as r:
            yield from audit.iter_recorded_links(r, cid, upto)

    def audit_position(self) -> int:
        """The position the audit view has applied (its tracking row)."""
        with self._db.read() as conn:
            row = tracking.read_all(conn).get(audit.VIEW)
            return row.position if row is not None else 0

    def feed_page(self, after: int, limit: int) -> list[FeedRow]:
        """Up to `limit` events of candidates, goals and meetings after position `after`.

        Items: `position, event_id, type, aggregate, aggregate_id, version, occurred_at,
        actor: {sub, name}, candidate: {candidate_id, hpr_number, sub}, data, schema,
        goal_code` (the goal's code for LearningGoal events, else None), in position order.
        """
        with reading(self._db, self._schema) as r:
            return audit.feed_page(r, after, limit)

    def get_export_content(self, cid: UUID, today: date | None = None) -> ExportContent | None:
        """The applicant's export's content, in one read transaction (ADR 0024)."""
        return self._read(export.get_export_content, self.catalogue, cid, today)

    # -- finding things (API.md v1.1) -------------------------------------------------------

    def search_candidates(self, search: CandidateSearch) -> list[CandidateMatchRow]:
        """Candidates by HPR number and/or a part of the name (the `finder` view)."""
        return self._read(finder.search_candidates, search)
