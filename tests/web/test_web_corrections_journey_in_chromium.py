"""The corrections in a real (system) Chromium with JavaScript switched off (R29): the
candidate registers an activity, withdraws it with a reason from the goal page, and the
activity stays on the page, shown as withdrawn with the reason. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from browsing import NORWEGIAN_DAY, press, sign_in_as
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from web_world import CANDIDATE, GOAL, LiveServer

from api.deps import Services

pytestmark = pytest.mark.slow


def test_a_candidate_registers_an_activity_withdraws_it_with_a_reason_and_sees_it_withdrawn(
    browser_without_javascript: Any, live_server: LiveServer, team: UUID, services: Services
) -> None:
    driver = browser_without_javascript
    driver.get("data:text/html,<title>off</title><script>document.title='on'</script>")
    assert driver.title == "off"  # JavaScript is switched off in this browser
    sign_in_as(driver, live_server, CANDIDATE)
    driver.get(f"{live_server.url}/kandidater/{team}/mal/{GOAL}")
    driver.find_element(By.ID, "registrer-title").send_keys("Kurs i feil mål")
    Select(driver.find_element(By.ID, "registrer-kind")).select_by_visible_text("Kurs")
    driver.find_element(By.ID, "registrer-fulfilled_on").send_keys(NORWEGIAN_DAY)
    press(driver, "Registrer aktivitet")
    assert "Kurs i feil mål" in driver.find_element(By.TAG_NAME, "main").text

    driver.find_element(By.XPATH, "//summary[normalize-space()='Trekk aktiviteten']").click()
    reason = driver.find_element(By.CSS_SELECTOR, "textarea[id^='trekk-'][name='reason']")
    reason.send_keys("Registrert på feil læringsmål")
    press(driver, "Trekk aktiviteten")

    main = driver.find_element(By.TAG_NAME, "main").text
    assert "Aktiviteten er trukket" in main
    assert "Kurs i feil mål" in main and "Trukket" in main
    assert "Begrunnelse: Registrert på feil læringsmål" in main
    assert not driver.find_elements(By.XPATH, "//summary[normalize-space()='Trekk aktiviteten']")
    goal = services.projections.queries.get_goal(team, GOAL)
    assert goal is not None and [a["state"] for a in goal["activities"]] == ["withdrawn"]
