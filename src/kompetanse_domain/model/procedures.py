"""R12: procedure counts against the catalogue's recommended minimums (advice, never a gate).

Pure functions over plain values and the catalogue; the read side gathers the counts
from its rows and shapes the answer.

A registered procedure counts towards the goal's recommended procedure whose title
equals its `activity_code` or its title (case and spacing ignored); when the goal
recommends exactly one procedure, every procedure registered on it counts there.
Others are listed without a minimum. Rejected activities do not count; `count`
holds every other one, `signed` only the signed ones.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kompetanse_domain.catalogue import Catalogue, GoalDefinition
from kompetanse_domain.model.vocabulary import ActivityKind, ActivityState

# (key, title, recommended minimum) of each recommended procedure of a goal
Recommended = tuple[tuple[str, str, int], ...]
# (activity_code, title, count, state) of a registered procedure activity
Procedure = tuple[str | None, str, int, str]

_BY_CATALOGUE: dict[int, tuple[Catalogue, Mapping[str, Recommended]]] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class ProcedureProgress:
    """One procedure of a goal: how many were done (`count`, rejected ones left out),
    how many of them signed, against the recommended minimum (None: no minimum)."""

    title: str
    recommended_minimum: int | None
    count: int
    signed: int

    @property
    def remaining(self) -> int | None:
        """R12: how many more the minimum recommends (never below 0; None: no minimum)."""
        if self.recommended_minimum is None:
            return None
        return max(0, self.recommended_minimum - self.count)


@lru_cache(maxsize=4096)
def _key(text: str | None) -> str:
    """Case and spacing ignored; remembered (a progress read keys hundreds of the same
    few procedure titles)."""
    return " ".join((text or "").split()).casefold()


def recommended_procedures(goal: GoalDefinition | None) -> Recommended:
    """The goal's recommended procedures that carry a minimum, in catalogue order."""
    return tuple(
        (_key(activity.title), activity.title, activity.recommended_minimum)
        for activity in (goal.recommended_activities if goal else ())
        if activity.kind == ActivityKind.PROCEDURE and activity.recommended_minimum is not None
    )


def recommended_by_goal(catalogue: Catalogue) -> Mapping[str, Recommended]:
    """`recommended_procedures` of every goal of the catalogue, computed once per catalogue.

    Goals without a recommended minimum are left out (`.get(code, ())`).
    """
    found = _BY_CATALOGUE.get(id(catalogue))
    if found is None or found[0] is not catalogue:
        table = {
            goal.code: recommended
            for plan in catalogue.plans
            for goal in plan.goals
            if (recommended := recommended_procedures(goal))
        }
        with _LOCK:
            if len(_BY_CATALOGUE) >= 8:  # a catalogue is kept alive here, so its id is too
                _BY_CATALOGUE.clear()
            found = _BY_CATALOGUE[id(catalogue)] = (catalogue, table)
    return found[1]


def procedure_progress(
    recommended: Sequence[tuple[str, str, int]], activities: Iterable[Procedure]
) -> list[ProcedureProgress]:
    """R12: one entry per recommended procedure, then per other procedure title registered."""
    # key -> (title, minimum) and key -> [count, signed], in the order first seen
    entries: dict[str, tuple[str, int | None]] = {
        key: (title, minimum) for key, title, minimum in recommended
    }
    counts = {key: [0, 0] for key in entries}
    only = recommended[0][0] if len(recommended) == 1 else None
    for activity_code, title, count, state in activities:
        if state == ActivityState.REJECTED:
            continue
        key = _key(activity_code)
        if key not in entries:
            key = _key(title)
            if key not in entries:
                if only is not None:
                    key = only
                else:
                    key = "other:" + key
                    if key not in entries:
                        entries[key] = (title, None)
                        counts[key] = [0, 0]
        total = counts[key]
        total[0] += count
        if state == ActivityState.SIGNED:
            total[1] += count
    return [
        ProcedureProgress(title, minimum, counts[key][0], counts[key][1])
        for key, (title, minimum) in entries.items()
    ]
