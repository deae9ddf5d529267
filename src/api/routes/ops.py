"""Operations: liveness, readiness with projection lag, Prometheus metrics (ADR 0009).

No token is needed here. `/readyz` answers 503 when the event store cannot be
reached or a projection running in this process has stopped; a stopped view is named
with the position and type of the event it stopped before and the class of the
error, never the error's text (SQL, values; ADR 0019).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from api.deps import ServicesDep
from api.errors import RETRY_AFTER_SECONDS, is_store_outage

router = APIRouter(tags=["operations"])
log = logging.getLogger("api.ops")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    store: dict[str, Any]
    projections: list[dict[str, Any]]


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(services: ServicesDep) -> JSONResponse:
    """The store is reachable and the projections are running, with their lag."""
    store = _store_status(services)
    projections, running = _projection_status(services)
    inline = services.settings.projections == "inline"
    ready = store["reachable"] and (running or not inline)
    body = {
        "status": "ready" if ready else "unavailable",
        "store": store,
        "projections": projections,
    }
    headers = {} if ready else {"Retry-After": RETRY_AFTER_SECONDS}
    return JSONResponse(body, status_code=200 if ready else 503, headers=headers)


def _store_status(services: ServicesDep) -> dict[str, Any]:
    try:
        services.store.check(probe=True)  # a direct connection first: no 20 s of retries
        position = services.application.recorder.max_notification_id() or 0
    except Exception as error:  # readiness probe: any failure means "not ready"
        log.warning("readiness: event store unreachable: %s", error)
        if is_store_outage(error):
            services.store.saw_outage(error)
        return {"reachable": False, "position": None}
    return {"reachable": True, "position": position}


def _projection_status(services: ServicesDep) -> tuple[list[dict[str, Any]], bool]:
    try:
        statuses = list(services.projections.status())
    except Exception as error:  # readiness probe: any failure means "not ready"
        log.warning("readiness: projection status unavailable: %s", error)
        return [], False
    rows = [{name: getattr(status, name, None) for name in STATUS_FIELDS} for status in statuses]
    for row in rows:
        for name in ("error", "event_type", "error_type"):
            row[name] = None if row[name] is None else str(row[name])
    return rows, all(bool(row["alive"]) for row in rows)


# what a view's status shows without a token: `error` is the follower's own sentence
# (view, event position and type, error class), never the database's words
STATUS_FIELDS = (
    "name",
    "position",
    "lag_events",
    "lag_seconds",
    "alive",
    "error",
    "stopped_at",
    "event_type",
    "error_type",
)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    """Request counts and latency by route template and status, commands recorded."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
