"""The veileder's and the leader's journey through the meeting and concern pages in a
real (system) Chromium with JavaScript switched off (on both stores): the veileder plans
a meeting, is refused finalising it without a summary (the error summary and the message
beside the field), writes the summary and finalises it; raises a concern; the leader
sees it in the table and resolves it. Then axe-core on the new pages (SQLite)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from browsing import NORWEGIAN_DAY, click_link, press, sign_in_as
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from test_web_in_chromium import axe_violations
from web_world import CANDIDATE, LEADER, VEILEDER, LiveServer, Person

from api.deps import Services
from kompetanse_domain.application import CommandContext

pytestmark = pytest.mark.slow
NEXT_WEEK = (date.today() + timedelta(days=7)).strftime("%d.%m.%Y")


def _main(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "main").text)


def test_the_veileder_finalises_a_meeting_after_writing_the_summary_and_the_leader_resolves_a_concern(  # noqa: E501
    browser_without_javascript: Any, live_server: LiveServer, team: UUID, services: Services
) -> None:
    driver = browser_without_javascript
    driver.get("data:text/html,<title>off</title><script>document.title='on'</script>")
    assert driver.title == "off"  # JavaScript is switched off in this browser

    sign_in_as(driver, live_server, VEILEDER)
    click_link(driver, "Veiledning")
    click_link(driver, CANDIDATE.name)
    driver.find_element(By.ID, "planlegg-scheduled_for").send_keys(NEXT_WEEK)
    press(driver, "Planlegg møtet")
    assert driver.find_element(By.ID, "motestatus").text == "Planlagt"

    driver.find_element(By.ID, "avslutt-held_on").send_keys(NORWEGIAN_DAY)
    press(driver, "Avslutt møtet")
    summary = driver.find_element(By.CLASS_NAME, "ds-error-summary")
    link = summary.find_element(By.PARTIAL_LINK_TEXT, "Møtet har ikke referat ennå")
    assert (link.get_attribute("href") or "").endswith("#referat-text")
    assert "Møtet har ikke referat ennå" in driver.find_element(By.ID, "referat-text-feil").text
    assert driver.find_element(By.ID, "referat-text").get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "avslutt-held_on").get_attribute("value") == NORWEGIAN_DAY

    driver.find_element(By.ID, "referat-text").send_keys("Gikk gjennom brystsmerter.")
    press(driver, "Lagre referatet")
    assert "Referatet er lagret." in _main(driver)
    driver.find_element(By.ID, "avslutt-held_on").send_keys(NORWEGIAN_DAY)
    press(driver, "Avslutt møtet")
    assert driver.find_element(By.ID, "motestatus").text == "Gjennomført"
    assert "Gikk gjennom brystsmerter." in _main(driver)

    click_link(driver, "Tilbake til veiledningen")
    click_link(driver, "Bekymringer")
    driver.find_element(By.ID, "bekymring-text").send_keys("Lite framdrift siste halvår.")
    press(driver, "Send bekymringen til lederen")
    assert "Lederen og eventuelle stedfortredere ser den nå" in _main(driver)

    sign_in_as(driver, live_server, LEADER)
    click_link(driver, "Mine kandidater")
    cell = driver.find_element(By.CSS_SELECTOR, "table a[href$='/bekymringer']")
    assert cell.text.startswith("1")
    page = driver.find_element(By.TAG_NAME, "html")
    cell.click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.TAG_NAME, "html") != page)
    assert "Lite framdrift siste halvår." in _main(driver)
    driver.find_element(By.CSS_SELECTOR, "textarea[name=note]").send_keys("Samtale holdt.")
    press(driver, "Lukk bekymringen")
    assert "Ingen åpne bekymringer" in _main(driver)
    assert "Samtale holdt." in _main(driver)

    meetings = services.projections.queries.list_meetings(team)
    assert [row["state"] for row in meetings] == ["finalised"]
    assert [row["state"] for row in services.projections.queries.list_concerns(team)] == [
        "resolved"
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the pages, not the store
def test_the_veileder_meeting_and_concern_pages_have_no_serious_or_critical_accessibility_violations(  # noqa: E501
    browser: Any, live_server: LiveServer, team: UUID, services: Services
) -> None:
    application = services.application
    created = application.create_meeting(
        CommandContext(identity=VEILEDER.identity),
        team,
        scheduled_for=date.today() + timedelta(days=7),
        planned_minutes=45,
    )
    application.raise_concern(
        CommandContext(identity=VEILEDER.identity), team, text="Lite framdrift."
    )
    meeting = f"/moter/{created.value['meeting_id']}"
    position = application.recorder.max_notification_id() or 0
    assert services.projections.wait_for(position, 10)
    pages: list[tuple[Person, str]] = [
        (VEILEDER, "/veileder"),
        (VEILEDER, f"/veileder/kandidater/{team}"),
        (VEILEDER, meeting),
        (VEILEDER, f"/kandidater/{team}/bekymringer"),
        (LEADER, "/leder"),
        (LEADER, f"/kandidater/{team}/bekymringer"),
    ]
    found: dict[str, list[str]] = {}
    current: Person | None = None
    for person, path in pages:
        if person != current:
            sign_in_as(browser, live_server, person)
            current = person
        browser.get(live_server.url + path)
        violations = axe_violations(browser)
        if violations:
            found[path] = [f"{v['id']}: {v['help']}" for v in violations]
    sign_in_as(browser, live_server, VEILEDER)
    browser.get(live_server.url + meeting)
    press(browser, "Avslutt møtet")  # the error summary's page
    assert browser.find_elements(By.CLASS_NAME, "ds-error-summary")
    violations = axe_violations(browser)
    if violations:
        found["error summary"] = [f"{v['id']}: {v['help']}" for v in violations]
    assert found == {}
