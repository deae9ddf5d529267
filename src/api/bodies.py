"""JSON command bodies: parsed once, and their shape checked before validation.

The command routers use `JsonBodyRoute`. Before FastAPI validates a body against its
model, the body (already capped in size by the router's `max_body_size`, see
`JSON_BODY_LIMIT`) is parsed here, once, and refused cheaply (422) when

- an object names the same key twice (RFC 8259 leaves the meaning open; a proxy or
  a log that keeps the other value would disagree with us),
- an object has more than `MAX_KEYS` members, an array more than `MAX_ITEMS`, or the
  nesting is deeper than `MAX_DEPTH` (no command body comes near; a body of 90,000
  unknown keys cost over a second of CPU on the event loop and a 5.8 MB error list),
- it holds `NaN` or `Infinity`, which are not JSON, or is not JSON at all.

FastAPI then reads the parsed value from the request (`Request.json()` caches it)
instead of parsing the body again (issue 22, findings 8 and 10).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from api.responses import COMMAND_PROBLEMS

# The longest text a command takes (50,000 characters) fits even when every character
# is sent as a `\uXXXX` escape (6 bytes), with room for the other members.
JSON_BODY_LIMIT = 320 * 1024
MAX_KEYS = 32  # the largest command body has 7 members
MAX_ITEMS = 1000  # the longest list a command takes has 500 items
MAX_DEPTH = 8  # the deepest command body is 2 levels


class BodyShapeError(ValueError):
    """Raised while parsing when the body has a shape no command body has."""

    def __init__(self, loc: tuple[str | int, ...], msg: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len(pairs) > MAX_KEYS:
        raise BodyShapeError(
            ("body",), f"an object has {len(pairs)} members; a command body has at most {MAX_KEYS}"
        )
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BodyShapeError(
                ("body", key[:100]), f"the key {key[:100]!r} appears twice; send each key once"
            )
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise BodyShapeError(("body",), f"{name} is not a JSON number; send a finite number")


def _check_nesting(value: Any) -> None:
    """Arrays no longer than MAX_ITEMS, nesting no deeper than MAX_DEPTH (no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            if len(item) > MAX_ITEMS:
                raise BodyShapeError(
                    ("body",),
                    f"a list has {len(item)} items; a command body has at most {MAX_ITEMS}",
                )
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise BodyShapeError(("body",), f"the body is nested deeper than {MAX_DEPTH} levels")
        pending.extend((child, depth + 1) for child in children)


def parse_json_body(body: bytes) -> Any:
    """The body's JSON value; RequestValidationError (422) for anything refused above."""
    try:
        value = json.loads(body, object_pairs_hook=_object, parse_constant=_constant)
        _check_nesting(value)
    except BodyShapeError as error:
        raise _invalid(error.loc, error.msg, "body_shape") from None
    except json.JSONDecodeError as error:
        raise _invalid(
            ("body", error.pos), f"JSON decode error: {error.msg}", "json_invalid"
        ) from None
    except RecursionError:
        raise _invalid(
            ("body",), f"the body is nested deeper than {MAX_DEPTH} levels", "body_shape"
        ) from None
    except (ValueError, UnicodeDecodeError) as error:  # e.g. an integer of 5,000 digits
        raise _invalid(
            ("body",), f"not a JSON body we can read: {str(error)[:200]}", "json_invalid"
        ) from None
    return value


def _invalid(loc: tuple[str | int, ...], msg: str, kind: str) -> RequestValidationError:
    return RequestValidationError([{"type": kind, "loc": loc, "msg": msg, "input": None}])


def _is_json(content_type: str) -> bool:
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class JsonBodyRoute(APIRoute):
    """A command route: its JSON body is parsed and checked here before validation."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        if self.body_field is None:
            return handle

        async def handler(request: Request) -> Response:
            content_type = request.headers.get("content-type")
            if content_type and _is_json(content_type):
                body = await request.body()  # capped by the router's max_body_size (413)
                if body:
                    request._json = parse_json_body(body)  # what Request.json() returns
            return await handle(request)

        return handler


def command_router(tag: str) -> APIRouter:
    """A router of command routes: JSON bodies parsed by `JsonBodyRoute` and capped at
    `JSON_BODY_LIMIT` (413) by each route itself, so the app can serve the routes as
    they are built here (see `api.app.create_app`)."""
    return APIRouter(
        tags=[tag],
        responses=COMMAND_PROBLEMS,
        route_class=JsonBodyRoute,
        max_body_size=JSON_BODY_LIMIT,
    )
