"""`meetings`: state, durations, preparations, summary and the full change log (R15-R18, R25).

Every write to a meeting is its own event, so the change log (R16) is one row per
event: who (sub, name), when, what, and what they wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from kompetanse_domain.model.meeting import MeetingState, SupervisionMeeting
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.views.columns import TableGroup, spec
from projections.views.rows import actor, fields, versioned


@dataclass(frozen=True)
class MeetingTables(TableGroup):
    meeting: Table = spec("meeting", (
        "meeting_id candidate_id veileder_sub veileder_name state scheduled_for planned_minutes"
        " held_on? duration_minutes? summary goals_discussed created_at updated_at version"
    ), index_on="candidate_id")  # fmt: skip
    preparation: Table = spec("meeting_preparation", (
        "meeting_id author_role author_sub author_name text written_at"
    ), key=2)  # fmt: skip
    change: Table = spec("meeting_change", "meeting_id version at sub name what detail", key=2)


Tx = ViewTx[MeetingTables]


class MeetingsView(ViewProjection[MeetingTables], name="meetings"):
    define = staticmethod(MeetingTables.define)

    process_event = event_handlers()

    def _log(
        self, event: SupervisionMeeting.Event, what: str, detail: dict[str, Any], tx: Tx
    ) -> None:
        tx.insert(
            tx.t.change,
            meeting_id=aggregate_id(event),
            version=event.originator_version,
            **actor(event, "sub", "name", "at"),
            what=what,
            detail=detail,
        )

    def _meeting(self, event: SupervisionMeeting.Event, tx: Tx, **values: Any) -> None:
        tx.update(tx.t.meeting, {"meeting_id": aggregate_id(event)}, **versioned(event), **values)

    @process_event.register
    def meeting_created(self, event: SupervisionMeeting.Created, tx: Tx) -> None:
        tx.insert(
            tx.t.meeting,
            meeting_id=aggregate_id(event),
            candidate_id=str(event.candidate_id),
            **actor(event, "veileder_sub", "veileder_name", "created_at"),
            **fields(event, "scheduled_for planned_minutes"),
            state=MeetingState.OPEN,
            summary="",
            goals_discussed=[],
            **versioned(event),
        )
        detail = {"scheduled_for": event.scheduled_for, "planned_minutes": event.planned_minutes}
        self._log(event, "created", detail, tx)

    @process_event.register
    def preparation_written(self, event: SupervisionMeeting.PreparationWritten, tx: Tx) -> None:
        tx.replace(
            tx.t.preparation,
            {"meeting_id": aggregate_id(event), "author_role": event.author_role},
            **actor(event, "author_sub", "author_name", "written_at"),
            text=event.text,
        )
        self._meeting(event, tx)
        detail = {"author_role": event.author_role, "text": event.text}
        self._log(event, "preparation_written", detail, tx)

    @process_event.register
    def summary_revised(self, event: SupervisionMeeting.SummaryRevised, tx: Tx) -> None:
        goals = list(event.goals_discussed)
        self._meeting(event, tx, summary=event.text, goals_discussed=goals)
        self._log(event, "summary_revised", {"text": event.text, "goals_discussed": goals}, tx)

    @process_event.register
    def meeting_finalised(self, event: SupervisionMeeting.Finalised, tx: Tx) -> None:
        self._meeting(
            event,
            tx,
            state=MeetingState.FINALISED,
            held_on=event.held_on,
            duration_minutes=event.duration_minutes,
        )
        detail = {"held_on": event.held_on.isoformat(), "duration_minutes": event.duration_minutes}
        self._log(event, "finalised", detail, tx)

    @process_event.register
    def meeting_cancelled(self, event: SupervisionMeeting.Cancelled, tx: Tx) -> None:
        """R25: kept and shown as `cancelled`, with the reason in the change log."""
        self._meeting(event, tx, state=MeetingState.CANCELLED)
        self._log(event, "cancelled", {"reason": event.reason}, tx)
