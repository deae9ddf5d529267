"""Becoming a candidate, inviting the people around one, accepting an invitation, and
the leader's assignment of a plan: the same application methods as the API's routes.

The invitation's accept link is shown once to the inviter (the token is its secret;
the API answers it the same way), to be sent on to the person invited.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from kompetanse_domain.errors import DomainError
from kompetanse_domain.model.identity import candidate_id_for
from web import texts
from web.pages import (
    Form,
    FormErrors,
    WebRoute,
    again,
    command_form,
    form_of,
    render,
    run_command,
    see_other,
    session_of,
    signed_in,
    submit_form,
    web_of,
)
from web.routes.candidate import plans_page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
INVITABLE = ("leader", "veileder", "supervisor", "deputy")


def register_page(
    request: Request, errors: FormErrors | None = None, status: int = 200
) -> Response:
    specialties = web_of(request).services.application.specialties
    return render(
        request,
        "register.html",
        status=status,
        title=texts.REGISTER_TITLE,
        specialties=[(code, code) for code in specialties],
        errors=errors,
        idem=uuid.uuid4().hex,
    )


@router.get("/registrer")
def show_register(request: Request) -> Response:
    signed_in(request)
    return register_page(request)


@router.post("/registrer")
async def register(request: Request) -> Response:
    values = await form_of(request)
    errors = FormErrors("registrer", values=values)
    application = web_of(request).services.application
    try:
        await run_command(
            request,
            values,
            lambda ctx: application.register_candidate(
                ctx,
                name=values.get("name", ""),
                email=values.get("email", ""),
                specialty=values.get("specialty", ""),
                organisation_id=values.get("organisation_id", ""),
                organisation_name=values.get("organisation_name", ""),
                hpr_number=values.get("hpr_number") or None,
            ),
        )
    except DomainError as error:
        errors.add(error)
        return register_page(request, errors, status=422)
    return see_other(f"/kandidater/{candidate_id_for(signed_in(request).sub)}")


@router.post("/kandidater/{cid}/invitasjoner")
async def invite(request: Request, cid: UUID) -> Response:
    values = await form_of(request)
    errors = FormErrors("inviter", values=values)
    application = web_of(request).services.application
    role = values.get("role", "")
    if role not in INVITABLE:
        errors.fields["role"] = texts.CHOOSE_ROLE
    return await submit_form(
        request,
        errors,
        lambda ctx: application.invite(
            ctx, cid, role=role, name=values.get("name", ""), email=values.get("email", "")
        ),
        again(plans_page, request, cid),
        f"/kandidater/{cid}",
        lambda outcome: invited(request, values, outcome),
    )


def invited(request: Request, values: Mapping[str, str], outcome: Outcome) -> str:
    """The flash after an invitation: its accept link, shown this once (the token is its
    secret), to be sent on to the person invited."""
    role = values.get("role", "")
    return texts.INVITED.format(
        name=values.get("name", ""),
        role=texts.ROLES.get(role, role),
        link=request.url_for("show_invitation", token=outcome.value["token"]),
    )


@router.get("/invitasjon/{token}")
def show_invitation(request: Request, token: str) -> Response:
    signed_in(request)
    return render(
        request, "invitation.html", title=texts.INVITATION_TITLE, token=token, idem=uuid.uuid4().hex
    )


@router.post("/invitasjon/{token}")
async def accept(request: Request, token: str) -> Response:
    values = await form_of(request)
    application = web_of(request).services.application
    hpr_number = session_of(request).hpr_number  # R26: from the ID token, as the API's
    try:
        outcome = await run_command(
            request,
            values,
            lambda ctx: application.accept_invitation(ctx, token, hpr_number=hpr_number),
        )
    except DomainError as error:
        errors = FormErrors("godta")
        errors.add(error)
        return render(
            request,
            "invitation.html",
            status=409,
            title=texts.INVITATION_TITLE,
            token=token,
            errors=errors,
            idem=uuid.uuid4().hex,
        )
    role = str(outcome.value.get("role", ""))
    session_of(request).show_once(texts.ACCEPTED.format(role=texts.ROLES.get(role, role)))
    return see_other(f"/kandidater/{outcome.value['candidate_id']}")


@router.post("/kandidater/{cid}/planer")
async def assign_plan(request: Request, cid: UUID) -> Response:
    def assign(app: KompetanseApplication, ctx: CommandContext, form: Form) -> Outcome:
        return app.assign_plan(ctx, cid, plan_code=form["plan_code"])

    shown, required = again(plans_page, request, cid), {"plan_code": texts.CHOOSE_PLAN}
    return await command_form(
        request, "plan", assign, shown, f"/kandidater/{cid}", required=required
    )
