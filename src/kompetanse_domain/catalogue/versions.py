"""Plan versions and the mappings between them (R30, ADR 0026).

A mapping says, for a plan's new version, where each goal of the previous version
went: one old goal to one new goal, many to one, one to many; an old goal removed
(no target); a new goal added (no source). An old goal whose code is also in the new
version and that no row names maps to itself; a new goal no row names and whose code
was not in the old version is added.

A mapping comes as JSON (shipped: ``data/mappings/``; imported:
``<data dir>/catalogue/mappings/``) or as a CSV with the columns
``plan_code, from_version, to_version, from_goal, to_goal`` (header row 1, one row per
link, ``;`` or ``,``, UTF-8). Import is all or nothing: every problem is reported by
row and column (an unknown goal code, a goal mapped twice, a mapping to a goal not in
the new version) and nothing is saved.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kompetanse_domain.catalogue.errors import (
    CatalogueImportError,
    ImportProblem,
)
from kompetanse_domain.catalogue.files import read_json_folder, write_json_file
from kompetanse_domain.catalogue.model import GoalLink, PlanDefinition, PlanMapping

MAPPING_COLUMNS: tuple[str, ...] = (
    "plan_code",
    "from_version",
    "to_version",
    "from_goal",
    "to_goal",
)
_HEADER = 1


@dataclass(frozen=True)
class Resolved:
    """A mapping made complete against both versions: the sources of every new goal
    (empty: added) and the old goals that were removed."""

    sources: dict[str, tuple[str, ...]]
    removed: tuple[str, ...]


def resolve(mapping: PlanMapping, old: PlanDefinition, new: PlanDefinition) -> Resolved:
    """The sources of each goal of `new` (in `new`'s order) and the removed old goals."""
    named_sources = {link.source for link in mapping.links if link.source}
    sources: dict[str, list[str]] = {code: [] for code in new.goal_codes}
    for link in mapping.links:
        if link.source and link.target:
            sources[link.target].append(link.source)
    for code in old.goal_codes:
        if code not in named_sources and code in sources:
            sources[code].append(code)  # unnamed and kept: maps to itself
    removed = tuple(link.source for link in mapping.links if link.source and link.target is None)
    return Resolved({code: tuple(found) for code, found in sources.items()}, removed)


def check_links(
    rows: Iterable[tuple[int, str | None, str | None]],
    old: PlanDefinition,
    new: PlanDefinition,
) -> list[ImportProblem]:
    """Problems of mapping rows `(row, from_goal, to_goal)` against both versions."""
    problems: list[ImportProblem] = []
    old_codes, new_codes = set(old.goal_codes), set(new.goal_codes)
    seen: dict[tuple[str | None, str | None], int] = {}
    removed_at: dict[str, int] = {}
    mapped_at: dict[str, int] = {}
    added_at: dict[str, int] = {}
    targeted_at: dict[str, int] = {}
    for row, source, target in rows:
        if not source and not target:
            problems.append(ImportProblem(row, "from_goal", "from_goal or to_goal must be filled"))
            continue
        if source and source not in old_codes:
            problems.append(
                ImportProblem(
                    row,
                    "from_goal",
                    f"unknown goal code {source!r}: not a goal of {old.code} version {old.version}",
                )
            )
            continue
        if target and target not in new_codes:
            problems.append(
                ImportProblem(
                    row,
                    "to_goal",
                    f"{target!r} is not a goal of the new version {new.code} {new.version}; "
                    "map only to goals of the new version",
                )
            )
            continue
        earlier = seen.get((source, target))
        if earlier is not None:
            problems.append(
                ImportProblem(
                    row, "from_goal" if source else "to_goal", f"mapped twice (row {earlier})"
                )
            )
            continue
        seen[(source, target)] = row
        # a goal code is named alone (removed, added) or paired, never both
        for code, field, alone, alone_at, paired_at, (alone_word, paired_word) in (
            (source, "from_goal", not target, removed_at, mapped_at, ("removed", "mapped")),
            (target, "to_goal", not source, added_at, targeted_at, ("added", "mapped to")),
        ):
            if code and alone:
                _twice(problems, row, field, code, paired_at.get(code), alone_word, paired_word)
                alone_at[code] = row
            elif code:
                _twice(problems, row, field, code, alone_at.get(code), paired_word, alone_word)
                paired_at.setdefault(code, row)
    named = set(removed_at) | set(mapped_at)
    for code in old.goal_codes:
        if code not in named and code not in new_codes:
            problems.append(
                ImportProblem(
                    _HEADER,
                    "from_goal",
                    f"goal {code} of version {old.version} is neither mapped nor removed; "
                    "add a row for it",
                )
            )
    return problems


def _twice(
    problems: list[ImportProblem],
    row: int,
    field: str,
    code: str,
    earlier: int | None,
    here: str,
    there: str,
) -> None:
    """A goal code the mapping names twice in conflicting ways (`earlier`: the row)."""
    if earlier is not None:
        problems.append(
            ImportProblem(row, field, f"{code} mapped twice: {here} here, {there} in row {earlier}")
        )


def parse_mapping_csv(
    data: bytes, old: PlanDefinition | None, new: PlanDefinition, source: str = "<csv>"
) -> PlanMapping:
    """A mapping CSV checked against the previous version `old` and `new`; raises
    CatalogueImportError with every problem by row and column, nothing half-read."""
    problems: list[ImportProblem] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueImportError(
            source, [ImportProblem(_HEADER, "", "not UTF-8 text; save it as 'CSV UTF-8'")]
        ) from None
    lines = text.strip().splitlines()
    if not lines:
        raise CatalogueImportError(
            source, [ImportProblem(_HEADER, "", f"empty; expected {', '.join(MAPPING_COLUMNS)}")]
        )
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    records = list(csv.reader(io.StringIO(text.strip(), newline=""), delimiter=delimiter))
    header = [cell.strip().lower() for cell in records[0]]
    for name in MAPPING_COLUMNS:
        if name not in header:
            problems.append(ImportProblem(_HEADER, name, "missing column"))
    for name in header:
        if name not in MAPPING_COLUMNS:
            problems.append(
                ImportProblem(
                    _HEADER, name, f"unknown column; expected {', '.join(MAPPING_COLUMNS)}"
                )
            )
    if problems:
        raise CatalogueImportError(source, problems)
    if old is None:
        raise CatalogueImportError(
            source,
            [
                ImportProblem(
                    _HEADER + 1,
                    "from_version",
                    f"the catalogue holds no version of {new.code} older than {new.version}",
                )
            ],
        )
    rows: list[tuple[int, str | None, str | None]] = []
    expected = {"plan_code": new.code, "from_version": old.version, "to_version": new.version}
    for number, record in enumerate(records[1:], start=_HEADER + 1):
        cells = {name: value.strip() for name, value in zip(header, record, strict=False)}
        if not any(cells.values()):
            continue
        for column, value in expected.items():
            if cells.get(column, "") != value:
                problems.append(
                    ImportProblem(number, column, f"{cells.get(column, '')!r} must be {value!r}")
                )
        rows.append((number, cells.get("from_goal") or None, cells.get("to_goal") or None))
    if not rows:
        problems.append(
            ImportProblem(_HEADER + 1, "", "no mapping rows: the file has a header only")
        )
    problems.extend(check_links(rows, old, new))
    if problems:
        raise CatalogueImportError(source, sorted(problems))
    return PlanMapping(
        plan_code=new.code,
        from_version=old.version,
        to_version=new.version,
        sample=False,
        source=f"Imported from {source!r}",
        links=tuple(GoalLink(source=src, target=dst) for _, src, dst in rows),
    )


def previous_version(
    versions: Iterable[PlanDefinition], new: PlanDefinition
) -> PlanDefinition | None:
    """The newest version of `new`'s plan older than `new`."""
    older = [
        plan for plan in versions if plan.code == new.code and plan.version_key < new.version_key
    ]
    return max(older, key=lambda plan: plan.version_key) if older else None


@functools.lru_cache(maxsize=1)
def shipped_mappings() -> tuple[PlanMapping, ...]:
    """The mappings shipped in ``data/mappings/``, read once and cached."""
    folder = resources.files("kompetanse_domain.catalogue").joinpath("data", "mappings")
    return read_json_folder(PlanMapping, folder, "data/mappings")


def imported_mappings(extra_dir: Path) -> tuple[PlanMapping, ...]:
    folder = extra_dir / "mappings"
    return read_json_folder(PlanMapping, folder, str(folder))


def mapping_file_name(mapping: PlanMapping) -> str:
    return f"{mapping.plan_code}@{mapping.from_version}-{mapping.to_version}.json"


def save_imported_mapping(mapping: PlanMapping, extra_dir: Path) -> Path:
    """Write a checked mapping into `<extra_dir>/mappings/` atomically."""
    return write_json_file(mapping, extra_dir / "mappings", mapping_file_name(mapping))
