"""Driving the pages in Chromium as a person would: sign in, follow links, press buttons."""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from web_world import YESTERDAY, LiveServer, Person

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
NORWEGIAN_DAY = YESTERDAY.strftime("%d.%m.%Y")


def sign_in_as(driver: Any, server: LiveServer, person: Person, *, auditor: bool = False) -> None:
    """Through the dev sign-in page: type the sub and the name, press the button."""
    driver.delete_all_cookies()
    driver.get(server.url + "/logg-inn")
    driver.find_element(By.ID, "logg-inn-sub").send_keys(person.sub)
    driver.find_element(By.ID, "logg-inn-name").send_keys(person.name)
    if auditor:
        driver.find_element(By.ID, "logg-inn-auditor").click()
    _and_wait(driver, driver.find_element(By.XPATH, "//button[normalize-space()='Logg inn']"))
    assert driver.find_element(By.TAG_NAME, "h1").text == f"Hei, {person.name}", driver.page_source


def _and_wait(driver: Any, element: Any) -> None:
    """Click, then wait until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 10).until(lambda _: _gone(page))
    WebDriverWait(driver, 10).until(  # the page's last element: it is all there
        expected_conditions.presence_of_element_located((By.TAG_NAME, "footer"))
    )


def _gone(element: Any) -> bool:
    """The element's page was replaced (Chromium says so in more than one way)."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def click_link(driver: Any, text: str) -> None:
    _and_wait(driver, driver.find_element(By.PARTIAL_LINK_TEXT, text))


def press(driver: Any, text: str) -> None:
    button = driver.find_element(By.XPATH, f"//button[contains(normalize-space(), '{text}')]")
    _and_wait(driver, button)
