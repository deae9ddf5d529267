"""403 wins over 412 (RFC 9110 13.2.1): a precondition is judged only for a request that
would otherwise succeed.

For every command of API.md, a person related to the candidate whose role may not do it
gets 403 whatever `If-Match` they send (a stale ETag, a malformed one); the person who
may do it, sending a stale ETag, gets 412. Neither records an event. Both stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api_world import TINY_PDF, YESTERDAY, Api, build_team, problem_of

from api.deps import Services

STALE = '"999"'
MALFORMED = "not-an-etag"


@dataclass(frozen=True)
class Command:
    name: str
    method: str
    path: str
    body: Any
    may_not: str
    may: str | None  # None: the command takes no If-Match (a creation), only the 403 half
    upload: bool = False


def _world(api: Api) -> list[Command]:
    """A team with goals, activities, a meeting and a pending invitation, and every command
    in a state where its rightful actor would succeed."""
    cid = build_team(api)
    base = f"/v1/candidates/{cid}"
    for plan in ("TEST-A", "TEST-B", "TEST-C"):
        api.ok("POST", f"{base}/plans", "leader", {"plan_code": plan}, 201)
    activity = {"title": "Kurs", "kind": "course", "fulfilled_on": YESTERDAY}
    goal_a = f"{base}/goals/TEST-A-001"
    sent = api.ok("POST", f"{goal_a}/activities", "candidate", activity, 201)["activity_id"]
    api.ok(
        "POST",
        f"{goal_a}/activities/{sent}/send-for-signing",
        "candidate",
        {"signer_sub": api.person("supervisor").sub},
    )
    fresh = api.ok("POST", f"{goal_a}/activities", "candidate", activity, 201)["activity_id"]
    for code in ("TEST-B-001", "TEST-C-001"):
        api.ok(
            "POST",
            f"{base}/goals/{code}/send-for-approval",
            "candidate",
            {"completed_on": YESTERDAY},
        )
    api.ok("POST", f"{base}/goals/TEST-C-001/approve", "leader", {})
    meeting = api.ok(
        "POST",
        f"{base}/meetings",
        "veileder",
        {"scheduled_for": YESTERDAY, "planned_minutes": 60},
        201,
    )["meeting_id"]
    api.ok("PUT", f"/v1/meetings/{meeting}/summary", "veileder", {"text": "Vi snakket."})
    pending = api.ok(
        "POST",
        f"{base}/invitations",
        "candidate",
        {"role": "supervisor", "name": "Per Ventende", "email": "per@example.no"},
        201,
    )["invitation_id"]
    approval = {
        "source_portal": "hospital",
        "source_event_id": "ev-1",
        "person": {"sub": api.person("candidate").sub},
        "goal_code": "TEST-A-001",
        "approved_at": "2026-01-05T10:00:00+01:00",
        "approver_name": "Leif Leder",
    }
    invitation = {"role": "supervisor", "name": "Ny Supervisør", "email": "ny@example.no"}
    return [
        Command("invite", "POST", f"{base}/invitations", invitation, "supervisor", "candidate"),
        Command(
            "revoke invitation",
            "DELETE",
            f"{base}/invitations/{pending}",
            None,
            "supervisor",
            "candidate",
        ),
        Command(
            "revoke role",
            "DELETE",
            f"{base}/roles/supervisor/{api.person('supervisor_2').sub}",
            None,
            "supervisor",
            "candidate",
        ),
        Command("upload", "POST", f"{base}/attachments", None, "leader", "candidate", True),
        Command(
            "assign plan", "POST", f"{base}/plans", {"plan_code": "TEST-D"}, "veileder", "leader"
        ),
        Command("archive plan", "POST", f"{base}/plans/TEST-C/archive", {}, "veileder", "leader"),
        Command(
            "remove plan",
            "DELETE",
            f"{base}/plans/TEST-B",
            {"reason": "Feil"},
            "veileder",
            "leader",
        ),
        Command(
            "register activity", "POST", f"{goal_a}/activities", activity, "leader", "candidate"
        ),
        Command(
            "send for signing",
            "POST",
            f"{goal_a}/activities/{fresh}/send-for-signing",
            {"signer_sub": api.person("supervisor").sub},
            "leader",
            "candidate",
        ),
        Command("sign", "POST", f"{goal_a}/activities/{sent}/sign", {}, "leader", "supervisor"),
        Command(
            "reject activity",
            "POST",
            f"{goal_a}/activities/{sent}/reject",
            {"reason": "Mangler"},
            "leader",
            "supervisor",
        ),
        Command("comment", "POST", f"{goal_a}/comments", {"text": "Bra"}, "supervisor", "veileder"),
        Command(
            "send for approval",
            "POST",
            f"{goal_a}/send-for-approval",
            {"completed_on": YESTERDAY},
            "leader",
            "candidate",
        ),
        Command("approve", "POST", f"{base}/goals/TEST-B-001/approve", {}, "veileder", "leader"),
        Command(
            "reject goal",
            "POST",
            f"{base}/goals/TEST-B-001/reject",
            {"reason": "Mer"},
            "veileder",
            "leader",
        ),
        Command("import approval", "POST", "/v1/sync/approvals", approval, "leader", "sync"),
        Command(
            "create meeting",
            "POST",
            f"{base}/meetings",
            {"scheduled_for": YESTERDAY, "planned_minutes": 60},
            "candidate",
            None,
        ),
        Command(
            "preparation",
            "PUT",
            f"/v1/meetings/{meeting}/preparation",
            {"text": "Forberedt"},
            "leader",
            "candidate",
        ),
        Command(
            "summary",
            "PUT",
            f"/v1/meetings/{meeting}/summary",
            {"text": "Ny tekst"},
            "leader",
            "veileder",
        ),
        Command(
            "finalise",
            "POST",
            f"/v1/meetings/{meeting}/finalise",
            {"held_on": YESTERDAY, "duration_minutes": 45},
            "candidate",
            "veileder",
        ),
    ]


def _send(api: Api, command: Command, who: str, if_match: str) -> Any:
    headers = api.headers(who, {"If-Match": if_match})
    if command.upload:
        files = {"file": ("bevis.pdf", TINY_PDF, "application/pdf")}
        return api.client.request(command.method, command.path, files=files, headers=headers)
    return api.client.request(command.method, command.path, json=command.body, headers=headers)


def test_a_related_person_who_may_not_act_gets_403_whatever_if_match_they_send(
    api: Api, services: Services
) -> None:
    commands = _world(api)
    position = services.application.recorder.max_notification_id()
    wrong = []
    for command in commands:
        for if_match in (STALE, MALFORMED):
            response = _send(api, command, command.may_not, if_match)
            if response.status_code != 403:
                wrong.append((command.name, if_match, response.status_code, response.text[:120]))
            else:
                problem_of(response)
    assert wrong == []
    assert services.application.recorder.max_notification_id() == position


def test_the_person_who_may_act_with_a_stale_etag_gets_412_and_nothing_is_recorded(
    api: Api, services: Services
) -> None:
    commands = [command for command in _world(api) if command.may is not None]
    position = services.application.recorder.max_notification_id()
    wrong = []
    for command in commands:
        assert command.may is not None
        for if_match in (STALE, MALFORMED):
            response = _send(api, command, command.may, if_match)
            if response.status_code != 412:
                wrong.append((command.name, if_match, response.status_code, response.text[:120]))
            else:
                problem_of(response)
    assert wrong == []
    assert services.application.recorder.max_notification_id() == position


def test_an_unrelated_person_with_a_stale_etag_gets_404_not_412(api: Api) -> None:
    commands = [c for c in _world(api) if c.name != "import approval"]
    wrong = []
    for command in commands:
        response = _send(api, command, "unrelated", STALE)
        if response.status_code != 404:
            wrong.append((command.name, response.status_code))
    assert wrong == []
