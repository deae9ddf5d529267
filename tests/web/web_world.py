"""Helpers for the web tests: the real services over a store, a small team built through
the application, an in-process uvicorn server on loopback, a headless system Chromium.

Imported as a top-level module (tests/web has no `__init__.py`: a test package named
`web` would shadow `src/web`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.attachments import AttachmentStore
from api.deps import Services
from api.settings import Settings
from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.catalogue import Catalogue, GoalDefinition, PlanDefinition, shipped_plans
from kompetanse_domain.model.identity import Identity
from kompetanse_store.urls import event_store_env, views_database_url
from projections.service import ProjectionService
from web.app import install

PLAN = "WEB-A"
GOAL = "WEB-A-001"
SECOND_GOAL = "WEB-A-002"
RESOURCES = Path(__file__).parent / "resources"
YESTERDAY = date.today() - timedelta(days=1)
LEVEL = "selvstendig"


def catalogue() -> Catalogue:
    plan = PlanDefinition(
        code=PLAN,
        title="Testplan for nettsidene",
        version="2026.1",
        part="part3",
        sample_titles=True,
        source="Written for the web tests.",
        goals=(
            GoalDefinition(code=GOAL, title="Vurdere brystsmerter", competence_level=LEVEL),
            GoalDefinition(code=SECOND_GOAL, title="Kjenne til sepsis", competence_level=LEVEL),
        ),
    )
    return Catalogue(plans=(*shipped_plans(), plan))


@dataclass(frozen=True)
class Person:
    sub: str
    name: str

    @property
    def identity(self) -> Identity:
        return Identity(sub=self.sub, name=self.name)


CANDIDATE = Person("web-lis", "Lise Lege")
LEADER = Person("web-leder", "Lars Leder")
SUPERVISOR = Person("web-supervisor", "Siri Supervisør")
VEILEDER = Person("web-veileder", "Vera Veileder")
STRANGER = Person("web-fremmed", "Frank Fremmed")


@contextlib.contextmanager
def real_services(store_url: str, data_dir: Path) -> Iterator[Services]:
    """The services `kompetanse serve` builds: the application and the views following it."""
    settings = Settings(data_dir=data_dir, database_url=store_url)
    application = KompetanseApplication(env=event_store_env(store_url), catalogue=catalogue())
    projections = ProjectionService(application, views_database_url(store_url), idle_sleep=0.02)
    projections.start()
    try:
        yield Services(
            application=application,
            projections=projections,
            settings=settings,
            attachments=AttachmentStore(settings.attachments_dir),
        )
    finally:
        projections.close()
        application.close()


def web_app(services: Services) -> FastAPI:
    return install(create_app(services), secret="secret-of-the-web-tests")


def _ctx(person: Person) -> CommandContext:
    return CommandContext(identity=person.identity)


def build_team(application: KompetanseApplication) -> UUID:
    """A candidate with a leader, a veileder and a supervisor, and the test plan assigned."""
    registered = application.register_candidate(
        _ctx(CANDIDATE),
        name=CANDIDATE.name,
        email="lise.lege@example.no",
        specialty="ALM",
        organisation_id="kommune-0301",
        organisation_name="Oslo kommune",
    )
    cid = UUID(registered.value["candidate_id"])
    for role, person in (("leader", LEADER), ("veileder", VEILEDER), ("supervisor", SUPERVISOR)):
        invited = application.invite(
            _ctx(CANDIDATE), cid, role=role, name=person.name, email=f"{person.sub}@example.no"
        )
        application.accept_invitation(_ctx(person), invited.value["token"])
    application.assign_plan(_ctx(LEADER), cid, plan_code=PLAN)
    return cid


def wait_for_views(services: Services, timeout: float = 10.0) -> None:
    position = services.application.recorder.max_notification_id() or 0
    assert services.projections.wait_for(position, timeout)


class LiveServer:
    """uvicorn in a thread on a free loopback port."""

    def __init__(self, app: FastAPI) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


WINDOW = (1280, 1000)


def chromium(*, javascript: bool = True) -> Any:
    """A headless system Chromium driven by the system chromedriver (never a download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    assert os.path.exists(driver_path), "chromedriver is missing: run scripts/test"
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--lang=nb-NO",
    ):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    return webdriver.Chrome(service=Service(driver_path), options=options)


def forget_everything(driver: Any) -> None:
    """Back to a new browser's state: one blank tab at the start size, no cookies, no
    cache, no axe-core waiting for the next page (raises if the browser is broken)."""
    handles = driver.window_handles
    for handle in handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(handles[0])
    axe = getattr(driver, "axe_script", None)
    if axe is not None:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": axe})
        driver.axe_script = None
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.set_window_size(*WINDOW)
    assert driver.get_window_size() == {"width": WINDOW[0], "height": WINDOW[1]}


class Browsers:
    """The Chromiums of one test session (per xdist worker), lent to one test at a time.

    Starting a Chromium costs about a second of CPU; a browser given back is wiped to a
    new browser's state (`forget_everything`: cookies, cache, tabs, window size) before the
    next test gets it, and one that cannot be wiped is quit. JavaScript on and off are
    separate browsers (it is a setting of the browser's profile)."""

    def __init__(self) -> None:
        self.idle: dict[bool, list[Any]] = {True: [], False: []}

    def take(self, *, javascript: bool = True) -> Any:
        idle = self.idle[javascript]
        return idle.pop() if idle else chromium(javascript=javascript)

    def give_back(self, driver: Any, *, javascript: bool) -> None:
        try:
            forget_everything(driver)
        except Exception:  # a browser a test left broken is not lent again
            with contextlib.suppress(Exception):
                driver.quit()
            return
        self.idle[javascript].append(driver)

    def close(self) -> None:
        for drivers in self.idle.values():
            while drivers:
                with contextlib.suppress(Exception):
                    drivers.pop().quit()


@functools.cache
def axe_source() -> str:
    return (RESOURCES / "axe.min.js").read_text(encoding="utf-8")


_AXE_RUN = """
const done = arguments[arguments.length - 1];
if (typeof window.axe !== 'object' || typeof window.axe.run !== 'function') {
  done(JSON.stringify({missing: true}));
} else {
  window.axe.run(document, {resultTypes: ['violations']})
    .then(r => done(JSON.stringify({violations: r.violations, passes: r.passes.length})))
    .catch(e => done(JSON.stringify({error: String(e)})));
}
"""


def run_axe(driver: Any) -> dict[str, Any]:
    """axe-core's whole rule set on the page the browser shows now.

    The 650 KB axe source goes to the browser once per test, not once per page: it is
    registered to be evaluated in every new document (as an injected script would be, in
    the page's own window, before the page's scripts); a page loaded before that gets it
    injected once. The result is that of one `axe.run` on the page as it is now."""
    if getattr(driver, "axe_script", None) is None:
        added = driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": axe_source()}
        )
        driver.axe_script = added["identifier"]
    answer: dict[str, Any] = json.loads(driver.execute_async_script(_AXE_RUN))
    if answer.get("missing"):
        driver.execute_script(axe_source())
        answer = json.loads(driver.execute_async_script(_AXE_RUN))
    return answer


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def sign_in(client: Any, person: Person) -> None:
    """Through the dev sign-in form, as a person would."""
    page = client.get("/logg-inn")
    answer = client.post(
        "/logg-inn", data={"csrf": csrf_of(page.text), "sub": person.sub, "name": person.name}
    )
    assert answer.status_code == 303, answer.text
