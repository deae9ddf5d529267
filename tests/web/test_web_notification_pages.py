"""Varsler (R31): the signed-in person's notifications on a page, newest first, with the
unread count in the navigation; marking one read; someone else's is a 404. Both stores."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from web_world import CANDIDATE, GOAL, SUPERVISOR, YESTERDAY, csrf_of, sign_in

from api.deps import Services
from kompetanse_domain.application import CommandContext
from kompetanse_store.urls import views_database_url
from projections.notifications.config import NotificationSettings
from projections.notifications.service import NotificationService


@pytest.fixture
def services(services: Services, store_url: str, tmp_path: Path) -> Iterator[Services]:
    """The shared services with the notification process (its follower run by the test)."""
    settings = NotificationSettings(data_dir=tmp_path / "data", invitation_key_text="web-test")
    services.application.invitation_key = settings.invitation_key()
    service = NotificationService(services.application, views_database_url(store_url), settings)
    try:
        yield dataclasses.replace(services, notifications=service)
    finally:
        service.close()


def _send_for_signing(services: Services, cid: UUID) -> None:
    ctx = CommandContext(identity=CANDIDATE.identity)
    registered = services.application.register_activity(
        ctx, cid, GOAL, title="Kurs i akuttmedisin", kind="course", fulfilled_on=YESTERDAY
    )
    aid = str(registered.value["activity_id"])
    services.application.send_activity_for_signing(ctx, cid, GOAL, aid, signer_sub=SUPERVISOR.sub)
    assert services.notifications is not None
    services.notifications.catch_up()


def test_the_supervisor_sees_the_signing_request_among_the_notifications_and_marks_it_read(
    client: TestClient, team: UUID, services: Services
) -> None:
    _send_for_signing(services, team)
    sign_in(client, SUPERVISOR)
    page = client.get("/varsler")
    assert page.status_code == 200
    assert 'id="uleste">(1<span class="app-visually-hidden"> uleste</span>)' in page.text
    assert "Til signering" in page.text and "Ulest" in page.text
    assert page.text.count('href="/signering"') == 2  # the menu's and the notification's
    assert services.notifications is not None
    (row,) = [
        r
        for r in services.notifications.store.list_for(SUPERVISOR.sub)
        if r["kind"] == "signing_requested"
    ]
    answer = client.post(
        f"/varsler/{row['notification_id']}/lest", data={"csrf": csrf_of(page.text)}
    )
    assert answer.status_code == 303
    shown = client.get("/varsler").text
    assert 'id="uleste"' not in shown and "Lest" in shown and "Merk som lest" not in shown
    (after,) = [
        r
        for r in services.notifications.store.list_for(SUPERVISOR.sub)
        if r["notification_id"] == row["notification_id"]
    ]
    assert after["read_at"] is not None


def test_marking_someone_elses_notification_read_is_a_404_and_changes_nothing(
    client: TestClient, team: UUID, services: Services
) -> None:
    _send_for_signing(services, team)
    assert services.notifications is not None
    (row,) = [
        r
        for r in services.notifications.store.list_for(SUPERVISOR.sub)
        if r["kind"] == "signing_requested"
    ]
    sign_in(client, CANDIDATE)
    page = client.get("/varsler")
    assert "Kurs i akuttmedisin" not in page.text
    answer = client.post(
        f"/varsler/{row['notification_id']}/lest", data={"csrf": csrf_of(page.text)}
    )
    assert answer.status_code == 404 and "Fant ikke siden" in answer.text
    assert all(r["read_at"] is None for r in services.notifications.store.list_for(SUPERVISOR.sub))
