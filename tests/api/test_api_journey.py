"""The whole journey of the seeds over HTTP, on SQLite and PostgreSQL.

A LIS registers and invites leader, veileder and two supervisors; the leader
assigns FKM and ALM; the LIS documents a course with its certificate, has it
rejected and then signed; the veileder comments; the goal is rejected, then
approved; a supervision meeting is prepared, summarised and finalised.
"""

from __future__ import annotations

from api_world import TINY_PDF, YESTERDAY, Api, build_team, problem_of


def test_lis_journey_from_registration_to_finalised_meeting(api: Api) -> None:
    cid = build_team(api)
    for plan, goals in (("FKM", 24), ("ALM", 100)):
        assert api.ok(
            "POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": plan}, 201
        ) == {
            "plan_code": plan,
            "goals": goals,
        }

    upload = api.call(
        "POST",
        f"/v1/candidates/{cid}/attachments",
        "candidate",
        files={"file": ("kursbevis.pdf", TINY_PDF, "application/pdf")},
    )
    assert upload.status_code == 201, upload.text
    attachment = upload.json()
    assert attachment["size"] == len(TINY_PDF)
    assert len(attachment["sha256"]) == 64

    goal = f"/v1/candidates/{cid}/goals/ALM-055"
    activity = api.ok(
        "POST",
        goal + "/activities",
        "candidate",
        {
            "title": "Kurs i akuttmedisin",
            "kind": "course",
            "fulfilled_on": YESTERDAY,
            "attachment_id": attachment["attachment_id"],
        },
        201,
    )
    signing = f"{goal}/activities/{activity['activity_id']}"
    sup = api.person("supervisor").sub
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": sup})
    api.ok("POST", signing + "/reject", "supervisor", {"reason": "Kursbeviset mangler dato"})
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": sup})
    signed = api.call("POST", signing + "/sign", "supervisor", {"comment": "Ok"})
    assert signed.status_code == 200
    assert signed.headers["ETag"].strip('"').isdigit()
    assert int(signed.headers["X-Event-Position"]) > 0

    comment = api.ok("POST", goal + "/comments", "veileder", {"text": "God progresjon"}, 201)
    assert comment["comment_id"]

    api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    api.ok("POST", goal + "/reject", "leader", {"reason": "Trenger veileders vurdering"})
    api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    api.ok("POST", goal + "/approve", "leader", {"comment": "Godkjent"})
    refused = api.call("POST", goal + "/approve", "leader", {})
    assert refused.status_code == 409
    assert "R7" in problem_of(refused)["detail"]

    meeting_id = api.ok(
        "POST",
        f"/v1/candidates/{cid}/meetings",
        "veileder",
        {"scheduled_for": YESTERDAY, "planned_minutes": 60},
        201,
    )["meeting_id"]
    meeting = f"/v1/meetings/{meeting_id}"
    api.ok("PUT", meeting + "/preparation", "candidate", {"text": "Vil snakke om ALM-055"})
    api.ok("PUT", meeting + "/preparation", "veileder", {"text": "Gå gjennom kursbevis"})
    summary = {"text": "Vi gikk gjennom ALM-055", "goals_discussed": ["ALM-055"]}
    api.ok("PUT", meeting + "/summary", "veileder", summary)
    api.ok("PUT", meeting + "/summary", "candidate", {**summary, "text": "Tillegg fra LIS"})
    api.ok(
        "POST", meeting + "/finalise", "veileder", {"held_on": YESTERDAY, "duration_minutes": 55}
    )

    late = api.call("PUT", meeting + "/summary", "candidate", summary)
    assert late.status_code == 409
    assert "R17" in problem_of(late)["detail"]
