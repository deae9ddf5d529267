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


def supervision_summary(specialty: str, months: Iterable[Any], today: date) -> dict[str, Any]:
    """`months`: rows with `month` ('YYYY-MM'), `minutes` and `meetings`, in month order."""
    rule = supervision_rule_for(specialty)
    rows = sorted(months, key=lambda row: row.month)
    total_minutes = sum(row.minutes for row in rows)
    counted = 0
    if rows:
        last = max(_month_index(rows[-1].month), today.year * 12 + today.month - 1)
        counted = last - _month_index(rows[0].month) + 1
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
            {"month": row.month, "hours": round(row.minutes / 60, 2), "meetings": row.meetings}
            for row in rows
        ],
        "total_hours": round(total_minutes / 60, 2),
        "months_counted": counted,
        "average_hours_per_month": average,
        "months_at_or_above_minimum": (
            None
            if rule.hours_per_month is None
            else sum(1 for row in rows if row.minutes >= rule.hours_per_month * 60)
        ),
        "on_track": None if per_year is None or average is None else average * 12 >= per_year,
    }
