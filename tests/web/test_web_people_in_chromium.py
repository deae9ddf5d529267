"""From an empty store through the pages (Chromium, JavaScript off): a doctor registers
as a candidate, invites a leader, the leader follows the link, signs in, accepts, and
assigns a plan; the candidate then sees its goals."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browsing import click_link, press, sign_in_as
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from web_world import CANDIDATE, GOAL, LEADER, PLAN, LiveServer

from api.deps import Services

pytestmark = pytest.mark.slow


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url


def test_a_doctor_registers_invites_a_leader_who_accepts_and_assigns_a_plan(
    browser_without_javascript: Any, live_server: LiveServer, services: Services
) -> None:
    driver = browser_without_javascript
    sign_in_as(driver, live_server, CANDIDATE)
    click_link(driver, "Registrer deg som kandidat")
    driver.find_element(By.ID, "registrer-email").send_keys("lise.lege@example.no")
    Select(driver.find_element(By.ID, "registrer-specialty")).select_by_visible_text("ALM")
    driver.find_element(By.ID, "registrer-organisation_id").send_keys("kommune-0301")
    driver.find_element(By.ID, "registrer-organisation_name").send_keys("Oslo kommune")
    press(driver, "Registrer meg")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Mine planer"

    Select(driver.find_element(By.ID, "inviter-role")).select_by_visible_text("leder")
    driver.find_element(By.ID, "inviter-name").send_keys(LEADER.name)
    driver.find_element(By.ID, "inviter-email").send_keys("lars.leder@example.no")
    press(driver, "Inviter")
    notice = driver.find_element(By.CSS_SELECTOR, "[role=status]").text
    link = re.search(r"http://\S+/invitasjon/\S+", notice)
    assert link, notice

    driver.delete_all_cookies()
    driver.get(link.group(0))  # not signed in: sign in first, then back to the invitation
    driver.find_element(By.ID, "logg-inn-sub").send_keys(LEADER.sub)
    driver.find_element(By.ID, "logg-inn-name").send_keys(LEADER.name)
    press(driver, "Logg inn")
    press(driver, "Godta invitasjonen")
    assert "Du er nå leder for kandidaten" in driver.page_source
    Select(driver.find_element(By.ID, "plan-plan_code")).select_by_value(PLAN)
    press(driver, "Tildel plan")
    assert "Testplan for nettsidene" in driver.find_element(By.TAG_NAME, "table").text

    sign_in_as(driver, live_server, CANDIDATE)
    click_link(driver, "Mine planer")
    click_link(driver, "Se alle læringsmål")
    assert GOAL in driver.find_element(By.TAG_NAME, "table").text
