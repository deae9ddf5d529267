"""The goal page and its forms: register an activity, send it for signing to a chosen
supervisor, send the goal for approval; sign or reject an activity; approve or reject
the goal. Each form calls the application method its API route calls; a refusal is
shown on the page again, GOV.UK style, with what was typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile  # what a form holds (fastapi's subclasses it)

from api.attachments import AttachmentTooLargeError, UnsupportedAttachmentError
from api.routes.attachments import content_disposition
from kompetanse_domain.application import CommandContext, Outcome
from kompetanse_domain.errors import DomainError, NotFoundError
from kompetanse_domain.model.identity import Role
from web.pages import (
    FormErrors,
    WebRoute,
    form_of,
    parse_count,
    parse_day,
    render,
    run_command,
    signed_in,
    submit_form,
    web_of,
)
from web.routes.candidate import goal_title
from web.texts import ROLES

router = APIRouter(route_class=WebRoute, include_in_schema=False)
GOAL = "/kandidater/{cid}/mal/{code}"
BACK = {"signering": "/signering", "godkjenninger": "/leder/godkjenninger"}


def back_to(values: dict[str, str]) -> str | None:
    """The list a form was sent from (the supervisor's or the leader's), if any."""
    return BACK.get(values.get("tilbake", ""))


def goal_page(
    request: Request, cid: UUID, code: str, errors: FormErrors | None = None, status: int = 200
) -> Response:
    identity = signed_in(request)
    services = web_of(request).services
    actor = services.application.actor_for(identity, cid)
    queries = services.projections.queries
    candidate = queries.get_candidate(cid)
    goal = queries.get_goal(cid, code)
    if candidate is None or goal is None:
        raise NotFoundError(f"Goal {code} is not in this candidate's plans")
    signers = [  # whom the candidate may choose; the domain decides (R9)
        (person["sub"], f"{person['name']} ({ROLES.get(person['role'], person['role'])})")
        for person in candidate["roles"]
        if person["role"] in ("supervisor", "veileder")
    ]
    return render(
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
        my_sub=identity.sub,
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
    errors: FormErrors,
    call: Callable[[CommandContext], Outcome],
    done: str | None = None,
) -> Response:
    """Run the call unless the form already has errors; then back to the page (303), or
    the page again with the refusal beside the form."""
    return await submit_form(
        request,
        errors,
        call,
        lambda refused: goal_page(request, cid, code, refused, status=422),
        done or request.url_for("show_goal", cid=cid, code=code).path,
    )


@router.post(GOAL + "/aktiviteter")
async def register_activity(request: Request, cid: UUID, code: str) -> Response:
    values = await form_of(request)
    errors = FormErrors("registrer", values=values)
    fulfilled_on = parse_day(values, "fulfilled_on", errors)
    count = parse_count(values, "count", errors)
    application = web_of(request).services.application
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
            ctx,
            cid,
            code,
            title=values.get("title", ""),
            kind=values.get("kind", ""),
            fulfilled_on=fulfilled_on,  # type: ignore[arg-type]  # None only with errors
            activity_code=values.get("activity_code") or None,
            count=count,
            note=values.get("note") or None,
            attachment_id=attachment_id,
        ),
    )


async def _attach(
    request: Request, cid: UUID, upload: UploadFile, values: dict[str, str], errors: FormErrors
) -> str | None:
    """The certificate stored as the API's upload stores it (who may attach first)."""
    services = web_of(request).services
    identity = signed_in(request)
    try:
        await run_in_threadpool(services.application.check_can_attach, identity, cid)
        blob = await run_in_threadpool(
            services.attachments.save, upload.file, limit=services.settings.max_upload
        )
    except AttachmentTooLargeError:
        limit = services.settings.max_upload / 1024 / 1024
        errors.fields["certificate"] = f"Filen er for stor; den kan være på høyst {limit:.0f} MB"
        return None
    except UnsupportedAttachmentError:
        errors.fields["certificate"] = "Filen må være en PDF, PNG eller JPEG"
        return None
    filename = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    keyed = {**values, "idem": f"{values.get('idem', '')}-fil", "sha256": blob.sha256}
    try:
        outcome = await run_command(
            request,
            keyed,
            lambda ctx: services.application.upload_attachment(
                ctx,
                cid,
                sha256=blob.sha256,
                size=blob.size,
                media_type=blob.media_type,
                filename="".join(ch for ch in filename if ch.isprintable())[:255],
            ),
        )
    except NotFoundError:
        raise
    except DomainError as error:
        errors.add(error)
        return None
    return str(outcome.value["attachment_id"])


@router.post(GOAL + "/aktiviteter/{aid}/send-til-signering")
async def send_for_signing(request: Request, cid: UUID, code: str, aid: str) -> Response:
    values = await form_of(request)
    errors = FormErrors(f"signering-{aid}", values=values)
    if not values.get("signer_sub"):
        errors.fields["signer_sub"] = "Velg hvem som skal signere"
    application = web_of(request).services.application
    return await _submit(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.send_activity_for_signing(
            ctx, cid, code, aid, signer_sub=values.get("signer_sub", "")
        ),
    )


@router.post(GOAL + "/aktiviteter/{aid}/signer")
async def sign_activity(request: Request, cid: UUID, code: str, aid: str) -> Response:
    values = await form_of(request)
    errors = FormErrors(f"signer-{aid}", values=values)
    application = web_of(request).services.application
    return await _submit(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.sign_activity(
            ctx, cid, code, aid, comment=values.get("comment") or None
        ),
        done=back_to(values),
    )


@router.post(GOAL + "/aktiviteter/{aid}/avvis")
async def reject_activity(request: Request, cid: UUID, code: str, aid: str) -> Response:
    values = await form_of(request)
    errors = FormErrors(f"avvis-{aid}", values=values)
    application = web_of(request).services.application
    return await _submit(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.reject_activity(
            ctx, cid, code, aid, reason=values.get("reason", "")
        ),
        done=back_to(values),
    )


@router.post(GOAL + "/send-til-godkjenning")
async def send_for_approval(request: Request, cid: UUID, code: str) -> Response:
    values = await form_of(request)
    errors = FormErrors("godkjenning", values=values)
    completed_on = parse_day(values, "completed_on", errors)
    application = web_of(request).services.application
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
    values = await form_of(request)
    errors = FormErrors("kommentar", values=values)
    application = web_of(request).services.application
    return await _submit(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.comment_goal(ctx, cid, code, text=values.get("text", "")),
    )


@router.post(GOAL + "/godkjenn")
async def approve_goal(request: Request, cid: UUID, code: str) -> Response:
    values = await form_of(request)
    errors = FormErrors("godkjenn", values=values)
    application = web_of(request).services.application
    return await _submit(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.approve_goal(ctx, cid, code, comment=values.get("comment") or None),
        done=back_to(values),
    )


@router.post(GOAL + "/avvis")
async def reject_goal(request: Request, cid: UUID, code: str) -> Response:
    values = await form_of(request)
    errors = FormErrors("avvis-mal", values=values)
    application = web_of(request).services.application
    return await _submit(
        request,
        cid,
        code,
        errors,
        lambda ctx: application.reject_goal(ctx, cid, code, reason=values.get("reason", "")),
        done=back_to(values),
    )


@router.get("/kandidater/{cid}/vedlegg/{attachment_id}")
def download(request: Request, cid: UUID, attachment_id: str) -> Response:
    """R27: the evidence, for exactly those the API lets download it; always a download."""
    identity = signed_in(request)
    services = web_of(request).services
    stored = services.application.attachment_to_download(
        identity,
        cid,
        attachment_id,
        sent_to=lambda sub: services.projections.queries.attachment_sent_to(
            cid, attachment_id, sub
        ),
    )
    path = services.attachments.path_of(stored["sha256"])
    if not path.is_file():
        raise NotFoundError("The stored file of this attachment is missing")
    return FileResponse(
        path,
        media_type=stored["media_type"],
        headers={
            "Content-Disposition": content_disposition(stored["filename"], stored["media_type"]),
            "Cache-Control": "private, no-store",
        },
    )
