"""Retries and concurrency over HTTP (ADR 0007, ADR 0009): Idempotency-Key and If-Match."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from api_world import Api, Person, problem_of, registration
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import Services


def _invite(api: Api, cid: str, headers: dict[str, str], email: str = "sup@example.no") -> Any:
    body = {"role": "supervisor", "name": "Siri Supervisør", "email": email}
    return api.call("POST", f"/v1/candidates/{cid}/invitations", "candidate", body, headers=headers)


def _register(api: Api) -> str:
    return str(api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"])


def test_retry_with_same_key_and_body_returns_first_answer_and_records_nothing(
    api: Api, services: Services
) -> None:
    cid = _register(api)
    first = _invite(api, cid, {"Idempotency-Key": "invite-1"})
    assert first.status_code == 201
    position = services.application.recorder.max_notification_id()

    retry = _invite(api, cid, {"Idempotency-Key": "invite-1"})

    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["ETag"] == first.headers["ETag"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert services.application.recorder.max_notification_id() == position


def test_same_key_with_another_body_is_422(api: Api) -> None:
    cid = _register(api)
    assert _invite(api, cid, {"Idempotency-Key": "invite-1"}).status_code == 201

    reused = _invite(api, cid, {"Idempotency-Key": "invite-1"}, email="other@example.no")

    assert reused.status_code == 422
    assert "Idempotency-Key" in problem_of(reused)["detail"]


def test_malformed_idempotency_key_is_422(api: Api) -> None:
    cid = _register(api)
    assert _invite(api, cid, {"Idempotency-Key": "x" * 300}).status_code == 422


def test_if_match_with_current_version_succeeds_and_returns_new_etag(api: Api) -> None:
    created = api.call("POST", "/v1/candidates", "candidate", registration())
    cid, etag = created.json()["candidate_id"], created.headers["ETag"]
    assert etag == '"1"'

    changed = _invite(api, cid, {"If-Match": etag})
    assert changed.status_code == 201
    assert changed.headers["ETag"] == '"2"'

    weak = _invite(api, cid, {"If-Match": 'W/"2"'}, email="sup2@example.no")
    assert weak.status_code == 201
    assert weak.headers["ETag"] == '"3"'


def test_if_match_with_stale_version_is_412_and_records_nothing(
    api: Api, services: Services
) -> None:
    cid = _register(api)
    assert _invite(api, cid, {}).status_code == 201
    position = services.application.recorder.max_notification_id()

    stale = _invite(api, cid, {"If-Match": '"1"'}, email="late@example.no")

    assert stale.status_code == 412
    problem_of(stale)
    assert services.application.recorder.max_notification_id() == position


def test_malformed_if_match_is_412(api: Api) -> None:
    cid = _register(api)
    for value in ("3", '"abc"', '"1", "2"'):
        response = _invite(api, cid, {"If-Match": value})
        assert response.status_code == 412, value
        problem_of(response)


def test_if_match_star_matches_any_version(api: Api) -> None:
    cid = _register(api)
    assert _invite(api, cid, {"If-Match": "*"}).status_code == 201


@pytest.mark.parametrize("threads", [1, 4])
def test_concurrent_commands_on_one_version_let_exactly_one_through(
    services: Services, people: dict[str, Person], token_for: Any, threads: int
) -> None:
    settings = replace(services.settings, command_threads=threads)  # KOMPETANSE_COMMAND_THREADS
    with TestClient(create_app(replace(services, settings=settings))) as client:
        api = Api(client, people, token_for)
        created = api.call("POST", "/v1/candidates", "candidate", registration())
        cid, etag = created.json()["candidate_id"], created.headers["ETag"]
        position = services.application.recorder.max_notification_id()

        def invite(n: int) -> int:
            email = f"sup{n}@example.no"
            return int(_invite(api, cid, {"If-Match": etag}, email=email).status_code)

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = sorted(pool.map(invite, range(8)))

    assert statuses == [201] + [412] * 7
    assert services.application.recorder.max_notification_id() == position + 1
