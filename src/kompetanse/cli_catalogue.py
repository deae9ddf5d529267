"""`kompetanse catalogue ...`: list the plan catalogue, import an official export (ADR
0005) with its mapping from the previous version (ADR 0026); `migrate` is in
`cli_catalogue_migrate`.

Imported plans are saved in ``<data-dir>/catalogue/``; the data directory defaults
to ``$KOMPETANSE_DATA_DIR`` or ``./var``. The main CLI mounts this app with
``app.add_typer(catalogue_app, name="catalogue")``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kompetanse.cli_support import EXIT_REFUSED, command_group
from kompetanse_domain.catalogue import (
    CatalogueFileError,
    CatalogueImportError,
    PlanDefinition,
    PlanVersionConflictError,
    import_plan_csv,
    load_catalogue,
    save_imported_plan,
)
from kompetanse_domain.catalogue.versions import (
    parse_mapping_csv,
    previous_version,
    save_imported_mapping,
)

catalogue_app = command_group(
    "The plan catalogue: list plans and goals, import an official spreadsheet export."
)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="KOMPETANSE_DATA_DIR",
        help="Data directory; imported plans live in <data-dir>/catalogue/.",
        file_okay=False,
    ),
]


def catalogue_dir(data_dir: Path) -> Path:
    """Where imported plan files live under a data directory."""
    return data_dir / "catalogue"


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(EXIT_REFUSED)


@catalogue_app.command("list")
def list_plans(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    data_dir: DataDir = Path("var"),
) -> None:
    """List the plans (code, title, version, goal count) and their learning goals."""
    try:
        catalogue = load_catalogue(catalogue_dir(data_dir))
    except CatalogueFileError as error:
        raise _fail(error.message) from None
    if as_json:
        typer.echo(
            json.dumps(
                [plan.model_dump(mode="json") for plan in catalogue.plans],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    width = max(len(plan.code) for plan in catalogue.plans)
    typer.echo(f"{'PLAN':<{width}}  {'VERSION':<8}  {'GOALS':>5}  TITLE")
    for plan in catalogue.plans:
        sample = "  (sample titles)" if plan.sample_titles else ""
        typer.echo(
            f"{plan.code:<{width}}  {plan.version:<8}  {len(plan.goals):>5}  {plan.title}{sample}"
        )
    for plan in catalogue.plans:
        typer.echo("")
        typer.echo(f"{plan.code} {plan.version} - {plan.title}")
        for goal in plan.goals:
            arena = f" [{goal.arena}]" if goal.arena else ""
            typer.echo(f"  {goal.code:<14} {goal.competence_level:<18}{arena} {goal.title}")


@catalogue_app.command("import")
def import_plan(
    file: Annotated[
        Path,
        typer.Argument(
            help="Official spreadsheet export (CSV; ';' or ',', UTF-8).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    data_dir: DataDir = Path("var"),
    mapping_file: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="CSV mapping the previous version's goals to this version's (R30): "
            "plan_code, from_version, to_version, from_goal, to_goal.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
) -> None:
    """Validate a plan CSV (and its mapping from the previous version) and save them;
    a bad file is refused whole, and neither is saved (exit code 2)."""
    target_dir = catalogue_dir(data_dir)
    refused = file
    try:
        plan = import_plan_csv(file)
        before = load_catalogue(target_dir)
        mapping = None
        if mapping_file is not None:
            refused = mapping_file
            previous = previous_version(before.all_versions(), plan)
            mapping = parse_mapping_csv(
                mapping_file.read_bytes(), previous, plan, source=mapping_file.name
            )
        path = save_imported_plan(plan, target_dir)
        if mapping is not None:
            save_imported_mapping(mapping, target_dir)
    except CatalogueImportError as error:
        typer.echo(f"{refused}: refused, nothing was loaded:", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    except (PlanVersionConflictError, CatalogueFileError) as error:
        raise _fail(error.message) from None
    typer.echo(f"Imported {_summary(plan)} into {path}")
    if mapping is not None:
        typer.echo(
            f"With its mapping from version {mapping.from_version} "
            f"({len(mapping.links)} rows): `kompetanse catalogue migrate --plan {plan.code} "
            f"--to-version {plan.version}` moves the candidates."
        )
    if plan.code in before:
        replaced = before.plan(plan.code)
        if replaced.version_key < plan.version_key:
            typer.echo(f"It replaces {plan.code} version {replaced.version}.")
        elif replaced.version_key > plan.version_key:
            typer.echo(f"The newer version {replaced.version} of {plan.code} stays in use.")
        else:
            typer.echo(f"{plan.code} version {plan.version} was already loaded; nothing changed.")
    else:
        typer.echo(f"{plan.code} is a new plan in the catalogue.")


def _summary(plan: PlanDefinition) -> str:
    activities = sum(len(goal.recommended_activities) for goal in plan.goals)
    return (
        f"{plan.code} version {plan.version} ({plan.title}): "
        f"{len(plan.goals)} goals, {activities} recommended activities"
    )
