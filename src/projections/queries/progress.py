"""GET /v1/candidates/{cid}/progress: plans, goals, procedures, supervision, readiness."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kompetanse_domain.catalogue import Catalogue, UnknownGoalError
from projections.queries.procedures import procedure_progress
from projections.queries.read import ReadTx, person
from projections.queries.readiness import readiness
from projections.queries.supervision import supervision_summary
from projections.views.progress_tables import ProgressTables

OSLO = ZoneInfo("Europe/Oslo")
GOAL_STATES = ("approved", "sent_for_approval", "rejected", "not_started")


def oslo_date(instant: datetime) -> date:
    return instant.astimezone(OSLO).date()


def counts(states: list[str]) -> dict[str, int]:
    counter = Counter(states)
    return {"total": len(states), **{state: counter[state] for state in GOAL_STATES}}


def get_progress(
    r: ReadTx, catalogue: Catalogue, cid: UUID, today: date | None = None
) -> dict[str, Any] | None:
    t: ProgressTables = r.t("progress")
    candidate = r.conn.execute(
        select(t.candidate).where(t.candidate.c.candidate_id == str(cid))
    ).first()
    if candidate is None:
        return None
    today = today or oslo_date(datetime.now(OSLO))
    g = t.goal.c
    plans = {
        row.plan_code: row.state
        for row in r.conn.execute(select(t.plan).where(t.plan.c.candidate_id == str(cid)))
    }
    goals = r.conn.execute(
        select(t.goal).where((g.candidate_id == str(cid)) & ~g.withdrawn).order_by(g.code)
    ).all()
    in_goals = select(g.goal_id).where(g.candidate_id == str(cid))
    signers: dict[str, list[dict[str, Any]]] = {}
    s = t.signer.c
    for row in r.conn.execute(select(t.signer).where(s.goal_id.in_(in_goals)).order_by(s.name)):
        signers.setdefault(row.goal_id, []).append(
            {**(person(row.sub, row.name) or {}), "signatures": row.signatures}
        )
    procedures: dict[str, list[Any]] = {}
    p = t.procedure.c
    for row in r.conn.execute(select(t.procedure).where(p.goal_id.in_(in_goals))):
        procedures.setdefault(row.goal_id, []).append(row)
    months = r.conn.execute(
        select(t.month).where(t.month.c.candidate_id == str(cid)).order_by(t.month.c.month)
    ).all()
    return {
        "candidate_id": str(cid),
        "specialty": candidate.specialty,
        "totals": counts([goal.state for goal in goals]),
        "plans": [
            {
                "plan_code": code,
                "state": state,
                **counts([goal.state for goal in goals if goal.plan_code == code]),
            }
            for code, state in sorted(plans.items())
            if state != "removed"
        ],
        "goals": [
            {
                "code": goal.code,
                "plan_code": goal.plan_code,
                "state": goal.state,
                "registered_activities": goal.registered,
                "pending_activities": goal.pending,
                "signed_activities": goal.signed,
                "procedures": procedure_progress(
                    _definition(catalogue, goal.code), procedures.get(goal.goal_id, [])
                ),
                "evidence": {  # R8: what the leader can lean on in the final assessment
                    "mentor_comments": goal.mentor_comments,
                    "signers": signers.get(goal.goal_id, []),
                },
            }
            for goal in goals
        ],
        "supervision": supervision_summary(candidate.specialty, months, today),
        "readiness": readiness(
            catalogue,
            candidate.specialty,
            plans,
            list(goals),
            oslo_date(candidate.registered_at),
            today,
        ),
    }


def _definition(catalogue: Catalogue, code: str) -> Any:
    try:
        return catalogue.goal(code)
    except UnknownGoalError:
        return None
