"""The pages in a real (system) Chromium, headless, against a uvicorn server on
loopback: the GOV.UK error summary, and axe-core on the main pages (SQLite; the
journey on both stores is in test_web_journey_in_chromium.py)."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

import pytest
from browsing import NORWEGIAN_DAY, press, sign_in_as
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from web_world import (
    CANDIDATE,
    GOAL,
    LEADER,
    SUPERVISOR,
    YESTERDAY,
    LiveServer,
    Person,
    run_axe,
)

from api.deps import Services

pytestmark = pytest.mark.slow


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url


def test_a_form_with_an_empty_required_field_shows_the_error_summary_linking_to_the_field(
    browser: Any, live_server: LiveServer, team: UUID
) -> None:
    sign_in_as(browser, live_server, CANDIDATE)
    browser.get(f"{live_server.url}/kandidater/{team}/mal/{GOAL}")
    browser.find_element(By.ID, "registrer-fulfilled_on").send_keys(NORWEGIAN_DAY)
    Select(browser.find_element(By.ID, "registrer-kind")).select_by_visible_text("Kurs")
    press(browser, "Registrer aktivitet")

    summary = browser.find_element(By.CLASS_NAME, "ds-error-summary")
    link = summary.find_element(By.LINK_TEXT, "Skriv inn tittel")
    assert link.get_attribute("href").endswith("#registrer-title")
    field = browser.find_element(By.ID, "registrer-title")
    assert field.get_attribute("aria-invalid") == "true"
    beside = browser.find_element(By.ID, "registrer-title-feil")
    assert beside.text == "Skriv inn tittel"
    assert browser.find_element(By.ID, "registrer-fulfilled_on").get_attribute("value") == (
        NORWEGIAN_DAY
    )
    link.click()
    assert browser.switch_to.active_element.get_attribute("id") == "registrer-title"
    assert browser.title.startswith(f"{GOAL}") and "(feil i skjemaet)" in browser.title


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """Serious and critical violations axe-core finds on the current page (it must have
    run: some rules passed)."""
    answer = run_axe(driver)
    assert "error" not in answer and answer["passes"] > 0, answer
    violations: list[dict[str, Any]] = answer["violations"]
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


def test_the_main_pages_have_no_serious_or_critical_accessibility_violations(
    browser: Any, live_server: LiveServer, team: UUID, services: Services
) -> None:
    from kompetanse_domain.application import CommandContext

    application = services.application
    registered = application.register_activity(
        CommandContext(identity=CANDIDATE.identity),
        team,
        GOAL,
        title="Kurs i akuttmedisin",
        kind="course",
        fulfilled_on=YESTERDAY,
    )
    application.send_activity_for_signing(
        CommandContext(identity=CANDIDATE.identity),
        team,
        GOAL,
        registered.value["activity_id"],
        signer_sub=SUPERVISOR.sub,
    )
    application.send_goal_for_approval(
        CommandContext(identity=CANDIDATE.identity), team, "WEB-A-002", completed_on=YESTERDAY
    )
    deadline = time.monotonic() + 10
    while not services.projections.queries.list_leader_approvals(LEADER.sub):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    browser.get(live_server.url + "/logg-inn")
    pages: list[tuple[Person | None, str]] = [
        (None, "/logg-inn"),
        (CANDIDATE, "/"),
        (CANDIDATE, f"/kandidater/{team}"),
        (CANDIDATE, f"/kandidater/{team}/mal"),
        (CANDIDATE, f"/kandidater/{team}/mal/{GOAL}"),
        (SUPERVISOR, "/signering"),
        (LEADER, "/leder"),
        (LEADER, "/leder/godkjenninger"),
    ]
    found: dict[str, list[str]] = {}
    current: Person | None = None
    for person, path in pages:
        if person is not None and person != current:
            sign_in_as(browser, live_server, person)
            current = person
        browser.get(live_server.url + path)
        violations = axe_violations(browser)
        if violations:
            found[path] = [f"{v['id']}: {v['help']}" for v in violations]
    # the auditor's search and timeline
    sign_in_as(browser, live_server, Person("revisor-1", "Rita Revisor"), auditor=True)
    for path in ("/revisor?q=lise", f"/kandidater/{team}/historikk"):
        browser.get(live_server.url + path)
        violations = axe_violations(browser)
        if violations:
            found[path] = [f"{v['id']}: {v['help']}" for v in violations]
    # the error summary's page too
    sign_in_as(browser, live_server, CANDIDATE)
    browser.get(f"{live_server.url}/kandidater/{team}/mal/{GOAL}")
    press(browser, "Registrer aktivitet")
    violations = axe_violations(browser)
    if violations:
        found["error summary"] = [f"{v['id']}: {v['help']}" for v in violations]
    assert found == {}
