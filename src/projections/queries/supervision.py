"""The supervision part of the progress answer (R19), shaped from the domain's.

The rule and the average are the domain's (`kompetanse_domain.model.supervision_rule`,
ADR 0006); this module only turns its `SupervisionHours` into the answer's JSON shape.
"""

from __future__ import annotations

from typing import Any

from kompetanse_domain.model.supervision_rule import SupervisionHours


def supervision_answer(found: SupervisionHours) -> dict[str, Any]:
    rule = found.rule
    return {
        "rule": {
            "specialty": found.specialty,  # the candidate's, also when no number applies
            "hours_per_month": rule.hours_per_month,
            "months_per_year": rule.months_per_year,
            "hours_per_year": rule.hours_per_year,
            "stated_hours_per_year": rule.stated_hours_per_year,
            "note": rule.note,
        },
        "months": [
            {"month": month.month, "hours": month.hours, "meetings": month.meetings}
            for month in found.months
        ],
        "total_hours": found.total_hours,
        "months_counted": found.months_counted,
        "average_hours_per_month": found.average_hours_per_month,
        "months_at_or_above_minimum": found.months_at_or_above_minimum,
        "on_track": found.on_track,
    }
