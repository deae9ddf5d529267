"""GET history, state as of an instant, and verify over HTTP (R24, API.md "Audit")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from audit_support import AuditWorld, Http, Journey, Shared, Store

from api.routes import queries as query_routes
from kompetanse_domain.model.identity import goal_id_for


@pytest.fixture
def http(world: AuditWorld, tmp_path: Path) -> Iterator[Http]:
    built = Http(world, tmp_path / "data")
    with built.client:
        yield built


def history(http: Http, j: Journey, who: Any = None, query: str = "") -> list[dict[str, Any]]:
    response = http.get(f"/v1/candidates/{j.candidate_id}/history{query}", who or j.people.auditor)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["data"])
    return list(body["data"])


def test_history_in_commit_order_with_actor_sub_and_name(shared: Shared) -> None:
    http, world, story = shared.http, shared.world, shared.story
    first, _ = story
    response = http.get(f"/v1/candidates/{first.candidate_id}/history", first.people.candidate)
    assert response.status_code == 200
    assert (
        int(response.headers["X-Projection-Position"]) == world.app.recorder.max_notification_id()
    )
    items = response.json()["data"]
    assert [i["position"] for i in items] == sorted(i["position"] for i in items)
    assert set(items[0]) == {
        "position", "event_id", "aggregate", "aggregate_id", "version", "type",
        "actor", "occurred_at", "data", "hash", "prev_hash",
    }  # fmt: skip
    leader = first.people.leader
    approvals = [i for i in items if i["type"] == "LearningGoal.Approved"]
    assert [i["actor"] for i in approvals] == [{"sub": leader.sub, "name": leader.name}] * 2
    signed = next(i for i in items if i["type"] == "LearningGoal.ActivitySigned")
    assert signed["actor"]["sub"] == first.people.supervisor.sub
    assert signed["data"]["comment"] == "Godt gjennomført"
    assert items == history(http, first)  # the auditor reads the same


def _goal_item(items: list[dict[str, Any]], j: Journey, code: str, kind: str) -> dict[str, Any]:
    goal_id = str(goal_id_for(j.candidate_id, code))
    return next(i for i in items if i["aggregate_id"] == goal_id and i["type"] == kind)


def state_at(http: Http, j: Journey, instant: str | None) -> dict[str, Any]:
    query = f"?as_of={quote(instant)}" if instant else ""
    response = http.get(f"/v1/candidates/{j.candidate_id}/state{query}", j.people.auditor)
    assert response.status_code == 200, response.text
    assert "X-Projection-Position" in response.headers
    body: dict[str, Any] = response.json()
    return body


def test_state_before_and_after_an_approval(shared: Shared) -> None:
    http, story = shared.http, shared.story
    first, _ = story
    code = first.approved[0]
    items = history(http, first)
    sent = _goal_item(items, first, code, "LearningGoal.SentForApproval")["occurred_at"]
    approved = _goal_item(items, first, code, "LearningGoal.Approved")["occurred_at"]
    assert sent < approved

    before = {g["code"]: g for g in state_at(http, first, sent)["goals"]}[code]
    assert before["state"] == "sent_for_approval"
    assert before["decided_at"] is None and before["completed_on"] is not None
    assert before["approver"]["sub"] == first.people.leader.sub
    assert [a["state"] for a in before["activities"]] == ["signed"]

    after = {g["code"]: g for g in state_at(http, first, approved)["goals"]}[code]
    assert after["state"] == "approved"
    assert after["decided_by"] == {"sub": first.people.leader.sub, "name": "Leif Leder"}
    assert after["decided_at"] == approved

    now = state_at(http, first, None)
    assert {g["code"]: g["state"] for g in now["goals"]}[first.rejected] == "rejected"
    assert now["meetings"][0]["state"] == "finalised"
    assert now["plans"][0]["state"] == "active"


def test_state_before_registration_is_empty(shared: Shared) -> None:
    http, story = shared.http, shared.story
    first, _ = story
    empty = state_at(http, first, "2000-01-01T00:00:00Z")
    assert (empty["candidate"], empty["goals"], empty["meetings"]) == (None, [], [])
    assert history(http, first, query="?as_of=2000-01-01T00:00:00%2B01:00") == []


@pytest.mark.parametrize(
    "instant",
    ["2026-03-01T12:00:00", "2026-03-01", "yesterday", "2026-13-40T00:00:00Z", "1700000000"],
)
def test_naive_or_malformed_instant_is_422(shared: Shared, instant: str) -> None:
    http, story = shared.http, shared.story
    first, _ = story
    for route in ("history", "state"):
        response = http.get(
            f"/v1/candidates/{first.candidate_id}/{route}?as_of={quote(instant)}",
            first.people.auditor,
        )
        assert response.status_code == 422, (route, instant, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_unencoded_plus_offset_is_understood(shared: Shared) -> None:
    http, story = shared.http, shared.story
    first, _ = story
    items = history(http, first)
    assert history(http, first, query="?as_of=2199-01-01T00:00:00+01:00") == items


def verify(http: Http, j: Journey) -> dict[str, Any]:
    response = http.get(f"/v1/candidates/{j.candidate_id}/history/verify", j.people.auditor)
    assert response.status_code == 200, response.text
    assert "X-Projection-Position" in response.headers
    body: dict[str, Any] = response.json()
    return body


def test_verify_untouched_then_tampered(
    http: Http, world: AuditWorld, story: tuple[Journey, Journey]
) -> None:
    first, second = story
    mine = history(http, first)
    assert verify(http, first) == {"ok": True, "events": len(mine)}
    assert verify(http, second)["ok"]

    store = Store(world.url)
    target = _goal_item(mine, first, first.approved[1], "LearningGoal.Approved")["position"]
    (state,) = [s for p, *_, s in store.rows() if p == target]
    data = json.loads(state)
    data["actor"] = first.people.deputy.sub  # as if the deputy had approved
    store.set_state(target, json.dumps(data).encode())

    events_before = len([i for i in mine if i["position"] < target])
    assert verify(http, first) == {
        "ok": False,
        "events": events_before,
        "first_bad_position": target,
    }
    assert verify(http, second)["ok"], "the other candidate's chain is untouched"


def test_min_position_is_honoured(shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    # The 503 comes once the wait runs out; a short wait keeps this test quick, as in
    # tests/api/test_queries.py (the 5 s bound itself: tests/api/test_api_waiting.py).
    monkeypatch.setattr(query_routes, "MIN_POSITION_WAIT", 0.2)
    http, story = shared.http, shared.story
    first, _ = story
    for route in ("history", "state", "history/verify"):
        response = http.get(
            f"/v1/candidates/{first.candidate_id}/{route}",
            first.people.auditor,
            **{"X-Min-Position": "999999"},
        )
        assert response.status_code == 503, route
        assert response.headers["Retry-After"] == "1"
        assert "X-Projection-Position" in response.headers


ROUTES = ("history", "state", "history/verify")
EXPECTED = {
    "candidate": (200, 200, 403),
    "auditor": (200, 200, 200),
    "leader": (403, 403, 403),
    "veileder": (403, 403, 403),
    "stranger": (404, 404, 404),
}


@pytest.mark.parametrize("label", EXPECTED)
def test_role_matrix(shared: Shared, label: str) -> None:
    http, story = shared.http, shared.story
    first, _ = story
    who = getattr(first.people, label)
    got = tuple(
        http.get(f"/v1/candidates/{first.candidate_id}/{route}", who).status_code
        for route in ROUTES
    )
    assert got == EXPECTED[label]
    other = story[1].people.candidate
    assert http.get(f"/v1/candidates/{first.candidate_id}/history", other).status_code == 404


def test_history_body_is_what_the_declared_model_serialises(shared: Shared) -> None:
    """The history is written from stored JSON text; it must equal the `HistoryPublic`
    document built from the view's rows, as clients of API.md expect."""
    from api.routes.audit import HistoryPublic

    http, world, story = shared.http, shared.world, shared.story
    first, _ = story
    for query, as_of in [("", None), ("?as_of=2100-01-01T00:00:00Z", "2100-01-01T00:00:00Z")]:
        response = http.get(
            f"/v1/candidates/{first.candidate_id}/history{query}", first.people.auditor
        )
        assert response.headers["content-type"] == "application/json"
        rows = world.q.list_history(first.candidate_id)
        expected = HistoryPublic.model_validate(
            {
                "candidate_id": str(first.candidate_id),
                "as_of": as_of,
                "data": rows,
                "count": len(rows),
            }
        ).model_dump(mode="json")
        assert response.json() == expected
