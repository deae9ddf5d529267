"""The leader's dashboard, approvals queue and report rows (R7, R8, R14).

Everything is scoped by the actor's `sub` through `leader_link` (leader or deputy,
while the role is held), so these queries need no further authorization.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from kompetanse_domain.model import candidate_invitations
from kompetanse_domain.model.identity import Role
from kompetanse_domain.model.learning_goal import GoalState
from projections.queries.mentor import open_concerns
from projections.queries.port import ApprovalRow, LeaderCandidateRow, ReportRow
from projections.queries.progress import GOAL_STATES, one_of
from projections.queries.read import ReadTx, person
from projections.views.leader_tables import LeaderTables
from projections.views.profile import ProfileTables


def held_by(r: ReadTx, t: LeaderTables, sub: str) -> Any:
    """The actor's links, but not as a deputy past their last day (R7, `profile` view)."""
    p: ProfileTables = r.t("profile")
    today = candidate_invitations.today_in_oslo()  # the domain's clock for a deputy's end
    ended = select(p.deputy.c.candidate_id).where(
        (p.deputy.c.sub == sub) & (p.deputy.c.until < today)
    )
    link = t.link.c
    return (link.sub == sub) & ~((link.role == Role.DEPUTY) & link.candidate_id.in_(ended))


def _led_by(r: ReadTx, t: LeaderTables, sub: str) -> Any:
    return select(t.link.c.candidate_id).where(held_by(r, t, sub))


def list_leader_candidates(r: ReadTx, sub: str) -> list[LeaderCandidateRow]:
    t: LeaderTables = r.t("leader")
    c, g, link = t.candidate.c, t.goal.c, t.link.c
    led = _led_by(r, t, sub)  # built once: building a statement costs more than its run
    roles: dict[str, list[str]] = {}
    for cid, role in r.conn.execute(
        select(link.candidate_id, link.role).where(held_by(r, t, sub)).order_by(link.role)
    ).all():
        roles.setdefault(cid, []).append(role)
    if not roles:
        return []
    totals: dict[str, dict[str, int]] = {
        cid: {"total": 0, **dict.fromkeys(GOAL_STATES, 0)} for cid in roles
    }
    # By the (candidate_id, state) index of the led candidates only (see `one_of`).
    for cid, state, n in r.conn.execute(
        select(g.candidate_id, g.state, func.count())
        .where(one_of(r.conn.dialect.name, g.candidate_id, led) & ~g.withdrawn)
        .group_by(g.candidate_id, g.state)
    ).all():
        counted = totals[cid]
        counted[state] = n
        counted["total"] += n
    concerns = open_concerns(r, led)  # R26
    return [
        {
            "candidate_id": cid,
            "candidate": {"candidate_id": cid, "sub": candidate_sub, "name": name},
            "specialty": specialty,
            "roles": roles[cid],
            "totals": totals[cid],
            "pending_approvals": totals[cid][GoalState.SENT_FOR_APPROVAL],
            "open_concerns": concerns.get(cid, 0),
        }
        for cid, candidate_sub, name, specialty in r.conn.execute(
            select(c.candidate_id, c.sub, c.name, c.specialty)
            .where(one_of(r.conn.dialect.name, c.candidate_id, led))
            .order_by(c.name, c.sub)
        ).all()
    ]


def _waiting(r: ReadTx, t: LeaderTables, sub: str) -> Any:
    """Goals sent for approval to candidates the actor may approve for (by the
    (candidate_id, state) index of the led candidates, see `one_of`)."""
    g = t.goal.c
    return (
        (g.state == GoalState.SENT_FOR_APPROVAL)
        & ~g.withdrawn
        & one_of(r.conn.dialect.name, g.candidate_id, _led_by(r, t, sub))
    )


def list_leader_approvals(
    r: ReadTx, sub: str, limit: int | None = None, offset: int = 0
) -> list[ApprovalRow]:
    """Goals sent for approval to candidates the actor may approve for, oldest first;
    with `limit`, that many from `offset` (LIMIT/OFFSET in the database)."""
    t: LeaderTables = r.t("leader")
    c, g = t.candidate.c, t.goal.c
    statement = (
        select(
            g.candidate_id, c.sub, c.name, g.code, g.plan_code, g.state, g.completed_on,
            g.sent_at, g.send_comment, g.approver_sub, g.approver_name,
            g.mentor_comments, g.signed_activities,
        )
        .join(t.candidate, c.candidate_id == g.candidate_id)
        .where(_waiting(r, t, sub))
        .order_by(g.sent_at, c.name, g.code, g.candidate_id)
    )  # fmt: skip
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    rows = r.conn.execute(statement).all()
    return [
        {
            "candidate": {"candidate_id": cid, "sub": candidate_sub, "name": candidate_name},
            "goal_code": code,
            "plan_code": plan_code,
            "state": state,
            "completed_on": completed_on,
            "sent_at": sent_at,
            "comment": comment,
            "approver": person(approver_sub, approver_name),
            "evidence": {"mentor_comments": mentor_comments, "signed_activities": signed},
        }
        for (
            cid, candidate_sub, candidate_name, code, plan_code, state, completed_on,
            sent_at, comment, approver_sub, approver_name, mentor_comments, signed,
        ) in rows
    ]  # fmt: skip


def count_leader_approvals(r: ReadTx, sub: str) -> int:
    t: LeaderTables = r.t("leader")
    return int(
        r.conn.execute(
            select(func.count()).select_from(t.goal).where(_waiting(r, t, sub))
        ).scalar_one()
    )


def oldest_approval_waits(r: ReadTx, sub: str) -> dict[str, datetime]:
    """Candidate id -> the oldest `sent_at` of their goals waiting for approval."""
    t: LeaderTables = r.t("leader")
    g = t.goal.c
    oldest = (
        select(g.candidate_id, func.min(g.sent_at))
        .where(_waiting(r, t, sub) & g.sent_at.is_not(None))
        .group_by(g.candidate_id)
    )
    return {cid: sent_at for cid, sent_at in r.conn.execute(oldest).all()}


def iter_report_rows(r: ReadTx, sub: str) -> Iterator[ReportRow]:
    """One row per goal of the actor's candidates, streamed from the database."""
    t: LeaderTables = r.t("leader")
    c, g = t.candidate.c, t.goal.c
    statement = (
        select(t.goal, c.sub.label("candidate_sub"), c.name.label("candidate_name"))
        .join(t.candidate, c.candidate_id == g.candidate_id)
        .where(~g.withdrawn & g.candidate_id.in_(_led_by(r, t, sub)))
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
