"""A 404 tells nobody whether a candidate, a meeting or an invitation exists (issue 22,
finding 6; API.md: no existence leak), on SQLite and PostgreSQL.

For a person with no role for the candidate, every candidate, goal, meeting and
invitation route answers the whole same problem body (type, title, status, detail)
whether the resource exists or not: candidate ids are derived from the `sub`, so any
difference would tell anyone who is registered. Within an existing candidate, unknown
goal codes, activities and invitations answer as the unknown candidate does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import (
    TINY_PDF,
    YESTERDAY,
    Api,
    build_team,
    problem_of,
    services_with_views,
)

from api.deps import Services

GOAL = "/v1/candidates/{cid}/goals/{code}"
ACTIVITY = GOAL + "/activities/{aid}"
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
FILE = "file"

# (method, path, body): every route that names a candidate or a meeting
ROUTES: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/v1/candidates/{cid}", None),
    ("GET", GOAL, None),
    ("GET", "/v1/candidates/{cid}/progress", None),
    ("GET", "/v1/candidates/{cid}/meetings", None),
    ("GET", "/v1/candidates/{cid}/history", None),
    ("GET", "/v1/candidates/{cid}/state", None),
    ("GET", "/v1/candidates/{cid}/history/verify", None),
    ("GET", "/v1/meetings/{mid}", None),
    ("POST", "/v1/candidates/{cid}/invitations", {"role": "supervisor", "name": "Ny Person",
                                                   "email": "ny@example.no"}),
    ("DELETE", "/v1/candidates/{cid}/invitations/{iid}", None),
    ("DELETE", "/v1/candidates/{cid}/roles/supervisor/sup1-sub", None),
    ("POST", "/v1/candidates/{cid}/plans", {"plan_code": "TEST-B"}),
    ("POST", "/v1/candidates/{cid}/plans", {"plan_code": "NO-SUCH-PLAN"}),
    ("POST", "/v1/candidates/{cid}/invitations", {"role": "pope", "name": "Ny Person",
                                                   "email": "ny@example.no"}),
    ("POST", "/v1/candidates/{cid}/meetings", {"scheduled_for": TOMORROW,
                                               "planned_minutes": -5}),
    ("POST", GOAL + "/send-for-approval", {"completed_on": "2999-01-01"}),
    ("DELETE", "/v1/candidates/{cid}/roles/pope/sup1-sub", None),
    ("POST", "/v1/candidates/{cid}/plans/TEST-A/archive", {}),
    ("DELETE", "/v1/candidates/{cid}/plans/TEST-A", {"reason": "Feil plan"}),
    ("POST", "/v1/candidates/{cid}/attachments", FILE),
    ("POST", GOAL + "/activities", {"title": "Kurs", "kind": "course",
                                    "fulfilled_on": YESTERDAY}),
    ("POST", ACTIVITY + "/send-for-signing", {"signer_sub": "sup1-sub"}),
    ("POST", ACTIVITY + "/sign", {}),
    ("POST", ACTIVITY + "/reject", {"reason": "Mangler dato"}),
    ("POST", GOAL + "/comments", {"text": "God fremgang"}),
    ("POST", GOAL + "/send-for-approval", {"completed_on": YESTERDAY}),
    ("POST", GOAL + "/approve", {}),
    ("POST", GOAL + "/reject", {"reason": "Ikke ferdig"}),
    ("POST", "/v1/candidates/{cid}/meetings", {"scheduled_for": TOMORROW,
                                               "planned_minutes": 60}),
    ("PUT", "/v1/meetings/{mid}/preparation", {"text": "Mine spørsmål"}),
    ("PUT", "/v1/meetings/{mid}/summary", {"text": "Vi snakket", "goals_discussed": []}),
    ("POST", "/v1/meetings/{mid}/finalise", {"held_on": YESTERDAY, "duration_minutes": 60}),
)  # fmt: skip


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """The shared fixture's services, but with the real read side following the store."""
    with services_with_views(database_url, data_dir) as services:
        yield services


class World:
    """A candidate with a team, a plan, an activity, a meeting and a pending invitation."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.position = 0
        cid = build_team(api)
        self.command("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"})
        aid = self.command(
            "POST",
            f"/v1/candidates/{cid}/goals/TEST-A-001/activities",
            "candidate",
            {"title": "Kurs", "kind": "course", "fulfilled_on": YESTERDAY},
        )["activity_id"]
        mid = self.command(
            "POST",
            f"/v1/candidates/{cid}/meetings",
            "veileder",
            {"scheduled_for": TOMORROW, "planned_minutes": 60},
        )["meeting_id"]
        invitation = self.command(
            "POST",
            f"/v1/candidates/{cid}/invitations",
            "candidate",
            {"role": "supervisor", "name": "Ny Person", "email": "ny@example.no"},
        )
        self.token: str = invitation["token"]
        self.existing = {
            "cid": cid,
            "code": "TEST-A-001",
            "aid": aid,
            "mid": mid,
            "iid": invitation["invitation_id"],
        }

    def command(self, method: str, path: str, who: str, body: Any) -> Any:
        response = self.api.call(method, path, who, body)
        assert response.status_code in (200, 201), (path, response.text)
        self.position = max(self.position, int(response.headers["X-Event-Position"]))
        return response.json()

    def send(self, method: str, template: str, body: Any, ids: dict[str, str]) -> httpx.Response:
        path = template.format(**ids)
        position = max(self.position, self.api.written)
        headers = {"X-Min-Position": str(position)} if method == "GET" else None
        if body == FILE:
            files = {"file": ("kurs.pdf", TINY_PDF, "application/pdf")}
            return self.api.call(method, path, "unrelated", files=files, headers=headers)
        return self.api.call(method, path, "unrelated", body, headers=headers)


def _unknown() -> dict[str, str]:
    return {
        "cid": str(uuid.uuid4()),
        "code": "TEST-K-001",
        "aid": str(uuid.uuid4()),
        "mid": str(uuid.uuid4()),
        "iid": str(uuid.uuid4()),
    }


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


def test_an_unrelated_person_gets_the_same_404_for_existing_and_unknown_resources(
    world: World,
) -> None:
    """One table over every route (one world per store keeps it quick); each route is
    asked for the existing resources, unknown ones, and unknown ones inside the
    existing candidate, and every answer must be the same problem: a 404, or a 422 for a
    body whose shape no candidate could make valid (judged before anyone is looked up)."""
    leaks: dict[str, Any] = {}
    for method, template, body in ROUTES:
        unknown = _unknown()
        inside_existing = {**unknown, "cid": world.existing["cid"]}
        answers = {
            "existing": world.send(method, template, body, world.existing),
            "unknown": world.send(method, template, body, unknown),
            "unknown inside the existing candidate": world.send(
                method, template, body, inside_existing
            ),
        }
        problems = {case: (r.status_code, problem_of(r)) for case, r in answers.items()}
        if (
            problems["existing"][0] not in (404, 422)
            or len({repr(p) for p in problems.values()}) != 1
        ):
            leaks[f"{method} {template}"] = problems

    assert leaks == {}


def test_an_unrelated_person_with_a_stale_if_match_gets_the_same_404(world: World) -> None:
    template = GOAL + "/activities"
    body = {"title": "Kurs", "kind": "course", "fulfilled_on": YESTERDAY}
    stale = {"If-Match": '"999"'}

    answers = {
        case: world.api.call("POST", template.format(**ids), "unrelated", body, headers=stale)
        for case, ids in {"existing": world.existing, "unknown": _unknown()}.items()
    }

    problems = {case: (r.status_code, problem_of(r)) for case, r in answers.items()}
    assert problems["existing"] == problems["unknown"], problems
    assert problems["existing"][0] == 404


def test_an_invitation_link_gets_the_same_404_whatever_part_of_it_is_wrong(world: World) -> None:
    cid_hex, invitation_hex, _secret = world.token.split(".")
    tokens = {
        "existing invitation, wrong secret": f"{cid_hex}.{invitation_hex}.wrong-secret",
        "existing candidate, unknown invitation": f"{cid_hex}.{uuid.uuid4().hex}.secret",
        "unknown candidate": f"{uuid.uuid4().hex}.{invitation_hex}.secret",
        "not a link at all": "not-a-token",
    }

    answers = {
        case: world.api.call("POST", f"/v1/invitations/{token}/accept", "unrelated", {})
        for case, token in tokens.items()
    }

    problems = {case: (r.status_code, problem_of(r)) for case, r in answers.items()}
    assert len({repr(problem) for problem in problems.values()}) == 1, problems
    status, body = problems["unknown candidate"]
    assert status == 404
    assert body["type"] == "urn:kompetanse:problem:invitation-not-found"
    assert "check the link" in body["detail"]


def test_a_related_person_still_learns_that_a_goal_code_is_not_in_the_plans(
    world: World,
) -> None:
    path = f"/v1/candidates/{world.existing['cid']}/goals/TEST-K-001"

    response = world.api.call("GET", path, "candidate", headers={"X-Min-Position": "0"})

    assert response.status_code == 404
    assert "TEST-K-001" in problem_of(response)["detail"]
