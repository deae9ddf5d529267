"""The rules a user sees in the read side, through HTTP, on SQLite and PostgreSQL.

R8 (evidence in the approvals queue), R10 (the veileder signs), R12 (procedure counts
against the recommended minimum), R19 (supervision hours), R20-R22 (readiness) as the
JSON of `GET /v1/leaders/me/approvals` and `GET /v1/candidates/{cid}/progress` shows
them. The catalogue here is small (one or two goals a plan, the shipped plan codes) so
readiness is reachable with a few approvals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from api_world import (
    YESTERDAY,
    Api,
    build_team,
    invite_and_accept,
    problem_of,
    registration,
    services_with_views,
)

from api.deps import Services
from kompetanse_domain.catalogue import (
    Catalogue,
    GoalDefinition,
    PlanDefinition,
    RecommendedActivity,
)
from kompetanse_domain.model.readiness import add_months

SPIROMETRY = "Spirometri"


def oslo_today() -> date:
    return datetime.now(ZoneInfo("Europe/Oslo")).date()


def _plan(code: str, part: str, specialty: str | None, goals: int) -> PlanDefinition:
    return PlanDefinition.model_validate(
        {
            "code": code,
            "title": f"Testplan {code}",
            "version": "2026.1",
            "part": part,
            "specialty": specialty,
            "sample_titles": True,
            "source": "Written for the rules-over-HTTP tests.",
            "goals": [
                GoalDefinition(
                    code=f"{code}-{n:03d}",
                    title="Kunne teste",
                    competence_level="kjenne til",
                    recommended_activities=(
                        (
                            RecommendedActivity(
                                kind="procedure", title=SPIROMETRY, recommended_minimum=3
                            ),
                        )
                        if code == "ALM" and n == 1
                        else ()
                    ),
                )
                for n in range(1, goals + 1)
            ],
        }
    )


def small_catalogue() -> Catalogue:
    """The shipped plan codes, each with one or two goals."""
    return Catalogue(
        plans=(
            _plan("FKM", "part3", None, 2),
            _plan("ALM", "part3", "ALM", 2),
            _plan("SAM", "part3", "SAM", 1),
            _plan("LIS1-KLK", "part1", None, 1),
            _plan("LIS1-FKM", "part1", None, 1),
        )
    )


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """The real read side, following the store, with the small catalogue."""
    with services_with_views(database_url, data_dir, small_catalogue()) as services:
        yield services


class Reads:
    """Commands and queries that read the last command's writes (X-Min-Position)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.position = 0

    def call(self, method: str, path: str, who: str, body: Any = None) -> httpx.Response:
        response = self.api.call(method, path, who, body)
        if "X-Event-Position" in response.headers:
            self.position = max(self.position, int(response.headers["X-Event-Position"]))
        return response

    def ok(self, method: str, path: str, who: str, body: Any = None, status: int = 200) -> Any:
        response = self.call(method, path, who, body)
        assert response.status_code == status, (method, path, who, response.text)
        return response.json() if response.content else None

    def get(self, path: str, who: str) -> Any:
        headers = {"X-Min-Position": str(max(self.position, self.api.written))}
        response = self.api.call("GET", path, who, headers=headers)
        assert response.status_code == 200, (path, who, response.text)
        return response.json()

    def progress(self, cid: str, who: str = "candidate") -> Any:
        return self.get(f"/v1/candidates/{cid}/progress", who)


@pytest.fixture
def reads(api: Api) -> Reads:
    return Reads(api)


def refused(response: httpx.Response, status: int, rule: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = problem_of(response)
    assert rule in body["detail"], body
    return body


def team(reads: Reads, *plans: str, specialty: str = "ALM") -> str:
    """A candidate with leader, veileder and supervisors; a specialty other than ALM is
    registered by `lis2` (leader and veileder invited), the plans assigned."""
    if specialty == "ALM":
        cid = build_team(reads.api)
    else:
        cid = reads.ok(
            "POST",
            "/v1/candidates",
            "lis2",
            {**registration("Per Prøve"), "specialty": specialty},
            201,
        )["candidate_id"]
        for role, who in (("leader", "leader"), ("veileder", "veileder")):
            invite_and_accept(reads.api, cid, role, "lis2", who)
    for plan in plans:
        reads.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": plan}, 201)
    return cid


def approve(reads: Reads, cid: str, code: str, candidate: str = "candidate") -> None:
    goal = f"/v1/candidates/{cid}/goals/{code}"
    reads.ok("POST", goal + "/send-for-approval", candidate, {"completed_on": YESTERDAY})
    reads.ok("POST", goal + "/approve", "leader", {})


def activity(reads: Reads, cid: str, code: str, body: dict[str, Any]) -> str:
    created = reads.ok(
        "POST",
        f"/v1/candidates/{cid}/goals/{code}/activities",
        "candidate",
        {"fulfilled_on": YESTERDAY, **body},
        201,
    )
    return str(created["activity_id"])


def sign(reads: Reads, cid: str, code: str, activity_id: str, signer: str) -> None:
    path = f"/v1/candidates/{cid}/goals/{code}/activities/{activity_id}"
    sub = reads.api.person(signer).sub
    reads.ok("POST", path + "/send-for-signing", "candidate", {"signer_sub": sub})
    reads.ok("POST", path + "/sign", signer, {"comment": "Ok"})


def goal_of(progress: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(goal for goal in progress["goals"] if goal["code"] == code)
    return found


def missing(readiness: dict[str, Any]) -> list[tuple[str, str, str | None, str]]:
    return [
        (item["rule"], item["plan_code"], item["goal_code"], item["state"])
        for item in readiness["missing"]
    ]


def test_r8_approvals_queue_shows_the_evidence_of_signed_activities(reads: Reads) -> None:
    cid = team(reads, "ALM")
    signed = activity(reads, cid, "ALM-001", {"title": "Kurs i etikk", "kind": "course"})
    sign(reads, cid, "ALM-001", signed, "supervisor")
    reads.ok(
        "POST", f"/v1/candidates/{cid}/goals/ALM-001/comments", "veileder", {"text": "Bra"}, 201
    )
    for code in ("ALM-001", "ALM-002"):
        reads.ok(
            "POST",
            f"/v1/candidates/{cid}/goals/{code}/send-for-approval",
            "candidate",
            {"completed_on": YESTERDAY},
        )

    queue = reads.get("/v1/leaders/me/approvals", "leader")

    assert queue["count"] == 2
    assert [(row["goal_code"], row["evidence"]) for row in queue["data"]] == [
        ("ALM-001", {"mentor_comments": 1, "signed_activities": 1}),
        ("ALM-002", {"mentor_comments": 0, "signed_activities": 0}),
    ]
    assert queue["data"][0]["approver"] == {"sub": "leader-sub", "name": "Leif Leder"}
    assert queue["data"][0]["candidate"]["candidate_id"] == cid
    assert goal_of(reads.progress(cid, "leader"), "ALM-001")["evidence"] == {
        "mentor_comments": 1,
        "signers": [{"sub": "sup1-sub", "name": "Siri Supervisør", "signatures": 1}],
    }
    assert reads.get("/v1/leaders/me/approvals", "supervisor") == {"data": [], "count": 0}
    # R8 shows the evidence; it never blocks: the goal without any is approved too
    reads.ok("POST", f"/v1/candidates/{cid}/goals/ALM-002/approve", "leader", {})
    refused(
        reads.call("POST", f"/v1/candidates/{cid}/goals/ALM-001/approve", "supervisor", {}),
        403,
        "R7",
    )
    after = reads.get("/v1/leaders/me/approvals", "leader")
    assert [row["goal_code"] for row in after["data"]] == ["ALM-001"]


def test_r10_the_veileder_signs_an_activity_sent_to_them(reads: Reads) -> None:
    cid = team(reads, "ALM")
    goal = f"/v1/candidates/{cid}/goals/ALM-002"
    activity_id = activity(reads, cid, "ALM-002", {"title": "Internundervisning", "kind": "other"})
    path = f"{goal}/activities/{activity_id}"
    reads.ok("POST", path + "/send-for-signing", "candidate", {"signer_sub": "veileder-sub"})
    assert goal_of(reads.progress(cid), "ALM-002")["pending_activities"] == 1

    refused(reads.call("POST", path + "/sign", "leader", {}), 403, "R10")
    refused(reads.call("POST", path + "/sign", "supervisor", {}), 403, "R10")
    reads.ok("POST", path + "/sign", "veileder", {"comment": "Godt gjennomført"})

    shown = goal_of(reads.progress(cid), "ALM-002")
    assert (shown["pending_activities"], shown["signed_activities"]) == (0, 1)
    assert shown["evidence"]["signers"] == [
        {"sub": "veileder-sub", "name": "Vera Veileder", "signatures": 1}
    ]
    refused(reads.call("POST", path + "/sign", "veileder", {}), 409, "R10")


def test_r12_procedure_counts_against_the_recommended_minimum_never_block_approval(
    reads: Reads,
) -> None:
    cid = team(reads, "ALM")
    procedure = {"title": "Spirometri på legekontoret", "kind": "procedure"}
    first = activity(reads, cid, "ALM-001", {**procedure, "activity_code": SPIROMETRY, "count": 1})
    sign(reads, cid, "ALM-001", first, "supervisor")
    assert goal_of(reads.progress(cid), "ALM-001")["procedures"] == [
        {"title": SPIROMETRY, "recommended_minimum": 3, "count": 1, "signed": 1, "remaining": 2}
    ]
    activity(reads, cid, "ALM-001", {**procedure, "count": 4})

    shown = goal_of(reads.progress(cid), "ALM-001")
    assert shown["procedures"] == [
        {"title": SPIROMETRY, "recommended_minimum": 3, "count": 5, "signed": 1, "remaining": 0}
    ]
    assert goal_of(reads.progress(cid), "ALM-002")["procedures"] == []
    bad = reads.call(
        "POST",
        f"/v1/candidates/{cid}/goals/ALM-001/activities",
        "candidate",
        {**procedure, "fulfilled_on": YESTERDAY, "count": 0},
    )
    refused(bad, 422, "count")  # a count is at least 1; the minimum itself is no gate
    # a goal short of its recommended minimum is still approved (advice, never a gate):
    # a second candidate (lis2), so the approval does not close the goal above
    cid_2 = team(reads, "ALM", specialty="SAM")
    lis = "lis2"
    activity_2 = reads.ok(
        "POST",
        f"/v1/candidates/{cid_2}/goals/ALM-001/activities",
        lis,
        {**procedure, "fulfilled_on": YESTERDAY, "count": 1},
        201,
    )
    assert activity_2["activity_id"]
    approve(reads, cid_2, "ALM-001", lis)
    shown_2 = goal_of(reads.progress(cid_2, "leader"), "ALM-001")
    assert shown_2["state"] == "approved"
    assert shown_2["procedures"][0]["remaining"] == 2


def _month_start(day: date, back: int) -> date:
    for _ in range(back):
        day = day.replace(day=1) - timedelta(days=1)
    return day.replace(day=1)


def _meeting(reads: Reads, cid: str, held_on: date, minutes: int, finalise: bool = True) -> str:
    meeting_id = reads.ok(
        "POST",
        f"/v1/candidates/{cid}/meetings",
        "veileder",
        {"scheduled_for": held_on.isoformat(), "planned_minutes": minutes},
        201,
    )["meeting_id"]
    meeting = f"/v1/meetings/{meeting_id}"
    reads.ok("PUT", meeting + "/summary", "veileder", {"text": "Veiledning", "goals_discussed": []})
    if finalise:
        reads.ok(
            "POST",
            meeting + "/finalise",
            "veileder",
            {"held_on": held_on.isoformat(), "duration_minutes": minutes},
        )
    return meeting


def test_r19_alm_supervision_hours_per_month_and_the_average(reads: Reads) -> None:
    cid = team(reads, "ALM")
    today = oslo_today()  # the months are counted in Oslo time
    two_back, one_back = _month_start(today, 2), _month_start(today, 1)
    _meeting(reads, cid, two_back, 120)
    _meeting(reads, cid, two_back + timedelta(days=7), 120)
    _meeting(reads, cid, one_back, 90)
    open_meeting = _meeting(reads, cid, one_back + timedelta(days=1), 600, finalise=False)

    supervision = reads.progress(cid)["supervision"]

    assert supervision["rule"] == {
        "specialty": "ALM",
        "hours_per_month": 4.0,
        "months_per_year": 10.5,
        "hours_per_year": 42.0,
        "stated_hours_per_year": 31.5,
        "note": supervision["rule"]["note"],
    }
    assert "ADR 0006" in supervision["rule"]["note"]
    assert supervision["months"] == [
        {"month": two_back.strftime("%Y-%m"), "hours": 4.0, "meetings": 2},
        {"month": one_back.strftime("%Y-%m"), "hours": 1.5, "meetings": 1},
    ]
    assert supervision["total_hours"] == 5.5
    assert supervision["months_counted"] == 3  # through the current month, which had none
    assert supervision["average_hours_per_month"] == round(5.5 / 3, 2)
    assert supervision["months_at_or_above_minimum"] == 1
    assert supervision["on_track"] is False
    tomorrow = (today + timedelta(days=1)).isoformat()
    refused(
        reads.call(
            "POST",
            open_meeting + "/finalise",
            "veileder",
            {"held_on": tomorrow, "duration_minutes": 60},
        ),
        422,
        "held_on",
    )
    refused(
        reads.call(
            "POST",
            open_meeting + "/finalise",
            "candidate",
            {"held_on": YESTERDAY, "duration_minutes": 60},
        ),
        403,
        "R17",
    )
    assert reads.progress(cid)["supervision"]["total_hours"] == 5.5


def test_r20_readiness_lists_what_is_missing_until_every_goal_incl_fkm_is_approved(
    reads: Reads,
) -> None:
    cid = team(reads, "ALM")

    readiness = reads.progress(cid)["readiness"]

    assert {key: readiness[key] for key in ("specialty", "target", "ready", "required_plans")} == {
        "specialty": "ALM",
        "target": "specialist_approval",
        "ready": False,
        "required_plans": ["ALM", "FKM"],
    }
    assert missing(readiness) == [
        ("R20", "ALM", "ALM-001", "not_started"),
        ("R20", "ALM", "ALM-002", "not_started"),
        ("R20", "FKM", None, "not_assigned"),
    ]
    duration = readiness["minimum_duration"]
    counted_from = date.fromisoformat(duration["counted_from"])  # registration, in Oslo
    assert abs(counted_from - oslo_today()) <= timedelta(days=1)
    assert duration["earliest_on"] == add_months(counted_from, 78).isoformat()
    assert (duration["years"], duration["met"]) == (6.5, False)
    reads.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "FKM"}, 201)
    approve(reads, cid, "ALM-001")
    approve(reads, cid, "ALM-002")
    reads.ok(
        "POST",
        f"/v1/candidates/{cid}/goals/FKM-001/send-for-approval",
        "candidate",
        {"completed_on": YESTERDAY},
    )

    readiness = reads.progress(cid, "leader")["readiness"]
    assert readiness["ready"] is False
    assert missing(readiness) == [
        ("R20", "FKM", "FKM-001", "sent_for_approval"),
        ("R20", "FKM", "FKM-002", "not_started"),
    ]
    reads.ok("POST", f"/v1/candidates/{cid}/goals/FKM-001/approve", "leader", {})
    approve(reads, cid, "FKM-002")

    readiness = reads.progress(cid)["readiness"]
    assert (readiness["ready"], readiness["missing"]) == (True, [])
    assert reads.progress(cid)["readiness_by_specialty"] == [readiness]


def test_r21_a_lis1_candidate_is_ready_when_the_part1_plans_are_approved(reads: Reads) -> None:
    cid = team(reads, "LIS1-KLK", specialty="LIS1")
    lis = "lis2"

    readiness = reads.progress(cid, lis)["readiness"]

    assert (readiness["specialty"], readiness["target"], readiness["ready"]) == (
        "LIS1",
        "part1_complete",
        False,
    )
    assert readiness["required_plans"] == ["LIS1-FKM", "LIS1-KLK"]
    assert missing(readiness) == [
        ("R21", "LIS1-FKM", None, "not_assigned"),
        ("R21", "LIS1-KLK", "LIS1-KLK-001", "not_started"),
    ]
    reads.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "LIS1-FKM"}, 201)
    approve(reads, cid, "LIS1-KLK-001", lis)
    assert missing(reads.progress(cid, lis)["readiness"]) == [
        ("R21", "LIS1-FKM", "LIS1-FKM-001", "not_started")
    ]
    approve(reads, cid, "LIS1-FKM-001", lis)

    readiness = reads.progress(cid, "leader")["readiness"]
    assert (readiness["ready"], readiness["missing"]) == (True, [])


def test_r21_a_part1_plan_still_assigned_keeps_a_specialist_candidate_not_ready(
    reads: Reads,
) -> None:
    cid = team(reads, "FKM", "ALM", "LIS1-KLK")
    for code in ("ALM-001", "ALM-002", "FKM-001", "FKM-002"):
        approve(reads, cid, code)

    readiness = reads.progress(cid)["readiness"]

    assert (readiness["target"], readiness["ready"]) == ("specialist_approval", False)
    assert readiness["required_plans"] == ["ALM", "FKM"]
    assert missing(readiness) == [("R21", "LIS1-KLK", "LIS1-KLK-001", "not_started")]
    archive = f"/v1/candidates/{cid}/plans/LIS1-KLK/archive"
    assert reads.call("POST", archive, "leader", {}).status_code == 409
    approve(reads, cid, "LIS1-KLK-001")
    reads.ok("POST", archive, "leader", {})

    readiness = reads.progress(cid)["readiness"]
    assert (readiness["ready"], readiness["missing"]) == (True, [])


def test_r22_a_second_specialty_has_its_own_readiness(reads: Reads) -> None:
    cid = team(reads, "FKM", "ALM", "SAM")
    approve(reads, cid, "SAM-001")
    approve(reads, cid, "FKM-001")

    progress = reads.progress(cid)

    by_specialty = progress["readiness_by_specialty"]
    assert [(r["specialty"], r["target"], r["required_plans"]) for r in by_specialty] == [
        ("ALM", "specialist_approval", ["ALM", "FKM"]),
        ("SAM", "specialist_approval", ["FKM", "SAM"]),
    ]
    assert by_specialty[0] == progress["readiness"]
    assert missing(by_specialty[0]) == [
        ("R20", "ALM", "ALM-001", "not_started"),
        ("R20", "ALM", "ALM-002", "not_started"),
        ("R20", "FKM", "FKM-002", "not_started"),
    ]
    assert missing(by_specialty[1]) == [("R20", "FKM", "FKM-002", "not_started")]
    assert progress["supervision"]["rule"]["specialty"] == "ALM"  # R19 follows the registered
    approve(reads, cid, "FKM-002")

    by_specialty = reads.progress(cid, "leader")["readiness_by_specialty"]
    assert [(r["specialty"], r["ready"]) for r in by_specialty] == [("ALM", False), ("SAM", True)]
    reads.ok("DELETE", f"/v1/candidates/{cid}/plans/SAM", "leader", {"reason": "Avsluttet"}, 204)
    by_specialty = reads.progress(cid)["readiness_by_specialty"]
    assert [r["specialty"] for r in by_specialty] == ["ALM"]
    refused(
        reads.call(
            "POST",
            "/v1/candidates",
            "lis_other",
            {**registration("Per Prøve"), "specialty": "ARB"},
        ),
        422,
        "ARB",
    )
