"""R12: procedure counts against the catalogue's recommended minimums (advice, never a gate).

A registered procedure counts towards the goal's recommended procedure whose title
equals its `activity_code` or its title (case and spacing ignored); when the goal
recommends exactly one procedure, every procedure registered on it counts there.
Others are listed without a minimum. Rejected activities do not count; `count`
holds every other one, `signed` only the signed ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kompetanse_domain.catalogue import GoalDefinition
from kompetanse_domain.model.learning_goal import ActivityState


def _key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def procedure_progress(
    goal: GoalDefinition | None, activities: Iterable[Any]
) -> list[dict[str, Any]]:
    """One entry per recommended procedure, then per other procedure title registered."""
    recommended = [
        activity
        for activity in (goal.recommended_activities if goal else ())
        if activity.kind == "procedure" and activity.recommended_minimum is not None
    ]
    entries: dict[str, dict[str, Any]] = {
        _key(activity.title): _entry(activity.title, activity.recommended_minimum)
        for activity in recommended
    }
    for activity in activities:
        if activity.state == ActivityState.REJECTED:
            continue
        key = next(
            (k for k in (_key(activity.activity_code), _key(activity.title)) if k in entries),
            _key(recommended[0].title) if len(recommended) == 1 else None,
        )
        if key is None:
            key = "other:" + _key(activity.title)
            entries.setdefault(key, _entry(activity.title, None))
        entries[key]["count"] += activity.count
        if activity.state == ActivityState.SIGNED:
            entries[key]["signed"] += activity.count
    for entry in entries.values():
        minimum = entry["recommended_minimum"]
        entry["remaining"] = None if minimum is None else max(0, minimum - entry["count"])
    return list(entries.values())


def _entry(title: str, minimum: int | None) -> dict[str, Any]:
    return {"title": title, "recommended_minimum": minimum, "count": 0, "signed": 0}
