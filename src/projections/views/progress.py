"""`progress`: counters per goal, R8 evidence, procedures (R12) and supervision hours (R19).

Per-plan counts, procedure minimums, the R19 average and readiness (R20, R21) are
computed at query time (the domain's rules over these rows and the catalogue), so a
changed catalogue never makes a rebuilt view differ from an incrementally applied one.
"""

from __future__ import annotations

from typing import Any

from kompetanse_domain.model import goal_corrections as corrections
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_profile import SpecialtyChanged
from kompetanse_domain.model.learning_goal import ActivityState, GoalState, LearningGoal
from kompetanse_domain.model.meeting import SupervisionMeeting
from kompetanse_domain.model.plan_versions import GoalMovedToVersion
from kompetanse_domain.model.vocabulary import ActivityKind, PlanState
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.views import candidate_rows, goal_rows
from projections.views.progress_tables import ProgressTables, define_progress_tables
from projections.views.rows import per_event, register_calls

GOAL_COUNTS = "registered pending signed mentor_comments"  # columns of the goal row counted from 0
Tx = ViewTx[ProgressTables]

# the goal's state after each of these events (R29: a correction makes it not started)
GOAL_STATES: dict[type, GoalState] = {
    LearningGoal.SentForApproval: GoalState.SENT_FOR_APPROVAL,
    LearningGoal.Approved: GoalState.APPROVED,
    LearningGoal.ApprovalImported: GoalState.APPROVED,
    LearningGoal.Rejected: GoalState.REJECTED,
    corrections.Recalled: GoalState.NOT_STARTED,
    corrections.ApprovalWithdrawn: GoalState.NOT_STARTED,
}


class ProgressView(ViewProjection[ProgressTables], name="progress"):
    define = staticmethod(define_progress_tables)

    process_event = event_handlers()

    # -- candidate and plans ---------------------------------------------------------

    @process_event.register
    def candidate_registered(self, event: Candidate.Registered, tx: Tx) -> None:
        row = candidate_rows.registered(event, "specialty")
        tx.insert(tx.t.candidate, **row, registered_at=event.timestamp)

    @process_event.register
    def specialty_changed(self, event: SpecialtyChanged, tx: Tx) -> None:
        """R28: readiness (R20-R22) and the R19 rule follow the current specialty."""
        candidate_rows.update(tx, tx.t.candidate, event, specialty=event.specialty)

    def _plan(self, event: Any, tx: Tx, state: str) -> None:
        key = {"candidate_id": aggregate_id(event), "plan_code": event.plan_code}
        if tx.exists(tx.t.plan, key):
            tx.update(tx.t.plan, key, state=state)
        else:
            tx.insert(tx.t.plan, **key, state=state)

    register_calls(
        process_event,
        "_plan",
        per_event("state", {Candidate.PlanAssigned: PlanState.ACTIVE, **candidate_rows.PLAN_LEFT}),
    )

    # -- goals and activities --------------------------------------------------------

    def _goal(self, event: Any, tx: Tx, **values: Any) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, **values)

    register_calls(process_event, "_goal", per_event("state", GOAL_STATES))
    register_calls(
        process_event,
        "_goal",
        {GoalMovedToVersion: goal_rows.moved_to_version, **goal_rows.OFF_OR_BACK_ON_PLAN},
    )

    def _count(self, event: Any, tx: Tx, **deltas: int) -> None:
        tx.add(tx.t.goal, {"goal_id": aggregate_id(event)}, **deltas)

    @process_event.register
    def goal_opened(self, event: LearningGoal.Opened, tx: Tx) -> None:
        tx.insert(tx.t.goal, **goal_rows.opened_goal(event, counts=GOAL_COUNTS))

    @process_event.register
    def activity_registered(self, event: LearningGoal.ActivityRegistered, tx: Tx) -> None:
        self._count(event, tx, registered=1)
        if event.kind == ActivityKind.PROCEDURE:
            tx.insert(
                tx.t.procedure,
                activity_id=event.activity_id,
                goal_id=aggregate_id(event),
                activity_code=event.activity_code,
                title=event.title,
                count=event.count or 1,
                state=ActivityState.REGISTERED,
            )

    def _procedure(self, event: Any, state: str, tx: Tx) -> None:
        tx.update(tx.t.procedure, {"activity_id": event.activity_id}, state=state)

    @process_event.register
    def activity_sent_for_signing(self, event: LearningGoal.ActivitySentForSigning, tx: Tx) -> None:
        self._count(event, tx, pending=1)
        self._procedure(event, ActivityState.SENT_FOR_SIGNING, tx)

    @process_event.register
    def activity_signed(self, event: LearningGoal.ActivitySigned, tx: Tx) -> None:
        self._count(event, tx, pending=-1, signed=1)
        self._procedure(event, ActivityState.SIGNED, tx)
        key = {"goal_id": aggregate_id(event), "sub": event.actor}
        tx.add_or_insert(tx.t.signer, key, {"signatures": 1}, name=event.actor_name)

    @process_event.register
    def activity_rejected(self, event: LearningGoal.ActivityRejected, tx: Tx) -> None:
        self._count(event, tx, pending=-1)
        self._procedure(event, ActivityState.REJECTED, tx)

    @process_event.register
    def mentor_commented(self, event: LearningGoal.MentorCommented, tx: Tx) -> None:
        self._count(event, tx, mentor_comments=1)

    # -- corrections (R29): a withdrawn activity counts nowhere -----------------------

    @process_event.register
    def activity_edited(self, event: corrections.ActivityEdited, tx: Tx) -> None:
        key = {"activity_id": event.activity_id}
        if event.kind != "procedure":
            tx.delete(tx.t.procedure, key)
            return
        edited = {
            "activity_code": event.activity_code,
            "title": event.title,
            "count": event.count or 1,
        }
        if tx.exists(tx.t.procedure, key):
            if event.previous_state == ActivityState.REJECTED:
                edited["state"] = ActivityState.REGISTERED
            tx.update(tx.t.procedure, key, **edited)
        else:
            tx.insert(
                tx.t.procedure,
                goal_id=aggregate_id(event),
                state=ActivityState.REGISTERED,
                **key,
                **edited,
            )

    @process_event.register
    def activity_withdrawn(self, event: corrections.ActivityWithdrawn, tx: Tx) -> None:
        waiting = event.previous_state == ActivityState.SENT_FOR_SIGNING
        self._count(event, tx, registered=-1, pending=-1 if waiting else 0)
        tx.delete(tx.t.procedure, {"activity_id": event.activity_id})

    # -- supervision meetings (R19) --------------------------------------------------

    @process_event.register
    def meeting_created(self, event: SupervisionMeeting.Created, tx: Tx) -> None:
        tx.insert(
            tx.t.meeting, meeting_id=aggregate_id(event), candidate_id=str(event.candidate_id)
        )

    @process_event.register
    def meeting_finalised(self, event: SupervisionMeeting.Finalised, tx: Tx) -> None:
        cid = tx.value(tx.t.meeting, "candidate_id", {"meeting_id": aggregate_id(event)})
        month = event.held_on.strftime("%Y-%m")
        key = {"candidate_id": cid, "month": month}
        tx.add_or_insert(tx.t.month, key, {"minutes": event.duration_minutes, "meetings": 1})
