"""GET /v1/supervisors/me/signing-requests: activities waiting for the actor's signature."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, select

from kompetanse_domain.model.learning_goal import ActivityState
from projections.queries.attachments import attachments_by_id
from projections.queries.port import SigningRequestRow
from projections.queries.read import ReadTx, person
from projections.views.inbox import InboxTables


def waiting_for(t: InboxTables, sub: str) -> Any:
    """Activities sent to `sub` for signing who may still sign for that candidate (R9)."""
    a, g, s = t.activity.c, t.goal.c, t.signer.c
    may_sign = exists().where(and_(s.candidate_id == g.candidate_id, s.sub == sub))
    return (
        (a.signer_sub == sub)
        & (a.state == ActivityState.SENT_FOR_SIGNING)
        & ~g.withdrawn
        & may_sign
    )


def list_signing_requests(r: ReadTx, sub: str) -> list[SigningRequestRow]:
    t: InboxTables = r.t("inbox")
    a, g, c = t.activity.c, t.goal.c, t.candidate.c
    rows = r.conn.execute(
        select(
            t.activity,
            g.code.label("goal_code"),
            g.candidate_id,
            c.sub.label("candidate_sub"),
            c.name.label("candidate_name"),
        )
        .join(t.goal, g.goal_id == a.goal_id)
        .join(t.candidate, c.candidate_id == g.candidate_id)
        .where(waiting_for(t, sub))
        .order_by(a.sent_at, a.activity_id)
    ).all()
    described = attachments_by_id(r, (row.attachment_id for row in rows))
    return [
        {
            "activity_id": row.activity_id,
            "candidate": {
                "candidate_id": row.candidate_id,
                "sub": row.candidate_sub,
                "name": row.candidate_name,
            },
            "goal_code": row.goal_code,
            "title": row.title,
            "kind": row.kind,
            "fulfilled_on": row.fulfilled_on,
            "activity_code": row.activity_code,
            "count": row._mapping["count"],  # `row.count` is the tuple method to mypy
            "attachment_id": row.attachment_id,
            "attachment": described.get(row.attachment_id or ""),
            "state": row.state,
            "sent_at": row.sent_at,
            "signer": person(row.signer_sub, row.signer_name),
        }
        for row in rows
    ]
