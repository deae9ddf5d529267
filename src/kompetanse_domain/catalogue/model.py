"""Frozen pydantic models of the plan catalogue's data files (ADR 0005).

A plan file is validated as a whole: a bad value is refused with its field named
(e.g. ``goals``: "goals[3].code 'ALM-1' must be 'ALM-' followed by three digits").
Learning goals are mandatory, recommended activities and their minimum counts are
advice only (R11, R12).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kompetanse_domain.catalogue.errors import UnknownGoalError, UnknownPlanError
from kompetanse_domain.model.vocabulary import ACTIVITY_KINDS as ACTIVITY_KINDS
from kompetanse_domain.model.vocabulary import ActivityKind as ActivityKind

KnowledgeLevel = Literal["kjenne til", "ha kunnskap om", "ha god kunnskap om"]
SkillLevel = Literal["under supervisjon", "selvstendig"]
CompetenceLevel = Literal[
    "kjenne til", "ha kunnskap om", "ha god kunnskap om", "under supervisjon", "selvstendig"
]
KNOWLEDGE_LEVELS: tuple[str, ...] = ("kjenne til", "ha kunnskap om", "ha god kunnskap om")
SKILL_LEVELS: tuple[str, ...] = ("under supervisjon", "selvstendig")
COMPETENCE_LEVELS: tuple[str, ...] = KNOWLEDGE_LEVELS + SKILL_LEVELS


Arena = Literal["hospital", "municipality"]
ARENAS: tuple[str, ...] = ("hospital", "municipality")

Part = Literal["part1", "part3"]

PLAN_CODE_PATTERN = r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$"
GOAL_CODE_PATTERN = r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[0-9]{3}$"
VERSION_PATTERN = r"^[0-9]+(?:\.[0-9]+)*$"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
PlanCode = Annotated[str, StringConstraints(pattern=PLAN_CODE_PATTERN, max_length=40)]
GoalCode = Annotated[str, StringConstraints(pattern=GOAL_CODE_PATTERN, max_length=44)]
Version = Annotated[str, StringConstraints(pattern=VERSION_PATTERN, max_length=20)]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a plan version: "2026.10" is newer than "2026.9"."""
    return tuple(int(part) for part in version.split("."))


def plan_code_of(goal_code: str) -> str:
    """The plan a goal code belongs to: 'LIS1-FKM-024' -> 'LIS1-FKM'."""
    return goal_code.rsplit("-", 1)[0]


class RecommendedActivity(BaseModel):
    """A recommended, not mandatory, learning activity of a goal (R11).

    `recommended_minimum` is the procedure list's recommended count (R12): only
    procedures carry one, and it is shown as progress, never enforced.
    """

    model_config = _FROZEN

    kind: ActivityKind
    title: Text
    recommended_minimum: Annotated[int, Field(ge=1, le=10_000)] | None = None

    @model_validator(mode="after")
    def _minimum_only_for_procedures(self) -> RecommendedActivity:
        if self.recommended_minimum is not None and self.kind != ActivityKind.PROCEDURE:
            raise ValueError(
                f"recommended_minimum is only for kind 'procedure', not {self.kind.value!r}; "
                "leave it empty"
            )
        return self


class GoalDefinition(BaseModel):
    """A mandatory learning goal (læringsmål) of a plan, e.g. ``ALM-055``."""

    model_config = _FROZEN

    code: GoalCode
    title: Text
    competence_level: CompetenceLevel
    arena: Arena | None = None
    recommended_activities: tuple[RecommendedActivity, ...] = ()

    @property
    def plan_code(self) -> str:
        return plan_code_of(self.code)


class PlanDefinition(BaseModel):
    """One versioned plan (læringsmålplan) of the catalogue; one JSON file each.

    `version` is recorded on every PlanAssigned event so a later version of the plan
    does not rewrite history (ADR 0005). `sample_titles` is true when the goal titles
    are placeholders rather than the official texts; `source` says where they came from.
    """

    model_config = _FROZEN

    code: PlanCode
    title: Text
    version: Version
    part: Part
    specialty: PlanCode | None = None
    sample_titles: bool
    source: Text
    goals: Annotated[tuple[GoalDefinition, ...], Field(min_length=1)]

    @field_validator("goals")
    @classmethod
    def _goal_codes_belong_to_plan(
        cls, goals: tuple[GoalDefinition, ...], info: ValidationInfo
    ) -> tuple[GoalDefinition, ...]:
        plan_code = info.data.get("code")
        if not isinstance(plan_code, str):
            return goals  # the plan code itself was refused; that error names `code`
        pattern = re.compile(re.escape(plan_code) + r"-[0-9]{3}")
        problems: list[str] = []
        seen: dict[str, int] = {}
        for index, goal in enumerate(goals):
            if not pattern.fullmatch(goal.code):
                problems.append(
                    f"goals[{index}].code {goal.code!r} must be '{plan_code}-' "
                    "followed by three digits"
                )
            elif goal.code == f"{plan_code}-000":
                problems.append(f"goals[{index}].code {goal.code!r}: numbering starts at 001")
            if goal.code in seen:
                problems.append(
                    f"goals[{index}].code {goal.code!r} duplicates goals[{seen[goal.code]}]"
                )
            seen.setdefault(goal.code, index)
        if problems:
            raise ValueError("; ".join(problems))
        return goals

    @property
    def version_key(self) -> tuple[int, ...]:
        return version_key(self.version)

    def goal(self, code: str) -> GoalDefinition:
        for goal in self.goals:
            if goal.code == code:
                return goal
        raise UnknownGoalError(code)

    @property
    def goal_codes(self) -> tuple[str, ...]:
        return tuple(goal.code for goal in self.goals)


class GoalLink(BaseModel):
    """One row of a version mapping (ADR 0026): `source` of the old version maps to
    `target` of the new one; no target: the old goal was removed; no source: the new
    goal was added."""

    model_config = _FROZEN

    source: GoalCode | None = None
    target: GoalCode | None = None


class PlanMapping(BaseModel):
    """How the goals of `from_version` of a plan map to those of `to_version` (R30).

    Validated against both versions by `versions.check_mapping`; `sample` is true for
    the shipped sample mapping, like `sample_titles` of the plans."""

    model_config = _FROZEN

    plan_code: PlanCode
    from_version: Version
    to_version: Version
    sample: bool
    source: Text
    links: tuple[GoalLink, ...]


class Catalogue(BaseModel):
    """All plans known to this deployment, sorted by code (ADR 0005): `plans` holds the
    newest version of each, `versions` any older ones and `mappings` the mappings
    between versions (ADR 0026)."""

    model_config = _FROZEN

    plans: tuple[PlanDefinition, ...]
    versions: tuple[PlanDefinition, ...] = ()
    mappings: tuple[PlanMapping, ...] = ()

    _plans_by_code: Mapping[str, PlanDefinition] = PrivateAttr(
        default_factory=lambda: MappingProxyType({})
    )
    _goals_by_code: Mapping[str, GoalDefinition] = PrivateAttr(
        default_factory=lambda: MappingProxyType({})
    )

    @field_validator("plans")
    @classmethod
    def _sorted_and_unique(cls, plans: tuple[PlanDefinition, ...]) -> tuple[PlanDefinition, ...]:
        codes = [plan.code for plan in plans]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"plans: duplicate plan codes {', '.join(duplicates)}")
        return tuple(sorted(plans, key=lambda plan: plan.code))

    def model_post_init(self, context: Any, /) -> None:
        self._plans_by_code = MappingProxyType({plan.code: plan for plan in self.plans})
        self._goals_by_code = MappingProxyType(
            {goal.code: goal for plan in self.plans for goal in plan.goals}
        )

    @property
    def plan_codes(self) -> tuple[str, ...]:
        return tuple(plan.code for plan in self.plans)

    def plan(self, code: str) -> PlanDefinition:
        """The plan with `code`; raises UnknownPlanError naming the known plans."""
        try:
            return self._plans_by_code[code]
        except KeyError:
            raise UnknownPlanError(code, self.plan_codes) from None

    def goal(self, code: str) -> GoalDefinition:
        """The goal with `code` (e.g. 'LIS1-FKM-024'); raises UnknownGoalError."""
        try:
            return self._goals_by_code[code]
        except KeyError:
            raise UnknownGoalError(code) from None

    def plan_title(self, code: str, unknown: str) -> str:
        """The title of the plan with `code`, or `unknown` when there is no such plan."""
        plan = self._plans_by_code.get(code)
        return unknown if plan is None else plan.title

    def goal_title(self, code: str, unknown: str) -> str:
        """The title of the goal with `code`, or `unknown` when there is no such goal."""
        goal = self._goals_by_code.get(code)
        return unknown if goal is None else goal.title

    def __contains__(self, code: object) -> bool:
        return code in self._plans_by_code

    def all_versions(self) -> tuple[PlanDefinition, ...]:
        """Every version of every plan, by code and version (oldest first)."""
        held = {(plan.code, plan.version): plan for plan in (*self.versions, *self.plans)}
        return tuple(sorted(held.values(), key=lambda plan: (plan.code, plan.version_key)))

    def plan_version(self, code: str, version: str | None) -> PlanDefinition | None:
        """Plan `code` in `version` (the newest when None); None when not held."""
        newest = self.plan(code)
        if version is None or version == newest.version:
            return newest
        return next(
            (plan for plan in self.versions if (plan.code, plan.version) == (code, version)),
            None,
        )

    def mapping_route(self, code: str, from_version: str, to_version: str) -> tuple[str, ...]:
        """The versions plan `code` passes through from `from_version` to `to_version`
        along published mappings, `to_version` last (the fewest steps); () when there is
        no such route."""
        steps: dict[str, list[str]] = {}
        for mapping in self.mappings:
            if mapping.plan_code == code:
                steps.setdefault(mapping.from_version, []).append(mapping.to_version)
        routes: dict[str, tuple[str, ...]] = {from_version: ()}
        reached = deque([from_version])
        while reached:
            at = reached.popleft()
            for version in sorted(steps.get(at, ())):
                if version not in routes:
                    routes[version] = (*routes[at], version)
                    reached.append(version)
        return routes.get(to_version, ())

    def mapping(self, code: str, from_version: str, to_version: str) -> PlanMapping | None:
        """The published mapping of plan `code` from one version to another, if any."""
        return next(
            (
                mapping
                for mapping in self.mappings
                if (mapping.plan_code, mapping.from_version, mapping.to_version)
                == (code, from_version, to_version)
            ),
            None,
        )
