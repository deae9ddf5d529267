"""`goals`: a goal with its activities and comments for GET .../goals/{code} (R6-R13, R23).

R27: it also keeps every uploaded file's description (the `attachment` object of the
activities that carry it, in this and other queries) and, for each file, who was ever
sent an activity carrying it (`attachment_sent`): a supervisor may download exactly
those files. The row is written when the activity is sent, with the attachment the
activity carries at that moment, and never removed (a signed, rejected or re-sent
activity leaves the first signer able to open what they were shown).
"""

from __future__ import annotations

from typing import Any

from kompetanse_domain.model import goal_corrections as corrections
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.learning_goal import ActivityState, GoalState, LearningGoal
from kompetanse_domain.model.plan_versions import GoalLeftPlan, GoalMovedToVersion
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.views import goal_rows
from projections.views.goals_tables import GoalTables, define_goal_tables
from projections.views.rows import actor, fields, versioned

Tx = ViewTx[GoalTables]


def decided_activity(state: str, comment: str | None, event: Any) -> dict[str, Any]:
    """R10: signed or rejected, with the signer's comment or reason, at the event's instant."""
    return {"state": state, "decision_comment": comment, "decided_at": event.timestamp}


class GoalsView(ViewProjection[GoalTables], name="goals"):
    define = staticmethod(define_goal_tables)

    process_event = event_handlers()

    def _goal(self, event: Any, tx: Tx, **values: Any) -> None:
        """Every goal event moves the goal's version (its ETag)."""
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, **versioned(event), **values)

    def _activity(self, event: Any, tx: Tx, **values: Any) -> None:
        tx.update(tx.t.activity, {"activity_id": event.activity_id}, **values)
        self._goal(event, tx)

    @process_event.register
    def attachment_uploaded(self, event: Candidate.AttachmentUploaded, tx: Tx) -> None:
        tx.insert(
            tx.t.attachment,
            **fields(event, "attachment_id filename size sha256"),
            candidate_id=aggregate_id(event),
            content_type=event.media_type,
        )

    @process_event.register
    def goal_opened(self, event: LearningGoal.Opened, tx: Tx) -> None:
        tx.insert(
            tx.t.goal,
            **goal_rows.opened_goal(event),
            **versioned(event),
            catalogue_version=event.catalogue_version,
            imported_from=[],
            opened_at=event.timestamp,
        )

    @process_event.register
    def activity_registered(self, event: LearningGoal.ActivityRegistered, tx: Tx) -> None:
        tx.insert(
            tx.t.activity,
            **goal_rows.registered_activity(event),
            note=event.note,
            registered_at=event.timestamp,
        )
        self._goal(event, tx)

    @process_event.register
    def activity_sent_for_signing(self, event: LearningGoal.ActivitySentForSigning, tx: Tx) -> None:
        self._activity(
            event,
            tx,
            **goal_rows.activity_sent_for_signing(event),
            decision_comment=None,
            decided_at=None,
        )
        attachment_id = tx.value(tx.t.activity, "attachment_id", {"activity_id": event.activity_id})
        sent = {"attachment_id": attachment_id, "sub": event.signer_sub}
        if attachment_id is not None and not tx.exists(tx.t.attachment_sent, sent):
            tx.insert(tx.t.attachment_sent, **sent)

    @process_event.register
    def activity_signed(self, event: LearningGoal.ActivitySigned, tx: Tx) -> None:
        self._activity(event, tx, **decided_activity(ActivityState.SIGNED, event.comment, event))

    @process_event.register
    def activity_rejected(self, event: LearningGoal.ActivityRejected, tx: Tx) -> None:
        self._activity(event, tx, **decided_activity(ActivityState.REJECTED, event.reason, event))

    @process_event.register
    def mentor_commented(self, event: LearningGoal.MentorCommented, tx: Tx) -> None:
        tx.insert(
            tx.t.comment,
            **fields(event, "comment_id text"),
            **actor(event, "author_sub", "author_name", "written_at"),
            goal_id=aggregate_id(event),
        )
        self._goal(event, tx)

    @process_event.register
    def goal_sent_for_approval(self, event: LearningGoal.SentForApproval, tx: Tx) -> None:
        self._goal(event, tx, **goal_rows.sent_for_approval(event))

    @process_event.register
    def goal_approved(self, event: LearningGoal.Approved, tx: Tx) -> None:
        self._decided(event, GoalState.APPROVED, event.comment, tx)

    @process_event.register
    def goal_rejected(self, event: LearningGoal.Rejected, tx: Tx) -> None:
        self._decided(event, GoalState.REJECTED, event.reason, tx)

    def _decided(
        self, event: LearningGoal.Event, state: GoalState, comment: str | None, tx: Tx
    ) -> None:
        decided = goal_rows.decided(event, state, event.actor_name, event.timestamp)
        self._goal(
            event,
            tx,
            **decided,
            decision_comment=comment,
            decision_version=self._decision(
                event, state, event.actor_name, event.timestamp, tx, comment=comment
            ),
        )

    def _decision(
        self, event: LearningGoal.Event, state: str, name: str, at: Any, tx: Tx, **values: Any
    ) -> int:
        """R29: a row of the goal's `decisions`, kept when the approval is withdrawn."""
        tx.insert(
            tx.t.decision,
            goal_id=aggregate_id(event),
            version=event.originator_version,
            decision=state,
            by_sub=event.actor,
            by_name=name,
            at=at,
            **{"comment": None, **values},
        )
        return int(event.originator_version)

    @process_event.register
    def approval_imported(self, event: LearningGoal.ApprovalImported, tx: Tx) -> None:
        sources = tx.value(tx.t.goal, "imported_from", {"goal_id": aggregate_id(event)})
        source = {"source_portal": event.source_portal, "source_event_id": event.source_event_id}
        decided = goal_rows.decided(
            event, GoalState.APPROVED, event.approver_name, event.approved_at
        )
        self._goal(
            event,
            tx,
            **decided,
            decision_comment=None,
            imported_from=[*(sources or []), source],
            decision_version=self._decision(
                event, GoalState.APPROVED, event.approver_name, event.approved_at, tx, **source
            ),
        )

    # -- corrections (R29) -------------------------------------------------------------

    @process_event.register
    def activity_edited(self, event: corrections.ActivityEdited, tx: Tx) -> None:
        edited = {name: getattr(event, name) for name in event.changed}
        if event.previous_state == ActivityState.REJECTED:  # registered again, to be sent
            cleared = ("signer_sub", "signer_name", "decision_comment", "sent_at", "decided_at")
            edited.update(state=ActivityState.REGISTERED, **dict.fromkeys(cleared))
        self._activity(event, tx, **edited)

    @process_event.register
    def activity_withdrawn(self, event: corrections.ActivityWithdrawn, tx: Tx) -> None:
        self._activity(
            event,
            tx,
            state=ActivityState.WITHDRAWN,
            withdrawn_at=event.timestamp,
            withdrawal_reason=event.reason,
        )

    @process_event.register
    def goal_recalled(self, event: corrections.Recalled, tx: Tx) -> None:
        self._goal(event, tx, **goal_rows.recalled())

    @process_event.register
    def approval_withdrawn(self, event: corrections.ApprovalWithdrawn, tx: Tx) -> None:
        goal_id = aggregate_id(event)
        version = tx.value(tx.t.goal, "decision_version", {"goal_id": goal_id})
        if version is not None:
            tx.update(
                tx.t.decision,
                {"goal_id": goal_id, "version": version},
                **actor(event, "withdrawn_by_sub", "withdrawn_by_name", "withdrawn_at"),
                withdrawal_reason=event.reason,
            )
        self._goal(
            event,
            tx,
            **goal_rows.approval_withdrawn(),
            decision_comment=None,
            decision_version=None,
        )

    @process_event.register
    def goal_withdrawn(self, event: LearningGoal.Withdrawn, tx: Tx) -> None:
        self._goal(event, tx, withdrawn=True)

    @process_event.register
    def goal_reopened(self, event: LearningGoal.Reopened, tx: Tx) -> None:
        self._goal(
            event,
            tx,
            withdrawn=False,
            plan_code=event.plan_code,
            catalogue_version=event.catalogue_version,
        )

    @process_event.register
    def goal_moved_to_version(self, event: GoalMovedToVersion, tx: Tx) -> None:
        """R30: the goal belongs to the new version; an approval carried over names its
        old goal (`carried_over_from`) and keeps its approver and instant."""
        self._goal(
            event,
            tx,
            **goal_rows.moved_to_version(event),
            catalogue_version=event.to_version,
            carried_over_from=event.carried_over_from,
        )
        if event.carried_over_from is not None:
            self._goal(event, tx, **goal_rows.carried_over(event), decision_comment=None)

    @process_event.register
    def goal_left_plan(self, event: GoalLeftPlan, tx: Tx) -> None:
        self._goal(event, tx, withdrawn=True)
