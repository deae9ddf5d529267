"""Sign-in and sign-out (ADR 0023). In dev mode only (no OIDC settings): a page that
lists demo users and lets one type a `sub` and a name; the identity is built with the
same checks as a token's claims (`api.auth.principal_from_claims`)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.auth import AuthenticationError
from web.pages import (
    FormErrors,
    WebRoute,
    form_of,
    not_found,
    render,
    see_other,
    session_of,
    signed_in,
    web_of,
)
from web.session import identity_of

router = APIRouter(route_class=WebRoute, include_in_schema=False)

DEMO_USERS = (
    ("demo-lis", "Demo LIS", (), "LIS-lege (kandidat)"),
    ("demo-leder", "Demo Leder", (), "leder"),
    ("demo-veileder", "Demo Veileder", (), "veileder"),
    ("demo-supervisor", "Demo Supervisør", (), "supervisør"),
    ("demo-revisor", "Demo Revisor", ("auditor",), "revisor (tilsyn)"),
)


@router.get("/")
def home(request: Request) -> Response:
    """The start page: what the person's roles open."""
    identity = signed_in(request)
    return render(request, "home.html", title="Forside", me_name=identity.name)


@router.get("/logg-inn")
def sign_in_page(request: Request) -> Response:
    if not web_of(request).services.settings.dev_mode:
        return not_found(request)  # with OIDC the identity provider signs people in
    return render(request, "signin.html", title="Logg inn", demo=DEMO_USERS, errors=None)


@router.post("/logg-inn")
async def sign_in(request: Request) -> Response:
    if not web_of(request).services.settings.dev_mode:
        return not_found(request)
    values = await form_of(request)
    errors = FormErrors("logg-inn", values=values)
    sub, name = values.get("sub", "").strip(), values.get("name", "").strip()
    roles = ["auditor"] if values.get("auditor") == "ja" else []
    if not sub:
        errors.fields["sub"] = "Skriv inn brukeridenten (sub)"
    if not name:
        errors.fields["name"] = "Skriv inn navnet"
    if not errors:
        try:
            session_of(request).sign_in(identity_of(sub, name, roles))
        except AuthenticationError:
            errors.fields["sub"] = "Brukeridenten eller navnet har tegn som ikke kan brukes"
    if errors:
        return render(
            request, "signin.html", status=422, title="Logg inn", demo=DEMO_USERS, errors=errors
        )
    return see_other(session_of(request).take_next_page())


@router.post("/logg-ut")
async def sign_out(request: Request) -> Response:
    await form_of(request)
    session_of(request).sign_out()
    return see_other("/logget-ut")


@router.get("/logget-ut")
def signed_out(request: Request) -> Response:
    return render(
        request,
        "message.html",
        title="Du er logget ut",
        text="Du er logget ut. Lukk nettleseren hvis du bruker en delt maskin.",
        link=("/logg-inn", "Logg inn igjen"),
    )


@router.get("/utlopt")
def expired(request: Request) -> Response:
    return render(
        request,
        "message.html",
        title="Økten er utløpt",
        text="Du har vært borte en stund, så vi logget deg ut for å beskytte opplysningene. "
        "Logg inn igjen for å fortsette.",
        link=("/logg-inn", "Logg inn igjen"),
    )
