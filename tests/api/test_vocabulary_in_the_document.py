"""The OpenAPI document lists the domain's vocabulary (issue 23, point 5): the answers'
goal states, activity kinds and states, meeting states and plan states are enums with
the values of `kompetanse_domain.model.vocabulary`, so a client can be generated with
them. Both stores."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kompetanse_domain.model.vocabulary import (
    ACTIVITY_KINDS,
    ActivityState,
    GoalState,
    MeetingState,
    PlanState,
)


def _document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _enum(document: dict[str, Any], component: str, name: str) -> list[str]:
    """The values a property allows, following a `$ref` to a named enum."""
    schemas = document["components"]["schemas"]
    prop: dict[str, Any] = schemas[component]["properties"][name]
    if "$ref" in prop:
        prop = schemas[prop["$ref"].rsplit("/", 1)[1]]
    values: list[str] = prop["enum"]
    return values


def test_the_document_lists_the_goal_states_of_every_goal_answer(client: TestClient) -> None:
    document = _document(client)
    expected = ["not_started", "sent_for_approval", "approved", "rejected"]
    assert [state.value for state in GoalState] == expected
    for component in ("GoalPublic", "GoalAsOf", "Approval"):
        assert _enum(document, component, "state") == expected, component


def test_the_document_lists_the_activity_kinds_of_requests_and_answers(
    client: TestClient,
) -> None:
    document = _document(client)
    kinds = ["course", "procedure", "e_learning", "group_supervision", "internal_teaching", "other"]
    assert list(ACTIVITY_KINDS) == kinds
    for component in ("RegisterActivity", "ActivityPublic", "ActivityAsOf", "SigningRequest"):
        assert _enum(document, component, "kind") == kinds, component
    assert _enum(document, "RecommendedActivity", "kind") == kinds


def test_the_document_lists_activity_meeting_and_plan_states(client: TestClient) -> None:
    document = _document(client)
    for component in ("ActivityPublic", "ActivityAsOf", "SigningRequest"):
        assert _enum(document, component, "state") == list(ActivityState), component
    for component in ("MeetingSummary", "MeetingPublic", "MeetingAsOf"):
        assert _enum(document, component, "state") == list(MeetingState), component
    for component in ("PlanState", "PlanAsOf"):
        assert _enum(document, component, "state") == list(PlanState), component
