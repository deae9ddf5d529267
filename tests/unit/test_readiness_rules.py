"""R20-R22 in the domain: readiness per specialty and what is missing (ADR 0016); pure."""

from __future__ import annotations

from datetime import date

from kompetanse_domain.catalogue import Catalogue, GoalDefinition, PlanDefinition
from kompetanse_domain.model.readiness import (
    Missing,
    add_months,
    readiness,
    specialties_of,
)


def goal(code: str) -> GoalDefinition:
    return GoalDefinition(code=code, title="Kunne teste", competence_level="kjenne til")


def plan(code: str, part: str, *goals: str, specialty: str | None = None) -> PlanDefinition:
    return PlanDefinition(
        code=code,
        title=f"Testplan {code}",
        version="2026.1",
        part=part,  # type: ignore[arg-type]
        specialty=specialty,
        sample_titles=True,
        source="Written for the readiness rule tests.",
        goals=tuple(goal(each) for each in goals),
    )


CATALOGUE = Catalogue(
    plans=(
        plan("ALM", "part3", "ALM-001", "ALM-002", specialty="ALM"),
        plan("SAM", "part3", "SAM-001", specialty="SAM"),
        plan("FKM", "part3", "FKM-001"),
        plan("LIS1-KLK", "part1", "LIS1-KLK-001"),
        plan("LIS1-ALM", "part1", "LIS1-ALM-001"),
    )
)
REGISTERED = date(2020, 1, 15)
TODAY = date(2026, 8, 1)


def test_readiness_lists_unapproved_fkm_goals_as_missing() -> None:
    plans = {"ALM": "active", "FKM": "active"}
    goals = [
        ("ALM-001", "ALM", "approved"),
        ("ALM-002", "ALM", "approved"),
        ("FKM-001", "FKM", "sent_for_approval"),
    ]

    found = readiness(CATALOGUE, "ALM", plans, goals, REGISTERED, TODAY)

    assert found.target == "specialist_approval"
    assert found.required_plans == ("ALM", "FKM")  # R20: FKM included
    assert found.missing == (Missing("R20", "FKM", "FKM-001", "sent_for_approval"),)
    assert found.ready is False


def test_readiness_names_a_required_plan_not_assigned_or_removed() -> None:
    plans = {"ALM": "removed"}

    found = readiness(CATALOGUE, "ALM", plans, [], REGISTERED, TODAY)

    assert found.missing == (
        Missing("R20", "ALM", None, "not_assigned"),
        Missing("R20", "FKM", None, "not_assigned"),
    )


def test_a_specialist_is_ready_when_every_goal_of_its_plans_and_fkm_is_approved() -> None:
    plans = {"ALM": "active", "FKM": "archived"}  # an archived plan stays on record
    goals = [
        ("FKM-001", "FKM", "approved"),
        ("ALM-002", "ALM", "approved"),
        ("ALM-001", "ALM", "approved"),
    ]

    found = readiness(CATALOGUE, "ALM", plans, goals, REGISTERED, TODAY)

    assert found.ready is True
    assert found.missing == ()


def test_assigned_part1_plans_must_be_complete_before_specialist_approval() -> None:
    plans = {"ALM": "active", "FKM": "active", "LIS1-KLK": "archived", "LIS1-ALM": "removed"}
    goals = [
        ("ALM-001", "ALM", "approved"),
        ("ALM-002", "ALM", "approved"),
        ("FKM-001", "FKM", "approved"),
        ("LIS1-KLK-001", "LIS1-KLK", "rejected"),
    ]

    found = readiness(CATALOGUE, "ALM", plans, goals, REGISTERED, TODAY)

    # R21: the assigned part-1 plan counts; the removed one is not asked for
    assert found.missing == (Missing("R21", "LIS1-KLK", "LIS1-KLK-001", "rejected"),)


def test_a_lis1_candidates_target_is_every_part1_plan_complete() -> None:
    plans = {"LIS1-KLK": "active"}
    goals = [("LIS1-KLK-001", "LIS1-KLK", "approved")]

    found = readiness(CATALOGUE, "LIS1", plans, goals, REGISTERED, TODAY)

    assert found.target == "part1_complete"
    assert found.required_plans == ("LIS1-ALM", "LIS1-KLK")  # catalogue order
    assert found.missing == (Missing("R21", "LIS1-ALM", None, "not_assigned"),)


def test_missing_goals_are_listed_per_plan_in_goal_code_order() -> None:
    plans = {"ALM": "active", "FKM": "active"}
    goals = [
        ("FKM-001", "FKM", "not_started"),
        ("ALM-002", "ALM", "rejected"),
        ("ALM-001", "ALM", "not_started"),
    ]

    found = readiness(CATALOGUE, "ALM", plans, goals, REGISTERED, TODAY)

    assert [(m.plan_code, m.goal_code) for m in found.missing] == [
        ("ALM", "ALM-001"),
        ("ALM", "ALM-002"),
        ("FKM", "FKM-001"),
    ]


def test_the_six_and_a_half_years_are_information_counted_from_registration() -> None:
    plans = {"ALM": "active", "FKM": "active"}
    goals = [("ALM-001", "ALM", "approved"), ("ALM-002", "ALM", "approved")]
    goals.append(("FKM-001", "FKM", "approved"))

    early = readiness(CATALOGUE, "ALM", plans, goals, REGISTERED, date(2026, 7, 14))
    on_time = readiness(CATALOGUE, "ALM", plans, goals, REGISTERED, date(2026, 7, 15))

    assert early.minimum_duration.earliest_on == date(2026, 7, 15)
    assert early.minimum_duration.years == 6.5
    assert (early.minimum_duration.met, on_time.minimum_duration.met) == (False, True)
    assert early.ready is True  # R21's duration never holds readiness back


def test_adding_months_to_a_day_the_month_lacks_gives_its_last_day() -> None:
    assert add_months(date(2019, 12, 31), 78) == date(2026, 6, 30)
    assert add_months(date(2020, 8, 31), 78) == date(2027, 2, 28)


def test_a_second_specialty_is_named_while_its_part3_plan_is_assigned() -> None:
    assert specialties_of(CATALOGUE, "ALM", {"ALM": "active", "SAM": "archived"}) == [
        "ALM",
        "SAM",
    ]
    assert specialties_of(CATALOGUE, "ALM", {"ALM": "active", "SAM": "removed"}) == ["ALM"]
    assert specialties_of(CATALOGUE, "SAM", {"ALM": "active"}) == ["SAM", "ALM"]
