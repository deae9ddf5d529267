"""`kompetanse sync`: follow another portal's feed into this one (R23, ADR 0012).

Run next to the *target* deployment, with its settings in the environment: the job
keeps its feed position in the target's database (`KOMPETANSE_DATABASE_URL`, or the
SQLite file in `KOMPETANSE_DATA_DIR`; the views database, table `sync_positions`),
one row per source URL. It posts every `LearningGoal.Approved` of the source to the
target's `POST /v1/sync/approvals`, which applies each source event at most once.

SIGTERM or SIGINT stops it gracefully: at once while it waits on the feed or backs
off, else after the approval in flight; a second signal stops it at once. Either way
a restart resumes from the stored position. Logs are JSON lines on stderr, one per
approval (`outcome`: applied, already_applied or skipped). The tokens may come from
`KOMPETANSE_SYNC_SOURCE_TOKEN` / `KOMPETANSE_SYNC_TARGET_TOKEN` instead of the command
line (where `ps` shows them).

An approval the target answered 404 for (its person or goal is not there yet) waits in
the table `sync_waiting` and is posted again at the start of every run and every
`--retry-every` seconds; one refused (409, 422) is kept there too, not retried.
`kompetanse sync status` (the target's settings in the environment, like the job) lists
both, with why and since when; `--source URL` narrows it to one source.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Annotated, Any

import httpx
import typer

from api.observability import configure_logging
from kompetanse.cli_support import refuse, settings_from_env
from kompetanse.sync import SyncJob, SyncStopped
from kompetanse.sync_position import WAITING, SyncPositionStore, Waiting
from kompetanse_store.urls import views_database_url

log = logging.getLogger("kompetanse.sync")


class _StopOnSignal:
    """First signal: stop after the item in flight (at once if the job waits)."""

    def __init__(self, job: SyncJob) -> None:
        self.job = job
        self.requested = False

    def __call__(self, signum: int, _: FrameType | None) -> None:
        again, self.requested = self.requested, True
        log.info("sync: %s received, stopping", signal.Signals(signum).name)
        if again or self.job.idle:
            raise SyncStopped


@contextmanager
def _signals(handler: _StopOnSignal) -> Iterator[None]:
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=url.rstrip("/"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(30.0, connect=5.0),
    )


def _token_option(portal: str) -> Any:
    """The `--source-token` / `--target-token` option, also read from the environment."""
    return typer.Option(
        envvar=f"KOMPETANSE_SYNC_{portal.upper()}_TOKEN",
        help=f"Bearer token (role sync) at the {portal}.",
    )


def sync(
    action: Annotated[
        str | None,
        typer.Argument(
            metavar="[status]",
            help="`status`: list the approvals that wait for the target, and those it refused.",
            show_default=False,
        ),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Base URL of the source portal.")] = None,
    source_token: Annotated[str | None, _token_option("source")] = None,
    target: Annotated[
        str | None, typer.Option(help="Base URL of the target portal (this one).")
    ] = None,
    target_token: Annotated[str | None, _token_option("target")] = None,
    source_portal: Annotated[
        str | None, typer.Option(help="Source portal's name (default: the feed's `portal`).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Stop when the feed has nothing new.")] = False,
    from_start: Annotated[
        bool, typer.Option(help="Read the feed from position 0 (the target applies nothing twice).")
    ] = False,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Feed page size.")] = 200,
    wait: Annotated[int, typer.Option(min=0, max=30, help="Long poll, seconds.")] = 20,
    retry_every: Annotated[
        int,
        typer.Option(
            min=1, max=86400, help="Seconds between retries of the approvals that wait (404)."
        ),
    ] = 60,
) -> None:
    """R23: apply every approval of the source portal to the target, exactly once."""
    if action not in (None, "status"):
        raise refuse(f"unknown action {action!r}; the only one is `status`")
    settings = settings_from_env()
    if action == "status":
        _status(views_database_url(settings.database_url), source)
        return
    missing = [
        f"--{name.replace('_', '-')}"
        for name, value in (
            ("source", source),
            ("source_token", source_token),
            ("target", target),
            ("target_token", target_token),
        )
        if not value
    ]
    if missing or not (source and source_token and target and target_token):
        raise refuse(f"sync needs {', '.join(missing)}")
    configure_logging()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    positions = SyncPositionStore(views_database_url(settings.database_url))
    source_key = source.rstrip("/")
    with _client(source, source_token) as src, _client(target, target_token) as dst:
        job = SyncJob(
            source=src,
            target=dst,
            positions=positions,
            source_key=source_key,
            source_portal=source_portal or "",
            batch=batch,
            wait_seconds=wait,
            retry_seconds=retry_every,
        )
        stop = _StopOnSignal(job)
        start = 0 if from_start else None
        log.info(
            "sync: %s -> %s from %s",
            source_key,
            target.rstrip("/"),
            "the start" if from_start else f"position {positions.load(source_key)}",
        )
        try:
            with _signals(stop):
                job.run(once=once, should_stop=lambda: stop.requested, start=start)
        except SyncStopped:
            pass
        except (httpx.HTTPStatusError, ValueError) as error:  # refused, or not a feed
            raise refuse(str(error)) from None
        finally:
            stats = job.stats
            log.info(
                "sync: stopped at position %s: %s applied, %s already applied, %s skipped, "
                "%s waiting",
                positions.load(source_key),
                stats.applied,
                stats.already_applied,
                stats.skipped,
                sum(1 for kept in positions.listing(source_key) if kept.status == WAITING),
            )
            positions.close()


def _status(database_url: str, source: str | None) -> None:
    """One line per approval that waits or was refused; "nothing waits" when none."""
    positions = SyncPositionStore(database_url)
    try:
        kept = positions.listing(source.rstrip("/") if source else None)
    finally:
        positions.close()
    if not kept:
        typer.echo("nothing waits")
        return
    now = datetime.now(UTC)
    waiting = sum(1 for item in kept if item.status == WAITING)
    typer.echo(f"{waiting} waiting, {len(kept) - waiting} refused")
    for item in kept:
        typer.echo(_line(item, now))


def _line(item: Waiting, now: datetime) -> str:
    return (
        f"{item.status}\t{item.goal_code}\t{item.reason}\t"
        f"since {_age(now - item.first_seen_at)}\t"
        f"tried {item.tries}x, last {_age(now - item.last_tried_at)} ago\t"
        f"from {item.source} (position {item.source_position}, event {item.source_event_id})\t"
        f"{item.detail}"
    )


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s"
