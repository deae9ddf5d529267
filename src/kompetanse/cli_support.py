"""What CLI commands share: settings from the environment and the application over
the store, refused with exit 2 (`EXIT_REFUSED`) and one line that says why (no traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from api.settings import Settings, SettingsError
from kompetanse.bootstrap import build_application
from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.check import StoreUnreadableError

EXIT_REFUSED = 2
"""The exit status of a command refused before it did anything (bad settings or input)."""


def command_group(help_text: str) -> typer.Typer:
    """A group of commands (`kompetanse <group> ...`); without a command it shows its help."""
    return typer.Typer(help=help_text, no_args_is_help=True)


def refuse(message: str) -> typer.Exit:
    """Say why on stderr, `kompetanse: <message>`; the caller raises the exit (2)."""
    typer.echo(f"kompetanse: {message}", err=True)
    return typer.Exit(EXIT_REFUSED)


def settings_from_env() -> Settings:
    """The settings, or a refusal that names the setting in error."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise refuse(str(error)) from None


@contextmanager
def opened_application() -> Iterator[tuple[Settings, KompetanseApplication]]:
    """The settings and the application built from them, closed afterwards."""
    settings = settings_from_env()
    try:
        application = build_application(settings)
    except StoreUnreadableError as error:
        raise refuse(str(error)) from None
    try:
        yield settings, application
    finally:
        application.close()
