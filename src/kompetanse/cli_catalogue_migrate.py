"""`kompetanse catalogue migrate --plan P --to-version V [--dry-run]` (R30, ADR 0026).

Moves every candidate whose active plan P is in an older version to V along the
catalogue's mapping, one command per candidate (each atomic; a candidate refused is
named and the others go on), with a progress bar on stderr, and prints per candidate
what carried over, what opens and which old goals left the plan. `--dry-run` prints
the same and saves nothing. The events name the operator, not a leader: this is the
portal operator's tool (server access), never an HTTP route.
"""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer
from tqdm import tqdm

from kompetanse.cli_catalogue import catalogue_app
from kompetanse.cli_support import EXIT_REFUSED, opened_application
from kompetanse_domain.application.context import CommandContext
from kompetanse_domain.application.plan_holders import candidates_on_other_version
from kompetanse_domain.errors import DomainError
from kompetanse_domain.model.identity import Identity

OPERATOR_NAME = "Portal operator (kompetanse catalogue migrate)"


def _line(name: str, answer: dict[str, Any]) -> str:
    carried = ", ".join(f"{each['from']}->{each['to']}" for each in answer["carried_over"])
    dropped = ", ".join(f"{each['code']} ({each['state']})" for each in answer["dropped"])
    return (
        f"{name}: {answer['plan_code']} {answer['from_version']} -> {answer['to_version']}; "
        f"carried over: {carried or '-'}; open: {', '.join(answer['open']) or '-'}; "
        f"left the plan: {dropped or '-'}"
    )


@catalogue_app.command("migrate")
def migrate(
    plan: Annotated[str, typer.Option("--plan", help="Plan code, e.g. SAM.")],
    to_version: Annotated[str, typer.Option("--to-version", help="The version to move to.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would carry over; save nothing.")
    ] = False,
) -> None:
    """Move every candidate on an older version of PLAN to TO_VERSION (R30)."""
    identity = Identity(sub=f"operator:{getpass.getuser()}", name=OPERATOR_NAME)
    refused = 0
    with opened_application() as (_, application):
        if plan not in application.catalogue or (
            application.catalogue.plan_version(plan, to_version) is None
        ):
            typer.echo(f"kompetanse: the catalogue holds no plan {plan} {to_version}", err=True)
            raise typer.Exit(EXIT_REFUSED)
        waiting = candidates_on_other_version(application, plan, to_version)
        verb = "would move" if dry_run else "moving"
        typer.echo(f"{len(waiting)} candidate(s) on another version of {plan}; {verb} them")
        for candidate_id in tqdm(waiting, desc=f"{plan} -> {to_version}", unit="candidate"):
            ctx = CommandContext(identity=identity)
            name = application.get_candidate(candidate_id).name
            try:
                if dry_run:
                    answer = application.preview_migration(
                        ctx, candidate_id, plan_code=plan, to_version=to_version
                    )
                else:
                    answer = application.migrate_plan(
                        ctx, candidate_id, plan_code=plan, to_version=to_version, by_operator=True
                    ).value
            except DomainError as error:
                refused += 1
                tqdm.write(f"{name} ({candidate_id}): refused: {error}")
                continue
            tqdm.write(_line(f"{name} ({candidate_id})", answer))
    if dry_run:
        typer.echo("Dry run: nothing was saved.")
    if refused:
        raise typer.Exit(EXIT_REFUSED)
