"""axe-core in a real (system) Chromium on the pages added for corrections, profile,
invitations, export links, notifications and meetings: no serious or critical
violation (SQLite; the main pages are checked in test_web_in_chromium.py, whose
`axe_violations` this reuses)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from browsing import press, sign_in_as
from selenium.webdriver.common.by import By
from test_web_in_chromium import axe_violations
from web_world import (
    CANDIDATE,
    GOAL,
    LEADER,
    SECOND_GOAL,
    SUPERVISOR,
    VEILEDER,
    YESTERDAY,
    LiveServer,
    Person,
    wait_for_views,
)

from api.deps import Services
from kompetanse_domain.application import CommandContext
from kompetanse_store.urls import views_database_url
from projections.notifications.config import NotificationSettings
from projections.notifications.service import NotificationService

pytestmark = pytest.mark.slow


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def services(services: Services, store_url: str, tmp_path: Path) -> Iterator[Services]:
    """With the notification process, so the Varsler page has notifications to show."""
    settings = NotificationSettings(data_dir=tmp_path / "data", invitation_key_text="web-test")
    services.application.invitation_key = settings.invitation_key()
    service = NotificationService(services.application, views_database_url(store_url), settings)
    try:
        yield dataclasses.replace(services, notifications=service)
    finally:
        service.close()


def _world(services: Services, cid: UUID) -> UUID:
    """An activity of each kind of state the new forms show, an approved goal, a pending
    invitation, a meeting with a summary, and notifications; the meeting's id."""
    application = services.application
    me = CommandContext(identity=CANDIDATE.identity)
    for title in ("Kurs i akuttmedisin", "Kurs som trekkes"):
        application.register_activity(
            me, cid, GOAL, title=title, kind="course", fulfilled_on=YESTERDAY
        )
    goal = application.get_goal(cid, GOAL)
    withdrawn = [a for a in goal.activities if goal.activities[a]["title"] == "Kurs som trekkes"]
    application.withdraw_activity(me, cid, GOAL, withdrawn[0], reason="Feil mål")
    application.send_goal_for_approval(me, cid, SECOND_GOAL, completed_on=YESTERDAY)
    application.approve_goal(CommandContext(identity=LEADER.identity), cid, SECOND_GOAL)
    application.invite(me, cid, role="supervisor", name="Per Prosedyre", email="per@example.no")
    veileder = CommandContext(identity=VEILEDER.identity)
    created = application.create_meeting(veileder, cid, scheduled_for=YESTERDAY, planned_minutes=45)
    mid = UUID(created.value["meeting_id"])
    application.revise_summary(veileder, mid, text="Gjennomgang av målene.", goals_discussed=[GOAL])
    wait_for_views(services)
    assert services.notifications is not None
    services.notifications.catch_up()
    return mid


def test_the_new_pages_have_no_serious_or_critical_accessibility_violations(
    browser: Any, live_server: LiveServer, team: UUID, services: Services
) -> None:
    mid = _world(services, team)
    pages: list[tuple[Person, str]] = [
        (CANDIDATE, f"/kandidater/{team}"),
        (CANDIDATE, f"/kandidater/{team}/mal/{GOAL}"),
        (CANDIDATE, f"/kandidater/{team}/profil"),
        (CANDIDATE, f"/kandidater/{team}/invitasjoner"),
        (CANDIDATE, f"/kandidater/{team}/moter"),
        (CANDIDATE, f"/moter/{mid}"),
        (CANDIDATE, "/varsler"),
        (LEADER, f"/kandidater/{team}/mal/{SECOND_GOAL}"),
        (LEADER, f"/kandidater/{team}/invitasjoner"),
        (SUPERVISOR, "/varsler"),
    ]
    found: dict[str, list[str]] = {}
    current: Person | None = None
    for person, path in pages:
        if person != current:
            sign_in_as(browser, live_server, person)
            current = person
        browser.get(live_server.url + path)
        for summary in browser.find_elements(By.TAG_NAME, "summary"):
            summary.click()  # the forms folded away are checked open too
        violations = axe_violations(browser)
        if violations:
            found[f"{person.sub} {path}"] = [f"{v['id']}: {v['help']}" for v in violations]
    # a refused correction: the error summary and the opened form
    sign_in_as(browser, live_server, LEADER)
    browser.get(f"{live_server.url}/kandidater/{team}/mal/{SECOND_GOAL}")
    press(browser, "Trekk godkjenningen")
    assert "For å gå videre" in browser.page_source
    violations = axe_violations(browser)
    if violations:
        found["refused withdrawal"] = [f"{v['id']}: {v['help']}" for v in violations]
    assert found == {}
