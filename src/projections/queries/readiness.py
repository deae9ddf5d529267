"""R20, R21: is the candidate ready to apply for approval as specialist, and what is missing.

R20: every goal of the specialty's plans, FKM included, approved. R21: part-1
(LIS1) plans complete before moving on; for a LIS1 candidate that is the target
itself. The minimum duration of 6.5 years is shown as information only, counted
from registration in this portal (training may have started before it). R22: a
candidate in a second specialty (its part-3 plan assigned, in sequence or in parallel)
gets a readiness of its own for it (`specialties_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.model.learning_goal import GoalState

MINIMUM_MONTHS = 78  # 6.5 years (R21)
PART1_SPECIALTY = "LIS1"
COMMON_PLAN = "FKM"  # R20: "FKM included"


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate_day)
        except ValueError:
            continue
    raise ValueError(day)


def _missing(
    rule: str,
    plan_codes: Iterable[str],
    plans: Mapping[str, str],
    by_plan: Mapping[str, list[tuple[str, str]]],
) -> list[dict[str, Any]]:
    missing: list[dict[str, Any]] = []
    for code in plan_codes:
        if plans.get(code, "removed") == "removed":
            missing.append(
                {"rule": rule, "plan_code": code, "goal_code": None, "state": "not_assigned"}
            )
            continue
        missing.extend(
            {"rule": rule, "plan_code": code, "goal_code": goal_code, "state": state}
            for goal_code, state in by_plan.get(code, ())
            if state != GoalState.APPROVED
        )
    return missing


def specialties_of(catalogue: Catalogue, specialty: str, plans: Mapping[str, str]) -> list[str]:
    """R22: the registered specialty first, then each other specialty whose part-3 plan
    is assigned and not removed (a second specialty, in sequence or in parallel)."""
    others = {
        plan.specialty
        for plan in catalogue.plans
        if plan.part == "part3"
        and plan.specialty
        and plan.specialty != specialty
        and plans.get(plan.code, "removed") != "removed"
    }
    return [specialty, *sorted(others)]


def readiness(
    catalogue: Catalogue,
    specialty: str,
    plans: Mapping[str, str],
    goals: Iterable[tuple[str, str, str]],
    registered_on: date,
    today: date,
) -> dict[str, Any]:
    """`plans`: plan code -> state; `goals`: (code, plan_code, state), not withdrawn."""
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
        assigned_part1 = [code for code in part1 if plans.get(code, "removed") != "removed"]
        missing += _missing("R21", assigned_part1, plans, by_plan)
    earliest = add_months(registered_on, MINIMUM_MONTHS)
    return {
        "specialty": specialty,
        "target": target,
        "ready": not missing,
        "required_plans": required,
        "missing": missing,
        "minimum_duration": {
            "years": MINIMUM_MONTHS / 12,
            "counted_from": registered_on,
            "earliest_on": earliest,
            "met": today >= earliest,
            "note": "Information only (R21): counted from registration in this portal; "
            "training before it is not known here.",
        },
    }
