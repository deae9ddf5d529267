"""R28: the profile follows the doctor, over HTTP on SQLite and PostgreSQL (ADR 0022).

The candidate edits name, e-mail and organisation (PATCH /v1/candidates/{cid}); the
candidate, leader or a deputy records that the doctor goes on in another specialty
from a date (POST /v1/candidates/{cid}/specialties). The views follow (profile, the
auditors' search, the leader's list), readiness (R20-R22) and the supervision-hours
rule (R19) follow the current specialty, and history and state `as_of` show the
change. Refusals leave nothing stored.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from api_world import YESTERDAY, build_team, problem_of
from test_api_rules_over_http import (  # the small catalogue and its read-your-writes client
    Reads,
    oslo_today,
    reads,
    refused,
    services,
    team,
)

__all__ = ["reads", "services"]  # fixtures, used by name

NEW_PROFILE = {
    "name": "Lise Åsheim",
    "email": "lise.aasheim@example.no",
    "organisation": {"id": "kommune-4601", "name": "Bergen kommune"},
}


def team_of(reads: Reads) -> str:
    """`build_team`, then reads wait for its last event (it sends without `Reads`)."""
    cid = build_team(reads.api)
    application = reads.api.client.app.state.services.application  # type: ignore[attr-defined]
    reads.position = application.recorder.max_notification_id() or 0
    return cid


def history(reads: Reads, cid: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = reads.get(f"/v1/candidates/{cid}/history", "auditor")["data"]
    return items


def types(reads: Reads, cid: str) -> list[str]:
    return [item["type"] for item in history(reads, cid)]


def test_r28_the_candidate_edits_name_email_and_organisation_and_the_views_follow(
    reads: Reads,
) -> None:
    cid = team_of(reads)
    before = datetime.now(UTC)
    time.sleep(0.01)

    edited = reads.ok("PATCH", f"/v1/candidates/{cid}", "candidate", NEW_PROFILE)

    assert edited == {"candidate_id": cid}
    profile = reads.get(f"/v1/candidates/{cid}", "leader")
    assert (profile["name"], profile["email"], profile["organisation"]) == (
        "Lise Åsheim",
        "lise.aasheim@example.no",
        {"id": "kommune-4601", "name": "Bergen kommune"},
    )
    found = reads.get("/v1/candidates?q=%C3%85SHEIM", "auditor")  # "ÅSHEIM"
    assert [(m["candidate_id"], m["name"], m["organisation"]["name"]) for m in found["data"]] == [
        (cid, "Lise Åsheim", "Bergen kommune")
    ]
    assert reads.get("/v1/candidates?q=lege", "auditor")["count"] == 0  # the old name is gone
    listed = reads.get("/v1/leaders/me/candidates", "leader")["data"]
    assert [i["candidate"]["name"] for i in listed if i["candidate_id"] == cid] == ["Lise Åsheim"]
    change = history(reads, cid)[-1]
    assert change["type"] == "Candidate.ProfileEdited"
    assert change["actor"]["sub"] == "lis-sub"
    assert change["data"]["name"] == "Lise Åsheim"
    assert change["data"]["email"] == "lise.aasheim@example.no"
    state = f"/v1/candidates/{cid}/state?as_of="
    earlier = reads.get(state + before.isoformat().replace("+00:00", "Z"), "auditor")
    assert earlier["candidate"]["name"] == "Lise Lege"
    now = reads.get(state + datetime.now(UTC).isoformat().replace("+00:00", "Z"), "auditor")
    assert now["candidate"]["name"] == "Lise Åsheim"
    assert now["candidate"]["organisation"] == {"id": "kommune-4601", "name": "Bergen kommune"}


def test_r28_only_the_candidate_edits_the_profile_and_bad_values_store_nothing(
    reads: Reads,
) -> None:
    cid = team_of(reads)
    path = f"/v1/candidates/{cid}"
    stored = len(history(reads, cid))

    refused(reads.call("PATCH", path, "leader", {"name": "Noe Annet"}), 403, "R28")
    refused(reads.call("PATCH", path, "deputy", {"name": "Noe Annet"}), 403, "R28")
    assert reads.call("PATCH", path, "unrelated", {"name": "Noe Annet"}).status_code == 404
    for bad in (
        {},
        {"email": "not-an-address"},
        {"name": "   "},
        {"name": "Lise\u202eLege"},
        {"organisation": {"id": "kommune-4601"}},
        {"specialty": "SAM"},
    ):
        response = reads.call("PATCH", path, "candidate", bad)
        assert response.status_code == 422, (bad, response.text)
        problem_of(response)

    assert len(history(reads, cid)) == stored
    assert reads.get(path, "candidate")["name"] == "Lise Lege"


def test_r28_a_lis1_who_goes_on_in_alm_gets_alm_readiness_and_the_alm_hours_rule(
    reads: Reads,
) -> None:
    cid = team(reads, "LIS1-KLK", "LIS1-FKM", specialty="LIS1")
    before = reads.progress(cid, "lis2")
    assert before["readiness"]["specialty"] == "LIS1"
    assert before["readiness"]["target"] == "part1_complete"
    assert before["supervision"]["rule"]["specialty"] == "LIS1"
    assert before["supervision"]["rule"]["hours_per_month"] is None
    today = oslo_today().isoformat()
    at_registration = datetime.now(UTC)
    time.sleep(0.01)

    recorded = reads.ok(
        "POST",
        f"/v1/candidates/{cid}/specialties",
        "leader",
        {"specialty": "ALM", "from": today},
        201,
    )

    assert recorded == {"candidate_id": cid, "specialty": "ALM", "from": today}
    profile = reads.get(f"/v1/candidates/{cid}", "lis2")
    assert profile["specialty"] == "ALM"
    assert profile["specialties"] == [
        {"specialty": "LIS1", "from": today, "until": today},
        {"specialty": "ALM", "from": today, "until": None},
    ]
    after = reads.progress(cid, "lis2")
    assert after["specialty"] == "ALM"
    assert after["readiness"]["specialty"] == "ALM"
    assert after["readiness"]["target"] == "specialist_approval"
    assert sorted(after["readiness"]["required_plans"]) == ["ALM", "FKM"]
    assert after["readiness"]["ready"] is False
    # R21: the part-1 plans still assigned must be complete too; FKM and ALM not assigned
    assert {(m["rule"], m["plan_code"]) for m in after["readiness"]["missing"]} >= {
        ("R20", "FKM"),
        ("R20", "ALM"),
        ("R21", "LIS1-KLK"),
    }
    assert after["supervision"]["rule"]["specialty"] == "ALM"
    assert after["supervision"]["rule"]["hours_per_month"] == 4.0
    assert after["supervision"]["rule"]["months_per_year"] == 10.5
    assert after["readiness_by_specialty"][0]["specialty"] == "ALM"
    finder = reads.get("/v1/candidates?q=pr%C3%B8ve", "auditor")["data"]
    assert [m["specialty"] for m in finder] == ["ALM"]
    listed = reads.get("/v1/leaders/me/candidates", "leader")["data"]
    assert [item["specialty"] for item in listed if item["candidate_id"] == cid] == ["ALM"]
    change = history(reads, cid)[-1]
    assert change["type"] == "Candidate.SpecialtyChanged"
    assert change["actor"]["sub"] == "leader-sub"
    assert {k: change["data"][k] for k in ("specialty", "previous", "from_date")} == {
        "specialty": "ALM",
        "previous": "LIS1",
        "from_date": today,
    }
    assert [t for t in types(reads, cid) if t == "Candidate.Registered"]  # the earlier one stays
    state = f"/v1/candidates/{cid}/state?as_of="
    then = reads.get(state + at_registration.isoformat().replace("+00:00", "Z"), "auditor")
    assert then["candidate"]["specialty"] == "LIS1"
    assert (
        reads.get(state + datetime.now(UTC).isoformat().replace("+00:00", "Z"), "auditor")[
            "candidate"
        ]["specialty"]
        == "ALM"
    )


def test_r28_the_alm_hours_rule_counts_meetings_after_the_change(reads: Reads) -> None:
    cid = team(reads, specialty="LIS1")
    reads.ok(
        "POST",
        f"/v1/candidates/{cid}/specialties",
        "lis2",
        {"specialty": "ALM", "from": oslo_today().isoformat()},
        201,
    )
    meeting = reads.ok(
        "POST",
        f"/v1/candidates/{cid}/meetings",
        "veileder",
        {"scheduled_for": YESTERDAY, "planned_minutes": 60},
        201,
    )["meeting_id"]
    reads.ok(
        "PUT",
        f"/v1/meetings/{meeting}/summary",
        "veileder",
        {"text": "Gjennomgang", "goals_discussed": []},
    )
    reads.ok(
        "POST",
        f"/v1/meetings/{meeting}/finalise",
        "veileder",
        {"held_on": YESTERDAY, "duration_minutes": 240},
    )

    supervision = reads.progress(cid, "lis2")["supervision"]

    assert supervision["rule"]["specialty"] == "ALM"
    assert supervision["rule"]["hours_per_month"] == 4.0
    assert supervision["total_hours"] == 4.0
    assert supervision["months_at_or_above_minimum"] >= 1


def test_r28_the_candidate_leader_or_deputy_records_a_specialty_and_refusals_store_nothing(
    reads: Reads,
) -> None:
    cid = team_of(reads)  # registered in ALM
    path = f"/v1/candidates/{cid}/specialties"
    today = oslo_today()
    stored = len(history(reads, cid))

    conflict = reads.call("POST", path, "candidate", {"specialty": "ALM", "from": str(today)})
    refused(conflict, 409, "R28")
    assert "already the current" in problem_of(conflict)["detail"]
    refused(
        reads.call("POST", path, "candidate", {"specialty": "XYZ", "from": str(today)}), 422, "XYZ"
    )
    for bad in (
        {"specialty": "SAM", "from": str(today + timedelta(days=1))},  # in the future
        {"specialty": "SAM", "from": str(today - timedelta(days=1))},  # before ALM began
        {"specialty": "SAM", "from": "2026-02-30"},
        {"specialty": "SAM"},
        {"specialty": "", "from": str(today)},
        {"specialty": "SAM", "from": str(today), "until": str(today)},
    ):
        response = reads.call("POST", path, "candidate", bad)
        assert response.status_code == 422, (bad, response.text)
        problem_of(response)
    for who in ("veileder", "supervisor"):
        refused(reads.call("POST", path, who, {"specialty": "SAM", "from": str(today)}), 403, "R28")
    assert (
        reads.call("POST", path, "unrelated", {"specialty": "SAM", "from": str(today)}).status_code
        == 404
    )
    assert len(history(reads, cid)) == stored
    assert reads.get(f"/v1/candidates/{cid}", "candidate")["specialties"] == [
        {"specialty": "ALM", "from": str(today), "until": None}
    ]

    reads.ok("POST", path, "deputy", {"specialty": "SAM", "from": str(today)}, 201)
    reads.ok("POST", path, "candidate", {"specialty": "ALM", "from": str(today)}, 201)

    assert [
        s["specialty"] for s in reads.get(f"/v1/candidates/{cid}", "leader")["specialties"]
    ] == [
        "ALM",
        "SAM",
        "ALM",
    ]
