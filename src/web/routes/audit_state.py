"""The auditor's state as of a chosen date and the chain's verification (R24, issue 25).

- `GET /kandidater/{cid}/tilstand?dato=`: plans, goals, meetings and concerns as they
  stood at the end of the chosen day (Oslo time), rebuilt from the stored events up to
  the versions the audit view says existed then: the same path as GET
  /v1/candidates/{cid}/state?as_of= (`versions_as_of`, `AuditService.state_as_of`,
  the API's `state_document`). The candidate and auditors may read it
  (`check_can_read_history`, as the API).
- `chain_check`: the history page's verification, for auditors only
  (`check_can_verify_history`), as GET /v1/candidates/{cid}/history/verify does it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from api.deps import Services
from api.routes.audit import state_document
from kompetanse_domain.application.audit import AuditService
from kompetanse_domain.audit.verify import VerifyResult
from kompetanse_domain.errors import DomainError
from kompetanse_domain.model.identity import Identity
from web import texts
from web.pages import FormErrors, WebRoute, parse_day, query_page, signed_in, web_of
from web.routes.candidate import goal_title
from web.texts import OSLO

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def chain_check(services: Services, identity: Identity, cid: UUID) -> VerifyResult | None:
    """The chain recomputed and compared with the recorded one; None for non-auditors."""
    application = services.application
    try:
        application.get_candidate(cid).check_can_verify_history(
            application.actor_for(identity, cid)
        )
    except DomainError:
        return None
    queries = services.projections.queries
    upto = queries.audit_position()
    links = queries.iter_recorded_links(cid, upto=upto)
    return AuditService(application).verify(links, candidate_id=cid, upto=upto)


@router.get("/kandidater/{cid}/tilstand")
def state_as_of(request: Request, cid: UUID, dato: str = "") -> Response:
    identity = signed_in(request)
    services = web_of(request).services
    application = services.application
    application.get_candidate(cid).check_can_read_history(application.actor_for(identity, cid))
    candidate = services.projections.queries.get_candidate(cid)
    values = {"dato": dato}
    errors = FormErrors("tilstand", values=values)
    state: dict[str, Any] | None = None
    if dato.strip():
        day = parse_day(values, "dato", errors)
        today = datetime.now(OSLO).date()
        if day is not None and day > today:
            errors.fields["dato"] = texts.DAY_NOT_AFTER_TODAY
        elif day is not None:
            end = datetime.combine(day + timedelta(days=1), time(0), OSLO) - timedelta(
                microseconds=1
            )
            versions = services.projections.queries.versions_as_of(cid, end)
            state = state_document(cid, end, AuditService(application).state_as_of(versions))
            for goal in state["goals"]:
                goal["title"] = goal_title(application.catalogue, goal["code"])
    return query_page(
        request,
        "audit_state.html",
        errors,
        title=texts.STATE_TITLE,
        candidate=candidate,
        state=state,
        MEETING_STATES=texts.MEETING_STATES,
    )
