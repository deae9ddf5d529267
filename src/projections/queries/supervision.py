"""R19: supervision hours per month from finalised meetings, against the rule as data.

The rule (`kompetanse_domain.model.supervision_rule`) is 4 hours a month in 10.5
months a year for ALM, i.e. 42 hours a year; other specialties have no number.
The average counts every calendar month from the first month with a finalised
meeting through the current one (months without supervision count as 0 hours);
`on_track` compares that average, times 12, with the rule's hours per year.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from kompetanse_domain.model.supervision_rule import supervision_rule_for


def _month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def supervision_summary(
    specialty: str, months: Iterable[tuple[str, int, int]], today: date
) -> dict[str, Any]:
    """`months`: (month 'YYYY-MM', minutes, meetings) of months with finalised meetings."""
    rule = supervision_rule_for(specialty)
    rows = sorted(months)
    total_minutes = sum(minutes for _, minutes, _ in rows)
    counted = 0
    if rows:
        last = max(_month_index(rows[-1][0]), today.year * 12 + today.month - 1)
        counted = last - _month_index(rows[0][0]) + 1
    average = round(total_minutes / 60 / counted, 2) if counted else None
    per_year = rule.hours_per_year
    return {
        "rule": {
            "specialty": specialty,
            "hours_per_month": rule.hours_per_month,
            "months_per_year": rule.months_per_year,
            "hours_per_year": per_year,
            "stated_hours_per_year": rule.stated_hours_per_year,
            "note": rule.note,
        },
        "months": [
            {"month": month, "hours": round(minutes / 60, 2), "meetings": meetings}
            for month, minutes, meetings in rows
        ],
        "total_hours": round(total_minutes / 60, 2),
        "months_counted": counted,
        "average_hours_per_month": average,
        "months_at_or_above_minimum": (
            None
            if rule.hours_per_month is None
            else sum(1 for _, minutes, _ in rows if minutes >= rule.hours_per_month * 60)
        ),
        "on_track": None if per_year is None or average is None else average * 12 >= per_year,
    }
