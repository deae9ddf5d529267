"""The candidate's profile page (R28) and invitations page (R2, R3, R26), over HTTP on
both stores: edit the profile, record a new specialty, invite with an HPR number, list
the invitations with their state, revoke a pending one; refused forms show the error
summary and the message beside the field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from fastapi.testclient import TestClient
from web_world import CANDIDATE, LEADER, STRANGER, SUPERVISOR, csrf_of, sign_in

from api.deps import Services


def _form(client: TestClient, page: str, path: str, data: dict[str, str]) -> tuple[int, str]:
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    answer = client.post(path, data={"csrf": csrf_of(shown.text), **data})
    return answer.status_code, answer.text


def test_the_candidate_edits_name_email_and_organisation(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, CANDIDATE)
    page = f"/kandidater/{team}/profil"
    assert 'value="lise.lege@example.no"' in client.get(page).text
    status, _ = _form(
        client,
        page,
        page,
        {
            "name": "Lise Lege-Hansen",
            "email": "lise@sykehus.no",
            "organisation_id": "974589095",
            "organisation_name": "Oslo universitetssykehus",
        },
    )
    assert status == 303
    shown = client.get(page).text
    assert "Profilen er lagret." in shown and "Oslo universitetssykehus" in shown
    candidate = services.projections.queries.get_candidate(team)
    assert candidate is not None
    assert candidate["name"] == "Lise Lege-Hansen" and candidate["email"] == "lise@sykehus.no"


def test_a_profile_with_an_empty_name_is_refused_beside_the_field(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, CANDIDATE)
    page = f"/kandidater/{team}/profil"
    status, text = _form(
        client,
        page,
        page,
        {
            "name": "",
            "email": "lise@sykehus.no",
            "organisation_id": "974589095",
            "organisation_name": "Oslo universitetssykehus",
        },
    )
    assert status == 422
    assert "For å gå videre må du rette opp følgende" in text
    assert 'href="#profil-name"' in text and 'id="profil-name-feil"' in text
    assert 'value="lise@sykehus.no"' in text  # what was typed is kept
    candidate = services.projections.queries.get_candidate(team)
    assert candidate is not None and candidate["name"] == CANDIDATE.name


def test_the_leader_records_a_new_specialty_and_the_page_lists_both_with_dates(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, LEADER)
    page = f"/kandidater/{team}/profil"
    shown = client.get(page).text
    assert "Endre profilen" not in shown and "Ny spesialitet" in shown
    status, _ = _form(
        client,
        page,
        page + "/spesialitet",
        {"specialty": "SAM", "from": date.today().strftime("%d.%m.%Y")},
    )
    assert status == 303
    candidate = services.projections.queries.get_candidate(team)
    assert candidate is not None and candidate["specialty"] == "SAM"
    table = client.get(page).text.split('id="spesialiteter"')[1].split("</table>")[0]
    assert "ALM" in table and "SAM" in table and "nå" in table


def test_a_specialty_from_a_future_date_is_refused_beside_the_field(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, CANDIDATE)
    page = f"/kandidater/{team}/profil"
    future = (date.today() + timedelta(days=30)).strftime("%d.%m.%Y")
    status, text = _form(client, page, page + "/spesialitet", {"specialty": "SAM", "from": future})
    assert status == 422
    assert 'href="#spesialitet-from"' in text and "Fra dato kan ikke være fram i tid" in text
    candidate = services.projections.queries.get_candidate(team)
    assert candidate is not None and candidate["specialty"] == "ALM"


def test_the_candidate_invites_with_an_hpr_number_sees_it_pending_and_revokes_it(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, CANDIDATE)
    page = f"/kandidater/{team}/invitasjoner"
    listed = client.get(page).text
    assert listed.count("Godtatt") == 3  # the team's leader, veileder and supervisor
    status, _ = _form(
        client,
        page,
        page + "/ny",
        {
            "role": "supervisor",
            "name": "Per Prosedyre",
            "email": "per@example.no",
            "hpr_number": "1234567",
        },
    )
    assert status == 303
    shown = client.get(page).text
    assert "Send denne lenken til personen" in shown
    assert "Per Prosedyre" in shown and "HPR 1234567" in shown and "Venter på svar" in shown
    pending = [
        i
        for i in services.application.invitations_of(CANDIDATE.identity, team, _now())
        if i["state"] == "pending"
    ]
    assert len(pending) == 1 and pending[0]["hpr_number"] == "1234567"
    iid = pending[0]["invitation_id"]
    status, _ = _form(client, page, f"{page}/{iid}/trekk-tilbake", {})
    assert status == 303
    shown = client.get(page).text
    assert "Trukket tilbake" in shown and "Venter på svar" not in shown


def test_an_invitation_with_a_bad_email_is_refused_and_keeps_what_was_typed(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, CANDIDATE)
    page = f"/kandidater/{team}/invitasjoner"
    status, text = _form(
        client, page, page + "/ny", {"role": "", "name": "Per Prosedyre", "email": "per"}
    )
    assert status == 422
    assert 'href="#inviter-role"' in text and 'value="Per Prosedyre"' in text


def test_the_leader_invites_a_deputy_until_a_date(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, LEADER)
    page = f"/kandidater/{team}/invitasjoner"
    until = date.today() + timedelta(days=60)
    status, text = _form(
        client,
        page,
        page + "/ny",
        {
            "role": "deputy",
            "name": "Stine Stedfortreder",
            "email": "stine@example.no",
            "until": until.strftime("%d.%m.%Y"),
        },
    )
    assert status == 303, text
    invitations = services.application.invitations_of(LEADER.identity, team, _now())
    deputy = [i for i in invitations if i["role"] == "deputy"]
    assert len(deputy) == 1 and deputy[0]["until"] == until


def test_a_supervisor_cannot_open_the_invitations_page(client: TestClient, team: UUID) -> None:
    sign_in(client, SUPERVISOR)
    answer = client.get(f"/kandidater/{team}/invitasjoner")
    assert answer.status_code in (403, 404, 409)
    assert "Per Prosedyre" not in answer.text and "Godtatt" not in answer.text


def _now() -> datetime:
    return datetime.now(UTC)


def test_the_new_pages_of_an_unrelated_candidate_are_the_norwegian_404(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, STRANGER)
    for path in ("profil", "invitasjoner", "moter", "eksport.pdf", "eksport.json"):
        answer = client.get(f"/kandidater/{team}/{path}")
        assert answer.status_code == 404, path
        assert "Fant ikke siden" in answer.text and CANDIDATE.name not in answer.text
