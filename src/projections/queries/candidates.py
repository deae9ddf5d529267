"""GET /v1/candidates/{cid}: profile, roles and plans."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.model.identity import Role
from projections.queries.port import CandidateView
from projections.queries.read import ReadTx
from projections.views.candidates import CandidateTables
from projections.views.profile import ProfileTables


def get_candidate(r: ReadTx, catalogue: Catalogue, cid: UUID) -> CandidateView | None:
    t: CandidateTables = r.t("candidates")
    row = r.conn.execute(select(t.candidate).where(t.candidate.c.candidate_id == str(cid))).first()
    if row is None:
        return None
    roles = r.conn.execute(
        select(t.role)
        .where(t.role.c.candidate_id == row.candidate_id)
        .order_by(t.role.c.role, t.role.c.name, t.role.c.sub)
    ).all()
    p: ProfileTables = r.t("profile")
    ends = dict(
        r.conn.execute(
            select(p.deputy.c.sub, p.deputy.c.until).where(
                p.deputy.c.candidate_id == row.candidate_id
            )
        ).all()
    )
    specialties = r.conn.execute(
        select(p.specialty)
        .where(p.specialty.c.candidate_id == row.candidate_id)
        .order_by(p.specialty.c.ordinal)
    ).all()
    plans = r.conn.execute(
        select(t.plan).where(t.plan.c.candidate_id == row.candidate_id).order_by(t.plan.c.plan_code)
    ).all()
    return {
        "candidate_id": row.candidate_id,
        "state": "registered",
        "sub": row.sub,
        "name": row.name,
        "email": row.email,
        "specialty": row.specialty,
        "organisation": {"id": row.organisation_id, "name": row.organisation_name},
        "hpr_number": row.hpr_number,
        "registered_at": row.registered_at,
        "version": row.version,
        "roles": [
            {
                "role": role.role,
                "sub": role.sub,
                "name": role.name,
                "since": role.granted_at,
                "until": ends.get(role.sub) if role.role == Role.DEPUTY else None,
            }
            for role in roles
        ],
        "specialties": [
            {"specialty": each.specialty, "from": each.from_date, "until": each.until}
            for each in specialties
        ],
        "plans": [
            {
                "plan_code": plan.plan_code,
                "title": catalogue.plan(plan.plan_code).title
                if plan.plan_code in catalogue
                else "",
                "catalogue_version": plan.catalogue_version,
                "state": plan.state,
                "goal_count": plan.goal_count,
                "assigned_at": plan.assigned_at,
                "changed_at": plan.changed_at,
            }
            for plan in plans
        ],
    }
