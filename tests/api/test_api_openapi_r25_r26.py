"""`/openapi.json` declares the R25 and R26 routes, their states and their links, and what
it declares is what the server answers (API.md v1.1 "Corrections", "Mentor and leader")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from api_world import YESTERDAY, Api, build_team, services_with_views

from api.deps import Services


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    with services_with_views(database_url, data_dir) as services:
        yield services


def _document(api: Api) -> dict[str, Any]:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with the document's components beside it, so `$ref`s resolve."""
    return {**schema, "components": document["components"]}


def _answer_schema(document: dict[str, Any], method: str, path: str, status: str) -> Any:
    content = document["paths"][path][method]["responses"][status]["content"]
    return content["application/json"]["schema"]


def test_r25_r26_the_document_declares_the_new_routes_states_and_links(api: Api) -> None:
    document = _document(api)
    paths = document["paths"]
    assert "200" in paths["/v1/meetings/{mid}/cancel"]["post"]["responses"]
    assert "201" in paths["/v1/candidates/{cid}/concerns"]["post"]["responses"]
    assert "200" in paths["/v1/candidates/{cid}/concerns/{concern_id}/resolve"]["post"]["responses"]
    assert "200" in paths["/v1/candidates/{cid}/concerns"]["get"]["responses"]
    assert "200" in paths["/v1/veiledere/me/candidates"]["get"]["responses"]
    schemas = document["components"]["schemas"]

    def states(component: str) -> Any:
        state = schemas[component]["properties"]["state"]
        return schemas[state["$ref"].rsplit("/", 1)[-1]] if "$ref" in state else state

    for component in ("MeetingSummary", "MeetingPublic", "MeetingAsOf"):
        assert states(component)["enum"] == [
            "open",
            "finalised",
            "cancelled",
        ], component
    for component in ("Concern", "ConcernAsOf"):
        assert schemas[component]["properties"]["state"]["enum"] == ["open", "resolved"]
    assert "open_concerns" in schemas["LeaderCandidate"]["required"]
    assert {"next_meeting", "last_finalised_meeting", "open_concerns", "totals"} <= set(
        schemas["VeilederCandidate"]["required"]
    )
    created = paths["/v1/candidates/{cid}/meetings"]["post"]["responses"]["201"]["links"]
    assert created["CancelMeeting"]["operationRef"] == "#/paths/~1v1~1meetings~1{mid}~1cancel/post"
    raised = paths["/v1/candidates/{cid}/concerns"]["post"]["responses"]["201"]["links"]
    assert raised["ResolveConcern"]["parameters"]["concern_id"] == "$response.body#/concern_id"


def test_r25_r26_answers_are_valid_under_the_document(api: Api) -> None:
    document = _document(api)
    cid = build_team(api)
    body = {"scheduled_for": YESTERDAY, "planned_minutes": 60}
    mid = api.ok("POST", f"/v1/candidates/{cid}/meetings", "veileder", body, 201)["meeting_id"]
    api.ok("POST", f"/v1/meetings/{mid}/cancel", "veileder", {"reason": "Avlyst"})
    raised = api.call("POST", f"/v1/candidates/{cid}/concerns", "veileder", {"text": "Sakte"})
    assert raised.status_code == 201
    wait = {"X-Min-Position": raised.headers["X-Event-Position"]}

    for method, path, template, who, status in (
        ("get", f"/v1/meetings/{mid}", "/v1/meetings/{mid}", "veileder", "200"),
        (
            "get",
            f"/v1/candidates/{cid}/meetings",
            "/v1/candidates/{cid}/meetings",
            "candidate",
            "200",
        ),
        ("get", f"/v1/candidates/{cid}/concerns", "/v1/candidates/{cid}/concerns", "leader", "200"),
        ("get", "/v1/veiledere/me/candidates", "/v1/veiledere/me/candidates", "veileder", "200"),
        ("get", "/v1/leaders/me/candidates", "/v1/leaders/me/candidates", "leader", "200"),
        ("get", f"/v1/candidates/{cid}/state", "/v1/candidates/{cid}/state", "auditor", "200"),
    ):
        response = api.call(method.upper(), path, who, headers=wait)
        assert response.status_code == int(status), (path, response.text)
        schema = _resolved(document, _answer_schema(document, method, template, status))
        validator = jsonschema_rs.validator_for(schema)
        assert validator.is_valid(response.json()), (path, response.json())
    assert raised.json().keys() == {"concern_id"}
