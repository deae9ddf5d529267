"""`kompetanse attachments sweep`: remove uploaded files no event refers to (R9).

An upload is stored just before its event is saved; when the command fails after all
(a stale `If-Match`, the store gone meanwhile) the file stays without an event. The
sweep lists the files older than `--grace` (default 24 hours, so an upload whose event
is about to be saved is never touched), reads from the event store which files the
`AttachmentUploaded` events name, and removes the others, printing each. `--dry-run`
only prints. Settings come from the environment like the server's. The main CLI
mounts this app with `app.add_typer(attachments_app, name="attachments")`.
"""

from __future__ import annotations

import re
import time
from typing import Annotated

import typer

from api.attachments import AttachmentStore
from kompetanse.cli_support import command_group, opened_application
from kompetanse_domain.application.attachments import referenced_attachments

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")

attachments_app = command_group(
    "Uploaded course certificates: remove the files no event refers to."
)


def grace_seconds(text: str) -> float:
    """`24h`, `90m`, `2d`, `3600s`, or a number of hours."""
    match = _DURATION.match(text)
    if match is None:
        raise typer.BadParameter(f"{text!r}: give a duration such as 24h, 90m, 2d or 3600s")
    return float(match.group(1)) * UNITS[match.group(2) or "h"]


@attachments_app.command("sweep")
def sweep(
    grace: Annotated[
        str,
        typer.Option(
            help="Keep files younger than this (24h, 90m, 2d, 3600s; a plain number is hours): "
            "an upload whose event is still being saved must not be taken for an orphan.",
        ),
    ] = "24h",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print what would be removed.")
    ] = False,
) -> None:
    """Remove the stored files that no AttachmentUploaded event names, once older than --grace."""
    seconds = grace_seconds(grace)
    now = time.time()
    with opened_application() as (settings, application):
        store = AttachmentStore(settings.attachments_dir)
        result = store.sweep(
            lambda: referenced_attachments(application), grace=seconds, dry_run=dry_run, now=now
        )
    verb = "would remove" if dry_run else "removed"
    for found in result.removed:
        what = "unreferenced" if found.sha256 is not None else "left-over upload"
        age = (now - found.modified) / 3600
        name = found.path.relative_to(store.root)
        typer.echo(f"{verb} {name} ({what}, {found.size} bytes, {age:.1f} hours old)")
    total = sum(found.size for found in result.removed)
    typer.echo(
        f"{verb.capitalize()} {len(result.removed)} files ({total} bytes) in {store.root}; "
        f"kept {result.kept_referenced} that events refer to and "
        f"{result.kept_fresh} younger than {grace}."
    )
