"""The candidate's profile (R28) and invitations (R2, R3, R26): edit name, e-mail and
organisation; record a new specialty from a date; invite (with an optional HPR number;
`until` for a deputy), list the invitations with their state now, revoke a pending one.

Each form calls the application method its API route calls; the invitations are read
through the same application method as GET /v1/candidates/{cid}/invitations (the
domain says who may list them: the candidate and the leader).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
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
    parse_day,
    render,
    submit_form,
    web_of,
)
from web.routes.people import invited

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PROFILE = "/kandidater/{cid}/profil"
INVITATIONS = "/kandidater/{cid}/invitasjoner"


def profile_page(
    request: Request, cid: UUID, errors: FormErrors | None = None, status: int = 200
) -> Response:
    page = candidate_page_of(request, cid)
    actor, candidate = page.actor, page.candidate
    return render(
        request,
        "profile.html",
        status=status,
        title=texts.PROFILE_TITLE.format(name=candidate["name"]),
        candidate=candidate,
        own=actor.holds(Role.CANDIDATE),
        may_change_specialty=actor.holds(Role.CANDIDATE, Role.LEADER, Role.DEPUTY),
        specialties=[(code, code) for code in page.services.application.specialties],
        errors=errors,
        idem=uuid.uuid4().hex,
    )


@router.get(PROFILE)
def show_profile(request: Request, cid: UUID) -> Response:
    return profile_page(request, cid)


@router.post(PROFILE)
async def edit_profile(request: Request, cid: UUID) -> Response:
    def edit(app: KompetanseApplication, ctx: CommandContext, form: Form) -> Outcome:
        return app.edit_profile(
            ctx,
            cid,
            name=form.get("name", ""),
            email=form.get("email", ""),
            organisation_id=form.get("organisation_id", ""),
            organisation_name=form.get("organisation_name", ""),
        )

    done = PROFILE.format(cid=cid)
    return await command_form(
        request, "profil", edit, again(profile_page, request, cid), done, texts.PROFILE_SAVED
    )


@router.post(PROFILE + "/spesialitet")
async def change_specialty(request: Request, cid: UUID) -> Response:
    values = await form_of(request)
    errors = FormErrors("spesialitet", values=values)
    if not values.get("specialty"):
        errors.fields["specialty"] = texts.CHOOSE_SPECIALTY
    from_date = parse_day(values, "from", errors)
    application = web_of(request).services.application
    return await submit_form(
        request,
        errors,
        lambda ctx: application.change_specialty(
            ctx,
            cid,
            specialty=values.get("specialty", ""),
            from_date=from_date,  # type: ignore[arg-type]  # None only with errors
        ),
        again(profile_page, request, cid),
        PROFILE.format(cid=cid),
        texts.SPECIALTY_CHANGED,
    )


# -- invitations ---------------------------------------------------------------------------


def invitations_page(
    request: Request, cid: UUID, errors: FormErrors | None = None, status: int = 200
) -> Response:
    page = candidate_page_of(request, cid)
    actor, candidate = page.actor, page.candidate
    invitations = page.services.application.invitations_of(page.identity, cid, datetime.now(UTC))
    is_candidate = actor.holds(Role.CANDIDATE)
    invitable = ("leader", "veileder", "supervisor") if is_candidate else ("deputy",)
    return render(
        request,
        "invitations.html",
        status=status,
        title=texts.INVITATIONS_TITLE.format(name=candidate["name"]),
        candidate=candidate,
        own=is_candidate,
        invitations=list(reversed(invitations)),  # newest first
        INVITATION_STATES=texts.INVITATION_STATES,
        invite_roles=[(role, texts.ROLES[role]) for role in invitable],
        offers_until=not is_candidate,
        errors=errors,
        idem=uuid.uuid4().hex,
    )


@router.get(INVITATIONS)
def show_invitations(request: Request, cid: UUID) -> Response:
    return invitations_page(request, cid)


def _optional_day(values: Mapping[str, str], name: str, errors: FormErrors) -> date | None:
    return parse_day(values, name, errors) if values.get(name, "").strip() else None


@router.post(INVITATIONS + "/ny")
async def invite(request: Request, cid: UUID) -> Response:
    """R2, R3, R26: the invitation; the accept link is shown once (the token is its secret)."""
    values = await form_of(request)
    errors = FormErrors("inviter", values=values)
    role = values.get("role", "")
    if not role:
        errors.fields["role"] = texts.CHOOSE_ROLE
    until = _optional_day(values, "until", errors)
    application = web_of(request).services.application
    return await submit_form(
        request,
        errors,
        lambda ctx: application.invite(
            ctx,
            cid,
            role=role,
            name=values.get("name", ""),
            email=values.get("email", ""),
            hpr_number=values.get("hpr_number", "").strip() or None,
            until=until,
        ),
        again(invitations_page, request, cid),
        INVITATIONS.format(cid=cid),
        lambda outcome: invited(request, values, outcome),
    )


@router.post(INVITATIONS + "/{iid}/trekk-tilbake")
async def revoke(request: Request, cid: UUID, iid: str) -> Response:
    def revoke(app: KompetanseApplication, ctx: CommandContext, form: Form) -> Outcome:
        return app.revoke_invitation(ctx, cid, iid, reason=form.get("reason", ""))

    return await command_form(
        request,
        f"trekk-{iid}",
        revoke,
        again(invitations_page, request, cid),
        INVITATIONS.format(cid=cid),
        texts.INVITATION_REVOKED,
    )
