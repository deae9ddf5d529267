"""How a page is served: the route class, the session, rendering, forms and commands.

`WebRoute` reads the signed session before the page and writes it after; a page for
someone not signed in sends them to sign in (or to the expired page); a refusal the
page did not handle (an unrelated candidate's page: the domain's not-found) becomes a
Norwegian page, never a stack trace or problem JSON. Every answer carries the
Content-Security-Policy (no inline script, `frame-ancestors 'none'`).

A form's POST checks the CSRF token first, then calls the same application method as
the API route (`run_command`: in turn with the API's commands, then waits until the
views have the new events, so the page after the 303 shows them).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio.to_thread
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.deps import Services
from kompetanse_domain.application import CommandContext, KompetanseApplication, Outcome
from kompetanse_domain.errors import DomainError, NotFoundError, UnavailableError
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Actor, Identity, candidate_id_for
from projections.queries.port import CandidateView, ReadPort
from web import texts
from web.session import Session, SessionCodec, check_csrf

LOG = logging.getLogger("web")
TEMPLATES = Path(__file__).parent / "templates"
POSITION_WAIT = 10.0  # seconds a form waits for the views before its page is shown
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SignInRequired(Exception):
    """The page needs a signed-in person."""


class CsrfRefused(Exception):
    """A form came without this session's CSRF token."""


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters = (texts.day, texts.moment, texts.number, texts.percent, texts.event_name)
    env.filters.update({function.__name__: function for function in filters})
    env.globals.update(
        GOAL_STATES=texts.GOAL_STATES,
        ACTIVITY_STATES=texts.ACTIVITY_STATES,
        ACTIVITY_KINDS=texts.ACTIVITY_KINDS,
        PLAN_STATES=texts.PLAN_STATES,
        ROLES=texts.ROLES,
    )
    return env


@dataclass(frozen=True)
class Web:
    """What the pages share: the services, the templates and the session codec."""

    services: Services
    templates: Environment
    sessions: SessionCodec
    # dev mode's sign-in page: (sub, name, platform roles, what they do), in Norwegian
    demo_users: tuple[tuple[str, str, tuple[str, ...], str], ...] = ()


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def session_of(request: Request) -> Session:
    session: Session = request.state.web_session
    return session


def signed_in(request: Request) -> Identity:
    """The signed-in person, or off to the sign-in (or expired) page."""
    identity = session_of(request).identity
    if identity is None:
        raise SignInRequired
    return identity


class WebRoute(APIRoute):
    """Session in and out, refusals as Norwegian pages, security headers on every answer."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            web = web_of(request)
            session = web.sessions.read(request)
            request.state.web_session = session
            try:
                response = await handle(request)
            except SignInRequired:
                if request.method == "GET":
                    session.remember_page(request.url.path)
                target = "/utlopt" if session.expired else "/logg-inn"
                response = RedirectResponse(target, status_code=303)
            except CsrfRefused:
                response = message(request, texts.CSRF_REFUSED, status=403)
            except (NotFoundError, RequestValidationError):  # e.g. /kandidater/not-an-id
                response = not_found(request)
            except DomainError as error:
                status = 503 if isinstance(error, UnavailableError) else 409
                refused = texts.Message(texts.REFUSED, texts.refusal(error))
                response = message(request, refused, status=status)
            except Exception:  # never a stack trace or problem JSON on a page
                LOG.exception("page %s %s failed", request.method, request.url.path)
                response = message(request, texts.FAILED, status=500, nav=Navigation())
            if getattr(request.state, "views_behind", False):
                session.show_once(texts.VIEWS_BEHIND)
            web.sessions.write(request, response, session)
            response.headers.update(SECURITY_HEADERS)
            return response

        return handler


def not_found(request: Request) -> HTMLResponse:
    return message(request, texts.NOT_FOUND, status=404)


def message(
    request: Request, said: texts.Message, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page that only says something (message.html)."""
    return render(
        request,
        "message.html",
        status=status,
        title=said.title,
        text=said.text,
        link=said.link,
        **context,
    )


@dataclass(frozen=True)
class Navigation:
    """Which sections the person's roles open (read from the views)."""

    candidate: bool = False
    supervisor: bool = False
    leader: bool = False
    auditor: bool = False
    veileder: bool = False
    unread: int = 0  # R31: the person's notifications not marked read


def navigation(services: Services, identity: Identity) -> Navigation:
    queries = services.projections.queries
    own = queries.get_candidate(candidate_id_for(identity.sub))
    menu = queries.menu_of(identity.sub)  # EXISTS each, not the lists (docs/benchmarks.md)
    return Navigation(
        candidate=own is not None,
        supervisor=menu["signs"],
        leader=menu["leads"],
        auditor=identity.is_auditor,
        veileder=menu["mentors"],
        unread=0
        if services.notifications is None
        else len(services.notifications.store.list_for(identity.sub, unread=True)),
    )


@dataclass(frozen=True)
class CandidatePage:
    """What a page about one candidate starts from: who looks, the roles the domain gives
    them there (`actor_for`: an unrelated person gets the 404 page), and the candidate."""

    identity: Identity
    services: Services
    actor: Actor
    candidate: CandidateView

    @property
    def queries(self) -> ReadPort:
        return self.services.projections.queries


def candidate_page_of(
    request: Request, cid: UUID, may_read: Callable[[Candidate, Actor], None] | None = None
) -> CandidatePage:
    """The signed-in person's view of candidate `cid`, or the 404 page; also the 404 page
    when the candidate's `may_read` check (e.g. `Candidate.check_can_read_meetings`)
    refuses the actor: the same answer as for no such page."""
    identity = signed_in(request)
    services = web_of(request).services
    actor = services.application.actor_for(identity, cid)
    try:
        if may_read is not None:
            may_read(services.application.get_candidate(cid), actor)
    except DomainError as error:
        raise NotFoundError("Candidate not found, or no access to this page") from error
    candidate = services.projections.queries.get_candidate(cid)
    if candidate is None:
        raise NotFoundError("Candidate not found, or you have no role for this candidate")
    return CandidatePage(identity, services, actor, candidate)


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template, with the session, the person and their navigation."""
    web = web_of(request)
    session: Session | None = getattr(request.state, "web_session", None)
    identity = session.identity if session is not None else None
    nav = context.pop("nav", None)
    if nav is None and identity is not None:
        nav = navigation(web.services, identity)
    html = web.templates.get_template(template).render(
        request=request,
        flash=session.take_flash() if session is not None else None,
        csrf=session.csrf if session is not None else "",
        me=identity,
        nav=nav or Navigation(),
        dev_mode=web.services.settings.dev_mode,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def query_page(request: Request, template: str, errors: FormErrors, **context: Any) -> HTMLResponse:
    """A page with a GET form (a search, a state on a date): 422 while what was asked has
    errors, which the page shows beside the fields with what was typed (`errors.values`)."""
    return render(
        request,
        template,
        status=422 if errors else 200,
        errors=errors,
        values=errors.values,
        **context,
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# -- forms -----------------------------------------------------------------------------


@dataclass
class FormErrors:
    """One form's errors, GOV.UK style: a summary that links to each field, the message
    beside the field; `values` keeps what was typed."""

    form: str
    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    values: Mapping[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, error: DomainError) -> None:
        found = texts.field_error(error)
        if found is not None:
            self.fields[found[0]] = found[1]
        else:
            self.general.append(texts.refusal(error))

    def field_id(self, name: str) -> str:
        return f"{self.form}-{name}"


async def form_of(request: Request) -> dict[str, str]:
    """The POSTed form's text fields, after the CSRF check."""
    form = await request.form()
    if not check_csrf(session_of(request), form.get("csrf")):
        raise CsrfRefused
    return {key: value for key, value in form.items() if isinstance(value, str)}


def parse_day(values: Mapping[str, str], name: str, errors: FormErrors) -> date | None:
    """A date as the date field sends it (2026-03-01) or as people write it (1.3.2026)."""
    text = values.get(name, "").strip()
    label = texts.FIELD_LABELS.get(name, name)
    if not text:
        errors.fields[name] = texts.TYPE_IN.format(lower=label.lower())
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    errors.fields[name] = texts.NOT_A_DAY.format(label=label)
    return None


def parse_count(values: Mapping[str, str], name: str, errors: FormErrors) -> int | None:
    text = values.get(name, "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        errors.fields[name] = texts.NOT_A_NUMBER.format(label=texts.FIELD_LABELS.get(name, name))
        return None
    return int(text)


async def run_command(
    request: Request, values: Mapping[str, str], call: Callable[[CommandContext], Outcome]
) -> Outcome:
    """The application call, in turn with the API's commands; then wait for the views.

    The form's `idem` field (one per rendered form) is the idempotency key, so a form
    sent twice (a double click, a reload) is recorded once.
    """
    web = web_of(request)
    identity = signed_in(request)
    key = values.get("idem") or None
    canonical = "\n".join(f"{k}={v}" for k, v in sorted(values.items()) if k != "csrf")
    context = CommandContext(
        identity=identity,
        idempotency_key=f"web:{key}" if key else None,
        fingerprint=hashlib.sha256(f"POST {request.url.path}\n{canonical}".encode()).hexdigest(),
    )
    outcome = await anyio.to_thread.run_sync(
        lambda: call(context), limiter=request.app.state.command_limiter
    )
    if not outcome.replayed:
        web.services.projections.notify()
    waits = request.app.state.position_waits
    if not await waits.wait_for(identity.sub, outcome.position, POSITION_WAIT):
        LOG.warning(
            "the views had not applied position %d %.0f s after %s; the page after it "
            "says it may show the state before the change",
            outcome.position,
            POSITION_WAIT,
            request.url.path,
        )
        request.state.views_behind = True  # said on the next page, after the form's words
    return outcome


Form = dict[str, str]  # a POSTed form's text fields
Command = Callable[[KompetanseApplication, CommandContext, Form], Outcome]


def again(
    page: Callable[..., Response], request: Request, *keys: Any
) -> Callable[[FormErrors], Response]:
    """The form's page shown again (422), the refusal beside the form, what was typed kept:
    `page(request, *keys, errors, status=422)`."""
    return lambda refused: page(request, *keys, refused, status=422)


def beside_form(errors: FormErrors, error: DomainError) -> FormErrors:
    """The domain's refusal beside the field it is about, else above the form."""
    errors.add(error)
    return errors


async def submit_form(
    request: Request,
    errors: FormErrors,
    call: Callable[[CommandContext], Outcome],
    again: Callable[[FormErrors], Response],
    done: str | Callable[[Outcome], str],
    said: str | Callable[[Outcome], str] | None = None,
    refused: Callable[[FormErrors, DomainError], FormErrors] = beside_form,
) -> Response:
    """Run the call unless the form has errors; then 303 to `done` (with `said` shown
    once), or the page `again` with the domain's refusal beside the form (422).

    `done` and `said` may be worked out from the command's outcome (a new meeting's
    page, an invitation's link); `refused` places a refusal on the form (a page with
    its own words for some refusals)."""
    if not errors:
        try:
            outcome = await run_command(request, errors.values, call)
        except NotFoundError:
            raise
        except DomainError as error:
            errors = refused(errors, error)
    if errors:
        return again(errors)
    if said is not None:
        session_of(request).show_once(said if isinstance(said, str) else said(outcome))
    return see_other(done if isinstance(done, str) else done(outcome))


async def command_form(
    request: Request,
    form: str,
    command: Command,
    again: Callable[[FormErrors], Response],
    done: str | Callable[[Form], str],
    said: str | None = None,
    refused: Callable[[FormErrors, DomainError], FormErrors] = beside_form,
    required: Mapping[str, str] | None = None,
) -> Response:
    """A form whose fields go to the command as they are: `submit_form` on the POSTed
    fields (after the CSRF check), the form's errors under the id prefix `form`; `done`
    may depend on the fields (the list the form was sent from). A field in `required`
    left empty gets its message there, and the command is not run."""
    values = await form_of(request)
    errors = FormErrors(form, values=values)
    for name, message in (required or {}).items():
        if not values.get(name):
            errors.fields[name] = message
    application = web_of(request).services.application
    return await submit_form(
        request,
        errors,
        lambda ctx: command(application, ctx, values),
        again,
        done if isinstance(done, str) else done(values),
        said,
        refused,
    )
