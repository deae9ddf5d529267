"""Sign-in and sign-out (ADR 0023). In dev mode only (no OIDC settings): a page that
lists demo users and lets one type a `sub` and a name; the identity is built with the
same checks as a token's claims (`api.auth.principal_from_claims`).

With OIDC configured, `/logg-inn` sends the person to the identity provider
(authorization code with PKCE, `web.oidc`), which sends them back to `/logg-inn/tilbake`;
a refused answer is a Norwegian page with a way to try again, never a 500. Signing out
ends the session here and, when the provider has an end-session endpoint, offers the
link that signs out there too (a link, not a redirect: the pages' Content-Security-Policy
allows forms to post only to this site, and browsers apply that to a form's redirects).
"""

from __future__ import annotations

import logging
from dataclasses import replace

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.auth import AuthenticationError
from web import texts
from web.oidc import OidcSignIn, Pending, ProviderUnavailable, SignInRefused
from web.pages import (
    FormErrors,
    WebRoute,
    form_of,
    message,
    not_found,
    render,
    see_other,
    session_of,
    signed_in,
    web_of,
)
from web.session import identity_of

LOG = logging.getLogger("web.signin")
router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    """The start page: what the person's roles open."""
    identity = signed_in(request)
    return render(request, "home.html", title=texts.HOME_TITLE, me_name=identity.name)


def oidc_of(request: Request) -> OidcSignIn | None:
    """The OIDC client (`web.app.install`), None in dev mode or without its settings."""
    found: OidcSignIn | None = getattr(request.app.state, "oidc_sign_in", None)
    return found


@router.get("/logg-inn")
def sign_in_page(request: Request) -> Response:
    if not web_of(request).services.settings.dev_mode:
        oidc = oidc_of(request)  # with OIDC the identity provider signs people in
        return not_found(request) if oidc is None else _start(request, oidc)
    return render(
        request,
        "signin.html",
        title=texts.SIGN_IN_TITLE,
        demo=web_of(request).demo_users,
        errors=None,
    )


@router.post("/logg-inn")
async def sign_in(request: Request) -> Response:
    if not web_of(request).services.settings.dev_mode:
        return not_found(request)
    values = await form_of(request)
    errors = FormErrors("logg-inn", values=values)
    sub, name = values.get("sub", "").strip(), values.get("name", "").strip()
    roles = ["auditor"] if values.get("auditor") == "ja" else []
    if not sub:
        errors.fields["sub"] = texts.TYPE_IN_SUB
    if not name:
        errors.fields["name"] = texts.TYPE_IN_NAME
    if not errors:
        try:
            session_of(request).sign_in(identity_of(sub, name, roles))
        except AuthenticationError:
            errors.fields["sub"] = texts.BAD_SUB_OR_NAME
    if errors:
        return render(
            request,
            "signin.html",
            status=422,
            title=texts.SIGN_IN_TITLE,
            demo=web_of(request).demo_users,
            errors=errors,
        )
    return see_other(session_of(request).take_next_page())


def _start(request: Request, oidc: OidcSignIn) -> Response:
    try:
        address, pending = oidc.start(str(request.url_for("oidc_return")))
    except ProviderUnavailable as error:
        LOG.warning("sign-in: the identity provider is unavailable: %s", error)
        return _unavailable(request)
    session_of(request).start_sign_in(pending.data())
    return see_other(address)


@router.get("/logg-inn/tilbake")
def oidc_return(request: Request) -> Response:
    """The identity provider sends the person back here with a code (or an error)."""
    oidc = oidc_of(request)
    if oidc is None or web_of(request).services.settings.dev_mode:
        return not_found(request)
    session = session_of(request)
    pending = Pending.from_data(session.take_sign_in())
    answer = {key: value for key, value in request.query_params.items()}
    try:
        signed = oidc.finish(pending, answer, str(request.url_for("oidc_return")))
    except SignInRefused as error:
        LOG.warning("sign-in refused: %s", error.reason)
        failed = texts.SIGN_IN_FAILED
        return message(
            request, replace(failed, text=failed.text.format(reason=error.text)), status=400
        )
    except ProviderUnavailable as error:
        LOG.warning("sign-in: the identity provider is unavailable: %s", error)
        return _unavailable(request)
    session.sign_in_as(signed.principal, signed.id_token)
    return see_other(session.take_next_page())


def _unavailable(request: Request) -> HTMLResponse:
    return message(request, texts.SIGN_IN_UNAVAILABLE, status=503)


@router.post("/logg-ut")
async def sign_out(request: Request) -> Response:
    await form_of(request)
    session = session_of(request)
    oidc = oidc_of(request)
    if oidc is not None and session.id_token:
        back = str(request.url_for("signed_out"))
        hint = session.id_token
        session.provider_sign_out = await anyio.to_thread.run_sync(
            lambda: oidc.end_session_url(hint, back)
        )
    session.sign_out()
    return see_other("/logget-ut")


@router.get("/logget-ut")
def signed_out(request: Request) -> Response:
    session = session_of(request)
    provider, session.provider_sign_out = session.provider_sign_out, None
    if provider is not None:
        session.changed = True
        there = replace(texts.SIGNED_OUT_HERE_ONLY, link=(provider, texts.SIGN_OUT_THERE))
        return message(request, there)
    return message(request, texts.SIGNED_OUT)


@router.get("/utlopt")
def expired(request: Request) -> Response:
    return message(request, texts.EXPIRED)
