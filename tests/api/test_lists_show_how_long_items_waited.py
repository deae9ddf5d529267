"""Issue 26 point 3: the leader's and the supervisor's lists show how long each item waited.

Each item of `GET /v1/leaders/me/approvals` and `GET /v1/supervisors/me/signing-requests`
carries `sent_at`, the RFC 3339 instant of its (latest) send: what it has waited since.
Sent again after a rejection, an edit or a recall, it waits from the new send. Real views
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from api_world import YESTERDAY, Api, build_team, services_with_views
from test_queries import Reads

from api.deps import Services


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """The real read side, following the store."""
    with services_with_views(database_url, data_dir) as services:
        yield services


@pytest.fixture
def reads(api: Api) -> Reads:
    return Reads(api)


def _sent(reads: Reads, path: str, who: str, body: dict[str, Any]) -> tuple[datetime, datetime]:
    """Send (for signing or approval); the instants just before and just after."""
    before = datetime.now(UTC)
    reads.command("POST", path, who, body)
    return before, datetime.now(UTC)


def _waited_since(reads: Reads, path: str, who: str) -> list[datetime]:
    response = reads.get(path, who)
    assert response.status_code == 200, response.text
    instants = []
    for item in response.json()["data"]:
        text = item["sent_at"]
        assert text[10] == "T" and (text.endswith("Z") or text[-6] in "+-"), text  # RFC 3339
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
        assert instant.utcoffset() is not None
        instants.append(instant)
    return instants


def test_signing_requests_show_since_when_each_activity_waits_from_its_latest_send(
    reads: Reads, api: Api
) -> None:
    cid = build_team(api)
    reads.command("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    goal = f"/v1/candidates/{cid}/goals/TEST-A-001"
    body = {"title": "Kurs", "kind": "course", "fulfilled_on": YESTERDAY}
    activity = reads.command("POST", goal + "/activities", "candidate", body, 201)
    path = f"{goal}/activities/{activity['activity_id']}"
    signer = {"signer_sub": api.person("supervisor").sub}
    inbox = "/v1/supervisors/me/signing-requests"

    before, after = _sent(reads, path + "/send-for-signing", "candidate", signer)
    (first,) = _waited_since(reads, inbox, "supervisor")
    assert before <= first <= after

    reads.command("POST", path + "/reject", "supervisor", {"reason": "Feil dato"})
    assert _waited_since(reads, inbox, "supervisor") == []
    reads.command("PATCH", path, "candidate", {"note": "Rett dato"})
    before, after = _sent(reads, path + "/send-for-signing", "candidate", signer)
    (again,) = _waited_since(reads, inbox, "supervisor")
    assert before <= again <= after and again > first


def test_the_approvals_queue_shows_since_when_each_goal_waits_from_its_latest_send(
    reads: Reads, api: Api
) -> None:
    cid = build_team(api)
    for plan in ("TEST-A", "TEST-B"):
        reads.command("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": plan}, 201)
    goals = [f"/v1/candidates/{cid}/goals/{plan}-001" for plan in ("TEST-A", "TEST-B")]
    send = {"completed_on": YESTERDAY}
    queue = "/v1/leaders/me/approvals"

    windows = [_sent(reads, goal + "/send-for-approval", "candidate", send) for goal in goals]
    for who in ("leader", "deputy"):
        waited = _waited_since(reads, queue, who)
        assert len(waited) == 2 and waited == sorted(waited)  # oldest first
        for (before, after), instant in zip(windows, waited, strict=True):
            assert before <= instant <= after

    reads.command("POST", goals[0] + "/recall", "candidate", {})
    (second,) = _waited_since(reads, queue, "leader")
    before, after = _sent(reads, goals[0] + "/send-for-approval", "candidate", send)
    waited = _waited_since(reads, queue, "leader")
    assert waited[0] == second and before <= waited[1] <= after  # the recalled one: anew


def test_the_openapi_document_declares_sent_at_as_a_date_time_on_both_lists(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for path in ("/v1/leaders/me/approvals", "/v1/supervisors/me/signing-requests"):
        listed = document["paths"][path]["get"]["responses"]["200"]["content"]
        ref = listed["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        item = schemas[schemas[ref]["properties"]["data"]["items"]["$ref"].rsplit("/", 1)[-1]]
        sent_at = item["properties"]["sent_at"]
        kinds = sent_at.get("anyOf", [sent_at])
        assert {"type": "string", "format": "date-time"} in [
            {k: v for k, v in kind.items() if k in ("type", "format")} for kind in kinds
        ], sent_at
