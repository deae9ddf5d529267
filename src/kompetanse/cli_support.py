"""What CLI commands share: settings from the environment and the application over
the store, refused with exit 2 and one line that says why (no traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from api.settings import Settings, SettingsError
from kompetanse.bootstrap import build_application
from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.check import StoreUnreadableError

EXIT_REFUSED = 2


@contextmanager
def opened_application() -> Iterator[tuple[Settings, KompetanseApplication]]:
    """The settings and the application built from them, closed afterwards."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        typer.echo(f"kompetanse: {error}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    try:
        application = build_application(settings)
    except StoreUnreadableError as error:
        typer.echo(f"kompetanse: {error}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    try:
        yield settings, application
    finally:
        application.close()
