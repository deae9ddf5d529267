"""The journey through the pages in a real (system) Chromium with JavaScript switched
off (the forms work without it): a candidate registers an activity with its certificate
and sends it for signing, the supervisor signs it with the evidence at hand, the
candidate sends the goal, the leader approves it. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from browsing import NORWEGIAN_DAY, TINY_PDF, click_link, press, sign_in_as
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from web_world import CANDIDATE, GOAL, LEADER, SUPERVISOR, LiveServer

from api.deps import Services

pytestmark = pytest.mark.slow


def test_a_candidate_registers_an_activity_and_sends_it_for_signing_the_supervisor_signs_it_the_leader_approves_the_goal(  # noqa: E501
    browser_without_javascript: Any,
    live_server: LiveServer,
    team: UUID,
    services: Services,
    tmp_path: Path,
) -> None:
    driver = browser_without_javascript
    certificate = tmp_path / "kursbevis.pdf"
    certificate.write_bytes(TINY_PDF)

    driver.get("data:text/html,<title>off</title><script>document.title='on'</script>")
    assert driver.title == "off"  # JavaScript is switched off in this browser
    sign_in_as(driver, live_server, CANDIDATE)
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nb"
    click_link(driver, "Mine planer")
    assert "0 av 2" in driver.page_source
    click_link(driver, "Se alle læringsmål")
    click_link(driver, GOAL)
    driver.find_element(By.ID, "registrer-title").send_keys("Kurs i akuttmedisin")
    Select(driver.find_element(By.ID, "registrer-kind")).select_by_visible_text("Kurs")
    driver.find_element(By.ID, "registrer-fulfilled_on").send_keys(NORWEGIAN_DAY)
    driver.find_element(By.ID, "registrer-certificate").send_keys(str(certificate))
    press(driver, "Registrer aktivitet")
    assert "Kurs i akuttmedisin" in driver.find_element(By.TAG_NAME, "main").text
    signer = driver.find_element(By.CSS_SELECTOR, "select[name=signer_sub]")
    Select(signer).select_by_visible_text(f"{SUPERVISOR.name} (supervisør)")
    press(driver, "Send til signering")
    assert "Sendt til signering" in driver.find_element(By.TAG_NAME, "main").text

    sign_in_as(driver, live_server, SUPERVISOR)
    click_link(driver, "Til signering")
    main = driver.find_element(By.TAG_NAME, "main").text
    assert "Kurs i akuttmedisin" in main and CANDIDATE.name in main
    evidence = driver.find_element(By.PARTIAL_LINK_TEXT, "kursbevis.pdf")
    assert "/vedlegg/" in (evidence.get_attribute("href") or "")
    press(driver, "Signer «Kurs i akuttmedisin»")
    assert "Ingen aktiviteter venter på din signatur" in driver.page_source

    sign_in_as(driver, live_server, CANDIDATE)
    driver.get(f"{live_server.url}/kandidater/{team}/mal/{GOAL}")
    assert "Signert" in driver.find_element(By.TAG_NAME, "main").text
    driver.find_element(By.ID, "godkjenning-completed_on").send_keys(NORWEGIAN_DAY)
    press(driver, "Send til godkjenning")
    assert driver.find_element(By.ID, "malstatus").text == "Sendt til godkjenning"

    sign_in_as(driver, live_server, LEADER)
    click_link(driver, "Mine kandidater")
    assert CANDIDATE.name in driver.find_element(By.TAG_NAME, "table").text
    click_link(driver, "Til godkjenning")
    press(driver, f"Godkjenn {GOAL} for {CANDIDATE.name}")
    assert "Ingen læringsmål venter på godkjenning" in driver.page_source
    driver.get(f"{live_server.url}/kandidater/{team}/mal/{GOAL}")
    assert driver.find_element(By.ID, "malstatus").text == "Godkjent"

    goal = services.projections.queries.get_goal(team, GOAL)
    assert goal is not None and goal["state"] == "approved"
    assert goal["activities"][0]["state"] == "signed"
    assert goal["activities"][0]["attachment"] is not None
