"""R12 in the domain: procedure counts against recommended minimums, never a gate; pure."""

from __future__ import annotations

from kompetanse_domain.catalogue import GoalDefinition
from kompetanse_domain.catalogue.model import RecommendedActivity
from kompetanse_domain.model.procedures import (
    ProcedureProgress,
    procedure_progress,
    recommended_procedures,
)


def goal(*activities: tuple[str, str, int | None]) -> GoalDefinition:
    return GoalDefinition(
        code="ALM-001",
        title="Kunne teste",
        competence_level="kjenne til",
        recommended_activities=tuple(
            RecommendedActivity(kind=kind, title=title, recommended_minimum=minimum)  # type: ignore[arg-type]
            for kind, title, minimum in activities
        ),
    )


def test_only_procedures_with_a_minimum_are_recommended_in_catalogue_order() -> None:
    found = recommended_procedures(
        goal(("procedure", "Sutur", 10), ("course", "Kurs", None), ("procedure", "Gips", None))
    )

    assert found == (("sutur", "Sutur", 10),)


def test_rejected_procedures_do_not_count_and_signed_ones_are_counted_apart() -> None:
    recommended = recommended_procedures(goal(("procedure", "Sutur", 10), ("procedure", "Gips", 5)))

    found = procedure_progress(
        recommended,
        [
            (None, "Sutur", 3, "signed"),
            (None, "sutur", 2, "sent_for_signing"),
            (None, "Sutur", 4, "rejected"),
        ],
    )

    assert found == [
        ProcedureProgress("Sutur", 10, count=5, signed=3),
        ProcedureProgress("Gips", 5, count=0, signed=0),
    ]
    assert [entry.remaining for entry in found] == [5, 5]


def test_a_procedure_counts_by_its_code_before_its_title_ignoring_case_and_spacing() -> None:
    recommended = recommended_procedures(goal(("procedure", "Sutur", 10), ("procedure", "Gips", 5)))

    found = procedure_progress(recommended, [(" GIPS ", "Sutur", 1, "registered")])

    assert [(entry.title, entry.count) for entry in found] == [("Sutur", 0), ("Gips", 1)]


def test_other_procedures_are_listed_once_each_without_a_minimum() -> None:
    recommended = recommended_procedures(goal(("procedure", "Sutur", 10), ("procedure", "Gips", 5)))

    found = procedure_progress(
        recommended, [(None, "Blodprøve", 1, "registered"), (None, "blodprøve ", 2, "signed")]
    )

    assert found[2] == ProcedureProgress("Blodprøve", None, count=3, signed=2)
    assert found[2].remaining is None


def test_the_minimum_is_advice_so_remaining_never_goes_below_zero() -> None:
    recommended = recommended_procedures(goal(("procedure", "Sutur", 2)))

    # the goal recommends one procedure, so every procedure registered on it counts there
    found = procedure_progress(recommended, [(None, "hva som helst", 7, "signed")])

    assert found == [ProcedureProgress("Sutur", 2, count=7, signed=7)]
    assert found[0].remaining == 0
