"""The veileder's pages and the concerns (R26): "Mine kandidater" for a veileder (progress
totals, next meeting, last finalised meeting, open concerns), the veileder's page of one
candidate (meetings, and the form that schedules one), and a candidate's concerns: the
veileder raises one for the leader, the leader or a deputy resolves it with a note.

Read through the typed read port; who may see what is the domain's (`actor_for`, the
candidate's `check_can_read_meetings` and `check_can_read_concerns`): a person who may
not gets the 404 page.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from kompetanse_domain.errors import DomainError, NotFoundError
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Role
from web import texts
from web.pages import (
    Form,
    FormErrors,
    WebRoute,
    again,
    candidate_page_of,
    command_form,
    form_of,
    render,
    signed_in,
    submit_form,
    web_of,
)
from web.routes.meetings import about, when, with_words

router = APIRouter(route_class=WebRoute, include_in_schema=False)
CONCERNS = "/kandidater/{cid}/bekymringer"


@router.get("/veileder")
def my_candidates(request: Request) -> Response:
    """The candidates the signed-in person is veileder for."""
    identity = signed_in(request)
    services = web_of(request).services
    rows: list[dict[str, Any]] = []
    for row in services.projections.queries.list_veileder_candidates(identity.sub):
        upcoming = row["next_meeting"]
        rows.append({**row, "next_when": when(upcoming["scheduled_for"]) if upcoming else ""})
    return render(request, "veileder.html", title=texts.VEILEDER_TITLE, rows=rows)


def candidate_page(
    request: Request, cid: UUID, errors: FormErrors | None = None, status: int = 200
) -> Response:
    """The veileder's page of one candidate: progress, meetings, concerns, plan a meeting."""
    # R17: only the candidate and the veileder read meetings; others get a 404
    page = candidate_page_of(request, cid, Candidate.check_can_read_meetings)
    actor, candidate, queries = page.actor, page.candidate, page.queries
    progress = queries.get_progress(cid)
    if progress is None:
        raise NotFoundError("Candidate not found, or you have no role for this candidate")
    concerns = queries.list_concerns(cid)
    return render(
        request,
        "veileder_candidate.html",
        status=status,
        title=texts.GUIDANCE_TITLE.format(name=candidate["name"]),
        candidate=candidate,
        totals=progress["totals"],
        meetings=[with_words(row) for row in queries.list_meetings(cid)],
        open_concerns=sum(1 for concern in concerns if concern["state"] == "open"),
        is_veileder=actor.holds(Role.VEILEDER),
        errors=errors,
        idem=uuid.uuid4().hex,
    )


@router.get("/veileder/kandidater/{cid}")
def show_candidate(request: Request, cid: UUID) -> Response:
    return candidate_page(request, cid)


# -- concerns (R26) ------------------------------------------------------------------------


def concerns_page(
    request: Request, cid: UUID, errors: FormErrors | None = None, status: int = 200
) -> Response:
    # R26: a supervisor may not read concerns: the same 404 as for no such page
    page = candidate_page_of(request, cid, Candidate.check_can_read_concerns)
    actor, candidate = page.actor, page.candidate
    concerns = page.queries.list_concerns(cid)
    return render(
        request,
        "concerns.html",
        status=status,
        title=texts.CONCERNS_TITLE.format(name=candidate["name"]),
        candidate=candidate,
        open_rows=[row for row in concerns if row["state"] == "open"],
        resolved_rows=[row for row in concerns if row["state"] != "open"],
        may_raise=actor.holds(Role.VEILEDER),
        may_resolve=actor.holds(Role.LEADER, Role.DEPUTY),
        is_veileder=actor.holds(Role.VEILEDER),
        errors=errors,
        idem=uuid.uuid4().hex,
    )


@router.get(CONCERNS)
def show_concerns(request: Request, cid: UUID) -> Response:
    return concerns_page(request, cid)


def _about_concern(errors: FormErrors, error: DomainError) -> FormErrors:
    errors.add(error)
    if "text" in errors.fields:
        errors.fields["text"] = about(errors.fields["text"], texts.CONCERN_WORD)
    return errors


@router.post(CONCERNS)
async def raise_concern(request: Request, cid: UUID) -> Response:
    """R26: the veileder tells the leader that progress is not as expected."""
    values = await form_of(request)
    application = web_of(request).services.application
    return await submit_form(
        request,
        FormErrors("bekymring", values=values),
        lambda ctx: application.raise_concern(ctx, cid, text=values.get("text", "")),
        again(concerns_page, request, cid),
        request.url_for("show_concerns", cid=cid).path,
        texts.CONCERN_RAISED,
        _about_concern,
    )


@router.post(CONCERNS + "/{concern_id}/lukk")
async def resolve_concern(request: Request, cid: UUID, concern_id: str) -> Response:
    """R26: the leader or a deputy answers a concern with a note."""

    def resolve(app: KompetanseApplication, ctx: CommandContext, form: Form) -> Outcome:
        return app.resolve_concern(ctx, cid, concern_id, note=form.get("note", ""))

    done = request.url_for("show_concerns", cid=cid).path
    return await command_form(
        request,
        f"lukk-{concern_id}",
        resolve,
        again(concerns_page, request, cid),
        done,
        texts.CONCERN_RESOLVED,
    )
