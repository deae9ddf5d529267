"""Corrections on the goal page (API.md v1.1 "Corrections", R29), over HTTP on both
stores: the candidate edits and withdraws an activity and recalls a goal; the leader
withdraws an approval; a refused form shows the error summary and the message beside
the field."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient
from web_world import (
    CANDIDATE,
    GOAL,
    LEADER,
    YESTERDAY,
    Person,
    csrf_of,
    sign_in,
    wait_for_views,
)

from api.deps import Services
from kompetanse_domain.application import CommandContext

PAGE = "/kandidater/{cid}/mal/" + GOAL


def _register(services: Services, cid: UUID, title: str = "Kurs i akuttmedisin") -> str:
    outcome = services.application.register_activity(
        CommandContext(identity=CANDIDATE.identity),
        cid,
        GOAL,
        title=title,
        kind="course",
        fulfilled_on=YESTERDAY,
    )
    wait_for_views(services)
    return str(outcome.value["activity_id"])


def _post(client: TestClient, cid: UUID, person: Person, path: str, data: dict[str, str]) -> str:
    """Signs in, opens the goal page for its token, posts; the answer's text."""
    sign_in(client, person)
    page = client.get(PAGE.format(cid=cid))
    answer = client.post(PAGE.format(cid=cid) + path, data={"csrf": csrf_of(page.text), **data})
    return f"{answer.status_code}\n{answer.text}"


def _activity(services: Services, cid: UUID, aid: str) -> dict[str, object]:
    goal = services.projections.queries.get_goal(cid, GOAL)
    assert goal is not None
    return dict(next(a for a in goal["activities"] if a["activity_id"] == aid))


def test_the_candidate_edits_an_activity_from_the_goal_page(
    client: TestClient, team: UUID, services: Services
) -> None:
    aid = _register(services, team)
    sign_in(client, CANDIDATE)
    page = client.get(PAGE.format(cid=team)).text
    assert "Endre aktiviteten" in page and 'value="Kurs i akuttmedisin"' in page
    answer = client.post(
        PAGE.format(cid=team) + f"/aktiviteter/{aid}/endre",
        data={
            "csrf": csrf_of(page),
            "title": "Kurs i akuttmedisin, dag 2",
            "kind": "course",
            "fulfilled_on": YESTERDAY.strftime("%d.%m.%Y"),
            "note": "Rettet tittel",
        },
    )
    assert answer.status_code == 303
    shown = client.get(PAGE.format(cid=team)).text
    assert "Aktiviteten er endret." in shown and "Kurs i akuttmedisin, dag 2" in shown
    activity = _activity(services, team, aid)
    assert activity["title"] == "Kurs i akuttmedisin, dag 2" and activity["note"] == "Rettet tittel"


def test_an_edit_with_an_empty_title_is_refused_beside_the_field_and_keeps_what_was_typed(
    client: TestClient, team: UUID, services: Services
) -> None:
    aid = _register(services, team)
    answer = _post(
        client,
        team,
        CANDIDATE,
        f"/aktiviteter/{aid}/endre",
        {"title": " ", "kind": "course", "fulfilled_on": "5.1.2026", "note": "beholdt tekst"},
    )
    assert answer.startswith("422")
    assert "For å gå videre må du rette opp følgende" in answer
    assert f'href="#endre-{aid}-title"' in answer
    assert f'id="endre-{aid}-title-feil"' in answer and "Skriv inn tittel" in answer
    assert "beholdt tekst" in answer and "(feil i skjemaet)" in answer
    assert _activity(services, team, aid)["title"] == "Kurs i akuttmedisin"


def test_the_candidate_withdraws_an_activity_with_a_reason_and_it_shows_as_withdrawn(
    client: TestClient, team: UUID, services: Services
) -> None:
    aid = _register(services, team)
    answer = _post(client, team, CANDIDATE, f"/aktiviteter/{aid}/trekk", {"reason": "Feil mål"})
    assert answer.startswith("303")
    shown = client.get(PAGE.format(cid=team)).text
    assert "Trukket" in shown and "Begrunnelse: Feil mål" in shown
    assert "Endre aktiviteten" not in shown  # a withdrawn activity is not edited
    activity = _activity(services, team, aid)
    assert activity["state"] == "withdrawn" and activity["withdrawal_reason"] == "Feil mål"


def test_a_withdrawal_without_a_reason_is_refused_beside_the_field(
    client: TestClient, team: UUID, services: Services
) -> None:
    aid = _register(services, team)
    answer = _post(client, team, CANDIDATE, f"/aktiviteter/{aid}/trekk", {"reason": ""})
    assert answer.startswith("422")
    assert f'href="#trekk-{aid}-reason"' in answer and "Skriv inn begrunnelse" in answer
    assert '<details class="app-details" open>' in answer
    assert _activity(services, team, aid)["state"] == "registered"


def _send_goal(services: Services, cid: UUID) -> None:
    aid = _register(services, cid)
    ctx = CommandContext(identity=CANDIDATE.identity)
    services.application.withdraw_activity(ctx, cid, GOAL, aid, reason="ikke relevant")
    services.application.send_goal_for_approval(ctx, cid, GOAL, completed_on=YESTERDAY)
    wait_for_views(services)


def test_the_candidate_recalls_a_goal_sent_for_approval(
    client: TestClient, team: UUID, services: Services
) -> None:
    _send_goal(services, team)
    answer = _post(client, team, CANDIDATE, "/hent-tilbake", {"reason": "Glemte et kurs"})
    assert answer.startswith("303"), answer
    shown = client.get(PAGE.format(cid=team)).text
    assert "Målet er hentet tilbake fra godkjenning." in shown
    assert 'id="malstatus">Ikke startet' in shown
    goal = services.projections.queries.get_goal(team, GOAL)
    assert goal is not None and goal["state"] == "not_started"


def test_the_leader_withdraws_an_approval_with_a_reason(
    client: TestClient, team: UUID, services: Services
) -> None:
    _send_goal(services, team)
    services.application.approve_goal(CommandContext(identity=LEADER.identity), team, GOAL)
    wait_for_views(services)
    sign_in(client, LEADER)
    assert "Trekk godkjenningen" in client.get(PAGE.format(cid=team)).text
    refused = _post(client, team, LEADER, "/trekk-godkjenning", {"reason": ""})
    assert refused.startswith("422") and 'href="#trekk-godkjenning-reason"' in refused
    answer = _post(client, team, LEADER, "/trekk-godkjenning", {"reason": "Godkjent ved en feil"})
    assert answer.startswith("303"), answer
    shown = client.get(PAGE.format(cid=team)).text
    assert 'id="malstatus">Ikke startet' in shown
    assert "trukket" in shown and "Begrunnelse: Godkjent ved en feil" in shown
    goal = services.projections.queries.get_goal(team, GOAL)
    assert goal is not None and goal["state"] == "not_started"
    assert goal["decisions"][0]["withdrawn"] is True


def test_the_candidate_is_offered_no_approval_withdrawal_and_a_forged_one_is_refused(
    client: TestClient, team: UUID, services: Services
) -> None:
    _send_goal(services, team)
    services.application.approve_goal(CommandContext(identity=LEADER.identity), team, GOAL)
    wait_for_views(services)
    sign_in(client, CANDIDATE)
    assert "Trekk godkjenningen" not in client.get(PAGE.format(cid=team)).text
    answer = _post(client, team, CANDIDATE, "/trekk-godkjenning", {"reason": "Vil ikke"})
    assert answer.startswith("422") and "For å gå videre" in answer
    goal = services.projections.queries.get_goal(team, GOAL)
    assert goal is not None and goal["state"] == "approved"
