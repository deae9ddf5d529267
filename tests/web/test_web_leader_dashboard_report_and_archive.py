"""The leader's dashboard, report.csv and plan archiving on the pages (issue 25, point 4),
over HTTP on both stores: how long approvals have waited, the same CSV as the API's
report, archiving a plan whose goals are all approved (and the refusal when not)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from fastapi.testclient import TestClient
from web_world import (
    CANDIDATE,
    GOAL,
    LEADER,
    PLAN,
    SECOND_GOAL,
    STRANGER,
    Person,
    csrf_of,
    sign_in,
    wait_for_views,
)

from api.deps import Services
from kompetanse_domain.application import CommandContext
from kompetanse_domain.application.context import utc_now


def _as(person: Person, days_ago: int = 0) -> CommandContext:
    return CommandContext(identity=person.identity, now=utc_now() - timedelta(days=days_ago))


def _send(services: Services, cid: UUID, code: str, days_ago: int) -> None:
    services.application.send_goal_for_approval(
        _as(CANDIDATE, days_ago), cid, code, completed_on=date.today() - timedelta(days=days_ago)
    )


def test_the_dashboard_says_how_long_approvals_have_waited(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, LEADER)
    assert "venter i" not in client.get("/leder").text
    _send(services, team, GOAL, days_ago=0)
    _send(services, team, SECOND_GOAL, days_ago=0)
    wait_for_views(services)
    page = client.get("/leder").text
    assert "venter i 0 dager" in page  # sent today (days_waiting's own test counts days)
    assert f'href="/kandidater/{team}"' in page
    assert 'href="/leder/rapport.csv"' in page


def test_report_csv_is_the_apis_report_for_the_signed_in_leader(
    client: TestClient, team: UUID, services: Services
) -> None:
    _send(services, team, GOAL, days_ago=0)
    wait_for_views(services)
    sign_in(client, LEADER)
    answer = client.get("/leder/rapport.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment")
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("candidate;candidate_sub;plan;goal;state")
    assert any(
        f"{CANDIDATE.name};{CANDIDATE.sub};{PLAN};{GOAL};sent_for_approval" in line
        for line in lines
    )


def test_report_csv_of_someone_who_leads_no_one_has_only_the_header(
    client: TestClient, team: UUID
) -> None:
    sign_in(client, STRANGER)
    lines = client.get("/leder/rapport.csv").content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1


def _approve_all(services: Services, cid: UUID) -> None:
    for code in (GOAL, SECOND_GOAL):
        _send(services, cid, code, days_ago=0)
        services.application.approve_goal(_as(LEADER), cid, code)
    wait_for_views(services)


def test_the_leader_archives_a_plan_whose_goals_are_all_approved(
    client: TestClient, team: UUID, services: Services
) -> None:
    _approve_all(services, team)
    sign_in(client, LEADER)
    page = client.get(f"/kandidater/{team}").text
    assert "Arkiver Testplan for nettsidene" in page
    answer = client.post(f"/kandidater/{team}/planer/{PLAN}/arkiver", data={"csrf": csrf_of(page)})
    assert answer.status_code == 303
    candidate = services.projections.queries.get_candidate(team)
    assert candidate is not None
    assert {p["plan_code"]: p["state"] for p in candidate["plans"]}[PLAN] == "archived"
    assert "Arkivert" in client.get(f"/kandidater/{team}").text


def test_archiving_a_plan_with_unapproved_goals_is_refused_on_the_page(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, LEADER)
    page = client.get(f"/kandidater/{team}").text
    assert "Arkiver Testplan" not in page  # not offered while goals are open
    answer = client.post(f"/kandidater/{team}/planer/{PLAN}/arkiver", data={"csrf": csrf_of(page)})
    assert answer.status_code == 422
    assert 'id="feiloppsummering"' in answer.text
    candidate = services.projections.queries.get_candidate(team)
    assert candidate is not None
    assert {p["plan_code"]: p["state"] for p in candidate["plans"]}[PLAN] == "active"


def test_the_candidate_cannot_archive_and_is_not_offered_it(
    client: TestClient, team: UUID, services: Services
) -> None:
    _approve_all(services, team)
    sign_in(client, CANDIDATE)
    page = client.get(f"/kandidater/{team}").text
    assert "Arkiver Testplan" not in page
    answer = client.post(f"/kandidater/{team}/planer/{PLAN}/arkiver", data={"csrf": csrf_of(page)})
    assert answer.status_code == 422
    candidate = services.projections.queries.get_candidate(team)
    assert candidate is not None
    assert {p["plan_code"]: p["state"] for p in candidate["plans"]}[PLAN] == "active"


def test_archiving_for_an_unrelated_candidate_is_a_404(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, STRANGER)
    home = client.get("/").text
    answer = client.post(f"/kandidater/{team}/planer/{PLAN}/arkiver", data={"csrf": csrf_of(home)})
    assert answer.status_code == 404
