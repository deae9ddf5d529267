"""The paged approvals queue in a real (system) Chromium: its page links work with
JavaScript switched off, and axe-core finds no serious or critical violation on a page
with the page links (SQLite; the HTTP tests of the paging run on both stores)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from browsing import click_link, sign_in_as
from selenium.webdriver.common.by import By
from test_web_in_chromium import axe_violations
from web_world import CANDIDATE, LEADER, YESTERDAY, LiveServer, wait_for_views

from api.deps import Services
from kompetanse_domain.application import CommandContext

pytestmark = pytest.mark.slow
WAITING = 60


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def queue(services: Services, team: UUID) -> UUID:
    application = services.application
    application.assign_plan(CommandContext(identity=LEADER.identity), team, plan_code="ALM")
    as_candidate = CommandContext(identity=CANDIDATE.identity)
    for goal in application.catalogue.plan("ALM").goals[:WAITING]:
        application.send_goal_for_approval(as_candidate, team, goal.code, completed_on=YESTERDAY)
    wait_for_views(services)
    return team


def _showing(driver: Any) -> str:
    return str(driver.find_element(By.ID, "viser").text)


def test_the_page_links_work_without_javascript(
    browser_without_javascript: Any, live_server: LiveServer, queue: UUID
) -> None:
    driver = browser_without_javascript
    sign_in_as(driver, live_server, LEADER)
    driver.get(live_server.url + "/leder/godkjenninger")
    assert _showing(driver).startswith("Viser 1\u201350 av 60")
    click_link(driver, "Neste")
    assert _showing(driver).startswith("Viser 51\u201360 av 60")
    assert driver.current_url.endswith("?side=2")
    click_link(driver, "Forrige")
    assert _showing(driver).startswith("Viser 1\u201350 av 60")


def test_the_paged_queue_has_no_serious_accessibility_violation(
    browser: Any, live_server: LiveServer, queue: UUID
) -> None:
    sign_in_as(browser, live_server, LEADER)
    found: dict[str, list[str]] = {}
    for side in ("1", "2"):
        browser.get(f"{live_server.url}/leder/godkjenninger?side={side}")
        nav = browser.find_element(By.CSS_SELECTOR, "nav.ds-pagination")
        assert nav.get_attribute("aria-label") == "Sider i køen til godkjenning"
        violations = axe_violations(browser)
        if violations:
            found[side] = [f"{v['id']}: {v['help']}" for v in violations]
    assert found == {}
