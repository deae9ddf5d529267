"""The goal page and its forms: register an activity, send it for signing to a chosen
supervisor, send the goal for approval; sign or reject an activity; approve or reject
the goal. Each form calls the application method its API route calls; a refusal is
shown on the page again, GOV.UK style, with what was typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile  # what a form holds (fastapi's subclasses it)

from api.attachments import AttachmentTooLargeError, UnsupportedAttachmentError
from api.routes.attachments import own_name, record_upload, stored_file
from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from kompetanse_domain.errors import DomainError, NotFoundError
from kompetanse_domain.model.identity import Role
from web import pages, texts
from web.form_pages import posted
from web.paging import page_number
from web.routes.candidate import goal_title

router = APIRouter(route_class=pages.WebRoute, include_in_schema=False)
GOAL = "/kandidater/{cid}/mal/{code}"
BACK = {"signering": "/signering", "godkjenninger": "/leder/godkjenninger"}


def back_to(values: dict[str, str]) -> str | None:
    """The list a form was sent from (the supervisor's or the leader's), if any, at the
    page it was on (`side`; the list shows its last page when that one is gone)."""
    back = BACK.get(values.get("tilbake", ""))
    page = page_number(values.get("side", ""))
    return f"{back}?side={page}" if back and page > 1 else back


def goal_page(
    request: Request,
    cid: UUID,
    code: str,
    errors: pages.FormErrors | None = None,
    status: int = 200,
) -> Response:
    page = pages.candidate_page_of(request, cid)
    services, actor, candidate = page.services, page.actor, page.candidate
    goal = page.queries.get_goal(cid, code)
    if goal is None:
        raise NotFoundError(f"Goal {code} is not in this candidate's plans")
    signers = [  # whom the candidate may choose; the domain decides (R9)
        (person["sub"], f"{person['name']} ({texts.ROLES.get(person['role'], person['role'])})")
        for person in candidate["roles"]
        if person["role"] in ("supervisor", "veileder")
    ]
    return pages.render(
        request,
        "goal.html",
        status=status,
        title=f"{goal['code']} {goal_title(services.application.catalogue, goal['code'])}",
        candidate=candidate,
        goal=goal,
        goal_name=goal_title(services.application.catalogue, goal["code"]),
        signers=signers,
        is_candidate=actor.holds(Role.CANDIDATE),
        is_approver=actor.holds(Role.LEADER, Role.DEPUTY),
        is_veileder=actor.holds(Role.VEILEDER),
        my_sub=page.identity.sub,
        errors=errors,
        idem=uuid.uuid4().hex,
    )


@router.get(GOAL)
def show_goal(request: Request, cid: UUID, code: str) -> Response:
    return goal_page(request, cid, code)


async def _submit(
    request: Request,
    cid: UUID,
    code: str,
    errors: pages.FormErrors,
    call: Callable[[CommandContext], Outcome],
    said: str | None = None,
) -> Response:
    """Run the call unless the form already has errors; then back to the goal page."""
    done = request.url_for("show_goal", cid=cid, code=code).path
    return await pages.submit_form(
        request, errors, call, pages.again(goal_page, request, cid, code), done, said
    )


async def _goal_form(
    request: Request,
    cid: UUID,
    code: str,
    form: str,
    command: pages.Command,
    *,
    back: bool = False,
    said: str | None = None,
    required: Mapping[str, str] | None = None,
) -> Response:
    """A goal-page form whose fields go to the command as they are; afterwards back to
    the goal page, or (`back`) to the list the form was sent from."""
    page = request.url_for("show_goal", cid=cid, code=code).path
    return await pages.command_form(
        request,
        form,
        command,
        pages.again(goal_page, request, cid, code),
        lambda values: (back_to(values) if back else None) or page,
        said,
        required=required,
    )


@router.post(GOAL + "/aktiviteter")
async def register_activity(request: Request, cid: UUID, code: str) -> Response:
    values, errors, application = await posted(request, "registrer")
    fields = activity_fields(values, errors)
    upload = (await request.form()).get("certificate")
    attachment_id = None
    if not errors and isinstance(upload, UploadFile) and upload.filename:
        attachment_id = await _attach(request, cid, upload, values, errors)
    return await _submit(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.register_activity(
            ctx, cid, code, **fields, attachment_id=attachment_id
        ),
    )


def activity_fields(values: Mapping[str, str], errors: pages.FormErrors) -> dict[str, Any]:
    """An activity's fields as the registration form (and the edit form) holds them: an
    emptied optional field is None; a date or count that cannot be read is an error."""
    return {
        "title": values.get("title", ""),
        "kind": values.get("kind", ""),
        "fulfilled_on": pages.parse_day(values, "fulfilled_on", errors),
        "activity_code": values.get("activity_code") or None,
        "count": pages.parse_count(values, "count", errors),
        "note": values.get("note") or None,
    }


async def _attach(
    request: Request,
    cid: UUID,
    upload: UploadFile,
    values: dict[str, str],
    errors: pages.FormErrors,
) -> str | None:
    """The certificate stored as the API's upload stores it (who may attach first)."""
    services = pages.web_of(request).services
    identity = pages.signed_in(request)
    try:
        await run_in_threadpool(services.application.check_can_attach, identity, cid)
        blob = await run_in_threadpool(
            services.attachments.save, upload.file, limit=services.settings.max_upload
        )
    except AttachmentTooLargeError:
        limit = services.settings.max_upload / 1024 / 1024
        errors.fields["certificate"] = texts.FILE_TOO_LARGE.format(limit=limit)
        return None
    except UnsupportedAttachmentError:
        errors.fields["certificate"] = texts.FILE_KIND
        return None
    filename = own_name(upload.filename)
    keyed = {**values, "idem": f"{values.get('idem', '')}-fil", "sha256": blob.sha256}
    try:
        outcome = await pages.run_command(
            request,
            keyed,
            lambda ctx: record_upload(services.application, ctx, cid, blob, filename),
        )
    except NotFoundError:
        raise
    except DomainError as error:
        errors.add(error)
        return None
    return str(outcome.value["attachment_id"])


@router.post(GOAL + "/aktiviteter/{aid}/send-til-signering")
async def send_for_signing(request: Request, cid: UUID, code: str, aid: str) -> Response:
    def send(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.send_activity_for_signing(ctx, cid, code, aid, signer_sub=form["signer_sub"])

    required = {"signer_sub": texts.CHOOSE_SIGNER}
    return await _goal_form(request, cid, code, f"signering-{aid}", send, required=required)


@router.post(GOAL + "/aktiviteter/{aid}/signer")
async def sign_activity(request: Request, cid: UUID, code: str, aid: str) -> Response:
    def sign(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.sign_activity(ctx, cid, code, aid, comment=form.get("comment") or None)

    return await _goal_form(request, cid, code, f"signer-{aid}", sign, back=True)


@router.post(GOAL + "/aktiviteter/{aid}/avvis")
async def reject_activity(request: Request, cid: UUID, code: str, aid: str) -> Response:
    def reject(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.reject_activity(ctx, cid, code, aid, reason=form.get("reason", ""))

    return await _goal_form(request, cid, code, f"avvis-{aid}", reject, back=True)


@router.post(GOAL + "/send-til-godkjenning")
async def send_for_approval(request: Request, cid: UUID, code: str) -> Response:
    values, errors, application = await posted(request, "godkjenning")
    completed_on = pages.parse_day(values, "completed_on", errors)
    return await _submit(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.send_goal_for_approval(
            ctx,
            cid,
            code,
            completed_on=completed_on,  # type: ignore[arg-type]  # None only with errors
            comment=values.get("comment") or None,
        ),
    )


@router.post(GOAL + "/kommentarer")
async def comment_goal(request: Request, cid: UUID, code: str) -> Response:
    """R13: the veileder comments on the goal for the leader."""

    def comment(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.comment_goal(ctx, cid, code, text=form.get("text", ""))

    return await _goal_form(request, cid, code, "kommentar", comment)


@router.post(GOAL + "/godkjenn")
async def approve_goal(request: Request, cid: UUID, code: str) -> Response:
    def approve(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.approve_goal(ctx, cid, code, comment=form.get("comment") or None)

    return await _goal_form(request, cid, code, "godkjenn", approve, back=True)


@router.post(GOAL + "/avvis")
async def reject_goal(request: Request, cid: UUID, code: str) -> Response:
    def reject(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.reject_goal(ctx, cid, code, reason=form.get("reason", ""))

    return await _goal_form(request, cid, code, "avvis-mal", reject, back=True)


@router.get("/kandidater/{cid}/vedlegg/{attachment_id}")
def download(request: Request, cid: UUID, attachment_id: str) -> Response:
    """R27: the evidence, for exactly those the API lets download it; always a download."""
    services = pages.web_of(request).services
    queries = services.projections.queries
    return stored_file(services, queries, pages.signed_in(request), cid, attachment_id)
