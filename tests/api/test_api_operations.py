"""Operations (ADR 0009): health, readiness, metrics, request ids, logs, outages."""

from __future__ import annotations

import json
import logging

import psycopg
import pytest
from api_world import (
    Api,
    FakeProjections,
    build_team,
    invite_and_accept,
    problem_of,
    registration,
)

from api.deps import Services
from kompetanse_domain.errors import UnavailableError


def test_healthz_needs_no_token(api: Api) -> None:
    response = api.client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_reports_store_position_and_projection_lag(api: Api) -> None:
    api.ok("POST", "/v1/candidates", "candidate", registration(), 201)
    response = api.client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["store"] == {"reachable": True, "position": 1}
    assert body["projections"][0]["lag_events"] == 0
    assert body["projections"][0]["alive"] is True


def test_readyz_is_503_when_a_projection_has_stopped(api: Api, services: Services) -> None:
    assert isinstance(services.projections, FakeProjections)
    services.projections.alive = False
    response = api.client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.json()["status"] == "unavailable"


def test_readyz_is_503_when_the_store_is_unreachable(
    api: Api, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down() -> int:
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(services.application.recorder, "max_notification_id", down)
    response = api.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["store"]["reachable"] is False


def test_metrics_count_requests_by_route_template_and_status(api: Api) -> None:
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    api.call("POST", f"/v1/candidates/{cid}/invitations", "unrelated", {"role": "leader"})
    text = api.client.get("/metrics").text
    assert 'route="/v1/candidates",status="201"' in text
    assert 'route="/v1/candidates/{cid}/invitations",status="422"' in text
    assert "kompetanse_http_request_duration_seconds_bucket" in text
    assert 'kompetanse_commands_recorded_total{route="/v1/candidates"} 1.0' in text


def test_request_id_is_echoed_or_generated(api: Api) -> None:
    echoed = api.client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert echoed.headers["X-Request-Id"] == "abc-123"
    generated = api.client.get("/healthz", headers={"X-Request-Id": "bad id\n"})
    assert len(generated.headers["X-Request-Id"]) == 32


def test_access_log_is_one_json_line_per_request_without_tokens(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    from api.observability import JsonLogFormatter

    cid = build_team(api)
    caplog.set_level(logging.INFO, logger="kompetanse.access")
    invite_and_accept(api, cid, "supervisor", "candidate", "supervisor_9")
    lines = [JsonLogFormatter().format(r) for r in caplog.records if r.name == "kompetanse.access"]
    assert len(lines) == 2
    entries = [json.loads(line) for line in lines]
    assert entries[1]["route"] == "/v1/invitations/{token}/accept"
    assert entries[1]["path"] == "/v1/invitations/{token}/accept"
    assert entries[1]["sub"] == api.person("supervisor_9").sub
    assert {"request_id", "method", "status", "ms"} <= entries[0].keys()
    token = api.token_for(api.person("candidate"))
    assert not any(token in line or "Bearer" in line for line in lines)


def test_store_outage_inside_a_command_is_503_with_retry_after(
    api: Api, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def outage(*_: object, **__: object) -> None:
        raise UnavailableError("The event store is unavailable: connection refused")

    monkeypatch.setattr(services.application, "register_candidate", outage)
    response = api.call("POST", "/v1/candidates", "candidate", registration())
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    problem_of(response)


def test_driver_error_escaping_the_application_is_503_not_500(
    api: Api, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def outage(*_: object, **__: object) -> None:
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services.application, "register_candidate", outage)
    response = api.call("POST", "/v1/candidates", "candidate", registration())
    assert response.status_code == 503
    problem_of(response)


def test_a_bug_is_a_logged_500_problem_without_details(
    api: Api, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services.application, "register_candidate", bug)
    response = api.call("POST", "/v1/candidates", "candidate", registration())
    assert response.status_code == 500
    assert "secret internals" not in problem_of(response)["detail"]
    assert response.headers["X-Request-Id"]
