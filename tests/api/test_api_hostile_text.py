"""Hostile text and dates over HTTP (issue 22, findings 1, 2, 5 and part of 10): refused
as a 422 problem naming the field (`errors: [{loc, msg}]`), or for a token's claims a
401, never a 500; on SQLite and PostgreSQL.

A token's claims are part of the credential: a `name` claim that cannot be recorded
(a lone surrogate, a control or bidirectional control character) refuses the token
with 401 `invalid_token` on every route alike, since only the identity provider can
correct it; the request body is not at fault, so it is not a 422.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_world import Api, Person, build_team, problem_of, registration

from api.deps import Services
from kompetanse_domain.model.identity import candidate_id_for


def _invalid_value(response: Any, loc: list[str]) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem = problem_of(response)
    assert problem["type"] == "urn:kompetanse:problem:invalid-value"
    assert [error["loc"] for error in problem["errors"]] == [loc]
    assert f"{'.'.join(loc)} " in problem["detail"]  # the message names the field
    return problem


@pytest.mark.parametrize(
    ("field", "loc"),
    [("name", ["name"]), ("email", ["email"]), ("organisation", ["organisation", "name"])],
)
def test_nul_in_registration_is_422_naming_the_field(
    api: Api, services: Services, field: str, loc: list[str]
) -> None:
    body = registration()
    if field == "organisation":
        body["organisation"]["name"] = "Oslo\x00kommune"
    else:
        body[field] = f"lise\x00{body[field]}"
    before = services.application.recorder.max_notification_id()

    problem = _invalid_value(api.call("POST", "/v1/candidates", "candidate", body), loc)

    assert "control character (U+0000)" in problem["errors"][0]["msg"]
    assert services.application.recorder.max_notification_id() == before
    api.ok("POST", "/v1/candidates", "candidate", registration(), 201)


@pytest.mark.parametrize(
    "name",
    ["Lise \u202eegeL", "\u200b\u200b", "Lise \x1b[2J Lege", "Lise \x9b31m"],
    ids=["rtl-override", "zero-width-only", "terminal-escape", "c1-csi"],
)
def test_spoofing_names_are_refused_at_invitation(api: Api, name: str) -> None:
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    body = {"role": "leader", "name": name, "email": "leder@example.no"}

    _invalid_value(
        api.call("POST", f"/v1/candidates/{cid}/invitations", "candidate", body), ["name"]
    )


def test_lone_surrogate_in_a_body_is_422(api: Api) -> None:
    text = json.dumps(registration()).replace("Lise Lege", "Lise \\ud800 Lege")

    response = api.client.post(
        "/v1/candidates",
        content=text.encode(),
        headers={**api.headers("candidate"), "Content-Type": "application/json"},
    )

    assert response.status_code == 422, response.text  # the JSON parser refuses it already
    assert [error["loc"] for error in problem_of(response)["errors"]] == [["body", "name"]]


@pytest.mark.parametrize(
    "approved_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1899-12-31T12:00Z"]
)
def test_sync_approval_dated_outside_the_years_is_422(
    api: Api, services: Services, approved_at: str
) -> None:
    cid = build_team(api)
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    body = {
        "source_portal": "hospital-hso",
        "source_event_id": "evt-1",
        "person": {"sub": api.person("candidate").sub},
        "goal_code": "TEST-A-001",
        "approved_at": approved_at,
        "approver_name": "Overlege Hansen",
    }
    before = services.application.recorder.max_notification_id()

    problem = _invalid_value(api.call("POST", "/v1/sync/approvals", "sync", body), ["approved_at"])

    assert "outside the years 1900-2200" in problem["detail"]
    assert services.application.recorder.max_notification_id() == before
    body["approved_at"] = "2026-02-01T10:00:00+01:00"
    assert api.ok("POST", "/v1/sync/approvals", "sync", body)["applied"] is True


def test_sync_approval_with_a_nul_in_the_approver_name_is_422(api: Api) -> None:
    cid = build_team(api)
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    body = {
        "source_portal": "hospital-hso",
        "source_event_id": "evt-1",
        "person": {"sub": api.person("candidate").sub},
        "goal_code": "TEST-A-001",
        "approved_at": "2026-02-01T10:00:00+01:00",
        "approver_name": "Overlege\x00Hansen",
    }

    _invalid_value(api.call("POST", "/v1/sync/approvals", "sync", body), ["approver_name"])


@pytest.mark.parametrize(
    "name",
    ["Lise \ud800 Lege", "\udfff", "Lise \u202eegeL", "Lise\x00Lege", "Lise \x1b]0;x\x07"],
    ids=["lone-high-surrogate", "lone-low-surrogate", "rtl-override", "nul", "terminal-escape"],
)
def test_token_whose_name_claim_cannot_be_recorded_is_401(
    api: Api, services: Services, name: str
) -> None:
    api.people["odd"] = Person("odd-sub", name)

    for method, path, body in (
        ("POST", "/v1/candidates", registration()),
        ("GET", f"/v1/candidates/{candidate_id_for('odd-sub')}", None),
    ):
        response = api.call(method, path, "odd", body)

        assert response.status_code == 401, response.text
        problem = problem_of(response)
        assert problem["detail"].startswith("The token's name claim holds ")
        assert problem["detail"].endswith("ask your identity provider for a corrected token")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert services.application.recorder.max_notification_id() is None


def test_token_name_of_only_invisible_characters_falls_back_to_the_sub(
    api: Api, services: Services
) -> None:
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    api.people["ghost"] = Person("ghost-sub", "\u200b\u3164\u200d")
    invitation = api.ok(
        "POST",
        f"/v1/candidates/{cid}/invitations",
        "candidate",
        {"role": "leader", "name": "Leif Leder", "email": "leif@example.no"},
        201,
    )

    api.ok("POST", f"/v1/invitations/{invitation['token']}/accept", "ghost", {})

    leader = services.application.get_candidate(candidate_id_for("lis-sub")).leader
    assert leader == {"sub": "ghost-sub", "name": "ghost-sub"}
