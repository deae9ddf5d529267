"""The auditor's state as of a chosen date and the chain's verification on the history
page (R24, issue 25 point 4), over HTTP on both stores; the same authorization as the
API's history and state (the candidate and auditors; others refused; unrelated 404)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from fastapi.testclient import TestClient
from web_world import CANDIDATE, GOAL, LEADER, STRANGER, csrf_of, sign_in, wait_for_views

from api.deps import Services
from kompetanse_domain.application import CommandContext


def sign_in_as_auditor(client: TestClient) -> None:
    page = client.get("/logg-inn")
    answer = client.post(
        "/logg-inn",
        data={
            "csrf": csrf_of(page.text),
            "sub": "revisor-1",
            "name": "Rita Revisor",
            "auditor": "ja",
        },
    )
    assert answer.status_code == 303


def _state(client: TestClient, cid: UUID, day: str) -> tuple[int, str]:
    answer = client.get(f"/kandidater/{cid}/tilstand", params={"dato": day})
    return answer.status_code, answer.text


def test_the_auditor_sees_the_state_as_of_today_and_as_of_before_it_began(
    client: TestClient, team: UUID, services: Services
) -> None:
    services.application.send_goal_for_approval(
        CommandContext(identity=CANDIDATE.identity), team, GOAL, completed_on=date.today()
    )
    wait_for_views(services)
    sign_in_as_auditor(client)
    form = client.get(f"/kandidater/{team}/tilstand")
    assert (
        form.status_code == 200
        and 'type="date"' in form.text
        and 'id="tilstand-mal"' not in form.text
    )
    status, today = _state(client, team, date.today().isoformat())
    assert status == 200
    assert 'id="tilstand-mal"' in today and "WEB-A-001 Vurdere brystsmerter" in today
    assert "Sendt til godkjenning" in today
    status, before = _state(client, team, (date.today() - timedelta(days=1)).strftime("%d.%m.%Y"))
    assert status == 200
    assert "Ingen planer var tildelt" in before and "Sendt til godkjenning" not in before


def test_a_future_or_malformed_date_is_refused_beside_the_field_and_kept(
    client: TestClient, team: UUID
) -> None:
    sign_in_as_auditor(client)
    future = (date.today() + timedelta(days=2)).isoformat()
    status, page = _state(client, team, future)
    assert status == 422
    assert 'href="#tilstand-dato"' in page and "fram i tid" in page
    assert f'value="{future}"' in page
    status, page = _state(client, team, "31.02.2026")
    assert status == 422 and "Dato må være en dato" in page


def test_the_candidate_reads_their_own_state_but_a_leader_is_refused(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, CANDIDATE)
    assert _state(client, team, date.today().isoformat())[0] == 200
    sign_in(client, LEADER)
    status, page = _state(client, team, date.today().isoformat())
    assert status == 409 and "Rollen din gir ikke lov til dette" in page
    assert 'id="tilstand-mal"' not in page
    assert client.get(f"/kandidater/{team}/historikk").status_code == 409  # as the API's 403


def test_the_state_of_an_unrelated_candidate_is_a_404(client: TestClient, team: UUID) -> None:
    sign_in(client, STRANGER)
    assert _state(client, team, date.today().isoformat())[0] == 404


def test_the_history_shows_the_auditor_the_chains_verification_and_the_export(
    client: TestClient, team: UUID
) -> None:
    sign_in_as_auditor(client)
    page = client.get(f"/kandidater/{team}/historikk").text
    assert 'id="kjeden"' in page and "Kjeden er kontrollert" in page
    assert f'href="/kandidater/{team}/tilstand"' in page
    assert f'href="/kandidater/{team}/eksport.pdf"' in page
    assert f'href="/kandidater/{team}/eksport.json"' in page


def test_the_candidate_reads_the_history_without_the_auditors_verification(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, CANDIDATE)
    page = client.get(f"/kandidater/{team}/historikk")
    assert page.status_code == 200
    assert 'id="kjeden"' not in page.text


def test_the_history_says_why_a_goal_was_rejected(
    client: TestClient, team: UUID, services: Services
) -> None:
    services.application.send_goal_for_approval(
        CommandContext(identity=CANDIDATE.identity), team, GOAL, completed_on=date.today()
    )
    services.application.reject_goal(
        CommandContext(identity=LEADER.identity), team, GOAL, reason="Mangler kursbevis"
    )
    wait_for_views(services)
    sign_in_as_auditor(client)
    page = client.get(f"/kandidater/{team}/historikk").text
    assert '<th scope="col">Hvorfor</th>' in page
    assert "<td>Mangler kursbevis</td>" in page
