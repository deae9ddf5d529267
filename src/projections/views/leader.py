"""`leader`: the leader's dashboard, approvals queue and report rows (R7, R8, R14).

A person sees a candidate here while they hold the role leader or deputy; goals
sent for approval appear for the candidate's current leader and deputies (those
who may approve, R7), whoever was the leader when the goal was sent.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Role
from kompetanse_domain.model.learning_goal import GoalState, LearningGoal
from kompetanse_domain.model.plan_versions import GoalLeftPlan, GoalMovedToVersion
from projections.engine.base import ViewProjection, ViewTx, aggregate_id
from projections.views.leader_tables import LeaderTables, define_leader_tables

Tx = ViewTx[LeaderTables]
LEADING_ROLES = (Role.LEADER.value, Role.DEPUTY.value)


class LeaderView(ViewProjection[LeaderTables]):
    name = "leader"
    define = staticmethod(define_leader_tables)

    @singledispatchmethod
    def process_event(self, domain_event: object, tx: Tx) -> None:
        """Other events do not change this view."""

    @process_event.register
    def candidate_registered(self, event: Candidate.Registered, tx: Tx) -> None:
        tx.insert(
            tx.t.candidate,
            candidate_id=aggregate_id(event),
            sub=event.sub,
            name=event.name,
            specialty=event.specialty,
        )

    def _link_key(self, cid: str, role: str, sub: str) -> dict[str, str]:
        return {"sub": sub, "candidate_id": cid, "role": role}

    @process_event.register
    def invitation_accepted(self, event: Candidate.InvitationAccepted, tx: Tx) -> None:
        if event.role in LEADING_ROLES:
            tx.delete(tx.t.link, self._link_key(aggregate_id(event), event.role, event.actor))
            tx.insert(
                tx.t.link,
                sub=event.actor,
                candidate_id=aggregate_id(event),
                role=event.role,
                since=event.timestamp,
            )

    @process_event.register
    def role_revoked(self, event: Candidate.RoleRevoked, tx: Tx) -> None:
        if event.role in LEADING_ROLES:
            tx.delete(tx.t.link, self._link_key(aggregate_id(event), event.role, event.sub))

    def _goal(self, event: Any, tx: Tx, **values: Any) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, **values)

    @process_event.register
    def goal_opened(self, event: LearningGoal.Opened, tx: Tx) -> None:
        tx.insert(
            tx.t.goal,
            goal_id=aggregate_id(event),
            candidate_id=str(event.candidate_id),
            code=event.code,
            plan_code=event.plan_code,
            state=GoalState.NOT_STARTED,
            withdrawn=False,
            mentor_comments=0,
            signed_activities=0,
        )

    @process_event.register
    def activity_signed(self, event: LearningGoal.ActivitySigned, tx: Tx) -> None:
        tx.add(tx.t.goal, {"goal_id": aggregate_id(event)}, signed_activities=1)

    @process_event.register
    def mentor_commented(self, event: LearningGoal.MentorCommented, tx: Tx) -> None:
        tx.add(tx.t.goal, {"goal_id": aggregate_id(event)}, mentor_comments=1)

    @process_event.register
    def goal_sent_for_approval(self, event: LearningGoal.SentForApproval, tx: Tx) -> None:
        self._goal(
            event,
            tx,
            state=GoalState.SENT_FOR_APPROVAL,
            completed_on=event.completed_on,
            sent_at=event.timestamp,
            send_comment=event.comment,
            approver_sub=event.approver_sub,
            approver_name=event.approver_name,
        )

    def _decided(self, event: Any, state: str, name: str, at: Any, tx: Tx) -> None:
        self._goal(
            event, tx, state=state, decided_by_sub=event.actor, decided_by_name=name, decided_at=at
        )

    @process_event.register
    def goal_approved(self, event: LearningGoal.Approved, tx: Tx) -> None:
        self._decided(event, GoalState.APPROVED, event.actor_name, event.timestamp, tx)

    @process_event.register
    def goal_rejected(self, event: LearningGoal.Rejected, tx: Tx) -> None:
        self._decided(event, GoalState.REJECTED, event.actor_name, event.timestamp, tx)

    @process_event.register
    def approval_imported(self, event: LearningGoal.ApprovalImported, tx: Tx) -> None:
        self._decided(event, GoalState.APPROVED, event.approver_name, event.approved_at, tx)

    @process_event.register
    def goal_withdrawn(self, event: LearningGoal.Withdrawn, tx: Tx) -> None:
        self._goal(event, tx, withdrawn=True)

    @process_event.register
    def goal_reopened(self, event: LearningGoal.Reopened, tx: Tx) -> None:
        self._goal(event, tx, withdrawn=False, plan_code=event.plan_code)

    @process_event.register
    def goal_moved_to_version(self, event: GoalMovedToVersion, tx: Tx) -> None:
        self._goal(event, tx, withdrawn=False, plan_code=event.plan_code, state=event.state)
        if event.carried_over_from is not None:
            self._goal(
                event,
                tx,
                decided_by_sub=event.decided_by_sub,
                decided_by_name=event.decided_by_name,
                decided_at=event.decided_at,
            )

    @process_event.register
    def goal_left_plan(self, event: GoalLeftPlan, tx: Tx) -> None:
        self._goal(event, tx, withdrawn=True)
