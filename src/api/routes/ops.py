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
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
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
    notifications: dict[str, Any] | None = None  # the e-mail outbox (ADR 0025)


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
    if services.notifications is not None:  # reported, never a reason to refuse traffic
        body["notifications"] = _notification_status(services)
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


def _notification_status(services: ServicesDep) -> dict[str, Any]:
    assert services.notifications is not None
    try:
        status = services.notifications.status()
    except Exception as error:  # readiness probe: report, do not fail
        log.warning("readiness: notification status unavailable: %s", error)
        return {"available": False}
    follower = status["follower"][0] if status["follower"] else {}
    return {"available": True, "outbox": status["outbox"], "follower": follower}


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
    """Request counts and latency by route template and status, commands recorded, and the
    e-mail outbox: waiting, the oldest's age, failed attempts (ADR 0025)."""
    text = request.app.state.metrics.exposition()
    notifications = request.app.state.services.notifications
    if notifications is not None:
        text += outbox_metrics(notifications)
    return Response(text, media_type=CONTENT_TYPE_LATEST)


def outbox_metrics(notifications: Any) -> bytes:
    """The outbox's gauges, read from the database (the same in every worker)."""
    try:
        outbox = notifications.status()["outbox"]
    except Exception as error:  # a scrape must not fail because the database is away
        log.warning("metrics: notification status unavailable: %s", error)
        return b""
    registry = CollectorRegistry()
    gauges = {
        "waiting": "E-mails of notifications not delivered yet",
        "oldest_waiting_seconds": "Age of the oldest e-mail not delivered yet (0: none)",
        "failures": "Failed delivery attempts of the e-mails still waiting",
        "undeliverable": "E-mails whose recipient has no known address",
        "sent": "E-mails delivered",
    }
    for name, help_text in gauges.items():
        gauge = Gauge(f"kompetanse_notification_outbox_{name}", help_text, registry=registry)
        gauge.set(outbox[name] or 0)
    return generate_latest(registry)
