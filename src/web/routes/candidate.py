"""The candidate's pages: plans with progress per plan, goals filtered by state.

Read through the typed read port; who may see a candidate is the domain's
`actor_for` (an unrelated person gets the 404 page).
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.model.identity import Role, candidate_id_for
from web import texts
from web.pages import FormErrors, WebRoute, not_found, render, see_other, signed_in, web_of
from web.texts import GOAL_STATES, ROLES

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def goal_title(catalogue: Catalogue, code: str) -> str:
    try:
        return catalogue.goal(code).title
    except LookupError:
        return code


def plan_title(catalogue: Catalogue, code: str) -> str:
    try:
        return catalogue.plan(code).title
    except LookupError:
        return code


@router.get("/kandidat")
def my_candidacy(request: Request) -> Response:
    """The signed-in candidate's own plans (or a word that they are not one)."""
    identity = signed_in(request)
    cid = candidate_id_for(identity.sub)
    if web_of(request).services.projections.queries.get_candidate(cid) is None:
        return render(request, "not_candidate.html", title=texts.MY_PLANS_TITLE)
    return see_other(f"/kandidater/{cid}")


@router.get("/kandidater/{cid}")
def candidate_plans(request: Request, cid: UUID) -> Response:
    return plans_page(request, cid)


def plans_page(
    request: Request, cid: UUID, errors: FormErrors | None = None, status: int = 200
) -> Response:
    """Plans with progress per plan; the candidate invites, the leader assigns plans."""
    identity = signed_in(request)
    services = web_of(request).services
    actor = services.application.actor_for(identity, cid)
    queries = services.projections.queries
    candidate = queries.get_candidate(cid)
    progress = queries.get_progress(cid)
    if candidate is None or progress is None:
        return not_found(request)
    catalogue = services.application.catalogue
    plans: list[dict[str, Any]] = [
        {**plan, "title": plan_title(catalogue, str(plan["plan_code"]))}
        for plan in progress["plans"]
    ]
    held = {plan["plan_code"] for plan in candidate["plans"] if plan["state"] != "removed"}
    is_candidate = actor.holds(Role.CANDIDATE)
    is_leader = actor.holds(Role.LEADER, Role.DEPUTY)
    invitable = ("leader", "veileder", "supervisor") if is_candidate else ("deputy",)
    return render(
        request,
        "candidate.html",
        status=status,
        title=texts.PLANS_TITLE.format(name=candidate["name"]),
        candidate=candidate,
        progress=progress,
        plans=plans,
        own=is_candidate,
        may_invite=is_candidate or actor.holds(Role.LEADER),
        may_archive=actor.holds(Role.LEADER),
        invite_roles=[(role, ROLES[role]) for role in invitable],
        plan_choices=[
            (plan.code, f"{plan.title} ({plan.code})")
            for plan in catalogue.plans
            if plan.code not in held
        ]
        if is_leader
        else [],
        errors=errors,
        idem=uuid.uuid4().hex,
    )


@router.get("/kandidater/{cid}/mal")
def candidate_goals(request: Request, cid: UUID, tilstand: str = "") -> Response:
    """The candidate's goals, filtered by state (a GET form: works without JavaScript)."""
    identity = signed_in(request)
    services = web_of(request).services
    services.application.actor_for(identity, cid)
    queries = services.projections.queries
    candidate = queries.get_candidate(cid)
    if candidate is None:
        return not_found(request)
    state = tilstand if tilstand in GOAL_STATES else ""
    catalogue = services.application.catalogue
    goals = [
        {**goal, "title": goal_title(catalogue, goal["code"])}
        for goal in queries.list_goals(cid, state or None)
    ]
    return render(
        request,
        "goals.html",
        title=texts.GOALS_TITLE.format(name=candidate["name"]),
        candidate=candidate,
        goals=goals,
        state=state,
    )
