"""The auditor finds a candidate by a part of the name or the HPR number and reads the
history as a timeline; others may not search. Both stores."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient
from web_world import CANDIDATE, LEADER, csrf_of

from api.deps import Services


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


def test_an_auditor_finds_a_candidate_by_part_of_the_name_and_reads_the_history(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in_as_auditor(client)
    assert 'href="/revisor"' in client.get("/").text
    found = client.get("/revisor", params={"q": "lise l"})
    assert found.status_code == 200
    assert f'href="/kandidater/{team}"' in found.text and CANDIDATE.name in found.text
    history = client.get(f"/kandidater/{team}/historikk")
    assert history.status_code == 200
    assert "Registrert som kandidat" in history.text and "Plan tildelt" in history.text
    assert LEADER.name in history.text


def test_a_malformed_hpr_number_is_shown_beside_the_field(client: TestClient, team: UUID) -> None:
    sign_in_as_auditor(client)
    answer = client.get("/revisor", params={"hpr_number": "12ab"})
    assert answer.status_code == 422
    assert 'href="#sok-hpr_number"' in answer.text
    assert "HPR-nummeret må være 4 til 9 sifre" in answer.text
    assert 'value="12ab"' in answer.text


def test_a_leader_may_not_search_all_candidates(client: TestClient, team: UUID) -> None:
    page = client.get("/logg-inn")
    client.post(
        "/logg-inn", data={"csrf": csrf_of(page.text), "sub": LEADER.sub, "name": LEADER.name}
    )
    assert 'href="/revisor"' not in client.get("/").text
    answer = client.get("/revisor", params={"q": "lise"})
    assert "Rollen din gir ikke lov til dette" in answer.text
    assert f"/kandidater/{team}" not in answer.text
