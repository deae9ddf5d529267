"""Who may do what, over HTTP: every command against every relation to a candidate.

The expected matrix is API.md's "who" column: the allowed relations succeed (2xx),
other related people get 403, an unrelated person 404 (no existence leak), and an
auditor, who may read but never act, 403. One team per command; every attempt gets
a fresh target (its own plan, goal, activity or meeting), so one allowed attempt
cannot change what the next one finds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from api_world import TINY_PDF, YESTERDAY, Api, build_team, invite_and_accept, problem_of

RELATIONS = ("candidate", "leader", "deputy", "veileder", "supervisor", "unrelated", "auditor")
PLANS = ("TEST-A", "TEST-B", "TEST-C", "TEST-D", "TEST-E", "TEST-F", "TEST-G", "TEST-H")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: Any = None
    files: Any = None


class Team:
    """One candidate with every role, handing out fresh plans for each attempt."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.cid = build_team(api)
        self.plans = iter(PLANS)
        self.people = iter(range(1000))

    @property
    def base(self) -> str:
        return f"/v1/candidates/{self.cid}"

    def plan(self) -> str:
        plan = next(self.plans)
        self.api.ok("POST", self.base + "/plans", "leader", {"plan_code": plan}, 201)
        return plan

    def goal(self) -> str:
        return f"{self.base}/goals/{self.plan()}-001"

    def activity(self, *, send: bool) -> str:
        goal = self.goal()
        body = {"title": "Kurs", "kind": "course", "fulfilled_on": YESTERDAY}
        aid = self.api.ok("POST", goal + "/activities", "candidate", body, 201)["activity_id"]
        if send:
            signer = {"signer_sub": self.api.person("supervisor").sub}
            self.api.ok("POST", f"{goal}/activities/{aid}/send-for-signing", "candidate", signer)
        return f"{goal}/activities/{aid}"

    def sent_goal(self) -> str:
        goal = self.goal()
        body = {"completed_on": YESTERDAY}
        self.api.ok("POST", goal + "/send-for-approval", "candidate", body)
        return goal

    def approved_plan(self) -> str:
        goal = self.sent_goal()
        self.api.ok("POST", goal + "/approve", "leader", {})
        return self.base + "/plans/" + goal.rsplit("/", 1)[1].removesuffix("-001")

    def meeting(self) -> str:
        body = {"scheduled_for": YESTERDAY, "planned_minutes": 60}
        mid = self.api.ok("POST", self.base + "/meetings", "veileder", body, 201)["meeting_id"]
        return f"/v1/meetings/{mid}"

    def summarised_meeting(self) -> str:
        """R25: a meeting is finalised only once its summary is written."""
        meeting = self.meeting()
        self.api.ok("PUT", meeting + "/summary", "veileder", {"text": "Referat"})
        return meeting

    def extra_supervisor(self) -> str:
        who = f"supervisor_{next(self.people) + 3}"
        invite_and_accept(self.api, self.cid, "supervisor", "candidate", who)
        return self.api.person(who).sub


def _invite(role: str) -> Callable[[Team], Request]:
    body = {"role": role, "name": "Ny Person", "email": "ny.person@example.no"}
    return lambda team: Request("POST", team.base + "/invitations", body)


PDF = {"file": ("kurs.pdf", TINY_PDF, "application/pdf")}
ACTIVITY = {"title": "Kurs", "kind": "course", "fulfilled_on": YESTERDAY}
CASES: dict[str, tuple[dict[str, int], Callable[[Team], Request]]] = {
    "invite": ({"candidate": 201}, _invite("supervisor")),
    "invite_deputy": ({"leader": 201}, _invite("deputy")),
    "revoke_role": (
        {"candidate": 204, "leader": 204},
        lambda t: Request("DELETE", f"{t.base}/roles/supervisor/{t.extra_supervisor()}"),
    ),
    "assign_plan": (
        {"leader": 201, "deputy": 201},
        lambda t: Request("POST", t.base + "/plans", {"plan_code": next(t.plans)}),
    ),
    "archive_plan": (
        {"leader": 200},
        lambda t: Request("POST", t.approved_plan() + "/archive", {}),
    ),
    "remove_plan": (
        {"leader": 204},
        lambda t: Request("DELETE", f"{t.base}/plans/{t.plan()}", {"reason": "Feil plan"}),
    ),
    "upload_attachment": (
        {"candidate": 201},
        lambda t: Request("POST", t.base + "/attachments", files=PDF),
    ),
    "register_activity": (
        {"candidate": 201},
        lambda t: Request("POST", t.goal() + "/activities", ACTIVITY),
    ),
    "send_activity_for_signing": (
        {"candidate": 200},
        lambda t: Request(
            "POST",
            t.activity(send=False) + "/send-for-signing",
            {"signer_sub": t.api.person("supervisor").sub},
        ),
    ),
    "sign_activity": (
        {"supervisor": 200},
        lambda t: Request("POST", t.activity(send=True) + "/sign", {}),
    ),
    "reject_activity": (
        {"supervisor": 200},
        lambda t: Request("POST", t.activity(send=True) + "/reject", {"reason": "Mangler"}),
    ),
    "comment_goal": (
        {"veileder": 201},
        lambda t: Request("POST", t.goal() + "/comments", {"text": "Bra"}),
    ),
    "send_goal_for_approval": (
        {"candidate": 200},
        lambda t: Request("POST", t.goal() + "/send-for-approval", {"completed_on": YESTERDAY}),
    ),
    "approve_goal": (
        {"leader": 200, "deputy": 200},
        lambda t: Request("POST", t.sent_goal() + "/approve", {}),
    ),
    "reject_goal": (
        {"leader": 200, "deputy": 200},
        lambda t: Request("POST", t.sent_goal() + "/reject", {"reason": "Nei"}),
    ),
    "create_meeting": (
        {"veileder": 201},
        lambda t: Request(
            "POST", t.base + "/meetings", {"scheduled_for": YESTERDAY, "planned_minutes": 60}
        ),
    ),
    "write_preparation": (
        {"candidate": 200, "veileder": 200},
        lambda t: Request("PUT", t.meeting() + "/preparation", {"text": "Plan"}),
    ),
    "revise_summary": (
        {"candidate": 200, "veileder": 200},
        lambda t: Request("PUT", t.meeting() + "/summary", {"text": "Referat"}),
    ),
    "finalise_meeting": (
        {"veileder": 200},
        lambda t: Request(
            "POST",
            t.summarised_meeting() + "/finalise",
            {"held_on": YESTERDAY, "duration_minutes": 60},
        ),
    ),
}


def expected_status(command: str, relation: str) -> int:
    allowed = CASES[command][0]
    if relation in allowed:
        return allowed[relation]
    return 404 if relation == "unrelated" else 403


@pytest.mark.parametrize("command", list(CASES))
def test_only_the_roles_in_api_md_may_run_each_command(api: Api, command: str) -> None:
    team = Team(api)
    expected, actual = {}, {}
    for relation in RELATIONS:
        request = CASES[command][1](team)
        response = api.call(
            request.method, request.path, relation, request.body, files=request.files
        )
        actual[relation] = response.status_code
        expected[relation] = expected_status(command, relation)
        if response.status_code >= 400:
            problem_of(response)
    assert actual == expected
