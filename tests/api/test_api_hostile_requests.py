"""Requests a careless client or an attacker sends (issue 22, findings 4, 8 and 10),
on SQLite and PostgreSQL: each is refused with a small problem, cheaply, and records
nothing; answers with personal data are never kept by a cache.

Tests that check that nothing was recorded get a new database each; the other refusals
share one app and store per module (`shared`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from api_world import Api, problem_of, registration, services_with_views

from api.bodies import JSON_BODY_LIMIT, MAX_KEYS
from api.deps import Services
from api.errors import MAX_ERRORS

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """The shared fixture's services, but with the real read side following the store."""
    with services_with_views(database_url, data_dir) as services:
        yield services


def _register(api: Api, who: str = "candidate") -> httpx.Response:
    response = api.call("POST", "/v1/candidates", who, registration())
    assert response.status_code == 201, response.text
    return response


def _raw_post(api: Api, path: str, content: bytes, who: str = "candidate") -> httpx.Response:
    return api.client.post(path, content=content, headers=api.headers(who, JSON))


# -- finding 4: X-Min-Position ------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["²".encode("latin-1"), "1¹".encode("latin-1"), "³³".encode("latin-1"), b"12a", b"-1", b""],
)
def test_a_min_position_that_is_not_ascii_digits_is_a_400_problem(
    shared: Api, value: bytes
) -> None:
    """Sent as raw header bytes, as a server receives them (the test client would
    re-encode them as UTF-8; a server decodes header bytes as Latin-1, so b"\xb2" is
    "²", which `str.isdigit()` takes for a digit)."""
    headers = {**shared.headers("candidate"), "X-Min-Position": value}

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=shared.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/v1/leaders/me/candidates", headers=headers)

    response = asyncio.run(send())

    assert response.status_code == 400, response.text
    assert "X-Min-Position" in problem_of(response)["detail"]


# -- finding 8: a huge body of unknown keys ----------------------------------------------


def _unknown_keys(count: int) -> bytes:
    """About 11 bytes a key: 90,000 of them are just under 1 MiB."""
    return json.dumps({f"x{n:05d}": 0 for n in range(count)}, separators=(",", ":")).encode()


def test_a_body_of_90000_unknown_keys_answers_a_small_4xx_quickly_and_healthz_keeps_answering(
    api: Api,
) -> None:
    body = _unknown_keys(90_000)
    assert 900 * 1024 < len(body) < 1024 * 1024  # just under the former 1 MiB limit

    def post() -> tuple[httpx.Response, float]:
        started = time.monotonic()
        response = _raw_post(api, "/v1/candidates", body)
        return response, time.monotonic() - started

    with ThreadPoolExecutor(6) as pool:
        floods = [pool.submit(post) for _ in range(6)]
        started = time.monotonic()
        health = api.client.get("/healthz")
        health_took = time.monotonic() - started
        answers = [flood.result() for flood in floods]

    assert health.status_code == 200
    assert health_took < 3.0, f"/healthz took {health_took:.1f} s"
    for response, _took in answers:
        assert response.status_code == 413, response.text[:300]
        assert len(response.content) < 2_000
        problem_of(response)
    assert min(took for _, took in answers) < 3.0
    assert _register(api).status_code == 201  # nothing was recorded meanwhile


def test_an_object_with_more_keys_than_any_command_body_is_a_small_422(shared: Api) -> None:
    body = _unknown_keys(20_000)
    assert len(body) < JSON_BODY_LIMIT

    response = _raw_post(shared, "/v1/candidates", body)

    assert response.status_code == 422, response.text[:300]
    assert len(response.content) < 2_000
    assert f"at most {MAX_KEYS}" in problem_of(response)["detail"]


def test_a_body_with_many_errors_lists_the_first_20_and_says_how_many_were_left_out(
    shared: Api,
) -> None:
    body = {f"unknown_{n}": n for n in range(MAX_KEYS - 2)}  # 30 unknown, 4 missing

    response = shared.call("POST", "/v1/candidates", "candidate", body)

    problem = problem_of(response)
    assert response.status_code == 422
    assert len(problem["errors"]) == MAX_ERRORS
    assert problem["errors_left_out"] == (MAX_KEYS - 2) + 4 - MAX_ERRORS
    assert f"the first {MAX_ERRORS} are listed" in problem["detail"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"goals_discussed": [' + b",".join([b'"X-001"'] * 1001) + b'], "text": "x"}', "items"),
        (b'{"text": "x", "a": ' + b"[" * 50 + b"]" * 50 + b"}", "nested"),
        (b'{"text": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested"),
        (b'{"text": NaN}', "NaN"),
        (b'{"text": "x", "n": 1' + b"0" * 5000 + b"}", "JSON"),
        (b'{"text": "x"', "JSON decode error"),
    ],
    ids=["long list", "deep", "very deep", "NaN", "huge integer", "truncated"],
)
def test_bodies_of_a_shape_no_command_has_are_small_422_problems(
    shared: Api, content: bytes, says: str
) -> None:
    response = shared.client.put(
        "/v1/meetings/00000000-0000-4000-8000-000000000000/summary",
        content=content,
        headers=shared.headers("veileder", JSON),
    )

    assert response.status_code == 422, response.text[:300]
    assert says in problem_of(response)["detail"]
    assert len(response.content) < 2_000


# -- finding 10: duplicate JSON keys, two Authorization headers, Cache-Control -------------


@pytest.mark.parametrize(
    "content",
    [
        b'{"name": "Lise Lege", "name": "Mallory", "email": "lise@example.no", '
        b'"specialty": "ALM", "organisation": {"id": "k-0301", "name": "Oslo kommune"}}',
        b'{"name": "Lise Lege", "email": "lise@example.no", "specialty": "ALM", '
        b'"organisation": {"id": "k-0301", "name": "Oslo kommune", "id": "k-9999"}}',
    ],
    ids=["top level", "nested"],
)
def test_a_json_body_with_a_key_twice_is_a_422_and_records_nothing(
    api: Api, content: bytes
) -> None:
    response = _raw_post(api, "/v1/candidates", content)

    assert response.status_code == 422, response.text
    assert "appears twice" in problem_of(response)["detail"]
    assert _register(api).status_code == 201  # the refused registration left nothing


def test_two_authorization_headers_are_a_400_and_record_nothing(api: Api) -> None:
    mine, other = api.headers("candidate"), api.headers("leader")
    twice = [("Authorization", mine["Authorization"]), ("Authorization", other["Authorization"])]

    command = api.client.post("/v1/candidates", json=registration(), headers=twice)
    query = api.client.get("/v1/leaders/me/candidates", headers=twice)

    for response in (command, query):
        assert response.status_code == 400, response.text
        assert "one Authorization header" in problem_of(response)["detail"]
    assert _register(api).status_code == 201
    assert api.call("GET", "/v1/leaders/me/candidates", "candidate").status_code == 200


def test_every_answer_with_personal_data_says_no_store(api: Api) -> None:
    created = _register(api)
    cid = created.json()["candidate_id"]
    wait = {"X-Min-Position": created.headers["X-Event-Position"]}
    answers = {
        "command": created,
        "query": api.call("GET", f"/v1/candidates/{cid}", "candidate", headers=wait),
        "list": api.call("GET", "/v1/leaders/me/candidates", "candidate", headers=wait),
        "csv": api.call("GET", "/v1/leaders/me/report.csv", "candidate", headers=wait),
        "404 problem": api.call("GET", f"/v1/candidates/{cid}", "unrelated"),
        "401 problem": api.call("GET", f"/v1/candidates/{cid}", None),
        "422 problem": api.call("POST", "/v1/candidates", "candidate", {"name": "x"}),
        "unknown route": api.call("GET", "/v1/nothing-here", "candidate"),
    }

    assert answers["query"].status_code == 200
    assert answers["csv"].status_code == 200
    missing = {
        case: response.headers.get("Cache-Control")
        for case, response in answers.items()
        if "no-store" not in response.headers.get("Cache-Control", "")
    }
    assert missing == {}
