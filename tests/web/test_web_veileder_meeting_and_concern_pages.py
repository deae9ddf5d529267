"""The veileder's pages, the meeting pages and the concerns over HTTP (no browser): each
form calls the application and the page after the redirect shows it; a refused form
shows the GOV.UK error summary and the message beside the field; who may see what is
the API's. Both stores."""

from __future__ import annotations

import re
from datetime import date, timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from web_world import (
    CANDIDATE,
    GOAL,
    LEADER,
    STRANGER,
    SUPERVISOR,
    VEILEDER,
    YESTERDAY,
    Person,
    csrf_of,
    sign_in,
    wait_for_views,
)

from api.deps import Services
from kompetanse_domain.application import CommandContext
from web import pages

NEXT_WEEK = date.today() + timedelta(days=7)


def _post(client: TestClient, page: str, action: str, data: dict[str, str]) -> tuple[int, str]:
    """The form as a browser sends it: from its page, with the session's CSRF token."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    answer = client.post(action, data={"csrf": csrf_of(shown.text), **data})
    return answer.status_code, answer.headers.get("location", "") or answer.text


def _schedule(client: TestClient, cid: UUID) -> str:
    status, location = _post(
        client,
        f"/veileder/kandidater/{cid}",
        f"/veileder/kandidater/{cid}/moter",
        {"scheduled_for": NEXT_WEEK.strftime("%d.%m.%Y"), "planned_minutes": "45"},
    )
    assert status == 303, location
    assert re.fullmatch(r"/moter/[0-9a-f-]{36}", location), location
    return location


def _error_summary_links(html: str) -> list[str]:
    summary = html[html.index('class="ds-error-summary"') :]
    summary = summary[: summary.index("</div>")]
    return re.findall(r'href="#([^"]+)"', summary)


def test_the_veileder_entry_in_the_menu_is_shown_only_to_a_veileder(
    client: TestClient, team: UUID
) -> None:
    for person, shown in ((VEILEDER, True), (CANDIDATE, False), (SUPERVISOR, False)):
        sign_in(client, person)
        assert ('href="/veileder"' in client.get("/").text) is shown, person


def test_the_veileder_sees_their_candidates_with_progress_next_meeting_and_open_concerns(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, VEILEDER)
    page = client.get("/veileder")
    assert page.status_code == 200
    assert CANDIDATE.name in page.text and "0 av 2" in page.text
    assert "Ikke planlagt" in page.text
    meeting = _schedule(client, team)
    _post(client, f"/kandidater/{team}/bekymringer", f"/kandidater/{team}/bekymringer",
          {"text": "Lite framdrift siste halvår."})  # fmt: skip
    table = client.get("/veileder").text
    assert f'href="{meeting}"' in table  # the next meeting, a link to its page
    assert f'href="/kandidater/{team}/bekymringer">1</a>' in table
    assert client.get(f"/veileder/kandidater/{team}").status_code == 200
    assert client.get(f"/kandidater/{team}").status_code == 200  # the progress page


def test_scheduling_a_meeting_without_a_date_shows_the_error_summary_and_saves_nothing(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, VEILEDER)
    status, html = _post(
        client,
        f"/veileder/kandidater/{team}",
        f"/veileder/kandidater/{team}/moter",
        {"scheduled_for": "", "planned_minutes": "45"},
    )
    assert status == 422
    assert _error_summary_links(html) == ["planlegg-scheduled_for"]
    assert 'id="planlegg-scheduled_for-feil"' in html and "Skriv inn dato for møtet" in html
    assert 'value="45"' in html
    assert services.projections.queries.list_meetings(team) == []


def test_the_veileder_schedules_writes_the_summary_and_finalises_a_meeting(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, VEILEDER)
    meeting = _schedule(client, team)
    page = client.get(meeting).text
    assert "Planlagt" in page and "45 minutter" in page
    held = YESTERDAY.strftime("%d.%m.%Y")

    status, html = _post(
        client, meeting, meeting + "/avslutt", {"held_on": held, "duration_minutes": "50"}
    )
    assert status == 422  # R25: no summary yet
    assert _error_summary_links(html) == ["referat-text"]
    assert 'id="referat-text-feil"' in html and "Møtet har ikke referat ennå" in html
    assert f'value="{held}"' in html and 'value="50"' in html  # what was typed is kept
    assert "(feil i skjemaet)" in html

    status, location = _post(
        client,
        meeting,
        meeting + "/referat",
        {"text": "Vi gikk gjennom <b>brystsmerter</b>.", "goals_discussed": GOAL},
    )
    assert status == 303 and location == meeting
    status, location = _post(
        client, meeting, meeting + "/avslutt", {"held_on": held, "duration_minutes": "50"}
    )
    assert status == 303, location
    page = client.get(meeting).text
    assert "Gjennomført" in page and "50 minutter" in page
    assert "Vi gikk gjennom &lt;b&gt;brystsmerter&lt;/b&gt;." in page
    assert 'action="' + meeting + '/avslutt"' not in page  # read-only once finalised
    view = services.projections.queries.get_meeting(UUID(meeting.rsplit("/", 1)[1]))
    assert view is not None and view["state"] == "finalised" and view["goals_discussed"] == [GOAL]


def test_the_veileder_cancels_a_meeting_with_a_reason_and_it_stays_shown_as_cancelled(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, VEILEDER)
    meeting = _schedule(client, team)
    status, html = _post(client, meeting, meeting + "/avlys", {"reason": "   "})
    assert status == 422
    assert _error_summary_links(html) == ["avlys-reason"]
    assert 'aria-invalid="true"' in html
    status, _ = _post(client, meeting, meeting + "/avlys", {"reason": "Kandidaten er syk."})
    assert status == 303
    page = client.get(meeting).text
    assert "Avlyst" in page and "Kandidaten er syk." in page
    assert "Avlyst" in client.get(f"/veileder/kandidater/{team}").text


def test_when_the_views_lag_behind_the_page_after_the_form_says_the_change_is_saved(
    client: TestClient, team: UUID, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, VEILEDER)
    meeting = _schedule(client, team)
    services.projections.stop()  # the views stand still: the form's wait runs out
    monkeypatch.setattr(pages, "POSITION_WAIT", 0.3)
    status, _ = _post(client, meeting, meeting + "/avlys", {"reason": "Kandidaten er syk."})
    assert status == 303
    page = client.get(meeting).text
    assert "Endringen er lagret, men oversiktene er ikke oppdatert ennå" in page
    assert "Avlyst" not in page  # the page still shows the meeting as it was
    services.projections.catch_up()
    page = client.get(meeting).text
    assert "Avlyst" in page and "Endringen er lagret" not in page  # said once


def test_the_candidate_writes_a_preparation_on_the_meeting_page(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, VEILEDER)
    meeting = _schedule(client, team)
    sign_in(client, CANDIDATE)
    status, _ = _post(client, meeting, meeting + "/forberedelse", {"text": "Spørsmål om sepsis."})
    assert status == 303
    page = client.get(meeting).text
    assert "Spørsmål om sepsis." in page and "Fra kandidat Lise Lege" in page
    assert 'action="' + meeting + '/avslutt"' not in page  # only the veileder finalises


def test_a_concern_raised_by_the_veileder_is_seen_and_resolved_by_the_leader(
    client: TestClient, team: UUID, services: Services
) -> None:
    concerns = f"/kandidater/{team}/bekymringer"
    sign_in(client, VEILEDER)
    status, html = _post(client, concerns, concerns, {"text": ""})
    assert status == 422
    assert _error_summary_links(html) == ["bekymring-text"]
    assert "Skriv inn bekymringen" in html
    page = client.get(concerns).text
    assert "Lederen og eventuelle stedfortredere" in page  # said before it is sent
    status, location = _post(client, concerns, concerns, {"text": "Lite framdrift siste halvår."})
    assert status == 303 and location == concerns
    assert "Lederen og eventuelle stedfortredere ser den nå" in client.get(concerns).text

    sign_in(client, LEADER)
    table = client.get("/leder").text
    assert "Åpne bekymringer" in table and f'href="{concerns}">1<' in table
    page = client.get(concerns).text
    assert "Lite framdrift siste halvår." in page and VEILEDER.name in page
    (concern_id,) = re.findall(r"/bekymringer/([^/]+)/lukk", page)
    status, html = _post(client, concerns, f"{concerns}/{concern_id}/lukk", {"note": ""})
    assert status == 422
    assert _error_summary_links(html) == [f"lukk-{concern_id}-note"]
    status, _ = _post(
        client, concerns, f"{concerns}/{concern_id}/lukk", {"note": "Samtale holdt; ny plan."}
    )
    assert status == 303
    page = client.get(concerns).text
    assert "Ingen åpne bekymringer" in page and "Samtale holdt; ny plan." in page
    assert f'href="{concerns}"' not in client.get("/leder").text
    (row,) = services.projections.queries.list_concerns(team)
    assert row["state"] == "resolved"


def test_those_who_may_not_read_meetings_or_concerns_get_the_norwegian_404(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, VEILEDER)
    meeting = _schedule(client, team)
    pages = {
        SUPERVISOR: (meeting, f"/kandidater/{team}/bekymringer", f"/veileder/kandidater/{team}"),
        LEADER: (meeting, f"/veileder/kandidater/{team}"),  # R17: meetings are not the leader's
        STRANGER: (meeting, f"/kandidater/{team}/bekymringer", f"/veileder/kandidater/{team}"),
    }
    for person, paths in pages.items():
        sign_in(client, person)
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 404, (person, path)
            assert "Fant ikke siden" in answer.text and CANDIDATE.name not in answer.text


def test_a_concern_sent_without_the_csrf_token_is_refused_and_not_recorded(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, VEILEDER)
    answer = client.post(f"/kandidater/{team}/bekymringer", data={"text": "Uten nøkkel."})
    assert answer.status_code == 403
    sign_in(client, LEADER)
    assert "Ingen åpne bekymringer" in client.get(f"/kandidater/{team}/bekymringer").text


def test_a_deputy_sees_the_open_concern_and_resolves_it(
    client: TestClient, team: UUID, services: Services
) -> None:
    deputy = Person("web-stedfortreder", "Stine Stedfortreder")
    invited = services.application.invite(
        CommandContext(identity=LEADER.identity),
        team,
        role="deputy",
        name=deputy.name,
        email="stine@example.no",
        until=date.today() + timedelta(days=30),
    )
    services.application.accept_invitation(
        CommandContext(identity=deputy.identity), invited.value["token"]
    )
    services.application.raise_concern(
        CommandContext(identity=VEILEDER.identity), team, text="Mangler prosedyrer."
    )
    wait_for_views(services)
    concerns = f"/kandidater/{team}/bekymringer"
    sign_in(client, deputy)
    assert f'href="{concerns}">1<' in client.get("/leder").text
    page = client.get(concerns).text
    (concern_id,) = re.findall(r"/bekymringer/([^/]+)/lukk", page)
    status, _ = _post(client, concerns, f"{concerns}/{concern_id}/lukk", {"note": "Fulgt opp."})
    assert status == 303
    (row,) = services.projections.queries.list_concerns(team)
    assert row["state"] == "resolved" and row["note"] == "Fulgt opp."
