"""RFC 9457 problem details and the one table from failures to HTTP (ADR 0009).

Every refusal leaves the API as `application/problem+json` with `type`, `title`,
`status`, `detail` (and `errors: [{loc, msg}]` for validation). Domain error
families map to a status in `DOMAIN_STATUS`; nothing else decides a status.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Route

from api.attachments import AttachmentRefusedError
from api.auth import AuthenticationError, KeyUnavailableError
from api.existence import hidden_not_found
from kompetanse_domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    InvalidInputError,
    NotFoundError,
    UnavailableError,
    VersionMismatchError,
)
from kompetanse_domain.model.values import InvalidValueError

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = "5"
MAX_ERRORS = 20  # validation errors listed in one answer
log = logging.getLogger("api.errors")

DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (IdempotencyKeyReusedError, 422),
    (NotFoundError, 404),
    (ForbiddenError, 403),
    (ConflictError, 409),
    (VersionMismatchError, 412),
    (InvalidInputError, 422),
    (UnavailableError, 503),
)

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """One problem+json response; `kind` names the problem type (default: the status)."""
    slug = kind or _slug(TITLES.get(status, f"http-{status}"))
    body = {
        "type": f"urn:kompetanse:problem:{slug}",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": _encodable(detail),
        **extra,
    }
    all_headers = dict(headers or {})
    if status == 503:
        all_headers.setdefault("Retry-After", RETRY_AFTER_SECONDS)
    return JSONResponse(body, status_code=status, headers=all_headers, media_type=PROBLEM_JSON)


def _encodable(text: str) -> str:
    """The text with any lone surrogate (from a refused value quoted in a message)
    replaced, so the answer can be written as UTF-8."""
    if text.isascii():
        return text
    return text.encode("utf-8", "replace").decode("utf-8")


def _slug(text: str) -> str:
    text = re.sub(r"Error$", "", text)
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def status_of(error: DomainError) -> int:
    return next((status for family, status in DOMAIN_STATUS if isinstance(error, family)), 409)


async def domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = status_of(error)
    hidden = hidden_not_found(error)  # one 404 for unknown and unrelated (api.existence)
    if hidden is not None:
        kind, title, detail = hidden
        return problem(status, detail, kind=kind, title=title)
    kind = _slug(type(error).__name__)
    extra: dict[str, Any] = {}
    if isinstance(error, InvalidValueError):  # the field it names, as validation errors do
        kind = "invalid-value"
        extra["errors"] = [{"loc": error.field.split("."), "msg": _encodable(error.problem)}]
    return problem(status, error.message, kind=kind, title=error.title, **extra)


async def authentication_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AuthenticationError)
    challenge = 'Bearer realm="kompetanse"'
    if error.token_given:
        challenge += ', error="invalid_token"'
    return problem(401, error.detail, headers={"WWW-Authenticate": challenge})


async def key_unavailable(_: Request, error: Exception) -> JSONResponse:
    log.warning("token keys unavailable: %s", error)
    return problem(503, "The identity provider's keys cannot be fetched; try again shortly")


async def attachment_refused(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AttachmentRefusedError)
    return problem(error.status, str(error))


async def validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    found = error.errors()
    errors = [  # at most MAX_ERRORS, each cut short: the answer stays small
        {
            "loc": [str(part)[:100] for part in item.get("loc", ())[:10]],
            "msg": str(item.get("msg", ""))[:300],
        }
        for item in found[:MAX_ERRORS]
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid"}
    where = ".".join(first["loc"]) or "request"
    detail = f"{where}: {first['msg']}"
    if len(found) > MAX_ERRORS:
        left_out = len(found) - MAX_ERRORS
        detail += f" ({len(found)} errors; the first {MAX_ERRORS} are listed)"
        return problem(422, detail, kind="validation", errors=errors, errors_left_out=left_out)
    return problem(422, detail, kind="validation", errors=errors)


async def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    detail = error.detail if isinstance(error.detail, str) else TITLES.get(error.status_code, "")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    return problem(error.status_code, detail, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method the app serves at this path: its OpenAPI operations and plain routes
    (the router names only the first route that matched, e.g. POST without the GET that
    another router serves there)."""
    path = request.url.path
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"\{[^}]+\}", template))
        if re.fullmatch(pattern, path):
            methods |= {method.upper() for method in operations if method.upper() in HTTP_METHODS}
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.path_regex.fullmatch(path):
            methods |= set(route.methods or ())
    return ", ".join(sorted(methods))


HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}


def install_error_handlers(app: FastAPI) -> None:
    """The one place where failures become HTTP answers."""
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(AuthenticationError, authentication_error)
    app.add_exception_handler(KeyUnavailableError, key_unavailable)
    app.add_exception_handler(AttachmentRefusedError, attachment_refused)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)


def is_store_outage(error: BaseException) -> bool:
    """A database driver's OperationalError/InterfaceError anywhere in the cause chain."""
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return False
        names = {cls.__name__ for cls in type(seen).__mro__}
        if names & {"OperationalError", "InterfaceError"}:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def unexpected_error(error: BaseException) -> JSONResponse:
    """The last resort: an outage of the store is 503, anything else a logged 500."""
    if is_store_outage(error):
        log.warning("event store unavailable: %s", error)
        return problem(503, "The event store is unavailable right now; try again shortly")
    log.exception("unhandled error", exc_info=error)
    return problem(500, "Something went wrong on our side; it has been logged")
