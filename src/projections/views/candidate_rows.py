"""What a candidate's registration and profile events write into the views that keep
a row per candidate (`candidates`, `leader`, `inbox`, `finder`, `progress`, `audit` and
the notification process), each in a table of its own and with its own columns.

A view names the columns it keeps; the values come from here, so the views cannot come
to disagree about them.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from sqlalchemy import Table

from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_profile import ProfileEdited
from kompetanse_domain.model.vocabulary import PlanState
from projections.engine.base import ViewTx, aggregate_id
from projections.views.rows import fields


def registered(event: Candidate.Registered, names: str) -> dict[str, Any]:
    """A new candidate's row: `candidate_id` and the event's fields named in `names`
    (space-separated: `sub name specialty email organisation_id organisation_name
    hpr_number`)."""
    return {"candidate_id": aggregate_id(event), **fields(event, names)}


def update(tx: ViewTx[Any], table: Table, event: Any, **values: Any) -> None:
    """Set columns of the candidate's row of `table`."""
    tx.update(table, {"candidate_id": aggregate_id(event)}, **values)


def edited(event: ProfileEdited, names: str) -> dict[str, Any]:
    """R28: the fields among `names` the candidate changed (None in the event: kept)."""
    return {name: value for name in names.split() if (value := getattr(event, name)) is not None}


def edit(tx: ViewTx[Any], table: Table, event: ProfileEdited, names: str) -> None:
    """R28: the candidate's row of `table` shows the changed values among `names`."""
    changed = edited(event, names)
    if changed:
        update(tx, table, event, **changed)


def keep_candidate_row(process_event: singledispatchmethod[None], shown: str, edits: str) -> None:
    """Registers the handlers of a view's `candidate` table that only keeps what the
    candidate registered with (`shown`) and the changes to `edits` (R28)."""

    def candidate_registered(view: Any, event: Candidate.Registered, tx: ViewTx[Any]) -> None:
        tx.insert(tx.t.candidate, **registered(event, shown))

    def profile_edited(view: Any, event: ProfileEdited, tx: ViewTx[Any]) -> None:
        edit(tx, tx.t.candidate, event, edits)

    process_event.register(Candidate.Registered, candidate_registered)
    process_event.register(ProfileEdited, profile_edited)


# The state a plan's event leaves it in (`rows.per_event("state", PLAN_LEFT)`).
PLAN_LEFT: dict[type, PlanState] = {
    Candidate.PlanArchived: PlanState.ARCHIVED,
    Candidate.PlanRemoved: PlanState.REMOVED,
}
