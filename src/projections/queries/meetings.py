"""GET /v1/meetings/{mid} and GET /v1/candidates/{cid}/meetings (R15-R18)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Row, select

from projections.queries.page_rows import DiscussedMeetingRow
from projections.queries.port import MeetingSummaryRow, MeetingView
from projections.queries.read import ReadTx, person
from projections.views.meetings import MeetingTables


def _summary(row: Row[Any]) -> MeetingSummaryRow:
    return {
        "meeting_id": row.meeting_id,
        "candidate_id": row.candidate_id,
        "state": row.state,
        "scheduled_for": row.scheduled_for,
        "planned_minutes": row.planned_minutes,
        "held_on": row.held_on,
        "duration_minutes": row.duration_minutes,
        "veileder": person(row.veileder_sub, row.veileder_name),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "version": row.version,
    }


def _meetings_of(r: ReadTx, cid: UUID) -> list[Row[Any]]:
    t: MeetingTables = r.t("meetings")
    m = t.meeting.c
    return list(
        r.conn.execute(
            select(t.meeting)
            .where(m.candidate_id == str(cid))
            .order_by(m.scheduled_for, m.created_at, m.meeting_id)
        ).all()
    )


def list_meetings(r: ReadTx, cid: UUID) -> list[MeetingSummaryRow]:
    return [_summary(row) for row in _meetings_of(r, cid)]


def list_meetings_discussing(r: ReadTx, cid: UUID, code: str) -> list[DiscussedMeetingRow]:
    """One read of the candidate's meetings; the goals discussed are a JSON list."""
    return [
        {**_summary(row), "summary": row.summary}
        for row in _meetings_of(r, cid)
        if code in (row.goals_discussed or ())
    ]


def get_meeting(r: ReadTx, mid: UUID) -> MeetingView | None:
    t: MeetingTables = r.t("meetings")
    row = r.conn.execute(select(t.meeting).where(t.meeting.c.meeting_id == str(mid))).first()
    if row is None:
        return None
    preparations = r.rows_of(t.preparation, "meeting_id", row.meeting_id, "author_role")
    changes = r.rows_of(t.change, "meeting_id", row.meeting_id, "version")
    return {
        **_summary(row),
        "preparations": [
            {
                "author_role": prep.author_role,
                "author": person(prep.author_sub, prep.author_name),
                "text": prep.text,
                "written_at": prep.written_at,
            }
            for prep in preparations
        ],
        "summary": row.summary,
        "goals_discussed": list(row.goals_discussed or []),
        "changes": [
            {
                "version": change.version,
                "at": change.at,
                "actor": person(change.sub, change.name),
                "what": change.what,
                "detail": dict(change.detail or {}),
            }
            for change in changes
        ],
    }
