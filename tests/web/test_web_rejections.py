"""Saying no through the pages: a supervisor rejects an activity and a leader a goal,
each with a reason; without one, the error summary links to the reason field."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient
from web_world import CANDIDATE, GOAL, LEADER, SUPERVISOR, VEILEDER, YESTERDAY, csrf_of, sign_in

from api.deps import Services
from kompetanse_domain.application import CommandContext


def sent_activity(services: Services, cid: UUID) -> str:
    as_candidate = CommandContext(identity=CANDIDATE.identity)
    activity = str(
        services.application.register_activity(
            as_candidate, cid, GOAL, title="Kurs", kind="course", fulfilled_on=YESTERDAY
        ).value["activity_id"]
    )
    services.application.send_activity_for_signing(
        as_candidate, cid, GOAL, activity, signer_sub=SUPERVISOR.sub
    )
    return activity


def test_a_supervisor_rejects_an_activity_only_with_a_reason(
    client: TestClient, team: UUID, services: Services
) -> None:
    activity = sent_activity(services, team)
    sign_in(client, SUPERVISOR)
    page = client.get("/signering")
    action = f"/kandidater/{team}/mal/{GOAL}/aktiviteter/{activity}/avvis"
    assert f'action="{action}"' in page.text
    empty = client.post(
        action, data={"csrf": csrf_of(page.text), "reason": " ", "tilbake": "signering"}
    )
    assert empty.status_code == 422
    assert f'href="#avvis-{activity}-reason"' in empty.text
    answer = client.post(
        action,
        data={"csrf": csrf_of(page.text), "reason": "Mangler kursbevis", "tilbake": "signering"},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/signering"
    goal = services.projections.queries.get_goal(team, GOAL)
    assert goal is not None and goal["activities"][0]["state"] == "rejected"
    assert goal["activities"][0]["decision_comment"] == "Mangler kursbevis"


def test_a_leader_rejects_a_goal_with_a_reason_the_candidate_then_reads(
    client: TestClient, team: UUID, services: Services
) -> None:
    services.application.send_goal_for_approval(
        CommandContext(identity=CANDIDATE.identity), team, GOAL, completed_on=YESTERDAY
    )
    sign_in(client, LEADER)
    queue = client.get("/leder/godkjenninger")
    assert f"Godkjenn {GOAL} for {CANDIDATE.name}" in queue.text
    answer = client.post(
        f"/kandidater/{team}/mal/{GOAL}/avvis",
        data={
            "csrf": csrf_of(queue.text),
            "reason": "Trenger flere aktiviteter",
            "tilbake": "godkjenninger",
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/leder/godkjenninger"
    sign_in(client, CANDIDATE)
    goal_page = client.get(f"/kandidater/{team}/mal/{GOAL}").text
    assert "Avvist" in goal_page and "Trenger flere aktiviteter" in goal_page


def test_a_veileders_comment_holding_a_script_tag_shows_as_text(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, VEILEDER)
    page = client.get(f"/kandidater/{team}/mal/{GOAL}")
    assert "Kommenter målet" in page.text
    answer = client.post(
        f"/kandidater/{team}/mal/{GOAL}/kommentarer",
        data={"csrf": csrf_of(page.text), "text": "Bra! <script>alert('x')</script>"},
    )
    assert answer.status_code == 303
    sign_in(client, LEADER)
    shown = client.get(f"/kandidater/{team}/mal/{GOAL}").text
    assert "Bra! &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in shown
    assert "<script>" not in shown
