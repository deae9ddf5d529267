"""The pages over HTTP (no browser): sign-in, CSRF, the same authorization as the API,
user text escaped, Norwegian pages and errors, the security headers. Both stores."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from fastapi.testclient import TestClient
from web_world import CANDIDATE, GOAL, LEADER, STRANGER, csrf_of, sign_in

from api.deps import Services


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_sign_in_page(client: TestClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/logg-inn"


def test_the_dev_sign_in_page_lists_demo_users_in_norwegian(client: TestClient) -> None:
    page = client.get("/logg-inn")
    assert page.status_code == 200
    assert '<html lang="nb"' in page.text
    assert "Logg inn som Demo Leder" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_the_session_cookie_is_httponly_and_samesite_lax(client: TestClient) -> None:
    page = client.get("/logg-inn")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http on loopback


def test_a_form_sent_without_the_csrf_token_is_refused(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, CANDIDATE)
    answer = client.post(
        f"/kandidater/{team}/mal/{GOAL}/aktiviteter",
        data={"title": "Kurs", "kind": "course", "fulfilled_on": "2026-01-05"},
    )
    assert answer.status_code == 403
    assert "sikkerhetsnøkkel" in answer.text
    goal = services.projections.queries.get_goal(team, GOAL)
    assert goal is not None and goal["activities"] == []


def test_sign_in_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/logg-inn")
    answer = client.post("/logg-inn", data={"sub": "someone", "name": "Someone"})
    assert answer.status_code == 403


def test_a_page_of_an_unrelated_candidate_is_a_norwegian_404(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, STRANGER)
    pages = (f"/kandidater/{team}", f"/kandidater/{team}/mal", f"/kandidater/{team}/mal/{GOAL}")
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Fant ikke siden" in answer.text
        assert LEADER.name not in answer.text and CANDIDATE.name not in answer.text


def test_text_a_user_typed_shows_as_text_not_markup(client: TestClient, team: UUID) -> None:
    sign_in(client, CANDIDATE)
    page = client.get(f"/kandidater/{team}/mal/{GOAL}")
    answer = client.post(
        f"/kandidater/{team}/mal/{GOAL}/aktiviteter",
        data={
            "csrf": csrf_of(page.text),
            "title": "<script>alert(1)</script>",
            "kind": "course",
            "fulfilled_on": "2026-01-05",
        },
    )
    assert answer.status_code == 303
    shown = client.get(f"/kandidater/{team}/mal/{GOAL}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<script>alert(1)</script>" not in shown


def test_a_refused_form_keeps_what_was_typed_and_says_why_in_norwegian(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, CANDIDATE)
    page = client.get(f"/kandidater/{team}/mal/{GOAL}")
    answer = client.post(
        f"/kandidater/{team}/mal/{GOAL}/aktiviteter",
        data={
            "csrf": csrf_of(page.text),
            "title": "Kurs i akuttmedisin",
            "kind": "course",
            "fulfilled_on": (date.today() + timedelta(days=40)).isoformat(),
        },
    )
    assert answer.status_code == 422
    assert 'href="#registrer-fulfilled_on"' in answer.text
    assert "Dato gjennomført kan ikke være fram i tid" in answer.text
    assert 'value="Kurs i akuttmedisin"' in answer.text


def test_signing_out_ends_the_session(client: TestClient, team: UUID) -> None:
    sign_in(client, CANDIDATE)
    home = client.get("/")
    assert home.status_code == 200 and "Mine planer" in home.text
    answer = client.post("/logg-ut", data={"csrf": csrf_of(home.text)})
    assert answer.status_code == 303
    assert client.get("/").headers["location"] == "/logg-inn"


def test_navigation_shows_only_what_the_roles_allow(client: TestClient, team: UUID) -> None:
    sign_in(client, CANDIDATE)
    menu = client.get("/").text
    assert 'href="/kandidat"' in menu and 'href="/leder"' not in menu
    sign_in(client, LEADER)
    menu = client.get("/").text
    assert 'href="/leder"' in menu and 'href="/kandidat"' not in menu


def test_a_malformed_address_is_the_norwegian_404_page_not_problem_json(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, CANDIDATE)
    answer = client.get("/kandidater/ikke-en-id/mal")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Fant ikke siden" in answer.text
