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
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import httpx
import typer

from api.observability import configure_logging
from api.settings import Settings, SettingsError
from kompetanse.sync import SyncJob, SyncStopped
from kompetanse.sync_position import SyncPositionStore
from kompetanse_store.urls import views_database_url

EXIT_REFUSED = 2
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


def sync(
    source: Annotated[str, typer.Option(help="Base URL of the source portal.")],
    source_token: Annotated[
        str,
        typer.Option(
            envvar="KOMPETANSE_SYNC_SOURCE_TOKEN", help="Bearer token (role sync) at the source."
        ),
    ],
    target: Annotated[str, typer.Option(help="Base URL of the target portal (this one).")],
    target_token: Annotated[
        str,
        typer.Option(
            envvar="KOMPETANSE_SYNC_TARGET_TOKEN", help="Bearer token (role sync) at the target."
        ),
    ],
    source_portal: Annotated[
        str | None, typer.Option(help="Source portal's name (default: the feed's `portal`).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Stop when the feed has nothing new.")] = False,
    from_start: Annotated[
        bool, typer.Option(help="Read the feed from position 0 (the target applies nothing twice).")
    ] = False,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Feed page size.")] = 200,
    wait: Annotated[int, typer.Option(min=0, max=30, help="Long poll, seconds.")] = 20,
) -> None:
    """R23: apply every approval of the source portal to the target, exactly once."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        typer.echo(f"kompetanse: {error}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
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
            typer.echo(f"kompetanse: {error}", err=True)
            raise typer.Exit(EXIT_REFUSED) from None
        finally:
            stats = job.stats
            log.info(
                "sync: stopped at position %s: %s applied, %s already applied, %s skipped",
                positions.load(source_key),
                stats.applied,
                stats.already_applied,
                stats.skipped,
            )
            positions.close()
