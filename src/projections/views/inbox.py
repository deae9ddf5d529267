"""`inbox`: activities sent for signing to a person and not yet decided (R9, R10).

A request is listed while the activity waits, its goal is open, and the signer
still holds the role supervisor or veileder for the candidate (only then may
they sign).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import MetaData, Table

from kompetanse_domain.model import goal_corrections as corrections
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Role
from kompetanse_domain.model.learning_goal import ActivityState, LearningGoal
from kompetanse_domain.model.plan_versions import GoalLeftPlan, GoalMovedToVersion
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.views import candidate_rows, goal_rows
from projections.views.columns import Tables

SIGNING_ROLES = (Role.SUPERVISOR.value, Role.VEILEDER.value)


@dataclass(frozen=True)
class InboxTables:
    candidate: Table
    signer: Table  # (candidate, sub, role) while the person may sign (R10)
    goal: Table
    activity: Table


Tx = ViewTx[InboxTables]


def define_inbox_tables(md: MetaData, g: int) -> InboxTables:
    t = Tables(md, g)
    candidate = t("inbox_candidate", "candidate_id sub name")
    signer = t("inbox_signer", "candidate_id sub role", key=3)
    goal = t("inbox_goal", "goal_id candidate_id code withdrawn")
    activity = t("inbox_activity", (
        "activity_id goal_id title kind fulfilled_on activity_code? count? attachment_id? state"
        " signer_sub? signer_name? sent_at?"
    ), index_on="signer_sub state")  # fmt: skip
    return InboxTables(candidate, signer, goal, activity)


class InboxView(ViewProjection[InboxTables], name="inbox"):
    define = staticmethod(define_inbox_tables)

    process_event = event_handlers()
    # signing requests and approvals show the candidate's new name (R28)
    candidate_rows.keep_candidate_row(process_event, "sub name", "name")

    def _signer_key(self, cid: str, sub: str, role: str) -> dict[str, str]:
        return {"candidate_id": cid, "sub": sub, "role": role}

    @process_event.register
    def invitation_accepted(self, event: Candidate.InvitationAccepted, tx: Tx) -> None:
        if event.role in SIGNING_ROLES:
            tx.replace(tx.t.signer, self._signer_key(aggregate_id(event), event.actor, event.role))

    @process_event.register
    def role_revoked(self, event: Candidate.RoleRevoked, tx: Tx) -> None:
        if event.role in SIGNING_ROLES:
            tx.delete(tx.t.signer, self._signer_key(aggregate_id(event), event.sub, event.role))

    @process_event.register
    def goal_opened(self, event: LearningGoal.Opened, tx: Tx) -> None:
        tx.insert(tx.t.goal, **goal_rows.goal_of(event), withdrawn=False)

    @process_event.register
    def goal_withdrawn(self, event: LearningGoal.Withdrawn, tx: Tx) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, withdrawn=True)

    @process_event.register
    def goal_reopened(self, event: LearningGoal.Reopened, tx: Tx) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, withdrawn=False)

    @process_event.register
    def goal_moved_to_version(self, event: GoalMovedToVersion, tx: Tx) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, withdrawn=False)

    @process_event.register
    def goal_left_plan(self, event: GoalLeftPlan, tx: Tx) -> None:
        tx.update(tx.t.goal, {"goal_id": aggregate_id(event)}, withdrawn=True)

    @process_event.register
    def activity_registered(self, event: LearningGoal.ActivityRegistered, tx: Tx) -> None:
        tx.insert(tx.t.activity, **goal_rows.registered_activity(event))

    def _activity(self, event: Any, tx: Tx, **values: Any) -> None:
        tx.update(tx.t.activity, {"activity_id": event.activity_id}, **values)

    @process_event.register
    def activity_sent_for_signing(self, event: LearningGoal.ActivitySentForSigning, tx: Tx) -> None:
        self._activity(event, tx, **goal_rows.activity_sent_for_signing(event))

    @process_event.register
    def activity_signed(self, event: LearningGoal.ActivitySigned, tx: Tx) -> None:
        self._activity(event, tx, state=ActivityState.SIGNED)

    @process_event.register
    def activity_rejected(self, event: LearningGoal.ActivityRejected, tx: Tx) -> None:
        self._activity(event, tx, state=ActivityState.REJECTED)

    # -- corrections (R29): a withdrawn activity leaves its signer's inbox ---------------

    @process_event.register
    def activity_edited(self, event: corrections.ActivityEdited, tx: Tx) -> None:
        shown = ("title", "kind", "fulfilled_on", "activity_code", "count", "attachment_id")
        edited: dict[str, Any] = {name: getattr(event, name) for name in shown}
        if event.previous_state == ActivityState.REJECTED:  # registered again
            edited.update(state=ActivityState.REGISTERED, signer_sub=None, signer_name=None)
        self._activity(event, tx, **edited)

    @process_event.register
    def activity_withdrawn(self, event: corrections.ActivityWithdrawn, tx: Tx) -> None:
        self._activity(event, tx, state=ActivityState.WITHDRAWN)
