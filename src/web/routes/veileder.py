"""The veileder's pages and the concerns (R26): "Mine kandidater" for a veileder (progress
totals, next meeting, last finalised meeting, open concerns), the veileder's page of one
candidate (meetings, and the form that schedules one), and a candidate's concerns: the
veileder raises one for the leader, the leader or a deputy resolves it with a note.

Read through the typed read port; who may see what is the domain's (`actor_for`, the
candidate's `check_can_read_meetings` and `check_can_read_concerns`): a person who may
not gets the 404 page.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from kompetanse_domain.errors import DomainError, NotFoundError
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Role
from web import pages, texts
from web.form_pages import candidate_form_page
from web.routes.meetings import about, when, with_words

router = APIRouter(route_class=pages.WebRoute, include_in_schema=False)
CONCERNS = "/kandidater/{cid}/bekymringer"


@router.get("/veileder")
def my_candidates(request: Request) -> Response:
    """The candidates the signed-in person is veileder for."""
    identity = pages.signed_in(request)
    services = pages.web_of(request).services
    rows: list[dict[str, Any]] = []
    for row in services.projections.queries.list_veileder_candidates(identity.sub):
        upcoming = row["next_meeting"]
        rows.append({**row, "next_when": when(upcoming["scheduled_for"]) if upcoming else ""})
    return pages.render(request, "veileder.html", title=texts.VEILEDER_TITLE, rows=rows)


def candidate_page(
    request: Request, cid: UUID, errors: pages.FormErrors | None = None, status: int = 200
) -> Response:
    """The veileder's page of one candidate: progress, meetings, concerns, plan a meeting."""
    # R17: only the candidate and the veileder read meetings; others get a 404
    page = pages.candidate_page_of(request, cid, Candidate.check_can_read_meetings)
    queries = page.queries
    progress = queries.get_progress(cid)
    if progress is None:
        raise NotFoundError("Candidate not found, or you have no role for this candidate")
    concerns = queries.list_concerns(cid)
    return candidate_form_page(
        request,
        page,
        "veileder_candidate.html",
        texts.GUIDANCE_TITLE,
        errors,
        status,
        totals=progress["totals"],
        meetings=[with_words(row) for row in queries.list_meetings(cid)],
        open_concerns=sum(1 for concern in concerns if concern["state"] == "open"),
        is_veileder=page.actor.holds(Role.VEILEDER),
    )


@router.get("/veileder/kandidater/{cid}")
def show_candidate(request: Request, cid: UUID) -> Response:
    return candidate_page(request, cid)


# -- concerns (R26) ------------------------------------------------------------------------


def concerns_page(
    request: Request, cid: UUID, errors: pages.FormErrors | None = None, status: int = 200
) -> Response:
    # R26: a supervisor may not read concerns: the same 404 as for no such page
    page = pages.candidate_page_of(request, cid, Candidate.check_can_read_concerns)
    actor = page.actor
    concerns = page.queries.list_concerns(cid)
    return candidate_form_page(
        request,
        page,
        "concerns.html",
        texts.CONCERNS_TITLE,
        errors,
        status,
        open_rows=[row for row in concerns if row["state"] == "open"],
        resolved_rows=[row for row in concerns if row["state"] != "open"],
        may_raise=actor.holds(Role.VEILEDER),
        may_resolve=actor.holds(Role.LEADER, Role.DEPUTY),
        is_veileder=actor.holds(Role.VEILEDER),
    )


@router.get(CONCERNS)
def show_concerns(request: Request, cid: UUID) -> Response:
    return concerns_page(request, cid)


def _about_concern(errors: pages.FormErrors, error: DomainError) -> pages.FormErrors:
    errors.add(error)
    if "text" in errors.fields:
        errors.fields["text"] = about(errors.fields["text"], texts.CONCERN_WORD)
    return errors


@router.post(CONCERNS)
async def raise_concern(request: Request, cid: UUID) -> Response:
    """R26: the veileder tells the leader that progress is not as expected."""
    values = await pages.form_of(request)
    application = pages.web_of(request).services.application
    return await pages.submit_form(
        request,
        pages.FormErrors("bekymring", values=values),
        lambda ctx: application.raise_concern(ctx, cid, text=values.get("text", "")),
        pages.again(concerns_page, request, cid),
        request.url_for("show_concerns", cid=cid).path,
        texts.CONCERN_RAISED,
        _about_concern,
    )


@router.post(CONCERNS + "/{concern_id}/lukk")
async def resolve_concern(request: Request, cid: UUID, concern_id: str) -> Response:
    """R26: the leader or a deputy answers a concern with a note."""

    def resolve(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.resolve_concern(ctx, cid, concern_id, note=form.get("note", ""))

    done = request.url_for("show_concerns", cid=cid).path
    return await pages.command_form(
        request,
        f"lukk-{concern_id}",
        resolve,
        pages.again(concerns_page, request, cid),
        done,
        texts.CONCERN_RESOLVED,
    )
