"""R19 as data: supervision hours expected per specialty (ADR 0006).

Seed 002 says both "at least four hours a month in 10.5 months of the year"
(= 42 h/year) and "at least 31.5 hours a year". We keep the monthly figure and the
months per year as data, and show the yearly figure both ways.

`supervision_hours` applies the rule to the minutes of finalised meetings per month
(plain values the read side gathers): the average counts every calendar month from
the first month with a finalised meeting through the current one (months without
supervision count as 0 hours); `on_track` compares that average, times 12, with the
rule's hours per year. It never blocks anything: the leader judges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


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


@dataclass(frozen=True, slots=True)
class SupervisionMonth:
    """A calendar month ('YYYY-MM') with finalised meetings: their minutes and number."""

    month: str
    minutes: int
    meetings: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


@dataclass(frozen=True, slots=True)
class SupervisionHours:
    """R19 for one candidate: the months with supervision and the average against the rule."""

    specialty: str  # the candidate's
    rule: SupervisionRule
    months: tuple[SupervisionMonth, ...]  # in month order
    total_minutes: int
    months_counted: int  # from the first month with a meeting through the current one
    average_hours_per_month: float | None  # None before the first finalised meeting
    months_at_or_above_minimum: int | None  # None when the rule has no monthly figure
    on_track: bool | None  # None when the rule has no number or there is no average

    @property
    def total_hours(self) -> float:
        return round(self.total_minutes / 60, 2)


def month_index(month: str) -> int:
    """'YYYY-MM' as a count of months, so two months subtract."""
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def supervision_hours(
    specialty: str, months: Iterable[tuple[str, int, int]], today: date
) -> SupervisionHours:
    """R19: `months` are (month 'YYYY-MM', minutes, meetings) of the months with finalised
    meetings; `today` ends the months counted (ADR 0006)."""
    rule = supervision_rule_for(specialty)
    rows = [SupervisionMonth(*row) for row in sorted(months)]
    total_minutes = sum(row.minutes for row in rows)
    counted = 0
    if rows:
        last = max(month_index(rows[-1].month), today.year * 12 + today.month - 1)
        counted = last - month_index(rows[0].month) + 1
    average = round(total_minutes / 60 / counted, 2) if counted else None
    per_year = rule.hours_per_year
    minimum = rule.hours_per_month
    return SupervisionHours(
        specialty=specialty,
        rule=rule,
        months=tuple(rows),
        total_minutes=total_minutes,
        months_counted=counted,
        average_hours_per_month=average,
        months_at_or_above_minimum=(
            None if minimum is None else sum(1 for row in rows if row.minutes >= minimum * 60)
        ),
        on_track=None if per_year is None or average is None else average * 12 >= per_year,
    )
