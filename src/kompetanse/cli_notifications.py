"""`kompetanse notifications ...`: the notification process and its outbox (R31, ADR 0025).

`run` follows the store, writes reminders when due and delivers the outbox (SMTP with
`KOMPETANSE_SMTP_HOST`, else `.eml` files under `<data dir>/outbox/`) until SIGTERM;
`kompetanse serve` runs the same in threads (embedded) or as a child (`--workers N`).
`remind` writes the reminders due now, once (for cron; safe to run twice at once);
`status` prints the follower's position and the outbox (waiting, oldest, failures);
`resend ID` queues one notification's e-mail again, with the same Message-ID.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer

from kompetanse.bootstrap import build_notifications
from kompetanse.cli_support import EXIT_REFUSED, command_group, opened_application
from kompetanse.workers import follow_until_stopped
from projections.notifications.config import NotificationSettingsError
from projections.notifications.service import NotificationService

notifications_app = command_group(
    "Notifications and reminders (R31): run the process, remind, status, resend."
)


@contextmanager
def _service() -> Iterator[NotificationService]:
    with opened_application() as (settings, application):
        try:
            service = build_notifications(settings, application)
        except NotificationSettingsError as error:
            typer.echo(f"kompetanse: {error}", err=True)
            raise typer.Exit(EXIT_REFUSED) from None
        with closing(service):
            yield service


@notifications_app.command("run")
def run() -> None:
    """Follow the store, remind and deliver e-mail in the foreground until SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with _service() as service:
        where = service.settings.smtp_host or f"{service.settings.outbox_dir} (.eml files)"
        banner = f"Notifications: following the event store; e-mail to {where}"
        follow_until_stopped(service, "notifications", banner)


@notifications_app.command("remind")
def remind() -> None:
    """Write the reminders due now (each once, however often this runs)."""
    with _service() as service:
        written = service.remind(datetime.now(UTC))
        typer.echo(f"{written} reminder(s) written")


@notifications_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The follower's position and the outbox: waiting, oldest waiting, failures."""
    with _service() as service:
        report = service.status()
        if as_json:
            typer.echo(json.dumps(report, default=str))
            return
        for row in report["follower"]:
            alive = "alive" if row["alive"] else "not running"
            typer.echo(f"follower: position {row['position']}, {row['lag_events']} behind, {alive}")
        o = report["outbox"]
        oldest = (
            "-" if o["oldest_waiting_seconds"] is None else f"{o['oldest_waiting_seconds']:.0f} s"
        )
        typer.echo(
            f"outbox: {o['waiting']} waiting (oldest {oldest}), {o['failures']} failed attempts, "
            f"{o['undeliverable']} without address, {o['sent']} sent"
        )


@notifications_app.command("resend")
def resend(
    notification_id: Annotated[str, typer.Argument(help="The notification's id.")],
) -> None:
    """Queue a notification's e-mail again (same Message-ID), e.g. after a bounce."""
    with _service() as service:
        if not service.store.resend(notification_id, datetime.now(UTC)):
            typer.echo(f"kompetanse: no e-mail for notification {notification_id}", err=True)
            raise typer.Exit(EXIT_REFUSED)
        typer.echo(f"{notification_id}: queued again")
