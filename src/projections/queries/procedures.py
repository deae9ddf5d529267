"""The procedures part of the progress answer (R12), shaped from the domain's.

The rule (counts against the catalogue's recommended minimums, advice and never a
gate) is the domain's (`kompetanse_domain.model.procedures`); this module only turns
its `ProcedureProgress` entries into the answer's JSON shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kompetanse_domain.model import procedures as rule
from kompetanse_domain.model.procedures import Procedure


def procedure_progress(
    recommended: Sequence[tuple[str, str, int]], activities: Iterable[Procedure]
) -> list[dict[str, Any]]:
    """One entry per recommended procedure, then per other procedure title registered."""
    return [
        {
            "title": entry.title,
            "recommended_minimum": entry.recommended_minimum,
            "count": entry.count,
            "signed": entry.signed,
            "remaining": entry.remaining,
        }
        for entry in rule.procedure_progress(recommended, activities)
    ]
