"""Refusals of the plan catalogue (ADR 0005).

Each error belongs to one of the domain families in `kompetanse_domain.errors`, so
the API maps them to HTTP without knowing the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from kompetanse_domain.errors import ConflictError, InvalidInputError, NotFoundError


class UnknownPlanError(NotFoundError):
    """Raised when a plan code is not in the catalogue (R4 names the plans)."""

    def __init__(self, code: str, known: Iterable[str]) -> None:
        self.code = code
        self.known = tuple(sorted(known))
        super().__init__(
            f"Plan {code!r} is not in the catalogue; known plans: {', '.join(self.known)}"
        )


class UnknownGoalError(NotFoundError):
    """Raised when a learning-goal code is in no plan of the catalogue."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(
            f"Learning goal {code!r} is not in the catalogue; "
            "goal codes look like '<PLAN>-<NNN>', e.g. 'ALM-001'"
        )


class ImportProblem(NamedTuple):
    """One refused cell of an imported spreadsheet: row as the spreadsheet shows it."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        if self.column:
            return f"row {self.row}, column {self.column}: {self.reason}"
        return f"row {self.row}: {self.reason}"


class CatalogueImportError(InvalidInputError):
    """Raised when an imported plan file is refused; nothing of that file was loaded.

    `problems` lists every (row, column, reason) found, not only the first.
    """

    def __init__(self, source: str, problems: Sequence[ImportProblem]) -> None:
        self.source = source
        self.problems: list[ImportProblem] = list(problems)
        count = len(self.problems)
        first = f"; first: {self.problems[0]}" if self.problems else ""
        super().__init__(
            f"{source} was not imported: {count} problem{'s' if count != 1 else ''}{first}. "
            "Nothing of the file was loaded; fix the rows and import it again"
        )


class CatalogueFileError(InvalidInputError):
    """Raised when a plan JSON file (shipped or imported) does not validate."""

    def __init__(self, path: Path | str, detail: str) -> None:
        self.path = str(path)
        super().__init__(f"Plan file {self.path} is invalid: {detail}")


class PlanVersionConflictError(ConflictError):
    """Raised when an import would change a plan version already in the catalogue.

    A plan version is recorded on every PlanAssigned event (ADR 0005), so the goals of
    a version must never change after the fact: publish a newer version instead.
    """

    def __init__(self, code: str, version: str, current: str) -> None:
        self.code = code
        self.version = version
        self.current = current
        super().__init__(
            f"Plan {code!r} version {version} cannot be imported: the catalogue already "
            f"holds version {current} with different content. Give the file a newer version"
        )
