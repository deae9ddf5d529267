"""The e-mail outbox's figures in `/readyz` and `/metrics` (issue 26 point 2, ADR 0025):
how many wait, how long the oldest has waited, failed attempts, sent, on SQLite and on
PostgreSQL (read from the database, so every worker reports the same)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from api_world import Api, build_team
from notification_world import Clock, Inbox
from test_notifications_by_email import clock, inbox, notifications, services

from projections.notifications.service import NotificationService

__all__ = ["clock", "inbox", "notifications", "services"]  # fixtures used by name below

GAUGES = ("waiting", "oldest_waiting_seconds", "failures", "undeliverable", "sent")


def _figures(api: Api) -> tuple[dict[str, Any], dict[str, float]]:
    """The outbox in /readyz, and its gauges in /metrics."""
    ready = api.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    body = ready.json()["notifications"]
    assert body["available"] is True
    metrics = api.client.get("/metrics")
    assert metrics.status_code == 200
    prefix = "kompetanse_notification_outbox_"
    samples = [line for line in metrics.text.splitlines() if line.startswith(prefix)]
    gauges = {
        name.removeprefix(prefix): float(value)
        for name, value in (sample.split(" ", 1) for sample in samples)
    }  # the samples, not the `# HELP` and `# TYPE` lines
    assert set(gauges) == set(GAUGES), gauges
    return body["outbox"], gauges


def test_readyz_and_metrics_show_what_waits_how_long_what_failed_and_what_went(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    build_team(api)  # five invitations
    notifications.catch_up()
    start = clock()
    clock.fixed = start + timedelta(minutes=10)
    outbox, gauges = _figures(api)
    assert outbox["waiting"] == gauges["waiting"] == 5
    assert 600 <= outbox["oldest_waiting_seconds"] < 660
    assert 600 <= gauges["oldest_waiting_seconds"] < 660
    assert outbox["failures"] == gauges["failures"] == 0
    assert outbox["sent"] == gauges["sent"] == 0

    inbox.refuse = True
    assert notifications.send() == 0
    outbox, gauges = _figures(api)
    assert outbox["waiting"] == gauges["waiting"] == 5
    assert outbox["failures"] == gauges["failures"] == 5

    inbox.refuse = False
    clock.fixed = start + timedelta(minutes=20)
    assert notifications.send() == 5
    outbox, gauges = _figures(api)
    assert outbox["waiting"] == gauges["waiting"] == 0
    assert outbox["oldest_waiting_seconds"] is None and gauges["oldest_waiting_seconds"] == 0
    assert outbox["failures"] == gauges["failures"] == 0
    assert outbox["sent"] == gauges["sent"] == 5
    assert outbox["undeliverable"] == gauges["undeliverable"] == 0
