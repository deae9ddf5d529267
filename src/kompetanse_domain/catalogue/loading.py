"""Loading and saving plan files of the catalogue (ADR 0005).

Shipped plans are JSON files in ``kompetanse_domain/catalogue/data/``, read once per
process through importlib.resources and cached. Imported plans (official
spreadsheet exports, see `csv_import`) live as JSON files in an extra directory,
usually ``$KOMPETANSE_DATA_DIR/catalogue/``. An imported plan replaces the shipped
plan with the same code only when its version is newer; among imported files of
one plan the newest version wins.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from kompetanse_domain.catalogue.errors import (
    CatalogueFileError,
    PlanVersionConflictError,
)
from kompetanse_domain.catalogue.files import parse_json_file, read_json_folder, write_json_file
from kompetanse_domain.catalogue.model import Catalogue, PlanDefinition
from kompetanse_domain.catalogue.versions import (
    check_links,
    imported_mappings,
    mapping_file_name,
    shipped_mappings,
)

_PACKAGE = "kompetanse_domain.catalogue"
_DATA = "data"


def parse_plan_json(text: str, origin: str) -> PlanDefinition:
    """Validate one plan file's text; refusals name the file and the field."""
    return parse_json_file(PlanDefinition, text, origin)


@functools.lru_cache(maxsize=1)
def shipped_plans() -> tuple[PlanDefinition, ...]:
    """The base plans shipped in the package (``data/*.json``), read once and cached."""
    return read_json_folder(PlanDefinition, resources.files(_PACKAGE).joinpath(_DATA), _DATA)


@functools.lru_cache(maxsize=1)
def shipped_versions() -> tuple[PlanDefinition, ...]:
    """The base plans and the later versions shipped in ``data/versions/`` (ADR 0026):
    a revision leaves the numbers of removed goals unused, so its codes may have gaps."""
    folder = resources.files(_PACKAGE).joinpath(_DATA, "versions")
    return (*shipped_plans(), *read_json_folder(PlanDefinition, folder, f"{_DATA}/versions"))


def imported_plans(extra_dir: Path) -> tuple[PlanDefinition, ...]:
    """All plan files in `extra_dir` (missing directory: none), in file-name order."""
    return read_json_folder(PlanDefinition, extra_dir, str(extra_dir))


def _newest(plans: Iterable[PlanDefinition]) -> dict[str, PlanDefinition]:
    chosen: dict[str, PlanDefinition] = {}
    for plan in plans:
        current = chosen.get(plan.code)
        if current is None or plan.version_key > current.version_key:
            chosen[plan.code] = plan
    return chosen


def load_catalogue(extra_dir: Path | None = None) -> Catalogue:
    """The shipped plans, with newer imported versions from `extra_dir` in their place;
    every other version and the mappings between versions beside them (ADR 0026)."""
    imported = imported_plans(extra_dir) if extra_dir is not None else ()
    chosen = _newest(shipped_versions())
    for code, plan in _newest(imported).items():
        current = chosen.get(code)
        if current is None or plan.version_key > current.version_key:
            chosen[code] = plan
    held: dict[tuple[str, str], PlanDefinition] = {}
    for plan in (*shipped_versions(), *imported):
        held.setdefault((plan.code, plan.version), plan)
    newest = set(chosen.values())
    mappings = {
        (m.plan_code, m.from_version, m.to_version): m
        for m in (*shipped_mappings(), *(imported_mappings(extra_dir) if extra_dir else ()))
    }
    for (code, old, new), mapping in mappings.items():
        if (code, old) not in held or (code, new) not in held:
            raise CatalogueFileError(
                mapping_file_name(mapping), f"plan {code} is not held in {old} and {new}"
            )
        problems = check_links(
            ((index + 1, link.source, link.target) for index, link in enumerate(mapping.links)),
            held[(code, old)],
            held[(code, new)],
        )
        if problems:
            raise CatalogueFileError(mapping_file_name(mapping), "; ".join(map(str, problems)))
    return Catalogue(
        plans=tuple(chosen.values()),
        versions=tuple(plan for plan in held.values() if plan not in newest),
        mappings=tuple(mappings.values()),
    )


def held_plan_version(code: str, version: str, extra_dir: Path | None) -> PlanDefinition | None:
    """Plan `code` in `version` as this deployment holds it: shipped, or imported into
    `extra_dir` (`plan_file_name`); None when neither holds it, or the imported file no
    longer validates. `code` and `version` must already match their patterns."""
    for plan in shipped_versions():
        if plan.code == code and plan.version == version:
            return plan
    if extra_dir is None:
        return None
    path = extra_dir / f"{code}@{version}.json"
    if not path.is_file():
        return None
    try:
        plan = parse_plan_json(path.read_text(encoding="utf-8"), str(path))
    except CatalogueFileError:
        return None
    return plan if (plan.code, plan.version) == (code, version) else None


def plan_file_name(plan: PlanDefinition) -> str:
    """File name of an imported plan: one file per (code, version), e.g. 'ALM@2027.1.json'."""
    return f"{plan.code}@{plan.version}.json"


def save_imported_plan(plan: PlanDefinition, extra_dir: Path) -> Path:
    """Write a validated plan into `extra_dir` atomically; returns the file written.

    Refuses (PlanVersionConflictError) a plan whose version is already in the
    catalogue (shipped or imported) with different content, or is older than the
    plan in use: a recorded version must not change after the fact (ADR 0005).
    Saving the identical plan again is harmless.
    """
    current = _current_plan(plan.code, extra_dir)
    if (
        current is not None
        and _content(current) != _content(plan)
        and current.version_key >= plan.version_key
    ):
        raise PlanVersionConflictError(plan.code, plan.version, current.version)
    return write_json_file(plan, extra_dir, plan_file_name(plan))


def _content(plan: PlanDefinition) -> dict[str, object]:
    """What a version fixes: everything but the free-text provenance note."""
    return plan.model_dump(exclude={"source"})


def _current_plan(code: str, extra_dir: Path) -> PlanDefinition | None:
    catalogue = load_catalogue(extra_dir)
    return catalogue.plan(code) if code in catalogue else None
