"""R20-R22: is a candidate ready to apply for approval as specialist, and what is missing.

Pure functions over plain values (plan and goal states, dates) and the catalogue; the
read side gathers the values from its rows and shapes the answer (ADR 0016).

R20: every goal of the specialty's plans, FKM included, approved. R21: part-1 (LIS1)
plans complete before moving on; for a LIS1 candidate that is the target itself. The
minimum duration of 6.5 years is information only, counted from registration in this
portal (training may have started before it). R22: a candidate in a second specialty
(its part-3 plan assigned, in sequence or in parallel) gets a readiness of its own for it
(`specialties_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.model.vocabulary import GoalState, PlanState

MINIMUM_MONTHS = 78  # 6.5 years (R21)
PART1_SPECIALTY = "LIS1"
COMMON_PLAN = "FKM"  # R20: "FKM included"
NOT_ASSIGNED = "not_assigned"  # a missing plan's state in `Missing`
MINIMUM_DURATION_NOTE = (
    "Information only (R21): counted from registration in this portal; "
    "training before it is not known here."
)


@dataclass(frozen=True, slots=True)
class Missing:
    """What stands between the candidate and the target: a goal of a required plan not
    approved (`goal_code`, its state), or a required plan not assigned (`goal_code`
    None, state `not_assigned`). `rule` is the rule that requires it (R20 or R21)."""

    rule: str
    plan_code: str
    goal_code: str | None
    state: str


@dataclass(frozen=True, slots=True)
class MinimumDuration:
    """R21's 6.5 years, counted from registration in this portal (information only)."""

    counted_from: date
    earliest_on: date
    met: bool
    note: str = MINIMUM_DURATION_NOTE

    @property
    def years(self) -> float:
        return MINIMUM_MONTHS / 12


@dataclass(frozen=True, slots=True)
class Readiness:
    """One specialty's readiness: its target, the plans it requires, what is missing."""

    specialty: str
    target: str  # "specialist_approval", or "part1_complete" for LIS1 (R21)
    required_plans: tuple[str, ...]
    missing: tuple[Missing, ...]
    minimum_duration: MinimumDuration

    @property
    def ready(self) -> bool:
        """R20, R21: nothing is missing (the minimum duration is information only)."""
        return not self.missing


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months; a day the month lacks becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate_day)
        except ValueError:
            continue
    raise ValueError(day)


def is_assigned(plans: Mapping[str, str], code: str) -> bool:
    """A plan counts as assigned unless it was never assigned or was removed (R5);
    an archived plan stays on record."""
    return plans.get(code, PlanState.REMOVED) != PlanState.REMOVED


def specialties_of(catalogue: Catalogue, specialty: str, plans: Mapping[str, str]) -> list[str]:
    """R22: the registered specialty first, then each other specialty whose part-3 plan
    is assigned and not removed (a second specialty, in sequence or in parallel)."""
    others = {
        plan.specialty
        for plan in catalogue.plans
        if plan.part == "part3"
        and plan.specialty
        and plan.specialty != specialty
        and is_assigned(plans, plan.code)
    }
    return [specialty, *sorted(others)]


def readiness(
    catalogue: Catalogue,
    specialty: str,
    plans: Mapping[str, str],
    goals: Iterable[tuple[str, str, str]],
    registered_on: date,
    today: date,
) -> Readiness:
    """R20, R21 for one specialty (R22: call it once per `specialties_of`).

    `plans`: plan code -> state; `goals`: (code, plan_code, state) of the goals not
    withdrawn. A LIS1 candidate's target is part 1 complete (R21); any other's is
    approval as specialist: FKM and the specialty's part-3 plan (R20), and every part-1
    plan still assigned complete (R21). Missing goals are listed per plan in code order.
    """
    by_plan: dict[str, list[tuple[str, str]]] = {}
    for code, plan_code, state in sorted(goals):
        by_plan.setdefault(plan_code, []).append((code, state))
    part1 = [plan.code for plan in catalogue.plans if plan.part == "part1"]
    if specialty == PART1_SPECIALTY:
        target, required = "part1_complete", part1
        missing = _missing("R21", part1, plans, by_plan)
    else:
        target = "specialist_approval"
        required = [
            plan.code
            for plan in catalogue.plans
            if plan.code == COMMON_PLAN or (plan.part == "part3" and plan.specialty == specialty)
        ]
        missing = _missing("R20", required, plans, by_plan)
        assigned_part1 = [code for code in part1 if is_assigned(plans, code)]
        missing += _missing("R21", assigned_part1, plans, by_plan)
    earliest = add_months(registered_on, MINIMUM_MONTHS)
    return Readiness(
        specialty=specialty,
        target=target,
        required_plans=tuple(required),
        missing=tuple(missing),
        minimum_duration=MinimumDuration(
            counted_from=registered_on, earliest_on=earliest, met=today >= earliest
        ),
    )


def _missing(
    rule: str,
    plan_codes: Iterable[str],
    plans: Mapping[str, str],
    by_plan: Mapping[str, list[tuple[str, str]]],
) -> list[Missing]:
    missing: list[Missing] = []
    for code in plan_codes:
        if not is_assigned(plans, code):
            missing.append(Missing(rule, code, None, NOT_ASSIGNED))
            continue
        missing.extend(
            Missing(rule, code, goal_code, state)
            for goal_code, state in by_plan.get(code, ())
            if state != GoalState.APPROVED
        )
    return missing
