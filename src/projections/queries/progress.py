"""GET /v1/candidates/{cid}/progress: plans, goals, procedures, supervision, readiness
(R20, R21; per specialty, R22).

The rules are the domain's (`kompetanse_domain.model.procedures`, `.supervision_rule`,
`.readiness`), applied to plain values gathered from the rows; this module reads the rows
and shapes the answer.

Five statements, each by the candidate's key or by its goals' keys through an index,
so the cost follows the candidate's own history, not the number of stored events;
rows are read as tuples of the columns needed, the catalogue's procedure minimums
looked up once per catalogue (issue 7).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, ColumnElement, Select, any_, bindparam, func, select

from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.model.procedures import Procedure, procedure_progress, recommended_by_goal
from kompetanse_domain.model.readiness import readiness, specialties_of
from kompetanse_domain.model.supervision_rule import supervision_hours
from kompetanse_domain.model.values import in_zone
from kompetanse_domain.model.vocabulary import GoalState, PlanState
from projections.queries.procedures import procedures_answer
from projections.queries.read import ReadTx, person
from projections.queries.readiness import readiness_answer
from projections.queries.supervision import supervision_answer
from projections.views.progress_tables import ProgressTables

OSLO = ZoneInfo("Europe/Oslo")
GOAL_STATES = (  # the order of the totals in an answer
    GoalState.APPROVED,
    GoalState.SENT_FOR_APPROVAL,
    GoalState.REJECTED,
    GoalState.NOT_STARTED,
)


def oslo_date(instant: datetime) -> date:
    return in_zone(instant, OSLO).date()


def counts(states: Iterable[str]) -> dict[str, int]:
    counter = Counter(states)
    return {"total": counter.total(), **{state: counter[state] for state in GOAL_STATES}}


def get_progress(
    r: ReadTx, catalogue: Catalogue, cid: UUID, today: date | None = None
) -> dict[str, Any] | None:
    q = _statements(r.t("progress"), r.conn.dialect.name)
    key = {"key": str(cid)}
    head = r.conn.execute(q.head, key).all()
    if not head:
        return None
    specialty, registered_at = head[0][0], head[0][1]
    plans = {code: state for _, _, code, state in head if code is not None}
    today = today or oslo_date(datetime.now(OSLO))
    goals = r.conn.execute(q.goals, key).all()
    signers: dict[str, list[dict[str, Any]]] = {}
    for goal_id, sub, name, signatures in r.conn.execute(q.signers, key).all():
        signers.setdefault(goal_id, []).append(
            {**(person(sub, name) or {}), "signatures": signatures}
        )
    procedures: dict[str, list[Procedure]] = {}
    for goal_id, activity_code, title, count, state in r.conn.execute(q.procedures, key).all():
        procedures.setdefault(goal_id, []).append((activity_code, title, count, state))
    months = [(month, minutes, n) for month, minutes, n in r.conn.execute(q.months, key)]
    recommended = recommended_by_goal(catalogue)
    goal_states = [(row[1], row[2], row[3]) for row in goals]
    registered_on = oslo_date(registered_at)
    return {
        "candidate_id": key["key"],
        "specialty": specialty,
        "totals": counts(row[3] for row in goals),
        "plans": [
            {
                "plan_code": code,
                "state": state,
                **counts(row[3] for row in goals if row[2] == code),
            }
            for code, state in sorted(plans.items())
            if state != PlanState.REMOVED
        ],
        "goals": [
            {
                "code": code,
                "plan_code": plan_code,
                "state": state,
                "registered_activities": registered,
                "pending_activities": pending,
                "signed_activities": signed,
                "procedures": (
                    procedures_answer(
                        procedure_progress(recommended.get(code, ()), procedures.get(goal_id, ()))
                    )
                    if code in recommended or goal_id in procedures
                    else []
                ),
                "evidence": {  # R8: what the leader can lean on in the final assessment
                    "mentor_comments": comments,
                    "signers": signers.get(goal_id, []),
                },
            }
            for goal_id, code, plan_code, state, registered, pending, signed, comments in goals
        ],
        "supervision": supervision_answer(supervision_hours(specialty, months, today)),
        "readiness": readiness_answer(
            readiness(catalogue, specialty, plans, goal_states, registered_on, today)
        ),
        "readiness_by_specialty": [  # R22: the registered specialty first
            readiness_answer(readiness(catalogue, each, plans, goal_states, registered_on, today))
            for each in specialties_of(catalogue, specialty, plans)
        ],
    }


class _Statements(NamedTuple):
    head: Select[Any]
    goals: Select[Any]
    signers: Select[Any]
    procedures: Select[Any]
    months: Select[Any]


@lru_cache(maxsize=16)
def _statements(t: ProgressTables, dialect: str) -> _Statements:
    """The five statements of a progress read, for one generation of the tables, built
    once (building them cost about a tenth of the read); bound to `:key`."""
    key: BindParameter[str] = bindparam("key")
    c, p, g, s, pr, m = t.candidate.c, t.plan.c, t.goal.c, t.signer.c, t.procedure.c, t.month.c
    in_goals = select(g.goal_id).where((g.candidate_id == key) & ~g.withdrawn)
    return _Statements(
        head=select(c.specialty, c.registered_at, p.plan_code, p.state)
        .select_from(t.candidate.outerjoin(t.plan, p.candidate_id == c.candidate_id))
        .where(c.candidate_id == key),
        goals=select(
            g.goal_id, g.code, g.plan_code, g.state,
            g.registered, g.pending, g.signed, g.mentor_comments,
        )
        .where((g.candidate_id == key) & ~g.withdrawn)
        .order_by(g.code),
        signers=select(s.goal_id, s.sub, s.name, s.signatures)
        .where(one_of(dialect, s.goal_id, in_goals))
        .order_by(s.name, s.sub),
        procedures=select(pr.goal_id, pr.activity_code, pr.title, pr.count, pr.state).where(
            one_of(dialect, pr.goal_id, in_goals)
        ),
        months=select(m.month, m.minutes, m.meetings)
        .where(m.candidate_id == key)
        .order_by(m.month),
    )  # fmt: skip


def one_of(dialect: str, column: Any, keys: Select[Any]) -> ColumnElement[bool]:
    """`column IN (keys)`, where `keys` is a small set read by key (a candidate's goals,
    a leader's candidates) and `column` leads an index.

    PostgreSQL gets `= ANY(ARRAY(keys))` instead: for `IN (keys)` or a join its planner
    hashes the keys and scans the whole table once that is cheap enough, so the cost
    grows with every other candidate's history. SQLite probes the index either way.
    """
    if dialect == "postgresql":
        return column == any_(func.array(keys.scalar_subquery()))  # type: ignore[no-any-return]
    return column.in_(keys)  # type: ignore[no-any-return]
