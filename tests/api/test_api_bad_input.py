"""No input produces a 500 (API.md): malformed requests are 4xx problem details.

Parsing happens before storage is touched, so these run on SQLite only; the store
outage tests at the end run on both stores.
"""

from __future__ import annotations

import uuid

import pytest
from api_world import Api, problem_of, registration

SOME_ID = "0b6f3b7e-5d0a-4c1e-9a57-3f2d1c0b9a88"
MEETING = {"scheduled_for": "2026-03-01", "planned_minutes": 60}


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def cid(api: Api) -> str:
    return str(api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"])


def _raw(api: Api, path: str, content: bytes, content_type: str = "application/json") -> object:
    headers = api.headers("candidate", {"Content-Type": content_type})
    return api.client.post(path, content=content, headers=headers)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{", "application/json"),
        (b'{"name": ', "application/json"),
        (b"[]", "application/json"),
        (b"null", "application/json"),
        (b'"text"', "application/json"),
        (b"\xff\xfe\xfa not utf-8", "application/json"),
        (b"name=x", "application/x-www-form-urlencoded"),
        (b"<xml/>", "text/xml"),
        (b"", "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b'{"a": ' + b"9" * 5000 + b"}", "application/json"),
    ],
    ids=[
        "truncated",
        "half",
        "array",
        "null",
        "string",
        "non_utf8",
        "form",
        "xml",
        "empty",
        "deep_nesting",
        "5000_digit_number",
    ],
)
def test_malformed_bodies_are_4xx_problems(api: Api, content: bytes, content_type: str) -> None:
    response = _raw(api, "/v1/candidates", content, content_type)
    assert 400 <= response.status_code < 500, response.text
    problem_of(response)


def test_validation_problem_lists_each_error_with_loc_and_msg(api: Api) -> None:
    response = api.call("POST", "/v1/candidates", "candidate", {"name": "", "extra": 1})
    assert response.status_code == 422
    errors = problem_of(response)["errors"]
    assert {"loc", "msg"} == set(errors[0])
    locations = {tuple(error["loc"]) for error in errors}
    assert ("body", "extra") in locations
    assert ("body", "email") in locations


@pytest.mark.parametrize("minutes", [10**30, -(10**30), 1e308, 1.5, "sixty", None, True], ids=repr)
def test_out_of_range_or_mistyped_numbers_are_422(api: Api, cid: str, minutes: object) -> None:
    body = {**MEETING, "planned_minutes": minutes}
    response = api.call("POST", f"/v1/candidates/{cid}/meetings", "veileder", body)
    assert response.status_code == 422, response.text


def test_infinity_literal_is_4xx(api: Api, cid: str) -> None:
    content = b'{"scheduled_for": "2026-03-01", "planned_minutes": Infinity}'
    response = _raw(api, f"/v1/candidates/{cid}/meetings", content)
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/v1/candidates/not-a-uuid/invitations",
        "/v1/candidates/%00/invitations",
        "/v1/meetings/123/finalise",
        f"/v1/candidates/{SOME_ID}/goals/alm-55/comments",
        f"/v1/candidates/{SOME_ID}/goals/ALM-001/activities/x/sign",
    ],
)
def test_malformed_path_parameters_are_422(api: Api, path: str) -> None:
    response = api.call("POST", path, "candidate", {"text": "x"})
    assert response.status_code == 422, response.text
    problem_of(response)


def test_naive_datetime_is_422_but_date_or_offset_instant_is_accepted(api: Api, cid: str) -> None:
    naive = {**MEETING, "scheduled_for": "2026-03-01T10:00:00"}
    path = f"/v1/candidates/{cid}/meetings"
    assert api.call("POST", path, "veileder", naive).status_code == 422
    aware = {**MEETING, "scheduled_for": "2026-03-01T10:00:00+01:00"}
    assert api.call("POST", path, "candidate", aware).status_code == 403


def test_json_body_over_1_mib_is_413(api: Api, cid: str) -> None:
    body = {"text": "x" * (1024 * 1024 + 10)}
    response = api.call("PUT", f"/v1/meetings/{uuid.uuid4()}/preparation", "veileder", body)
    assert response.status_code == 413
    problem_of(response)


def test_unknown_route_is_404_problem_and_wrong_method_405(api: Api) -> None:
    problem_of(api.call("GET", "/v1/nothing-here", "candidate"))
    wrong = api.call("PATCH", "/v1/candidates", "candidate", {})
    assert wrong.status_code == 405
    problem_of(wrong)


def test_unknown_candidate_is_404_not_500(api: Api) -> None:
    body = {"role": "leader", "name": "Leif", "email": "leif@example.no"}
    response = api.call("POST", f"/v1/candidates/{uuid.uuid4()}/invitations", "candidate", body)
    assert response.status_code == 404
    problem_of(response)
