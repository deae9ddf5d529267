"""The applicant's export as one JSON document (API.md v1.1 "The applicant's export").

Made from `ReadPort.get_export_content` (one read transaction: profile, progress with
the domain rules' results R12, R19-R22, the goals' detail, the meetings); never from
the events. Every value is plain JSON (dates and instants as ISO 8601 text), so the
document signed is the document served and the one a verifier parses (ADR 0024).
The PDF (`api.export_pdf`) renders this same document in Norwegian.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from projections.queries.port import ExportContent, GoalView

FORMAT = "kompetanse-export/1"


def plain(value: Any) -> Any:
    """The value as plain JSON: dates and instants as ISO 8601 text, tuples as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def build_document(
    content: ExportContent, *, portal: str, generated_at: datetime
) -> dict[str, Any]:
    """The unsigned export document (the signature is added by the caller)."""
    candidate, progress = content["candidate"], content["progress"]
    details = {goal["code"]: goal for goal in content["goals"]}
    plans = []
    for plan in candidate["plans"]:
        if plan["state"] == "removed":
            continue
        achieved = [
            _achieved(goal)
            for code, goal in sorted(details.items())
            if goal["plan_code"] == plan["plan_code"] and goal["state"] == "approved"
        ]
        plans.append(
            {
                "plan_code": plan["plan_code"],
                "title": plan["title"],
                "catalogue_version": plan["catalogue_version"],
                "state": plan["state"],
                "goal_count": plan["goal_count"],
                "achieved_count": len(achieved),
                "achieved_goals": achieved,
            }
        )
    finalised = [m for m in content["meetings"] if m["state"] == "finalised"]
    document = {
        "format": FORMAT,
        "portal": portal,
        "candidate_id": candidate["candidate_id"],
        "doctor": {
            "name": candidate["name"],
            "hpr_number": candidate["hpr_number"],
            "email": candidate["email"],
            "organisation": candidate["organisation"],
        },
        "specialty": candidate["specialty"],
        "plans": sorted(plans, key=lambda p: str(p["plan_code"])),
        "signed_activities": [
            {
                "goal_code": goal["code"],
                "activity_id": act["activity_id"],
                "title": act["title"],
                "kind": act["kind"],
                "fulfilled_on": act["fulfilled_on"],
                "activity_code": act["activity_code"],
                "count": act["count"],
                "signer": act["signer"],
                "signed_at": act["decided_at"],
            }
            for _, goal in sorted(details.items())
            for act in goal["activities"]
            if act["state"] == "signed"
        ],
        "procedures": [  # R12: counts against the recommended minimums (advice, no gate)
            {"goal_code": goal["code"], **procedure}
            for goal in progress["goals"]
            for procedure in _list(goal.get("procedures"))
        ],
        "supervision": {  # R19
            **progress["supervision"],
            "meetings": [
                {
                    "meeting_id": m["meeting_id"],
                    "held_on": m["held_on"],
                    "duration_minutes": m["duration_minutes"],
                    "veileder": m["veileder"],
                }
                for m in finalised
            ],
        },
        "readiness": progress["readiness"],  # R20, R21: the registered specialty's
        "readiness_by_specialty": progress["readiness_by_specialty"],  # R22
        "generated_at": generated_at,
        "position": content["position"],
    }
    return plain(document)  # type: ignore[no-any-return]


def _list(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _achieved(goal: GoalView) -> dict[str, Any]:
    extra: Mapping[str, Any] = dict(goal)  # fields other issues add to the goal's detail
    return {
        "code": goal["code"],
        "title": goal["title"],
        "catalogue_version": goal["catalogue_version"],
        "completed_on": goal["completed_on"],
        "approved_at": goal["decided_at"],
        "approver": goal["decided_by"] or goal["approver"],
        "imported_from": goal["imported_from"],
        "carried_over_from": extra.get("carried_over_from"),
    }
