"""Command routes beyond the matrix: status codes, answers and refusals of API.md."""

from __future__ import annotations

from api_world import YESTERDAY, Api, build_team, problem_of, registration


def test_register_returns_201_candidate_id_etag_and_position(api: Api) -> None:
    response = api.call("POST", "/v1/candidates", "candidate", registration())
    assert response.status_code == 201
    assert set(response.json()) == {"candidate_id"}
    assert response.headers["ETag"] == '"1"'
    assert int(response.headers["X-Event-Position"]) >= 1


def test_registering_twice_is_409(api: Api) -> None:
    api.ok("POST", "/v1/candidates", "candidate", registration(), 201)
    again = api.call("POST", "/v1/candidates", "candidate", registration())
    assert again.status_code == 409
    assert "R1" in problem_of(again)["detail"]


def test_second_leader_invitation_is_409(api: Api) -> None:
    cid = build_team(api)
    body = {"role": "leader", "name": "Ny Leder", "email": "ny@example.no"}
    response = api.call("POST", f"/v1/candidates/{cid}/invitations", "candidate", body)
    assert response.status_code == 409
    assert problem_of(response)["type"] == "urn:kompetanse:problem:role-already-held"


def test_invitation_is_accepted_once_without_body_and_then_409(api: Api) -> None:
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    body = {"role": "supervisor", "name": "Siri", "email": "siri@example.no"}
    token = api.ok("POST", f"/v1/candidates/{cid}/invitations", "candidate", body, 201)["token"]
    accepted = api.call("POST", f"/v1/invitations/{token}/accept", "supervisor")
    assert accepted.status_code == 200
    assert accepted.json() == {"candidate_id": cid, "role": "supervisor"}
    again = api.call("POST", f"/v1/invitations/{token}/accept", "supervisor_2", {})
    assert again.status_code == 409
    problem_of(again)


def test_unknown_invitation_token_is_404(api: Api) -> None:
    response = api.call("POST", "/v1/invitations/not.a-token/accept", "supervisor", {})
    assert response.status_code == 404
    problem_of(response)


def test_pending_invitation_can_be_revoked(api: Api) -> None:
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    body = {"role": "leader", "name": "Leif", "email": "leif@example.no"}
    invitation = api.ok("POST", f"/v1/candidates/{cid}/invitations", "candidate", body, 201)
    path = f"/v1/candidates/{cid}/invitations/{invitation['invitation_id']}"
    assert api.call("DELETE", path, "candidate").status_code == 204
    accept = api.call("POST", f"/v1/invitations/{invitation['token']}/accept", "leader", {})
    assert accept.status_code == 409


def test_archiving_a_plan_with_unapproved_goals_is_409(api: Api) -> None:
    cid = build_team(api)
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "FKM"}, 201)
    response = api.call("POST", f"/v1/candidates/{cid}/plans/FKM/archive", "leader", {})
    assert response.status_code == 409
    assert "R5" in problem_of(response)["detail"]


def test_removing_a_plan_needs_a_reason(api: Api) -> None:
    cid = build_team(api)
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    path = f"/v1/candidates/{cid}/plans/TEST-A"
    assert api.call("DELETE", path, "leader", {}).status_code == 422
    assert api.call("DELETE", path, "leader", {"reason": "   "}).status_code == 422
    assert api.call("DELETE", path, "leader", {"reason": "Tildelt ved en feil"}).status_code == 204


def test_unknown_plan_is_404(api: Api) -> None:
    cid = build_team(api)
    body = {"plan_code": "NOPE"}
    assert api.call("POST", f"/v1/candidates/{cid}/plans", "leader", body).status_code == 404


def test_activity_kind_outside_the_list_is_422(api: Api) -> None:
    cid = build_team(api)
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    body = {"title": "Kurs", "kind": "party", "fulfilled_on": YESTERDAY}
    path = f"/v1/candidates/{cid}/goals/TEST-A-001/activities"
    response = api.call("POST", path, "candidate", body)
    assert response.status_code == 422
    problem_of(response)


def test_approving_a_goal_that_was_not_sent_is_409(api: Api) -> None:
    cid = build_team(api)
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    path = f"/v1/candidates/{cid}/goals/TEST-A-001/approve"
    assert api.call("POST", path, "leader", {}).status_code == 409


def _sync_body(**person: str) -> dict[str, object]:
    return {
        "source_portal": "hospital-hso",
        "source_event_id": "evt-1",
        "person": person,
        "goal_code": "TEST-A-001",
        "approved_at": "2026-02-01T10:00:00+01:00",
        "approver_name": "Overlege Hansen",
    }


def test_sync_approval_applies_once_and_needs_the_sync_role(api: Api) -> None:
    cid = build_team(api)
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    body = _sync_body(sub=api.person("candidate").sub)

    refused = api.call("POST", "/v1/sync/approvals", "leader", body)
    assert refused.status_code == 403
    problem_of(refused)

    assert api.ok("POST", "/v1/sync/approvals", "sync", body) == {
        "candidate_id": cid,
        "applied": True,
    }
    assert api.ok("POST", "/v1/sync/approvals", "sync", body) == {
        "candidate_id": cid,
        "applied": False,
    }


def test_sync_approval_for_unknown_person_is_404(api: Api) -> None:
    body = _sync_body(hpr_number="99999999")
    assert api.call("POST", "/v1/sync/approvals", "sync", body).status_code == 404
