"""The procedures part of the progress answer (R12), shaped from the domain's.

The rule (counts against the catalogue's recommended minimums, advice and never a
gate) is the domain's (`kompetanse_domain.model.procedures`); this module only turns
its `ProcedureProgress` entries into the answer's JSON shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kompetanse_domain.model.procedures import ProcedureProgress


def procedures_answer(entries: Iterable[ProcedureProgress]) -> list[dict[str, Any]]:
    return [
        {
            "title": entry.title,
            "recommended_minimum": entry.recommended_minimum,
            "count": entry.count,
            "signed": entry.signed,
            "remaining": entry.remaining,
        }
        for entry in entries
    ]
