"""The pure parts of the progress query (R12, R19, R20, R21): rows in, answer out, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from kompetanse_domain.catalogue import Catalogue, GoalDefinition, PlanDefinition
from kompetanse_domain.catalogue.model import RecommendedActivity
from kompetanse_domain.model import procedures as procedure_rule
from kompetanse_domain.model import readiness as readiness_rule
from kompetanse_domain.model import supervision_rule
from kompetanse_domain.model.procedures import (
    Procedure,
    recommended_by_goal,
    recommended_procedures,
)
from kompetanse_domain.model.readiness import specialties_of
from projections.queries.procedures import procedures_answer
from projections.queries.readiness import readiness_answer
from projections.queries.supervision import supervision_answer

# -- the domain's rule, shaped as the progress answer shapes it --------------------------


def procedure_progress(
    recommended: Sequence[tuple[str, str, int]], activities: Iterable[Procedure]
) -> list[dict[str, Any]]:
    return procedures_answer(procedure_rule.procedure_progress(recommended, activities))


def readiness(
    catalogue: Catalogue,
    specialty: str,
    plans: Mapping[str, str],
    goals: Iterable[tuple[str, str, str]],
    registered_on: date,
    today: date,
) -> dict[str, Any]:
    found = readiness_rule.readiness(catalogue, specialty, plans, goals, registered_on, today)
    return readiness_answer(found)


def supervision_summary(
    specialty: str, months: Iterable[tuple[str, int, int]], today: date
) -> dict[str, Any]:
    return supervision_answer(supervision_rule.supervision_hours(specialty, months, today))


def goal(code: str, *procedures: tuple[str, int | None]) -> GoalDefinition:
    return GoalDefinition(
        code=code,
        title="Kunne teste",
        competence_level="kjenne til",
        recommended_activities=tuple(
            RecommendedActivity(kind="procedure", title=title, recommended_minimum=minimum)
            for title, minimum in procedures
        ),
    )


def plan(
    code: str, part: str, *goals: GoalDefinition, specialty: str | None = None
) -> PlanDefinition:
    return PlanDefinition(
        code=code,
        title=f"Testplan {code}",
        version="2026.1",
        part=part,  # type: ignore[arg-type]
        specialty=specialty,
        sample_titles=True,
        source="Written for the progress tests.",
        goals=goals,
    )


def test_procedures_count_by_code_or_title_and_leave_out_rejected_ones() -> None:
    recommended = recommended_procedures(
        goal("ALM-001", ("Sutur", 10), ("Gips  ", 5), ("Uten minimum", None))
    )

    entries = procedure_progress(
        recommended,
        [
            ("SUTUR", "noe annet", 3, "signed"),
            (None, " gips", 2, "sent_for_signing"),
            (None, "Sutur", 4, "rejected"),
            (None, "Blodprøve", 1, "registered"),
        ],
    )

    assert entries == [
        {"title": "Sutur", "recommended_minimum": 10, "count": 3, "signed": 3, "remaining": 7},
        {"title": "Gips", "recommended_minimum": 5, "count": 2, "signed": 0, "remaining": 3},
        {
            "title": "Blodprøve",
            "recommended_minimum": None,
            "count": 1,
            "signed": 0,
            "remaining": None,
        },
    ]


def test_a_single_recommended_procedure_takes_every_procedure_of_the_goal() -> None:
    recommended = recommended_procedures(goal("ALM-002", ("Sutur", 2)))

    entries = procedure_progress(recommended, [(None, "hva som helst", 3, "signed")])

    assert entries == [
        {"title": "Sutur", "recommended_minimum": 2, "count": 3, "signed": 3, "remaining": 0}
    ]


def test_recommended_minimums_are_looked_up_once_per_catalogue() -> None:
    catalogue = Catalogue(
        plans=(
            plan("ALM", "part3", goal("ALM-001", ("Sutur", 2)), goal("ALM-002"), specialty="ALM"),
        )
    )

    table = recommended_by_goal(catalogue)

    assert table == {"ALM-001": (("sutur", "Sutur", 2),)}
    assert recommended_by_goal(catalogue) is table
    assert recommended_procedures(None) == ()


def test_readiness_lists_unapproved_goals_per_required_plan_in_code_order() -> None:
    catalogue = Catalogue(
        plans=(
            plan("ALM", "part3", goal("ALM-001"), goal("ALM-002"), specialty="ALM"),
            plan("FKM", "part3", goal("FKM-001")),
            plan("LIS1-KLK", "part1", goal("LIS1-KLK-001")),
        )
    )
    goals = [
        ("ALM-002", "ALM", "rejected"),
        ("ALM-001", "ALM", "sent_for_approval"),
        ("LIS1-KLK-001", "LIS1-KLK", "approved"),
    ]

    answer = readiness(
        catalogue,
        "ALM",
        {"ALM": "active", "LIS1-KLK": "archived"},
        goals,
        date(2019, 12, 31),
        date(2026, 8, 1),
    )

    assert answer["required_plans"] == ["ALM", "FKM"]
    assert answer["missing"] == [
        {"rule": "R20", "plan_code": "ALM", "goal_code": "ALM-001", "state": "sent_for_approval"},
        {"rule": "R20", "plan_code": "ALM", "goal_code": "ALM-002", "state": "rejected"},
        {"rule": "R20", "plan_code": "FKM", "goal_code": None, "state": "not_assigned"},
    ]
    assert answer["minimum_duration"]["earliest_on"] == date(2026, 6, 30)
    assert answer["minimum_duration"]["met"] is True


def test_each_specialty_is_ready_on_its_own_plans_and_fkm() -> None:
    catalogue = Catalogue(
        plans=(
            plan("ALM", "part3", goal("ALM-001"), specialty="ALM"),
            plan("ARB", "part3", goal("ARB-001"), specialty="ARB"),
            plan("SAM", "part3", goal("SAM-001"), specialty="SAM"),
            plan("FKM", "part3", goal("FKM-001")),
        )
    )
    plans = {"FKM": "active", "ALM": "active", "ARB": "active", "SAM": "removed"}
    goals = [
        ("ALM-001", "ALM", "approved"),
        ("ARB-001", "ARB", "sent_for_approval"),
        ("FKM-001", "FKM", "approved"),
    ]

    specialties = specialties_of(catalogue, "ALM", plans)
    answers = [
        readiness(catalogue, each, plans, goals, date(2019, 1, 1), date(2026, 8, 1))
        for each in specialties
    ]

    assert specialties == ["ALM", "ARB"]  # R22; SAM's plan was removed
    assert [a["ready"] for a in answers] == [True, False]
    assert answers[1]["missing"] == [
        {"rule": "R20", "plan_code": "ARB", "goal_code": "ARB-001", "state": "sent_for_approval"}
    ]


def test_supervision_months_are_counted_from_the_first_through_today() -> None:
    summary = supervision_summary(
        "ALM", [("2026-03", 240, 2), ("2026-01", 120, 1)], date(2026, 4, 15)
    )

    assert [month["month"] for month in summary["months"]] == ["2026-01", "2026-03"]
    assert summary["total_hours"] == 6.0
    assert summary["months_counted"] == 4
    assert summary["average_hours_per_month"] == 1.5
