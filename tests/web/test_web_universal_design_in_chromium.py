"""Universal design (issue 25, point 7) in a real (system) Chromium: the leader's approval
is done with the keyboard alone (Tab to the button, with visible focus, then Enter), and
the main pages need no horizontal scrolling at 375 px wide. On both stores."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from browsing import sign_in_as
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from test_web_approval_page import send_goal_with_its_basis
from web_world import CANDIDATE, GOAL, LEADER, SUPERVISOR, LiveServer, Person

from api.deps import Services

pytestmark = pytest.mark.slow
PHONE_WIDTH = 375


@pytest.fixture
def sent(team: UUID, services: Services) -> UUID:
    send_goal_with_its_basis(services, team)
    return team


def _focused(driver: Any) -> Any:
    return driver.switch_to.active_element


def test_the_leader_approves_a_goal_with_the_keyboard_alone(
    browser_without_javascript: Any, live_server: LiveServer, sent: UUID, services: Services
) -> None:
    driver = browser_without_javascript
    sign_in_as(driver, live_server, LEADER)
    driver.get(f"{live_server.url}/kandidater/{sent}/mal/{GOAL}/grunnlag")
    keys = ActionChains(driver)
    for _ in range(80):  # Tab through the page until the approve button has focus
        keys.send_keys(Keys.TAB).perform()
        if _focused(driver).get_attribute("id") == "godkjenn-knapp":
            break
    button = _focused(driver)
    assert button.get_attribute("id") == "godkjenn-knapp", "Tab never reached the button"
    visible = driver.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return document.activeElement.matches(':focus-visible')"
        " && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)"
        " || s.boxShadow !== 'none');"
    )
    assert visible, "the focused button shows no focus indicator"
    page = driver.find_element(By.TAG_NAME, "html")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    WebDriverWait(driver, 10).until(lambda _: _stale(page))
    WebDriverWait(driver, 10).until(lambda d: "er godkjent" in d.page_source)
    goal = services.projections.queries.get_goal(sent, GOAL)
    assert goal is not None and goal["state"] == "approved"


def _stale(element: Any) -> bool:
    try:
        element.is_enabled()
    except Exception:
        return True
    return False


def test_the_main_pages_need_no_horizontal_scrolling_at_375_px(
    browser: Any, live_server: LiveServer, sent: UUID
) -> None:
    cid = sent
    pages: list[tuple[Person, bool, list[str]]] = [
        (
            CANDIDATE,
            False,
            ["/", f"/kandidater/{cid}", f"/kandidater/{cid}/mal", f"/kandidater/{cid}/mal/{GOAL}"],
        ),
        (SUPERVISOR, False, ["/signering"]),
        (
            LEADER,
            False,
            [
                "/leder",
                "/leder/godkjenninger",
                f"/kandidater/{cid}/mal/{GOAL}/grunnlag",
                f"/kandidater/{cid}",
            ],
        ),
        (
            Person("revisor-1", "Rita Revisor"),
            True,
            [
                "/revisor?q=lise",
                f"/kandidater/{cid}/historikk",
                f"/kandidater/{cid}/tilstand?dato={date.today().isoformat()}",
            ],
        ),
    ]
    too_wide: dict[str, int] = {}
    for person, auditor, paths in pages:
        browser.set_window_size(1280, 1000)
        sign_in_as(browser, live_server, person, auditor=auditor)
        browser.set_window_size(PHONE_WIDTH, 800)
        assert browser.execute_script("return window.innerWidth") <= PHONE_WIDTH
        for path in paths:
            browser.get(live_server.url + path)
            assert browser.find_element(By.TAG_NAME, "footer")
            width = browser.execute_script("return document.documentElement.scrollWidth")
            if width > PHONE_WIDTH:
                too_wide[path] = width
    assert too_wide == {}
