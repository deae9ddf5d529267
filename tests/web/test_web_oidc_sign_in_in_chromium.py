"""Signing in and out through the OIDC provider in a real (system) Chromium with
JavaScript off: the browser's own trip to the provider and back, the session cookie as
a browser keeps it, and the sign-out link to the provider's end-session endpoint (a link,
since the pages' CSP lets forms go only to this site)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import click_link, press
from oidc_provider import LoopbackProvider, with_provider
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from web_world import CANDIDATE, LiveServer, web_app

from api.deps import Services

pytestmark = pytest.mark.slow


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url  # the sign-in stores nothing; the journey on both stores is HTTP-level


@pytest.fixture
def provider() -> Iterator[LoopbackProvider]:
    started = LoopbackProvider(user={"sub": CANDIDATE.sub, "name": CANDIDATE.name}).start()
    try:
        yield started
    finally:
        started.stop()


def test_a_person_signs_in_at_the_provider_and_out_of_both_in_chromium(
    browser_without_javascript: Any, services: Services, provider: LoopbackProvider, tmp_path: Path
) -> None:
    browser = browser_without_javascript
    with LiveServer(web_app(with_provider(services, provider, tmp_path))) as server:
        browser.get(server.url + "/")  # not signed in: /logg-inn, the provider, and back
        WebDriverWait(browser, 10).until(lambda _: browser.current_url == server.url + "/")
        assert browser.find_element(By.TAG_NAME, "h1").text == f"Hei, {CANDIDATE.name}"
        cookie = browser.get_cookie("kompetanse_session")
        assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

        press(browser, "Logg ut")
        assert browser.current_url == server.url + "/logget-ut"
        click_link(browser, "Logg ut hos ID-leverandøren")
        assert provider.signed_out == [CANDIDATE.sub]
        assert browser.current_url == server.url + "/logget-ut"  # sent back by the provider
        assert "Logg ut hos ID-leverandøren" not in browser.page_source

        browser.get(server.url + "/kandidat")  # signed out here: to sign-in again
        WebDriverWait(browser, 10).until(lambda _: "/kandidat" in browser.current_url)
        assert len(provider.token_answers) == 2  # a second sign-in at the provider
