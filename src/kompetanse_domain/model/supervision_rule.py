"""R19 as data: supervision hours expected per specialty (ADR 0006).

Seed 002 says both "at least four hours a month in 10.5 months of the year"
(= 42 h/year) and "at least 31.5 hours a year". We keep the monthly figure and the
months per year as data, and show the yearly figure both ways.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SupervisionRule:
    specialty: str
    hours_per_month: float | None
    months_per_year: float | None
    stated_hours_per_year: float | None
    note: str

    @property
    def hours_per_year(self) -> float | None:
        if self.hours_per_month is None or self.months_per_year is None:
            return None
        return self.hours_per_month * self.months_per_year


SUPERVISION_RULES: dict[str, SupervisionRule] = {
    "ALM": SupervisionRule(
        specialty="ALM",
        hours_per_month=4.0,
        months_per_year=10.5,
        stated_hours_per_year=31.5,
        note="Gjennomsnittlig minst 4 timer individuell veiledning per måned i 10,5 av årets "
        "måneder i praktisk tjeneste. Kilden sier også 31,5 timer per år; se ADR 0006.",
    ),
}

REGULAR_NO_MINIMUM = SupervisionRule(
    specialty="*",
    hours_per_month=None,
    months_per_year=None,
    stated_hours_per_year=None,
    note="Veiledning skal være regelmessig; ingen fast timeantall.",
)


def supervision_rule_for(specialty: str) -> SupervisionRule:
    return SUPERVISION_RULES.get(specialty, REGULAR_NO_MINIMUM)
