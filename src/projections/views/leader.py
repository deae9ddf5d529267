"""`leader`: the leader's dashboard, approvals queue and report rows (R7, R8, R14).

A person sees a candidate here while they hold the role leader or deputy; goals
sent for approval appear for the candidate's current leader and deputies (those
who may approve, R7), whoever was the leader when the goal was sent.
"""

from __future__ import annotations

from typing import Any

from kompetanse_domain.model import goal_corrections as corrections
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_profile import SpecialtyChanged
from kompetanse_domain.model.identity import Role
from kompetanse_domain.model.learning_goal import GoalState, LearningGoal
from kompetanse_domain.model.plan_versions import GoalMovedToVersion
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.views import candidate_rows, goal_rows
from projections.views.leader_tables import LeaderTables, define_leader_tables
from projections.views.rows import register_calls

GOAL_COUNTS = "mentor_comments signed_activities"  # columns of the goal row counted from 0
Tx = ViewTx[LeaderTables]
LEADING_ROLES = (Role.LEADER.value, Role.DEPUTY.value)


class LeaderView(ViewProjection[LeaderTables], name="leader"):
    define = staticmethod(define_leader_tables)

    process_event = event_handlers()
    # the leader's list shows the candidate's new name (R28)
    candidate_rows.keep_candidate_row(process_event, "sub name specialty", "name")

    @process_event.register
    def specialty_changed(self, event: SpecialtyChanged, tx: Tx) -> None:
        candidate_rows.update(tx, tx.t.candidate, event, specialty=event.specialty)

    def _link_key(self, cid: str, role: str, sub: str) -> dict[str, str]:
        return {"sub": sub, "candidate_id": cid, "role": role}

    @process_event.register
    def invitation_accepted(self, event: Candidate.InvitationAccepted, tx: Tx) -> None:
        if event.role in LEADING_ROLES:
            key = self._link_key(aggregate_id(event), event.role, event.actor)
            tx.replace(tx.t.link, key, since=event.timestamp)

    @process_event.register
    def role_revoked(self, event: Candidate.RoleRevoked, tx: Tx) -> None:
        if event.role in LEADING_ROLES:
            tx.delete(tx.t.link, self._link_key(aggregate_id(event), event.role, event.sub))

    def _goal(self, event: Any, tx: Tx, **values: Any) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, **values)

    register_calls(
        process_event,
        "_goal",
        {
            # corrections (R29): a recalled goal leaves the approvals queue
            corrections.Recalled: lambda event: goal_rows.recalled(),
            corrections.ApprovalWithdrawn: lambda event: goal_rows.approval_withdrawn(),
            **goal_rows.OFF_OR_BACK_ON_PLAN,
        },
    )

    @process_event.register
    def goal_opened(self, event: LearningGoal.Opened, tx: Tx) -> None:
        tx.insert(tx.t.goal, **goal_rows.opened_goal(event, counts=GOAL_COUNTS))

    @process_event.register
    def activity_signed(self, event: LearningGoal.ActivitySigned, tx: Tx) -> None:
        tx.add(tx.t.goal, {"goal_id": aggregate_id(event)}, signed_activities=1)

    @process_event.register
    def mentor_commented(self, event: LearningGoal.MentorCommented, tx: Tx) -> None:
        tx.add(tx.t.goal, {"goal_id": aggregate_id(event)}, mentor_comments=1)

    @process_event.register
    def goal_sent_for_approval(self, event: LearningGoal.SentForApproval, tx: Tx) -> None:
        self._goal(event, tx, **goal_rows.sent_for_approval(event))

    @process_event.register
    def goal_approved(self, event: LearningGoal.Approved, tx: Tx) -> None:
        decided = goal_rows.decided(event, GoalState.APPROVED, event.actor_name, event.timestamp)
        self._goal(event, tx, **decided)

    @process_event.register
    def goal_rejected(self, event: LearningGoal.Rejected, tx: Tx) -> None:
        decided = goal_rows.decided(event, GoalState.REJECTED, event.actor_name, event.timestamp)
        self._goal(event, tx, **decided)

    @process_event.register
    def approval_imported(self, event: LearningGoal.ApprovalImported, tx: Tx) -> None:
        name, at = event.approver_name, event.approved_at
        self._goal(event, tx, **goal_rows.decided(event, GoalState.APPROVED, name, at))

    @process_event.register
    def goal_moved_to_version(self, event: GoalMovedToVersion, tx: Tx) -> None:
        self._goal(event, tx, **goal_rows.moved_to_version(event), **goal_rows.carried_over(event))
