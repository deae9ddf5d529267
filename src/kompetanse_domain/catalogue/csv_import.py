"""Import of a plan from an official spreadsheet export (CSV), all or nothing (ADR 0005).

Columns (header row required, names case-insensitive, in any order; no others):

==================== ==========================================================
plan_code            e.g. ``ALM`` or ``LIS1-FKM``; the same on every row
plan_title           e.g. ``Allmennmedisin (ALM)``; the same on every row
version              e.g. ``2027.1`` (numbers separated by dots); same on every row
goal_code            ``<plan_code>-<NNN>``, e.g. ``ALM-001``
goal_title           the goal's text (Norwegian)
competence_level     kjenne til | ha kunnskap om | ha god kunnskap om |
                     under supervisjon | selvstendig
arena                hospital | municipality (or sykehus | kommune), or empty
activity_kind        course | procedure | e_learning | group_supervision |
                     internal_teaching | other, or empty
activity_title       the recommended activity's title; required with a kind
recommended_minimum  a whole number >= 1, procedures only; else empty
==================== ==========================================================

There is one row per (goal, recommended activity); a goal with no activity has one
row with the three activity columns empty. The goal columns must agree on every
row of the same goal. Fully empty rows are skipped.

The delimiter is ``;`` or ``,`` (found by csv.Sniffer on the header), the encoding
UTF-8 with or without the byte-order mark Excel writes. Rows are numbered as a
spreadsheet shows them: the header is row 1. Every problem found is reported as
(row, column, reason) in one CatalogueImportError, and nothing of the file is
loaded. Part and specialty are derived from the plan code: ``LIS1-*`` plans are
part 1; other plans are part 3, and are their own specialty except FKM.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kompetanse_domain.catalogue.errors import CatalogueImportError, ImportProblem
from kompetanse_domain.catalogue.model import (
    ACTIVITY_KINDS,
    ARENAS,
    COMPETENCE_LEVELS,
    PLAN_CODE_PATTERN,
    VERSION_PATTERN,
    ActivityKind,
    PlanDefinition,
)

COLUMNS: tuple[str, ...] = (
    "plan_code",
    "plan_title",
    "version",
    "goal_code",
    "goal_title",
    "competence_level",
    "arena",
    "activity_kind",
    "activity_title",
    "recommended_minimum",
)
PLAN_COLUMNS: tuple[str, ...] = ("plan_code", "plan_title", "version")
GOAL_COLUMNS: tuple[str, ...] = ("goal_title", "competence_level", "arena")
ACTIVITY_COLUMNS: tuple[str, ...] = ("activity_kind", "activity_title", "recommended_minimum")

_ARENA_ALIASES = {
    "hospital": "hospital",
    "sykehus": "hospital",
    "helseforetak": "hospital",
    "municipality": "municipality",
    "kommune": "municipality",
    "kommunehelsetjenesten": "municipality",
}
_HEADER = 1


@dataclass
class _Goal:
    row: int
    values: dict[str, str | None]
    activities: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class _Reading:
    source: str
    problems: list[ImportProblem] = field(default_factory=list)
    plan: dict[str, tuple[int, str]] = field(default_factory=dict)
    goals: dict[str, _Goal] = field(default_factory=dict)

    def refuse(self, row: int, column: str, reason: str) -> None:
        self.problems.append(ImportProblem(row, column, reason))


def import_plan_csv(path: Path) -> PlanDefinition:
    """Parse and validate an official spreadsheet export; raises CatalogueImportError."""
    return parse_plan_csv(path.read_bytes(), source=path.name)


def parse_plan_csv(data: bytes, source: str = "<csv>") -> PlanDefinition:
    """As `import_plan_csv`, from the file's bytes; `source` names it in messages."""
    reading = _Reading(source)
    text = _decode(data, reading)
    rows = _rows(text, reading) if text is not None else []
    if reading.problems:
        raise CatalogueImportError(source, reading.problems)
    for number, cells in rows:
        _read_row(number, cells, reading)
    if not reading.goals and not reading.problems:
        reading.refuse(_HEADER + 1, "", "no goal rows: the file has a header only")
    if reading.problems:
        raise CatalogueImportError(source, reading.problems)
    return _build(reading)


def _decode(data: bytes, reading: _Reading) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        reading.refuse(
            row,
            "",
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the spreadsheet as 'CSV UTF-8'",
        )
        return None
    if not text.strip():
        reading.refuse(
            _HEADER, "", f"the file is empty; expected a header with {', '.join(COLUMNS)}"
        )
        return None
    return text


def _delimiter(header_line: str) -> str:
    try:
        return csv.Sniffer().sniff(header_line, delimiters=";,").delimiter
    except csv.Error:
        return ";" if header_line.count(";") > header_line.count(",") else ","


def _rows(text: str, reading: _Reading) -> list[tuple[int, dict[str, str]]]:
    header_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line))
    records = [record for record in reader]
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)  # leading blank lines are not the header
    header = [cell.strip().lower() for cell in records[0]]
    for index, name in enumerate(header):
        if name and name not in COLUMNS:
            reading.refuse(_HEADER, name, f"unknown column; expected {', '.join(COLUMNS)}")
        elif name in header[:index]:
            reading.refuse(_HEADER, name, "column appears twice")
    for name in COLUMNS:
        if name not in header:
            reading.refuse(_HEADER, name, "missing column")
    if reading.problems:
        return []
    rows: list[tuple[int, dict[str, str]]] = []
    for number, record in enumerate(records[1:], start=_HEADER + 1):
        if not any(cell.strip() for cell in record):
            continue
        extra = [cell for cell in record[len(header) :] if cell.strip()]
        if extra:
            reading.refuse(
                number, "", f"has {len(record)} cells but the header has {len(header)} columns"
            )
            continue
        cells = {name: value.strip() for name, value in zip(header, record, strict=False) if name}
        rows.append((number, {name: cells.get(name, "") for name in COLUMNS}))
    return rows


def _read_row(number: int, cells: dict[str, str], reading: _Reading) -> None:
    _read_plan_cells(number, cells, reading)
    goal_code = _read_goal_code(number, cells, reading)
    values: dict[str, str | None] = {
        "goal_title": _required(number, cells, "goal_title", reading),
        "competence_level": _choice(
            number, cells, "competence_level", COMPETENCE_LEVELS, reading, _normal_level
        ),
        "arena": _arena(number, cells, reading),
    }
    activity = _read_activity(number, cells, reading)
    if goal_code is None:
        return
    goal = reading.goals.get(goal_code)
    if goal is None:
        goal = reading.goals[goal_code] = _Goal(number, values)
    else:
        for column in GOAL_COLUMNS:
            first, here = goal.values[column], values[column]
            if first is not None and here is not None and first != here:
                reading.refuse(
                    number,
                    column,
                    f"{here!r} differs from {first!r} in row {goal.row} for goal {goal_code}",
                )
    if activity is not None:
        for earlier_row, earlier in goal.activities:
            if (earlier["kind"], earlier["title"]) == (activity["kind"], activity["title"]):
                reading.refuse(
                    number,
                    "activity_title",
                    f"repeats the activity of row {earlier_row} for goal {goal_code}",
                )
                return
        goal.activities.append((number, activity))


def _read_plan_cells(number: int, cells: dict[str, str], reading: _Reading) -> None:
    checks: dict[str, Callable[[str], str | None]] = {
        "plan_code": lambda value: (
            None
            if re.fullmatch(PLAN_CODE_PATTERN, value)
            else "must be capital letters and digits joined by '-', e.g. ALM or LIS1-FKM"
        ),
        "plan_title": lambda value: None,
        "version": lambda value: (
            None
            if re.fullmatch(VERSION_PATTERN, value)
            else "must be numbers separated by dots, e.g. 2027.1"
        ),
    }
    for column, check in checks.items():
        value = cells[column]
        if not value:
            reading.refuse(number, column, "must not be empty (it repeats on every row)")
            continue
        first = reading.plan.get(column)
        if first is None:
            reason = check(value)
            if reason is not None:
                reading.refuse(number, column, f"{value!r} {reason}")
            reading.plan[column] = (number, value)
        elif first[1] != value:
            reading.refuse(number, column, f"{value!r} differs from {first[1]!r} in row {first[0]}")


def _read_goal_code(number: int, cells: dict[str, str], reading: _Reading) -> str | None:
    code = cells["goal_code"]
    if not code:
        reading.refuse(number, "goal_code", "must not be empty")
        return None
    plan_code = reading.plan.get("plan_code", (0, cells["plan_code"]))[1]
    if not plan_code:
        return code  # the empty plan code is reported on its own
    if not re.fullmatch(re.escape(plan_code) + r"-[0-9]{3}", code) or code.endswith("-000"):
        reading.refuse(
            number,
            "goal_code",
            f"{code!r} must be '{plan_code}-' followed by three digits from 001",
        )
    return code


def _required(number: int, cells: dict[str, str], column: str, reading: _Reading) -> str | None:
    value = cells[column]
    if not value:
        reading.refuse(number, column, "must not be empty")
        return None
    return value


def _normal_level(value: str) -> str:
    return " ".join(value.split()).lower()


def _normal_kind(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip().lower())


def _choice(
    number: int,
    cells: dict[str, str],
    column: str,
    allowed: tuple[str, ...],
    reading: _Reading,
    normal: Callable[[str], str],
) -> str | None:
    value = _required(number, cells, column, reading)
    if value is None:
        return None
    if normal(value) not in allowed:
        reading.refuse(number, column, f"{value!r} is not one of: {', '.join(allowed)}")
        return None
    return normal(value)


def _arena(number: int, cells: dict[str, str], reading: _Reading) -> str | None:
    value = cells["arena"]
    if not value:
        return None
    arena = _ARENA_ALIASES.get(value.lower())
    if arena is None:
        reading.refuse(number, "arena", f"{value!r} is not one of: {', '.join(ARENAS)}, or empty")
    return arena


def _read_activity(number: int, cells: dict[str, str], reading: _Reading) -> dict[str, Any] | None:
    kind_cell, title, minimum_cell = (cells[column] for column in ACTIVITY_COLUMNS)
    if not (kind_cell or title or minimum_cell):
        return None
    if not kind_cell:
        reading.refuse(
            number, "activity_kind", "must not be empty when activity_title or minimum is filled"
        )
        return None
    kind = _choice(number, cells, "activity_kind", ACTIVITY_KINDS, reading, _normal_kind)
    if not title:
        reading.refuse(number, "activity_title", "must not be empty when activity_kind is filled")
    minimum: int | None = None
    if minimum_cell:
        if not minimum_cell.isdigit() or int(minimum_cell) < 1:
            reading.refuse(
                number, "recommended_minimum", f"{minimum_cell!r} is not a whole number >= 1"
            )
        elif kind is not None and kind != ActivityKind.PROCEDURE:
            reading.refuse(
                number,
                "recommended_minimum",
                f"only procedures have a recommended minimum, not {kind!r}; leave it empty",
            )
        else:
            minimum = int(minimum_cell)
    if kind is None or not title:
        return None
    return {"kind": kind, "title": title, "recommended_minimum": minimum}


def _build(reading: _Reading) -> PlanDefinition:
    code = reading.plan["plan_code"][1]
    part = "part1" if code.startswith("LIS1-") else "part3"
    ordered = sorted(reading.goals.items())
    document = {
        "code": code,
        "title": reading.plan["plan_title"][1],
        "version": reading.plan["version"][1],
        "part": part,
        "specialty": None if part == "part1" or code == "FKM" else code,
        "sample_titles": False,
        "source": f"Imported from the official spreadsheet export {reading.source!r}",
        "goals": [
            {
                "code": goal_code,
                "title": goal.values["goal_title"],
                "competence_level": goal.values["competence_level"],
                "arena": goal.values["arena"],
                "recommended_activities": [activity for _, activity in goal.activities],
            }
            for goal_code, goal in ordered
        ],
    }
    try:
        return PlanDefinition.model_validate(document)
    except ValidationError as error:
        raise CatalogueImportError(
            reading.source, [_problem_of(item, reading, ordered) for item in error.errors()]
        ) from None


_FIELD_COLUMNS = {
    "code": "goal_code",
    "title": "goal_title",
    "competence_level": "competence_level",
    "arena": "arena",
    "kind": "activity_kind",
    "recommended_minimum": "recommended_minimum",
}


def _problem_of(item: Any, reading: _Reading, ordered: list[tuple[str, _Goal]]) -> ImportProblem:
    """Place a model refusal back on the spreadsheet row and column it came from."""
    loc = tuple(item["loc"])
    reason = str(item["msg"])
    if loc[:1] == ("goals",) and len(loc) >= 2 and isinstance(loc[1], int):
        goal = ordered[loc[1]][1]
        if len(loc) >= 4 and loc[2] == "recommended_activities" and isinstance(loc[3], int):
            row = goal.activities[loc[3]][0]
            name = str(loc[4]) if len(loc) > 4 else "kind"
            column = "activity_title" if name == "title" else _FIELD_COLUMNS.get(name, name)
            return ImportProblem(row, column, reason)
        column = _FIELD_COLUMNS.get(str(loc[2]), str(loc[2])) if len(loc) > 2 else "goal_code"
        return ImportProblem(goal.row, column, reason)
    name = str(loc[0]) if loc else ""
    column = {"code": "plan_code", "title": "plan_title"}.get(name, name)
    row = reading.plan[column][0] if column in reading.plan else _HEADER + 1
    return ImportProblem(row, column, reason)
