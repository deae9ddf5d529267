"""The candidate's profile (R28) and invitations (R2, R3, R26): edit name, e-mail and
organisation; record a new specialty from a date; invite (with an optional HPR number;
`until` for a deputy), list the invitations with their state now, revoke a pending one.

Each form calls the application method its API route calls; the invitations are read
through the same application method as GET /v1/candidates/{cid}/invitations (the
domain says who may list them: the candidate and the leader).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response

from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from kompetanse_domain.model.identity import Role
from web import pages, texts
from web.form_pages import candidate_form_page, posted
from web.routes.people import invited

router = APIRouter(route_class=pages.WebRoute, include_in_schema=False)
PROFILE = "/kandidater/{cid}/profil"
INVITATIONS = "/kandidater/{cid}/invitasjoner"


def profile_page(
    request: Request, cid: UUID, errors: pages.FormErrors | None = None, status: int = 200
) -> Response:
    page = pages.candidate_page_of(request, cid)
    actor = page.actor
    return candidate_form_page(
        request,
        page,
        "profile.html",
        texts.PROFILE_TITLE,
        errors,
        status,
        own=actor.holds(Role.CANDIDATE),
        may_change_specialty=actor.holds(Role.CANDIDATE, Role.LEADER, Role.DEPUTY),
        specialties=[(code, code) for code in page.services.application.specialties],
    )


@router.get(PROFILE)
def show_profile(request: Request, cid: UUID) -> Response:
    return profile_page(request, cid)


@router.post(PROFILE)
async def edit_profile(request: Request, cid: UUID) -> Response:
    def edit(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.edit_profile(
            ctx,
            cid,
            name=form.get("name", ""),
            email=form.get("email", ""),
            organisation_id=form.get("organisation_id", ""),
            organisation_name=form.get("organisation_name", ""),
        )

    done = PROFILE.format(cid=cid)
    return await pages.command_form(
        request, "profil", edit, pages.again(profile_page, request, cid), done, texts.PROFILE_SAVED
    )


@router.post(PROFILE + "/spesialitet")
async def change_specialty(request: Request, cid: UUID) -> Response:
    values, errors, application = await posted(request, "spesialitet")
    if not values.get("specialty"):
        errors.fields["specialty"] = texts.CHOOSE_SPECIALTY
    from_date = pages.parse_day(values, "from", errors)
    return await pages.submit_form(
        request,
        errors,
        lambda ctx: application.change_specialty(
            ctx,
            cid,
            specialty=values.get("specialty", ""),
            from_date=from_date,  # type: ignore[arg-type]  # None only with errors
        ),
        pages.again(profile_page, request, cid),
        PROFILE.format(cid=cid),
        texts.SPECIALTY_CHANGED,
    )


# -- invitations ---------------------------------------------------------------------------


def invitations_page(
    request: Request, cid: UUID, errors: pages.FormErrors | None = None, status: int = 200
) -> Response:
    page = pages.candidate_page_of(request, cid)
    invitations = page.services.application.invitations_of(page.identity, cid, datetime.now(UTC))
    is_candidate = page.actor.holds(Role.CANDIDATE)
    invitable = ("leader", "veileder", "supervisor") if is_candidate else ("deputy",)
    return candidate_form_page(
        request,
        page,
        "invitations.html",
        texts.INVITATIONS_TITLE,
        errors,
        status,
        own=is_candidate,
        invitations=list(reversed(invitations)),  # newest first
        INVITATION_STATES=texts.INVITATION_STATES,
        invite_roles=[(role, texts.ROLES[role]) for role in invitable],
        offers_until=not is_candidate,
    )


@router.get(INVITATIONS)
def show_invitations(request: Request, cid: UUID) -> Response:
    return invitations_page(request, cid)


def _optional_day(values: Mapping[str, str], name: str, errors: pages.FormErrors) -> date | None:
    return pages.parse_day(values, name, errors) if values.get(name, "").strip() else None


@router.post(INVITATIONS + "/ny")
async def invite(request: Request, cid: UUID) -> Response:
    """R2, R3, R26: the invitation; the accept link is shown once (the token is its secret)."""
    values, errors, application = await posted(request, "inviter")
    role = values.get("role", "")
    if not role:
        errors.fields["role"] = texts.CHOOSE_ROLE
    until = _optional_day(values, "until", errors)
    return await pages.submit_form(
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
        pages.again(invitations_page, request, cid),
        INVITATIONS.format(cid=cid),
        lambda outcome: invited(request, values, outcome),
    )


@router.post(INVITATIONS + "/{iid}/trekk-tilbake")
async def revoke(request: Request, cid: UUID, iid: str) -> Response:
    def revoke(app: KompetanseApplication, ctx: CommandContext, form: pages.Form) -> Outcome:
        return app.revoke_invitation(ctx, cid, iid, reason=form.get("reason", ""))

    return await pages.command_form(
        request,
        f"trekk-{iid}",
        revoke,
        pages.again(invitations_page, request, cid),
        INVITATIONS.format(cid=cid),
        texts.INVITATION_REVOKED,
    )
