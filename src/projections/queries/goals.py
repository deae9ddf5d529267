"""GET /v1/candidates/{cid}/goals/{code}: state, activities, comments, approver, times;
and a candidate's goal list (the web page's), from the progress view's goal rows."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from sqlalchemy import select

from kompetanse_domain.catalogue import Catalogue, UnknownGoalError
from kompetanse_domain.model.procedures import Procedure, procedure_progress, recommended_by_goal
from projections.queries.attachments import attachments_by_id
from projections.queries.page_rows import GoalListRow, ProcedureCountRow
from projections.queries.port import GoalView
from projections.queries.procedures import procedures_answer
from projections.queries.read import ReadTx, person
from projections.views.goals_tables import GoalTables
from projections.views.progress_tables import ProgressTables


def goal_title(catalogue: Catalogue, code: str) -> str:
    try:
        return catalogue.goal(code).title
    except UnknownGoalError:
        return ""


def list_goals(r: ReadTx, cid: UUID, state: str | None = None) -> list[GoalListRow]:
    """By the (candidate_id) index; the state filtered in the database."""
    t: ProgressTables = r.t("progress")
    g = t.goal.c
    where = (g.candidate_id == str(cid)) & ~g.withdrawn
    if state:
        where &= g.state == state
    statement = select(g.code, g.plan_code, g.state, g.registered, g.signed).where(where)
    return [
        {
            "code": code,
            "plan_code": plan_code,
            "state": goal_state,
            "registered_activities": registered,
            "signed_activities": signed,
        }
        for code, plan_code, goal_state, registered, signed in r.conn.execute(
            statement.order_by(g.code)
        ).all()
    ]


def get_goal_procedures(
    r: ReadTx, catalogue: Catalogue, cid: UUID, code: str
) -> list[ProcedureCountRow]:
    """The goal's procedure activities (the progress view's), matched to the catalogue's
    recommended minimums as `get_progress` does for every goal."""
    t: ProgressTables = r.t("progress")
    g, pr = t.goal.c, t.procedure.c
    goal_id = r.conn.execute(
        select(g.goal_id).where((g.candidate_id == str(cid)) & (g.code == code) & ~g.withdrawn)
    ).scalar()
    if goal_id is None:  # not in the progress: no row there, so no procedures
        return []
    done: list[Procedure] = [
        (activity_code, title, count, state)
        for activity_code, title, count, state in r.conn.execute(
            select(pr.activity_code, pr.title, pr.count, pr.state).where(pr.goal_id == goal_id)
        ).all()
    ]
    recommended = recommended_by_goal(catalogue).get(code, ())
    if not recommended and not done:
        return []
    answer = procedures_answer(procedure_progress(recommended, done))
    return cast(list[ProcedureCountRow], answer)


def get_goal(r: ReadTx, catalogue: Catalogue, cid: UUID, code: str) -> GoalView | None:
    t: GoalTables = r.t("goals")
    g = t.goal.c
    row = r.conn.execute(
        select(t.goal).where((g.candidate_id == str(cid)) & (g.code == code))
    ).first()
    if row is None:
        return None
    a = t.activity.c
    activities = r.conn.execute(
        select(t.activity).where(a.goal_id == row.goal_id).order_by(a.registered_at, a.activity_id)
    ).all()
    described = attachments_by_id(r, (act.attachment_id for act in activities))
    c = t.comment.c
    comments = r.conn.execute(
        select(t.comment).where(c.goal_id == row.goal_id).order_by(c.written_at, c.comment_id)
    ).all()
    d = t.decision.c
    decisions = r.conn.execute(
        select(t.decision).where(d.goal_id == row.goal_id).order_by(d.version)
    ).all()
    return {
        "candidate_id": row.candidate_id,
        "code": row.code,
        "title": goal_title(catalogue, row.code),
        "plan_code": row.plan_code,
        "catalogue_version": row.catalogue_version,
        "state": row.state,
        "withdrawn": row.withdrawn,
        "completed_on": row.completed_on,
        "sent_for_approval_at": row.sent_at,
        "comment": row.send_comment,
        "approver": person(row.approver_sub, row.approver_name),
        "decided_by": person(row.decided_by_sub, row.decided_by_name),
        "decided_at": row.decided_at,
        "decision_comment": row.decision_comment,
        "imported_from": list(row.imported_from or []),
        "carried_over_from": row.carried_over_from,
        "opened_at": row.opened_at,
        "updated_at": row.updated_at,
        "version": row.version,
        "activities": [
            {
                "activity_id": act.activity_id,
                "title": act.title,
                "kind": act.kind,
                "fulfilled_on": act.fulfilled_on,
                "activity_code": act.activity_code,
                "count": act._mapping["count"],  # `act.count` is the tuple method to mypy
                "note": act.note,
                "attachment_id": act.attachment_id,
                "attachment": described.get(act.attachment_id or ""),
                "state": act.state,
                "signer": person(act.signer_sub, act.signer_name),
                "decision_comment": act.decision_comment,
                "registered_at": act.registered_at,
                "sent_for_signing_at": act.sent_at,
                "decided_at": act.decided_at,
                "withdrawn_at": act.withdrawn_at,
                "withdrawal_reason": act.withdrawal_reason,
            }
            for act in activities
        ],
        "comments": [
            {
                "comment_id": com.comment_id,
                "author": person(com.author_sub, com.author_name),
                "text": com.text,
                "written_at": com.written_at,
            }
            for com in comments
        ],
        "decisions": [
            {
                "decision": dec.decision,
                "decided_by": person(dec.by_sub, dec.by_name),
                "decided_at": dec.at,
                "comment": dec.comment,
                "source_portal": dec.source_portal,
                "source_event_id": dec.source_event_id,
                "withdrawn": dec.withdrawn_at is not None,
                "withdrawn_by": person(dec.withdrawn_by_sub, dec.withdrawn_by_name),
                "withdrawn_at": dec.withdrawn_at,
                "withdrawal_reason": dec.withdrawal_reason,
            }
            for dec in decisions
        ],
    }
