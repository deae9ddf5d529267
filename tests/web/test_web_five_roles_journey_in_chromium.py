"""Issue 25's journey across five roles in a real (system) Chromium, JavaScript switched
off, each role in its own browser session, on SQLite and PostgreSQL: the candidate
registers and invites; the leader, the veileder and the supervisor accept; the leader
assigns a plan; the candidate registers an activity with a certificate and sends it for
signing; the supervisor signs; the candidate sends the goal; the veileder holds and
finalises a meeting that discussed it; the leader approves it on the approval page; the
auditor reads the history (with the chain verified) and the state as of today.

axe-core runs on every page of the journey: axe needs JavaScript (its timers do not run
in a page with JavaScript off), so each page the journey reaches is opened again, with
the same session cookie, in one more Chromium with JavaScript on, and checked there:
zero serious or critical violations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from browsing import NORWEGIAN_DAY, TINY_PDF, click_link, press, sign_in_as
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from test_web_in_chromium import axe_violations
from web_world import (
    CANDIDATE,
    GOAL,
    LEADER,
    PLAN,
    SUPERVISOR,
    VEILEDER,
    Browsers,
    LiveServer,
    Person,
)

from api.deps import Services

pytestmark = pytest.mark.slow
AUDITOR = Person("revisor-1", "Rita Revisor")
NEXT_WEEK = (date.today() + timedelta(days=7)).strftime("%d.%m.%Y")


class Journey:
    """One browser per role (own cookies, own session); axe-core after every page."""

    def __init__(self, server: LiveServer, browsers: Browsers) -> None:
        self.server = server
        self.browsers = browsers
        self.drivers: dict[str, Any] = {}
        self.violations: dict[str, list[str]] = {}
        self.pages = 0
        self.axe = browsers.take(javascript=True)
        self.axe.get(server.url + "/static/app.css")  # on the site, to take its cookies

    def browser(self, person: Person, *, auditor: bool = False) -> Any:
        if person.sub not in self.drivers:
            driver = self.browsers.take(javascript=False)
            self.drivers[person.sub] = driver
            sign_in_as(driver, self.server, person, auditor=auditor)
            self.check(driver)
        return self.drivers[person.sub]

    def check(self, driver: Any) -> None:
        """axe-core on the page the browser shows now (opened in the axe browser)."""
        self.pages += 1
        self.axe.execute_cdp_cmd("Network.clearBrowserCookies", {})  # all, in one call
        for cookie in driver.get_cookies():
            self.axe.add_cookie({"name": cookie["name"], "value": cookie["value"], "path": "/"})
        self.axe.get(driver.current_url)
        found = axe_violations(self.axe)
        if found:
            path = driver.current_url.removeprefix(self.server.url)
            self.violations[path] = [f"{v['id']}: {v['help']}" for v in found]

    def click(self, driver: Any, link: str) -> None:
        click_link(driver, link)
        self.check(driver)

    def press(self, driver: Any, button: str) -> None:
        press(driver, button)
        self.check(driver)

    def open(self, driver: Any, path: str) -> None:
        driver.get(self.server.url + path)
        self.check(driver)

    def close(self) -> None:
        for driver in self.drivers.values():
            self.browsers.give_back(driver, javascript=False)
        self.browsers.give_back(self.axe, javascript=True)


@pytest.fixture
def journey(live_server: LiveServer, browsers: Browsers) -> Iterator[Journey]:
    walk = Journey(live_server, browsers)
    try:
        yield walk
    finally:
        walk.close()


def _main(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "main").text)


def _invite(journey: Journey, driver: Any, role: str, person: Person) -> str:
    Select(driver.find_element(By.ID, "inviter-role")).select_by_visible_text(role)
    driver.find_element(By.ID, "inviter-name").send_keys(person.name)
    driver.find_element(By.ID, "inviter-email").send_keys(f"{person.sub}@example.no")
    journey.press(driver, "Inviter")
    notice = driver.find_element(By.CSS_SELECTOR, "[role=status]").text
    link = re.search(r"http://\S+/invitasjon/\S+", notice)
    assert link, notice
    return link.group(0)


def _accept(journey: Journey, person: Person, link: str) -> Any:
    driver = journey.browser(person)
    driver.get(link)
    journey.check(driver)
    journey.press(driver, "Godta invitasjonen")
    assert "Du er nå" in driver.page_source
    return driver


def test_five_roles_walk_the_journey_from_registration_to_the_auditors_history(
    journey: Journey, services: Services, tmp_path: Path
) -> None:
    certificate = tmp_path / "kursbevis.pdf"
    certificate.write_bytes(TINY_PDF)

    # the candidate registers and invites the people around her
    lise = journey.browser(CANDIDATE)
    lise.get("data:text/html,<title>off</title><script>document.title='on'</script>")
    assert lise.title == "off"  # JavaScript is switched off in these browsers
    journey.open(lise, "/")
    journey.click(lise, "Registrer deg som kandidat")
    lise.find_element(By.ID, "registrer-email").send_keys("lise.lege@example.no")
    Select(lise.find_element(By.ID, "registrer-specialty")).select_by_visible_text("ALM")
    lise.find_element(By.ID, "registrer-organisation_id").send_keys("kommune-0301")
    lise.find_element(By.ID, "registrer-organisation_name").send_keys("Oslo kommune")
    journey.press(lise, "Registrer meg")
    cid = lise.current_url.rstrip("/").rsplit("/", 1)[-1]
    links = {
        person.sub: _invite(journey, lise, role, person)
        for role, person in (("leder", LEADER), ("veileder", VEILEDER), ("supervisør", SUPERVISOR))
    }

    # each accepts in their own browser; the leader assigns the plan
    lars = _accept(journey, LEADER, links[LEADER.sub])
    Select(lars.find_element(By.ID, "plan-plan_code")).select_by_value(PLAN)
    journey.press(lars, "Tildel plan")
    assert "Testplan for nettsidene" in _main(lars)
    vera = _accept(journey, VEILEDER, links[VEILEDER.sub])
    siri = _accept(journey, SUPERVISOR, links[SUPERVISOR.sub])

    # the candidate registers an activity with its certificate and sends it for signing
    journey.click(lise, "Mine planer")
    journey.click(lise, "Se alle læringsmål")
    journey.click(lise, GOAL)
    lise.find_element(By.ID, "registrer-title").send_keys("Kurs i akuttmedisin")
    Select(lise.find_element(By.ID, "registrer-kind")).select_by_visible_text("Kurs")
    lise.find_element(By.ID, "registrer-fulfilled_on").send_keys(NORWEGIAN_DAY)
    lise.find_element(By.ID, "registrer-certificate").send_keys(str(certificate))
    journey.press(lise, "Registrer aktivitet")
    Select(lise.find_element(By.CSS_SELECTOR, "select[name=signer_sub]")).select_by_visible_text(
        f"{SUPERVISOR.name} (supervisør)"
    )
    journey.press(lise, "Send til signering")

    # the supervisor signs with the evidence one click away
    journey.open(siri, "/")
    journey.click(siri, "Til signering")
    assert "kursbevis.pdf" in _main(siri)
    journey.press(siri, "Signer «Kurs i akuttmedisin»")
    assert "Ingen aktiviteter venter på din signatur" in siri.page_source

    # the candidate sends the goal for approval
    journey.open(lise, f"/kandidater/{cid}/mal/{GOAL}")
    lise.find_element(By.ID, "godkjenning-completed_on").send_keys(NORWEGIAN_DAY)
    journey.press(lise, "Send til godkjenning")
    assert lise.find_element(By.ID, "malstatus").text == "Sendt til godkjenning"

    # the veileder holds and finalises a meeting that discussed the goal
    journey.open(vera, "/")
    journey.click(vera, "Veiledning")
    journey.click(vera, CANDIDATE.name)
    vera.find_element(By.ID, "planlegg-scheduled_for").send_keys(NEXT_WEEK)
    journey.press(vera, "Planlegg møtet")
    vera.find_element(By.ID, "referat-text").send_keys("Gikk gjennom brystsmerter.")
    vera.find_element(By.CSS_SELECTOR, f"input[name=goals_discussed][value='{GOAL}']").click()
    journey.press(vera, "Lagre referatet")
    vera.find_element(By.ID, "avslutt-held_on").send_keys(NORWEGIAN_DAY)
    journey.press(vera, "Avslutt møtet")
    assert vera.find_element(By.ID, "motestatus").text == "Gjennomført"

    # the leader sees it waiting and approves it on the approval page
    journey.click(lars, "Mine kandidater")
    assert "venter i 0 dager" in _main(lars)
    journey.click(lars, "Til godkjenning")
    journey.click(lars, f"Se hele grunnlaget for {GOAL}")
    basis = _main(lars)
    assert SUPERVISOR.name in basis and "kursbevis.pdf" in basis
    assert "Gikk gjennom brystsmerter." in basis  # the meeting that discussed the goal
    journey.press(lars, f"Godkjenn {GOAL}")
    assert "Ingen læringsmål venter på godkjenning" in lars.page_source

    # the auditor finds her and reads the history and the state as of today
    rita = journey.browser(AUDITOR, auditor=True)
    journey.open(rita, "/revisor?q=lise")
    journey.click(rita, f"Historikk for {CANDIDATE.name}")
    assert "Kjeden er kontrollert" in _main(rita)
    assert "Mål godkjent" in _main(rita) or "godkjent" in _main(rita).lower()
    journey.open(rita, f"/kandidater/{cid}/tilstand?dato={date.today().isoformat()}")
    assert "Godkjent" in rita.find_element(By.ID, "tilstand-mal").text

    goal = services.projections.queries.get_goal(UUID(cid), GOAL)
    assert goal is not None and goal["state"] == "approved"
    assert goal["activities"][0]["state"] == "signed"
    assert journey.pages >= 30
    assert journey.violations == {}
