"""The readiness part of the progress answer (R20-R22), shaped from the domain's.

The rules are the domain's (`kompetanse_domain.model.readiness`, ADR 0016); this module
only turns a `Readiness` into the answer's JSON shape.
"""

from __future__ import annotations

from typing import Any

from kompetanse_domain.model.readiness import Readiness


def readiness_answer(found: Readiness) -> dict[str, Any]:
    duration = found.minimum_duration
    return {
        "specialty": found.specialty,
        "target": found.target,
        "ready": found.ready,
        "required_plans": list(found.required_plans),
        "missing": [
            {
                "rule": item.rule,
                "plan_code": item.plan_code,
                "goal_code": item.goal_code,
                "state": item.state,
            }
            for item in found.missing
        ],
        "minimum_duration": {
            "years": duration.years,
            "counted_from": duration.counted_from,
            "earliest_on": duration.earliest_on,
            "met": duration.met,
            "note": duration.note,
        },
    }
