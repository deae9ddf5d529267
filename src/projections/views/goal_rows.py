"""The columns several views keep alike of a learning goal, and what its events write
into them.

The `goals`, `leader`, `progress` and `inbox` views each keep a row per goal (and
two of them a row per activity) in tables of their own; where they keep the same
column, its definition and its value come from here, so the views cannot come to
disagree about it. Each `*_columns` gives fresh columns for one table; each other
function gives the column values of one event; a view adds its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.vocabulary import ActivityState, GoalState
from projections.engine.base import aggregate_id


def opened_goal(event: LearningGoal.Opened) -> dict[str, Any]:
    """A new goal's row: not started, not withdrawn."""
    return {
        "goal_id": aggregate_id(event),
        "candidate_id": str(event.candidate_id),
        "code": event.code,
        "plan_code": event.plan_code,
        "state": GoalState.NOT_STARTED,
        "withdrawn": False,
    }


def sent_for_approval(event: LearningGoal.SentForApproval) -> dict[str, Any]:
    """R6: the goal waits for the approver the candidate's leader was when sent."""
    return {
        "state": GoalState.SENT_FOR_APPROVAL,
        "completed_on": event.completed_on,
        "sent_at": event.timestamp,
        "send_comment": event.comment,
        "approver_sub": event.approver_sub,
        "approver_name": event.approver_name,
    }


def decided(event: LearningGoal.Event, state: GoalState, name: str, at: datetime) -> dict[str, Any]:
    """R7: approved or rejected by `name` at `at`: the actor when decided here, the
    approver named in an approval imported from another portal (R23)."""
    return {
        "state": state,
        "decided_by_sub": event.actor,
        "decided_by_name": name,
        "decided_at": at,
    }


def registered_activity(event: LearningGoal.ActivityRegistered) -> dict[str, Any]:
    """R9: a new activity's row, not yet sent for signing."""
    return {
        "activity_id": event.activity_id,
        "goal_id": aggregate_id(event),
        "title": event.title,
        "kind": event.kind,
        "fulfilled_on": event.fulfilled_on,
        "activity_code": event.activity_code,
        "count": event.count,
        "attachment_id": event.attachment_id,
        "state": ActivityState.REGISTERED,
    }


def activity_sent_for_signing(event: LearningGoal.ActivitySentForSigning) -> dict[str, Any]:
    """R9: the activity waits for the signer named in the event."""
    return {
        "state": ActivityState.SENT_FOR_SIGNING,
        "signer_sub": event.signer_sub,
        "signer_name": event.signer_name,
        "sent_at": event.timestamp,
    }
