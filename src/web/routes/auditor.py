"""The auditor's pages: find a candidate by HPR number or a part of the name (the
domain's `check_candidate_search` decides who may search and with what), and a
candidate's history as a timeline (who, what, when) from the audit view."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.errors import DomainError
from kompetanse_domain.model.finding import check_candidate_search
from projections.queries.port import CandidateMatchRow
from web import texts
from web.pages import FormErrors, WebRoute, query_page, render, signed_in, web_of
from web.routes.audit_state import chain_check

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/revisor")
def search(request: Request, q: str = "", hpr_number: str = "") -> Response:
    identity = signed_in(request)
    services = web_of(request).services
    values = {"q": q, "hpr_number": hpr_number}
    errors = FormErrors("sok", values=values)
    rows: list[CandidateMatchRow] | None = None
    asked = bool(q.strip() or hpr_number.strip())
    try:
        if asked or not identity.is_auditor:
            found = check_candidate_search(identity, hpr_number.strip() or None, q.strip() or None)
            rows = services.projections.queries.search_candidates(found)
    except DomainError as error:
        errors.add(error)
    return query_page(request, "search.html", errors, title=texts.SEARCH_TITLE, rows=rows)


@router.get("/kandidater/{cid}/historikk")
def history(request: Request, cid: UUID) -> Response:
    identity = signed_in(request)
    services = web_of(request).services
    application = services.application  # R24: the candidate and auditors, as the API
    application.get_candidate(cid).check_can_read_history(application.actor_for(identity, cid))
    queries = services.projections.queries
    candidate = queries.get_candidate(cid)
    events = queries.list_history(cid)
    chain = chain_check(services, identity, cid)
    return render(
        request,
        "history.html",
        title=texts.HISTORY_TITLE,
        candidate=candidate,
        events=list(reversed(events)),
        chain=chain,
    )
