"""The `kompetanse` command: serve the API, print dev tokens, manage the catalogue.

Sub-apps of other areas (`projections`, `audit`, `sync`, `attachments`) are mounted here with
`app.add_typer(...)`; each lives in its own `cli_*.py` module.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from api.settings import Settings, SettingsError
from kompetanse import cli_catalogue_migrate as cli_catalogue_migrate  # `catalogue migrate`
from kompetanse.cli_attachments import attachments_app
from kompetanse.cli_audit import audit_app
from kompetanse.cli_catalogue import catalogue_app
from kompetanse.cli_keys import keys_app
from kompetanse.cli_notifications import notifications_app
from kompetanse.cli_projections import projections_app
from kompetanse.cli_sync import sync
from kompetanse.demo import LEADER, demo_people, demo_summary, fill_demo_store
from kompetanse.devkeys import mint_dev_token
from kompetanse.private_files import keep_new_files_private

app = typer.Typer(help="Kompetanse: specialist training documentation.", no_args_is_help=True)
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(projections_app, name="projections")
app.add_typer(keys_app, name="keys")
app.add_typer(attachments_app, name="attachments")  # R9: sweep unreferenced uploads
app.add_typer(audit_app, name="audit")  # R24
app.add_typer(notifications_app, name="notifications")  # R31
app.command("sync")(sync)  # R23

DEMO_USER = (LEADER.sub, LEADER.name)  # the demo world's leader (kompetanse.demo)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        typer.echo(f"kompetanse: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            envvar="KOMPETANSE_WORKERS",
            help="API processes (one core each). Above 1 the views are followed by one "
            "child process (unless KOMPETANSE_PROJECTIONS=external).",
        ),
    ] = 1,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            help="Fill an empty store with the demo world, in dev mode only (never with "
            "OIDC); scripts/serve asks for it.",
        ),
    ] = False,
) -> None:
    """Run the HTTP API (uvicorn), with the projections in-process unless external."""
    import dataclasses

    import uvicorn

    from api.app import create_app
    from api.observability import configure_logging
    from kompetanse.bootstrap import build_services, close_services
    from kompetanse.workers import serve_workers
    from kompetanse_store.check import StoreUnreadableError
    from projections.notifications.config import NotificationSettingsError
    from projections.service import StaleViewsError
    from web.app import install as install_pages
    from web.oidc import OidcSignIn

    settings = _settings()
    try:  # the pages' OIDC client: its id and its secret or key (file read here)
        OidcSignIn.from_settings(settings)
    except SettingsError as error:
        typer.echo(f"kompetanse: {error}", err=True)
        raise typer.Exit(2) from None
    keep_new_files_private()  # the server's files: 0600, folders 0700
    configure_logging()
    follow_here = settings.projections == "inline"
    try:  # workers > 1: only the checks here (store readable, views current)
        filled = demo and settings.dev_mode and fill_demo_store(settings)
        checked = (
            settings if workers == 1 else dataclasses.replace(settings, projections="external")
        )
        services = build_services(checked)
    except (StoreUnreadableError, StaleViewsError, NotificationSettingsError) as error:
        typer.echo(f"kompetanse: {error}", err=True)
        raise typer.Exit(2) from None
    if workers > 1:
        close_services(services)
    base = f"http://{host}:{port}"
    typer.echo(f"Kompetanse API on {base} (store: {settings.database_url.split('@')[-1]})")
    typer.echo(f"Web pages: {base}/ (sign in there); API documentation: {base}/docs")
    if settings.dev_mode:
        _show_demo_token(settings)
    if demo:  # after the token: its lines come first, as before
        typer.echo(demo_summary() if filled else _no_demo_reason(settings))
    if workers > 1:
        follower = "a child process" if follow_here else "another process (external)"
        typer.echo(f"{workers} API processes; the views are followed by {follower}")
        serve_workers(host=host, port=port, workers=workers, follow=follow_here)
        return
    try:
        app = install_pages(create_app(services), demo_users=demo_people())
        uvicorn.run(app, host=host, port=port, access_log=False, log_config=None)
    finally:
        close_services(services)


def _no_demo_reason(settings: Settings) -> str:
    if not settings.dev_mode:
        return "OIDC is configured: no demo world (it is for dev mode only)."
    return "Demo world: the store already holds data; nothing added."


def _show_demo_token(settings: Settings) -> None:
    """A demo token on the terminal; never into a log file or a service's journal."""
    more = "kompetanse dev-token --sub SUB --name NAME [--role auditor]"
    if not sys.stdout.isatty():
        typer.echo(f"Dev mode. Tokens are shown on a terminal only; make one with: {more}")
        return
    token = mint_dev_token(settings.data_dir, sub=DEMO_USER[0], name=DEMO_USER[1])
    typer.echo(f"Dev mode. A token for {DEMO_USER[1]} ({DEMO_USER[0]}), valid 12 hours:")
    typer.echo(f"  Authorization: Bearer {token}")
    typer.echo(f"More: {more}")


@app.command("dev-token")
def dev_token(
    sub: Annotated[str, typer.Option(help="The person's subject id.")],
    name: Annotated[str, typer.Option(help="The person's name.")],
    role: Annotated[
        list[str] | None, typer.Option(help="Platform role: auditor, sync, admin (repeatable).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="E-mail claim.")] = None,
    hpr: Annotated[str | None, typer.Option(help="HPR number claim.")] = None,
    hours: Annotated[float, typer.Option(min=0.01, max=24 * 30, help="Lifetime.")] = 12,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (default $KOMPETANSE_DATA_DIR or ./var).")
    ] = None,
) -> None:
    """Print a bearer token the server trusts in embedded/dev mode."""
    settings = _settings()
    if not settings.dev_mode:
        typer.echo("kompetanse: OIDC is configured; dev tokens would not be trusted", err=True)
        raise typer.Exit(2)
    folder = data_dir if data_dir is not None else settings.data_dir
    typer.echo(
        mint_dev_token(
            folder, sub=sub, name=name, roles=role or [], email=email, hpr_number=hpr, hours=hours
        )
    )
