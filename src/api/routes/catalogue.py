"""The plan catalogue over HTTP (API.md v1.1 "Finding things"; ADR 0005).

- `GET /v1/catalogue/plans` (any authenticated user): each plan's code, version,
  title and goal count, by code.
- `GET /v1/catalogue/plans/{code}?version=` (any authenticated user): the plan and
  its goals (code, title, arena, competence level, recommended activities with the
  procedures' recommended minimums). Without `version`, the newest; an unknown code
  or a version this deployment does not hold is a 404 problem.

The catalogue is the application's (shipped plans, newer imported versions in their
place), not a view: these answers carry no `X-Projection-Position` and wait for
nothing. An older version (one a candidate's plan may still record) is read from the
shipped plans or the imported plan files (`<data dir>/catalogue/CODE@VERSION.json`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import IdentityDep, ServicesDep
from api.routes.paths import PlanCode
from api.routes.queries import QUERY_PROBLEMS, Listed, ListPublic, listed
from kompetanse_domain.catalogue import Catalogue, PlanDefinition
from kompetanse_domain.catalogue.loading import held_plan_version
from kompetanse_domain.catalogue.model import VERSION_PATTERN
from kompetanse_domain.errors import InvalidInputError, NotFoundError
from kompetanse_domain.model.vocabulary import ActivityKind

router = APIRouter(tags=["catalogue"], responses=QUERY_PROBLEMS)

_VERSION = re.compile(VERSION_PATTERN)


class PlanSummary(BaseModel):
    code: str
    version: str
    title: str
    goal_count: int


class PlanSummaries(ListPublic[PlanSummary]):
    pass


class RecommendedActivity(BaseModel):
    kind: ActivityKind
    title: str
    recommended_minimum: int | None  # procedures only (R12): advice, never enforced


class PlanGoal(BaseModel):
    code: str
    title: str
    arena: str | None
    competence_level: str
    recommended_activities: list[RecommendedActivity]


class Plan(BaseModel):
    code: str
    version: str
    title: str
    part: str
    specialty: str | None
    sample_titles: bool
    goal_count: int
    goals: list[PlanGoal]


def plan_summaries(catalogue: Catalogue) -> list[PlanSummary]:
    """Every version of every plan of the catalogue, each its own item, by code and
    version (ADR 0026)."""
    return [
        PlanSummary(
            code=plan.code, version=plan.version, title=plan.title, goal_count=len(plan.goals)
        )
        for plan in catalogue.all_versions()
    ]


def plan_detail(
    catalogue: Catalogue, code: str, version: str | None, extra_dir: Path | None = None
) -> Plan:
    """The plan `code`: the catalogue's newest, or `version` when given, also an older
    one held in the shipped or imported plans (`extra_dir`); `NotFoundError` else."""
    if version is not None and not _VERSION.fullmatch(version):
        raise InvalidInputError("version must be numbers separated by dots, e.g. 2026.1")
    if code not in catalogue:
        raise NotFoundError(
            f"No plan {code} in the catalogue; GET /v1/catalogue/plans lists the plans"
        )
    plan = catalogue.plan(code)
    if version is not None and version != plan.version:
        plan = catalogue.plan_version(code, version) or _older(plan, version, extra_dir)
    return Plan(
        code=plan.code,
        version=plan.version,
        title=plan.title,
        part=plan.part,
        specialty=plan.specialty,
        sample_titles=plan.sample_titles,
        goal_count=len(plan.goals),
        goals=[
            PlanGoal(
                code=goal.code,
                title=goal.title,
                arena=goal.arena,
                competence_level=goal.competence_level,
                recommended_activities=[
                    RecommendedActivity(
                        kind=activity.kind,
                        title=activity.title,
                        recommended_minimum=activity.recommended_minimum,
                    )
                    for activity in goal.recommended_activities
                ],
            )
            for goal in plan.goals
        ],
    )


def _older(newest: PlanDefinition, version: str, extra_dir: Path | None) -> PlanDefinition:
    older = held_plan_version(newest.code, version, extra_dir)
    if older is None:
        raise NotFoundError(
            f"Plan {newest.code} is not held in version {version}; the newest is "
            f"{newest.version} (leave out version for it)"
        )
    return older


@router.get("/v1/catalogue/plans", response_model=PlanSummaries)
def list_plans(services: ServicesDep, identity: IdentityDep) -> Listed[PlanSummary]:
    """Every plan of the catalogue (any authenticated user): code, version, title and
    number of goals, by code; every version of a plan is its own item (R30)."""
    return listed(plan_summaries(services.application.catalogue))


@router.get("/v1/catalogue/plans/{code}", response_model=Plan)
def get_plan(
    code: PlanCode,
    services: ServicesDep,
    identity: IdentityDep,
    version: Annotated[
        str | None,
        Query(description="A version such as 2026.1; the newest when left out."),
    ] = None,
) -> Plan:
    """A plan and its goals (any authenticated user): code, title, arena, competence
    level and recommended activities, with the procedures' recommended minimums (R11,
    R12). The newest version when `version` is left out; 404 for an unknown code or a
    version this deployment does not hold."""
    return plan_detail(
        services.application.catalogue, code, version, services.settings.catalogue_dir
    )
