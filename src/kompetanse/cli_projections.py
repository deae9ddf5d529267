"""`kompetanse projections ...`: follow the store, rebuild a view, show lag (ADR 0004).

`run` is the follower for deployments with `KOMPETANSE_PROJECTIONS=external`;
`rebuild [NAME]` rebuilds one view (or all) from position 0 and swaps it in while
the API keeps answering; `status` prints each view's position and lag, and why a
stopped view stopped; `repair POSITION --reason ...` declares that the stored event
there is read with its values made projectable and lets the stopped views try it
again; `resume [NAME]` lets stopped views try again after a fixed release (ADR 0019). Settings
come from the environment like the server's (`KOMPETANSE_DATABASE_URL`, else a
SQLite file in `KOMPETANSE_DATA_DIR`, default `./var`). The main CLI mounts this
app with `app.add_typer(projections_app, name="projections")`.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import logging
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Annotated

import typer

from kompetanse.cli_support import EXIT_REFUSED, command_group, opened_application
from kompetanse.workers import follow_until_stopped
from kompetanse_domain.application.repairs import declare_repair
from kompetanse_domain.errors import DomainError
from kompetanse_store.urls import views_database_url
from projections.service import ProjectionService

EXIT_NOT_ALIVE = 3

projections_app = command_group(
    "The read side: follow the event store, rebuild a view, show each view's lag."
)


@contextmanager
def _service() -> Iterator[ProjectionService]:
    with opened_application() as (settings, application):
        url = views_database_url(settings.database_url)
        with closing(ProjectionService(application, url)) as service:
            yield service


@projections_app.command("run")
def run() -> None:
    """Follow the store in the foreground until SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with _service() as service:
        banner = f"Following the event store for: {', '.join(service.schema.views)}"
        follow_until_stopped(service, "projections", banner)


@projections_app.command("rebuild")
def rebuild(
    name: Annotated[
        str | None, typer.Argument(help="The view to rebuild (default: every view).")
    ] = None,
    processes: Annotated[
        int,
        typer.Option(
            min=1,
            max=2,
            help="2: fill the views in two processes (faster when a core is free).",
        ),
    ] = 1,
) -> None:
    """Rebuild a view from position 0 into new tables, then swap them in atomically."""
    with _service() as service:
        try:
            positions = service.rebuild(name, progress=True, processes=processes)
        except KeyError as error:
            typer.echo(f"kompetanse: {error.args[0]}", err=True)
            raise typer.Exit(EXIT_REFUSED) from None
        for view, position in positions.items():
            typer.echo(f"{view}: rebuilt and swapped in at position {position}")


@projections_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Each view's position and lag (events, seconds); exit 3 when one is not followed."""
    with _service() as service:
        views = service.status()
    if as_json:
        typer.echo(json.dumps([dataclasses.asdict(view) for view in views], indent=2))
    else:
        typer.echo(f"{'view':<12} {'position':>10} {'lag':>8} {'lag s':>9}  state")
        for view in views:
            state = "alive" if view.alive else "NOT FOLLOWED"
            if view.error:
                state = f"STOPPED: {view.error}"
            typer.echo(
                f"{view.name:<12} {view.position:>10} {view.lag_events:>8} "
                f"{view.lag_seconds:>9.1f}  {state}"
            )
    if not all(view.alive for view in views):
        raise typer.Exit(EXIT_NOT_ALIVE)


@projections_app.command("repair")
def repair(
    position: Annotated[int, typer.Argument(help="The position of the event a view stopped at.")],
    reason: Annotated[str, typer.Option(help="Why: kept in the record and shown in history.")],
    by: Annotated[
        str | None, typer.Option(help="Who declares it (default: the login name).")
    ] = None,
) -> None:
    """Read the stored event at POSITION with its values made projectable; resume views.

    The stored event is not changed (the audit chain still verifies); texts with NUL
    become U+FFFD and instants beyond the calendar's ends are clamped, for every reader.
    """
    operator = by or getpass.getuser()
    with _service() as service:
        try:
            declared = declare_repair(
                service.application,
                position=position,
                reason=reason,
                actor=f"operator:{operator}",
                actor_name=operator,
            )
        except DomainError as error:
            typer.echo(f"kompetanse: {error.message}", err=True)
            raise typer.Exit(EXIT_REFUSED) from None
        stopped = [view.name for view in service.status() if view.stopped_at == declared.position]
        resumed = service.resume(stopped) if stopped else []
    fields = ", ".join(declared.fields)
    typer.echo(f"event at position {declared.position} is read repaired ({fields})")
    typer.echo(f"resumed: {', '.join(resumed) or 'no view was stopped there'}")


@projections_app.command("resume")
def resume(
    name: Annotated[str | None, typer.Argument(help="The view (default: all stopped).")] = None,
) -> None:
    """Let stopped views try their failing event again (after a fix is deployed)."""
    with _service() as service:
        try:
            resumed = service.resume(None if name is None else [name])
        except KeyError as error:
            typer.echo(f"kompetanse: {error.args[0]}", err=True)
            raise typer.Exit(EXIT_REFUSED) from None
    typer.echo(f"resumed: {', '.join(resumed) or 'no view was stopped'}")
