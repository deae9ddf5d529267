"""`as_of` at the ends of the date range (issue 22, finding 3): a 422 problem naming
the parameter, never a 500; on SQLite and PostgreSQL. Every stored instant lies within
1900-2200 (`kompetanse_domain.model.values`), so an `as_of` outside asks nothing."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from audit_support import Shared

EDGES = [
    "0001-01-01T00:00:00+00:01",  # before year 1 in UTC
    "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
    "0001-01-01T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "2201-01-01T00:00:00-01:00",
]


@pytest.mark.parametrize("route", ["history", "state"])
@pytest.mark.parametrize("as_of", EDGES)
def test_as_of_outside_the_years_is_422_naming_the_parameter(
    shared: Shared, route: str, as_of: str
) -> None:
    first, _ = shared.story
    path = f"/v1/candidates/{first.candidate_id}/{route}?as_of={quote(as_of)}"

    response = shared.http.get(path, first.people.auditor)

    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["type"] == "urn:kompetanse:problem:invalid-value"
    assert problem["errors"] == [
        {"loc": ["as_of"], "msg": "".join(problem["detail"].partition(" ")[2:])}
    ]
    assert "outside the years 1900-2200; give a date within them" in problem["detail"]


@pytest.mark.parametrize("route", ["history", "state"])
def test_as_of_at_the_first_and_last_instant_of_the_range_answers(
    shared: Shared, route: str
) -> None:
    first, _ = shared.story
    for as_of in ("1900-01-01T00:00:00Z", "2200-12-31T23:59:59Z"):
        path = f"/v1/candidates/{first.candidate_id}/{route}?as_of={quote(as_of)}"
        response = shared.http.get(path, first.people.auditor)
        assert response.status_code == 200, response.text
