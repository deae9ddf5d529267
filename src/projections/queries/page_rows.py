"""The answers of the read port's queries for the web pages' lighter reads (issue 25's
page benchmark): a page of the approvals queue, a candidate's goal list, one goal's
procedure counts, the meetings that discussed a goal. Beside `port` to keep it short."""

from __future__ import annotations

from typing import TypedDict

from projections.queries.port import ApprovalRow, MeetingSummaryRow


class ApprovalPage(TypedDict):
    """One page of the approvals queue, oldest sent first, and the queue's length."""

    rows: list[ApprovalRow]
    total: int


class GoalListRow(TypedDict):
    """One goal of a candidate's goal list (the web page's; the API's is the progress)."""

    code: str
    plan_code: str
    state: str
    registered_activities: int
    signed_activities: int


class ProcedureCountRow(TypedDict):
    """R12: one procedure of a goal against its recommended minimum (None: no minimum)."""

    title: str
    recommended_minimum: int | None
    count: int
    signed: int
    remaining: int | None


class DiscussedMeetingRow(MeetingSummaryRow):
    """A meeting that discussed a given goal, with its summary (the approval page's)."""

    summary: str
