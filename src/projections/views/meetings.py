"""`meetings`: state, durations, preparations, summary and the full change log (R15-R18, R25).

Every write to a meeting is its own event, so the change log (R16) is one row per
event: who (sub, name), when, what, and what they wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import singledispatchmethod
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, PrimaryKeyConstraint, Table, Text

from kompetanse_domain.model.meeting import MeetingState, SupervisionMeeting
from projections.engine.base import ViewProjection, ViewTx, aggregate_id
from projections.engine.tables import ID, NAME, PORTABLE_JSON, STATE, SUB, UTCDateTime, index, table


@dataclass(frozen=True)
class MeetingTables:
    meeting: Table
    preparation: Table
    change: Table


Tx = ViewTx[MeetingTables]


def define_meeting_tables(md: MetaData, g: int) -> MeetingTables:
    meeting = table(
        md, "meeting", g,
        Column("meeting_id", ID, primary_key=True),
        Column("candidate_id", ID, nullable=False),
        Column("veileder_sub", SUB, nullable=False),
        Column("veileder_name", NAME, nullable=False),
        Column("state", STATE, nullable=False),
        Column("scheduled_for", STATE, nullable=False),
        Column("planned_minutes", Integer, nullable=False),
        Column("held_on", Date),
        Column("duration_minutes", Integer),
        Column("summary", Text, nullable=False),
        Column("goals_discussed", PORTABLE_JSON, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
        Column("version", Integer, nullable=False),
    )  # fmt: skip
    index(meeting, "candidate_id")
    preparation = table(
        md, "meeting_preparation", g,
        Column("meeting_id", ID, nullable=False),
        Column("author_role", STATE, nullable=False),
        Column("author_sub", SUB, nullable=False),
        Column("author_name", NAME, nullable=False),
        Column("text", Text, nullable=False),
        Column("written_at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("meeting_id", "author_role"),
    )  # fmt: skip
    change = table(
        md, "meeting_change", g,
        Column("meeting_id", ID, nullable=False),
        Column("version", Integer, nullable=False),
        Column("at", UTCDateTime, nullable=False),
        Column("sub", SUB, nullable=False),
        Column("name", NAME, nullable=False),
        Column("what", STATE, nullable=False),
        Column("detail", PORTABLE_JSON, nullable=False),
        PrimaryKeyConstraint("meeting_id", "version"),
    )  # fmt: skip
    return MeetingTables(meeting, preparation, change)


class MeetingsView(ViewProjection[MeetingTables]):
    name = "meetings"
    define = staticmethod(define_meeting_tables)

    @singledispatchmethod
    def process_event(self, domain_event: object, tx: Tx) -> None:
        """Other events do not change this view."""

    def _log(
        self, event: SupervisionMeeting.Event, what: str, detail: dict[str, Any], tx: Tx
    ) -> None:
        tx.insert(
            tx.t.change,
            meeting_id=aggregate_id(event),
            version=event.originator_version,
            at=event.timestamp,
            sub=event.actor,
            name=event.actor_name,
            what=what,
            detail=detail,
        )

    def _meeting(self, event: SupervisionMeeting.Event, tx: Tx, **values: Any) -> None:
        tx.update(
            tx.t.meeting,
            {"meeting_id": aggregate_id(event)},
            version=event.originator_version,
            updated_at=event.timestamp,
            **values,
        )

    @process_event.register
    def meeting_created(self, event: SupervisionMeeting.Created, tx: Tx) -> None:
        tx.insert(
            tx.t.meeting,
            meeting_id=aggregate_id(event),
            candidate_id=str(event.candidate_id),
            veileder_sub=event.actor,
            veileder_name=event.actor_name,
            state=MeetingState.OPEN,
            scheduled_for=event.scheduled_for,
            planned_minutes=event.planned_minutes,
            summary="",
            goals_discussed=[],
            created_at=event.timestamp,
            updated_at=event.timestamp,
            version=event.originator_version,
        )
        detail = {"scheduled_for": event.scheduled_for, "planned_minutes": event.planned_minutes}
        self._log(event, "created", detail, tx)

    @process_event.register
    def preparation_written(self, event: SupervisionMeeting.PreparationWritten, tx: Tx) -> None:
        tx.delete(
            tx.t.preparation, {"meeting_id": aggregate_id(event), "author_role": event.author_role}
        )
        tx.insert(
            tx.t.preparation,
            meeting_id=aggregate_id(event),
            author_role=event.author_role,
            author_sub=event.actor,
            author_name=event.actor_name,
            text=event.text,
            written_at=event.timestamp,
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
