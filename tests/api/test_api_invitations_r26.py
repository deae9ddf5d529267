"""Invitations the candidate and the leader can see, bound to an HPR number, and deputies
with an end date (API.md v1.1 "Mentor and leader", issue 24 point 4; R2, R3, R7), over
HTTP on SQLite and PostgreSQL. Refusals leave nothing stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import invite_and_accept, problem_of, registration
from test_api_rules_over_http import Reads, oslo_today, reads, refused, services

from kompetanse.devkeys import mint_dev_token
from kompetanse_domain.model import candidate_invitations

__all__ = ["reads", "services"]  # fixtures, used by name


def settled(reads: Reads) -> None:
    """Reads wait for the last stored event (helpers that send without `Reads`)."""
    application = reads.api.client.app.state.services.application  # type: ignore[attr-defined]
    reads.position = application.recorder.max_notification_id() or 0


def registered(reads: Reads) -> str:
    cid: str = reads.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    invite_and_accept(reads.api, cid, "leader", "candidate", "leader")
    settled(reads)
    return cid


def invite(reads: Reads, cid: str, who: str, body: dict[str, Any]) -> httpx.Response:
    return reads.call("POST", f"/v1/candidates/{cid}/invitations", who, body)


def invitations(reads: Reads, cid: str, who: str) -> list[dict[str, Any]]:
    answer = reads.ok("GET", f"/v1/candidates/{cid}/invitations", who)
    assert answer["count"] == len(answer["data"])
    items: list[dict[str, Any]] = answer["data"]
    return items


def history_length(reads: Reads, cid: str) -> int:
    return int(reads.get(f"/v1/candidates/{cid}/history", "auditor")["count"])


def test_r26_the_candidate_and_the_leader_list_invitations_with_their_states(
    reads: Reads,
) -> None:
    cid = registered(reads)
    pending = invite(
        reads, cid, "candidate", {"role": "supervisor", "name": "Siri", "email": "siri@example.no"}
    )
    assert pending.status_code == 201, pending.text
    issued = pending.json()
    expires_at = datetime.fromisoformat(issued["expires_at"])
    assert timedelta(days=29) < expires_at - datetime.now(expires_at.tzinfo) <= timedelta(days=30)
    revoked = reads.ok(
        "POST",
        f"/v1/candidates/{cid}/invitations",
        "candidate",
        {"role": "veileder", "name": "Vera", "email": "vera@example.no"},
        201,
    )
    reads.ok(
        "DELETE",
        f"/v1/candidates/{cid}/invitations/{revoked['invitation_id']}",
        "candidate",
        status=204,
    )

    for who in ("candidate", "leader"):
        listed = invitations(reads, cid, who)
        assert [(i["role"], i["name"], i["email"], i["state"]) for i in listed] == [
            ("leader", "Leif Leder", "leader-sub@example.no", "accepted"),
            ("supervisor", "Siri", "siri@example.no", "pending"),
            ("veileder", "Vera", "vera@example.no", "revoked"),
        ]
        assert listed[1]["invitation_id"] == issued["invitation_id"]
        assert datetime.fromisoformat(listed[1]["expires_at"]) == expires_at
    invite_and_accept(reads.api, cid, "supervisor", "candidate", "supervisor")
    refused(reads.call("GET", f"/v1/candidates/{cid}/invitations", "supervisor"), 403, "R2")
    assert reads.call("GET", f"/v1/candidates/{cid}/invitations", "unrelated").status_code == 404


def test_r26_an_expired_invitation_is_listed_as_expired() -> None:
    """The state `expired` is a pending invitation past `expires_at` (no event: time)."""
    from kompetanse_domain.model.candidate import Candidate
    from kompetanse_domain.model.identity import Identity

    candidate = Candidate.register(
        Identity("lis", "Lise"),
        name="Lise",
        email="lise@example.no",
        specialty="ALM",
        organisation_id="k",
        organisation_name="K",
    )
    issued = datetime.fromisoformat("2026-01-01T12:00:00+00:00")
    candidate.invite(
        candidate.actor(Identity("lis", "Lise")),
        invitation_id="i1",
        role="supervisor",
        name="Siri",
        email="siri@example.no",
        secret="s",
        expires_at=issued + timedelta(days=30),
    )

    before = candidate.invitations_at(issued + timedelta(days=29))
    after = candidate.invitations_at(issued + timedelta(days=30))

    assert [i["state"] for i in before] == ["pending"]
    assert [i["state"] for i in after] == ["expired"]


def test_r26_an_invitation_bound_to_an_hpr_number_is_accepted_only_with_that_number(
    reads: Reads, data_dir: Path
) -> None:
    cid = registered(reads)
    bound = invite(
        reads,
        cid,
        "candidate",
        {"role": "supervisor", "name": "Siri", "email": "siri@example.no", "hpr_number": "1234567"},
    )
    assert bound.status_code == 201, bound.text
    accept = f"/v1/invitations/{bound.json()['token']}/accept"
    stored = history_length(reads, cid)

    def as_person(hpr_number: str | None) -> httpx.Response:
        token = mint_dev_token(data_dir, sub="sup1-sub", name="Siri", hpr_number=hpr_number)
        return reads.api.client.post(accept, json={}, headers={"Authorization": f"Bearer {token}"})

    for hpr_number in (None, "7654321"):
        refused(as_person(hpr_number), 403, "R3")
    assert history_length(reads, cid) == stored
    assert [i["state"] for i in invitations(reads, cid, "candidate")][-1] == "pending"
    refused(
        invite(
            reads,
            cid,
            "candidate",
            {"role": "supervisor", "name": "S", "email": "s@example.no", "hpr_number": "12ab"},
        ),
        422,
        "hpr_number",
    )

    accepted = as_person("1234567")

    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"candidate_id": cid, "role": "supervisor"}
    assert [i["state"] for i in invitations(reads, cid, "candidate")][-1] == "accepted"


def test_r26_a_deputy_until_a_date_acts_until_that_day_and_not_after(
    reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = registered(reads)
    today = oslo_today()
    stored = history_length(reads, cid)
    past = {
        "role": "deputy",
        "name": "Dina",
        "email": "d@example.no",
        "until": str(today - timedelta(days=1)),
    }
    refused(invite(reads, cid, "leader", past), 422, "until")
    supervisor_until = {
        "role": "supervisor",
        "name": "S",
        "email": "s@example.no",
        "until": str(today),
    }
    refused(invite(reads, cid, "candidate", supervisor_until), 422, "until")
    assert history_length(reads, cid) == stored
    issued = invite(
        reads,
        cid,
        "leader",
        {"role": "deputy", "name": "Dina", "email": "d@example.no", "until": str(today)},
    )
    assert issued.status_code == 201, issued.text
    reads.ok("POST", f"/v1/invitations/{issued.json()['token']}/accept", "deputy", {})
    assert [i["until"] for i in invitations(reads, cid, "leader") if i["role"] == "deputy"] == [
        str(today)
    ]
    roles = reads.get(f"/v1/candidates/{cid}", "deputy")["roles"]
    assert [(r["role"], r["until"]) for r in roles] == [("deputy", str(today)), ("leader", None)]
    reads.ok(
        "POST", f"/v1/candidates/{cid}/plans", "deputy", {"plan_code": "FKM"}, 201
    )  # today: yes
    goal = f"/v1/candidates/{cid}/goals/FKM-001"
    reads.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": str(today)})
    approvals = reads.get("/v1/leaders/me/approvals", "deputy")["data"]
    assert [a["goal_code"] for a in approvals] == ["FKM-001"]

    tomorrow = today + timedelta(days=1)
    monkeypatch.setattr(candidate_invitations, "today_in_oslo", lambda: tomorrow)
    stored = history_length(reads, cid)

    for method, path, body in (
        ("GET", f"/v1/candidates/{cid}", None),
        ("GET", f"/v1/candidates/{cid}/progress", None),
        ("GET", f"/v1/candidates/{cid}/goals/FKM-001", None),
        ("POST", f"/v1/candidates/{cid}/plans", {"plan_code": "ALM"}),
        ("POST", f"/v1/candidates/{cid}/specialties", {"specialty": "SAM", "from": str(today)}),
        ("POST", f"/v1/candidates/{cid}/goals/FKM-001/approve", {}),
    ):
        response = reads.call(method, path, "deputy", body)
        assert response.status_code == 403, (method, path, response.text)
        assert "deputy" in problem_of(response)["detail"]
    assert history_length(reads, cid) == stored
    assert reads.get("/v1/leaders/me/candidates", "deputy")["count"] == 0  # nor in their lists
    assert reads.get("/v1/leaders/me/approvals", "deputy")["count"] == 0
    assert reads.get("/v1/leaders/me/approvals", "leader")["count"] == 1
    reads.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "ALM"}, 201)
