"""The veileder's own list and the concerns about a candidate (API.md v1.1, R26).

`list_veileder_candidates` is scoped by the actor's `sub` through `mentor_link`
(veileder, while the role is held), so it needs no further authorization; names and
goal totals come from the `leader` view, meetings from `meetings`, concerns from
`mentor`. `list_concerns` answers whoever the API let through (the domain decides).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from kompetanse_domain.model.meeting import MeetingState
from kompetanse_domain.model.vocabulary import ConcernState
from projections.queries.port import (
    ConcernRow,
    FinalisedMeetingRow,
    NextMeetingRow,
    VeilederCandidateRow,
)
from projections.queries.progress import GOAL_STATES, one_of
from projections.queries.read import ReadTx, person
from projections.views.leader_tables import LeaderTables
from projections.views.meetings import MeetingTables
from projections.views.mentor import MentorTables

OSLO = ZoneInfo("Europe/Oslo")


def list_concerns(r: ReadTx, cid: UUID) -> list[ConcernRow]:
    """The candidate's concerns, oldest first."""
    t: MentorTables = r.t("mentor")
    c = t.concern.c
    rows = r.conn.execute(
        select(t.concern).where(c.candidate_id == str(cid)).order_by(c.raised_at, c.concern_id)
    ).all()
    return [
        {
            "concern_id": row.concern_id,
            "text": row.text,
            "raised_by": {"sub": row.raised_by_sub, "name": row.raised_by_name},
            "raised_at": row.raised_at,
            "state": row.state,
            "resolved_by": person(row.resolved_by_sub, row.resolved_by_name),
            "resolved_at": row.resolved_at,
            "note": row.note,
        }
        for row in rows
    ]


def open_concerns(r: ReadTx, keys: Any) -> dict[str, int]:
    """Open concerns per candidate of `keys` (a select of candidate ids)."""
    t: MentorTables = r.t("mentor")
    c = t.concern.c
    return {
        cid: n
        for cid, n in r.conn.execute(
            select(c.candidate_id, func.count())
            .where(
                one_of(r.conn.dialect.name, c.candidate_id, keys) & (c.state == ConcernState.OPEN)
            )
            .group_by(c.candidate_id)
        ).all()
    }


def list_veileder_candidates(
    r: ReadTx, sub: str, today: date | None = None
) -> list[VeilederCandidateRow]:
    """Candidates the actor is veileder for, by name, with goal totals, meetings and
    open concerns."""
    mentor: MentorTables = r.t("mentor")
    leader: LeaderTables = r.t("leader")
    dialect = r.conn.dialect.name
    mine = select(mentor.link.c.candidate_id).where(mentor.link.c.sub == sub)
    c, g = leader.candidate.c, leader.goal.c
    people = r.conn.execute(
        select(c.candidate_id, c.sub, c.name, c.specialty)
        .where(one_of(dialect, c.candidate_id, mine))
        .order_by(c.name, c.sub)
    ).all()
    if not people:
        return []
    totals: dict[str, dict[str, int]] = {
        row.candidate_id: {"total": 0, **dict.fromkeys(GOAL_STATES, 0)} for row in people
    }
    for cid, state, n in r.conn.execute(
        select(g.candidate_id, g.state, func.count())
        .where(one_of(dialect, g.candidate_id, mine) & ~g.withdrawn)
        .group_by(g.candidate_id, g.state)
    ).all():
        if cid in totals:
            totals[cid][state] = n
            totals[cid]["total"] += n
    concerns = open_concerns(r, mine)
    upcoming, held = _meetings(r, mine, today or datetime.now(OSLO).date())
    return [
        {
            "candidate_id": cid,
            "candidate": {"candidate_id": cid, "sub": candidate_sub, "name": name},
            "specialty": specialty,
            "totals": totals[cid],
            "next_meeting": upcoming.get(cid),
            "last_finalised_meeting": held.get(cid),
            "open_concerns": concerns.get(cid, 0),
        }
        for cid, candidate_sub, name, specialty in people
    ]


def _meetings(
    r: ReadTx, keys: Any, today: date
) -> tuple[dict[str, NextMeetingRow], dict[str, FinalisedMeetingRow]]:
    """Per candidate: the first open meeting scheduled for today or later, and the
    finalised meeting held last (cancelled meetings are neither)."""
    t: MeetingTables = r.t("meetings")
    m = t.meeting.c
    rows: Iterable[Any] = r.conn.execute(
        select(
            m.candidate_id, m.meeting_id, m.state, m.scheduled_for, m.planned_minutes,
            m.held_on, m.duration_minutes,
        )
        .where(
            one_of(r.conn.dialect.name, m.candidate_id, keys)
            & m.state.in_((MeetingState.OPEN, MeetingState.FINALISED))
        )
        .order_by(m.candidate_id, m.scheduled_for, m.meeting_id)
    ).all()  # fmt: skip
    upcoming: dict[str, NextMeetingRow] = {}
    held: dict[str, FinalisedMeetingRow] = {}
    first_day = today.isoformat()
    for row in rows:
        if row.state == MeetingState.OPEN:
            # `scheduled_for` is an ISO date or instant: its first ten characters are the day
            if row.scheduled_for[:10] >= first_day and row.candidate_id not in upcoming:
                upcoming[row.candidate_id] = {
                    "meeting_id": row.meeting_id,
                    "scheduled_for": row.scheduled_for,
                    "planned_minutes": row.planned_minutes,
                }
        else:
            last = held.get(row.candidate_id)
            if last is None or row.held_on >= last["held_on"]:
                held[row.candidate_id] = {
                    "meeting_id": row.meeting_id,
                    "held_on": row.held_on,
                    "duration_minutes": row.duration_minutes,
                }
    return upcoming, held
