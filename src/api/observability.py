"""Request logs, request ids and Prometheus metrics (ADR 0009).

One pure ASGI middleware wraps every request: it takes the `X-Request-Id` (or
makes one) and returns it, times the request, counts it by route template and
status, writes one JSON log line, and turns any exception that escaped the
handlers into a problem response (503 for a store outage, else a logged 500). Answers
under /v1 and every problem carry `Cache-Control: no-store` (personal data).
Headers are never logged, so neither is a bearer token; paths with an invitation
token are logged by their template only.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM_JSON, problem, unexpected_error

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # set by `serve --workers N` for its workers
REQUEST_ID = "x-request-id"
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("kompetanse.access")


class Metrics:
    """The API's Prometheus collectors, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kompetanse_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "kompetanse_http_request_duration_seconds",
            "HTTP request latency by method and route template",
            ["method", "route"],
            registry=self.registry,
        )
        self.commands = Counter(
            "kompetanse_commands_recorded",
            "Commands that wrote new events (idempotent replays excluded), by route",
            ["route"],
            registry=self.registry,
        )
        self.position = Gauge(
            "kompetanse_event_position",
            "Position of the last event this process wrote (of all workers: the highest)",
            registry=self.registry,
            multiprocess_mode="max",
        )

    def exposition(self) -> bytes:
        """The Prometheus text of this process, or of every worker of `serve --workers N`
        (they write their values to files in `PROMETHEUS_MULTIPROC_DIR`)."""
        if not os.environ.get(MULTIPROCESS_DIR):
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def command_recorded(self, route: str, position: int) -> None:
        self.commands.labels(route=route).inc()
        if position:
            self.position.set(position)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)


def _too_large_problem(headers: MutableHeaders) -> bytes:
    """Starlette's body limit answers 413 in plain text; we answer problem+json."""
    body = problem(413, "The request body is larger than this endpoint accepts").body
    headers["content-type"] = PROBLEM_JSON
    headers["content-length"] = str(len(body))
    return bytes(body)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _personal(scope: Scope, headers: MutableHeaders) -> bool:
    """Answers that may carry personal data, which no cache may keep: everything under
    /v1 (JSON, CSV, files) and every problem (issue 22, finding 10)."""
    path = str(scope.get("path", ""))
    return path.startswith("/v1/") or headers.get("content-type", "").startswith(PROBLEM_JSON)


class RequestObservation:
    """Request id, access log, metrics, and the last-resort error answer."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, REQUEST_ID.encode())
        request_id = given if given and _REQUEST_ID_PATTERN.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status, started, begin = 500, False, time.perf_counter()

        replacement: bytes | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status, started, replacement
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
                if status == 413 and headers.get("content-type", "").startswith("text/plain"):
                    replacement = _too_large_problem(headers)
                if _personal(scope, headers):
                    headers.setdefault("Cache-Control", "no-store")
            elif message["type"] == "http.response.body" and replacement is not None:
                if not replacement:
                    return  # the rest of the replaced body
                message = {"type": "http.response.body", "body": replacement}
                replacement = b""
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            if started:
                raise
            await unexpected_error(error)(scope, receive, send_with_id)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - begin)

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "<unmatched>"
        method = scope.get("method", "")
        self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
        self.metrics.latency.labels(method=method, route=route).observe(seconds)
        path = route if "token" in scope.get("path_params", {}) else scope.get("path", "")
        fields = {
            "request_id": request_id,
            "method": method,
            "route": route,
            "path": path,
            "status": status,
            "ms": round(seconds * 1000, 1),
            "sub": scope.get("state", {}).get("sub"),
        }
        access_log.info("%s %s %s", method, path, status, extra={"fields": fields})
