"""The leader's dashboard, approvals queue and report rows (R7, R8, R14).

Everything is scoped by the actor's `sub` through `leader_link` (leader or deputy,
while the role is held), so these queries need no further authorization.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from kompetanse_domain.model.learning_goal import GoalState
from projections.queries.progress import GOAL_STATES
from projections.queries.read import ReadTx, person
from projections.views.leader_tables import LeaderTables


def _led_by(t: LeaderTables, sub: str) -> Any:
    return select(t.link.c.candidate_id).where(t.link.c.sub == sub)


def list_leader_candidates(r: ReadTx, sub: str) -> list[dict[str, Any]]:
    t: LeaderTables = r.t("leader")
    c, g = t.candidate.c, t.goal.c
    roles: dict[str, list[str]] = {}
    for row in r.conn.execute(select(t.link).where(t.link.c.sub == sub).order_by(t.link.c.role)):
        roles.setdefault(row.candidate_id, []).append(row.role)
    totals: dict[str, dict[str, int]] = {
        cid: {"total": 0, **dict.fromkeys(GOAL_STATES, 0)} for cid in roles
    }
    for row in r.conn.execute(
        select(g.candidate_id, g.state, func.count().label("n"))
        .where(g.candidate_id.in_(_led_by(t, sub)) & ~g.withdrawn)
        .group_by(g.candidate_id, g.state)
    ):
        totals[row.candidate_id][row.state] = row.n
        totals[row.candidate_id]["total"] += row.n
    candidates = r.conn.execute(
        select(t.candidate).where(c.candidate_id.in_(_led_by(t, sub))).order_by(c.name, c.sub)
    ).all()
    return [
        {
            "candidate_id": row.candidate_id,
            "candidate": {"candidate_id": row.candidate_id, "sub": row.sub, "name": row.name},
            "specialty": row.specialty,
            "roles": roles[row.candidate_id],
            "totals": totals[row.candidate_id],
            "pending_approvals": totals[row.candidate_id][GoalState.SENT_FOR_APPROVAL],
        }
        for row in candidates
    ]


def list_leader_approvals(r: ReadTx, sub: str) -> list[dict[str, Any]]:
    """Goals sent for approval to candidates the actor may approve for, oldest first."""
    t: LeaderTables = r.t("leader")
    c, g = t.candidate.c, t.goal.c
    rows = r.conn.execute(
        select(t.goal, c.sub.label("candidate_sub"), c.name.label("candidate_name"))
        .join(t.candidate, c.candidate_id == g.candidate_id)
        .where(
            (g.state == GoalState.SENT_FOR_APPROVAL)
            & ~g.withdrawn
            & g.candidate_id.in_(_led_by(t, sub))
        )
        .order_by(g.sent_at, c.name, g.code)
    ).all()
    return [
        {
            "candidate": {
                "candidate_id": row.candidate_id,
                "sub": row.candidate_sub,
                "name": row.candidate_name,
            },
            "goal_code": row.code,
            "plan_code": row.plan_code,
            "state": row.state,
            "completed_on": row.completed_on,
            "sent_at": row.sent_at,
            "comment": row.send_comment,
            "approver": person(row.approver_sub, row.approver_name),
            "evidence": {
                "mentor_comments": row.mentor_comments,
                "signed_activities": row.signed_activities,
            },
        }
        for row in rows
    ]


def iter_report_rows(r: ReadTx, sub: str) -> Iterator[dict[str, Any]]:
    """One row per goal of the actor's candidates, streamed from the database."""
    t: LeaderTables = r.t("leader")
    c, g = t.candidate.c, t.goal.c
    statement = (
        select(t.goal, c.sub.label("candidate_sub"), c.name.label("candidate_name"))
        .join(t.candidate, c.candidate_id == g.candidate_id)
        .where(~g.withdrawn & g.candidate_id.in_(_led_by(t, sub)))
        .order_by(c.name, c.candidate_id, g.plan_code, g.code)
        .execution_options(stream_results=True, yield_per=500)
    )
    for row in r.conn.execute(statement):
        yield {
            "candidate_id": row.candidate_id,
            "candidate_sub": row.candidate_sub,
            "candidate_name": row.candidate_name,
            "plan_code": row.plan_code,
            "goal_code": row.code,
            "state": row.state,
            "completed_on": row.completed_on,
            "sent_at": row.sent_at,
            "decided_at": row.decided_at,
            "decided_by": row.decided_by_name,
            "approver": row.approver_name,
        }
