"""The applicant's export's content (API.md v1.1, ADR 0024), in one read transaction.

It is made of the answers the other queries give (profile, progress with the rules'
results R12 and R19-R22, goal details, meetings), read in the same transaction so the
document is consistent at one `position`: the document the API signs states it.
"""

from __future__ import annotations

from datetime import date
from typing import cast
from uuid import UUID

from kompetanse_domain.catalogue import Catalogue
from projections.queries import candidates, goals, meetings, progress
from projections.queries.port import ExportContent, GoalView, ProgressView
from projections.queries.read import ReadTx


def get_export_content(
    r: ReadTx, catalogue: Catalogue, cid: UUID, today: date | None = None
) -> ExportContent | None:
    candidate = candidates.get_candidate(r, catalogue, cid)
    found = progress.get_progress(r, catalogue, cid, today)
    if candidate is None or found is None:
        return None
    answer = cast(ProgressView, found)
    details: list[GoalView] = []
    for goal in answer["goals"]:
        if goal["state"] == "approved" or cast(int, goal["signed_activities"]) > 0:
            detail = goals.get_goal(r, catalogue, cid, cast(str, goal["code"]))
            if detail is not None:
                details.append(detail)
    return {
        "position": r.position,
        "candidate": candidate,
        "progress": answer,
        "goals": details,
        "meetings": meetings.list_meetings(r, cid),
    }
