"""The plan catalogue: learning-goal plans as versioned data (ADR 0005).

Plans (LIS1-KLK, LIS1-FKM, FKM, ALM, SAM, ARB) ship as JSON files in ``data/``;
newer versions can be imported from the official spreadsheet export. This package
imports no web, SQL or projection code.
"""

from __future__ import annotations

from kompetanse_domain.catalogue.csv_import import COLUMNS, import_plan_csv, parse_plan_csv
from kompetanse_domain.catalogue.errors import (
    CatalogueFileError,
    CatalogueImportError,
    ImportProblem,
    PlanVersionConflictError,
    UnknownGoalError,
    UnknownPlanError,
)
from kompetanse_domain.catalogue.loading import (
    load_catalogue,
    plan_file_name,
    save_imported_plan,
    shipped_plans,
)
from kompetanse_domain.catalogue.model import (
    ACTIVITY_KINDS,
    ARENAS,
    COMPETENCE_LEVELS,
    KNOWLEDGE_LEVELS,
    SKILL_LEVELS,
    ActivityKind,
    Arena,
    Catalogue,
    CompetenceLevel,
    GoalDefinition,
    Part,
    PlanDefinition,
    RecommendedActivity,
    plan_code_of,
    version_key,
)

__all__ = [
    "ACTIVITY_KINDS",
    "ARENAS",
    "COLUMNS",
    "COMPETENCE_LEVELS",
    "KNOWLEDGE_LEVELS",
    "SKILL_LEVELS",
    "ActivityKind",
    "Arena",
    "Catalogue",
    "CatalogueFileError",
    "CatalogueImportError",
    "CompetenceLevel",
    "GoalDefinition",
    "ImportProblem",
    "Part",
    "PlanDefinition",
    "PlanVersionConflictError",
    "RecommendedActivity",
    "UnknownGoalError",
    "UnknownPlanError",
    "import_plan_csv",
    "load_catalogue",
    "parse_plan_csv",
    "plan_code_of",
    "plan_file_name",
    "save_imported_plan",
    "shipped_plans",
    "version_key",
]
