"""What a learning goal's events write into the columns several views keep alike.

The `goals`, `leader`, `progress` and `inbox` views (and the notification process)
each keep a row per goal (and two of them a row per activity) in tables of their own;
where they keep the same column, its value comes from here, so the views cannot come
to disagree about it (the columns' types: `columns.GOAL_COLUMNS`, `APPROVAL_COLUMNS`).
Each function gives the column values of one event; a view adds its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.plan_versions import GoalLeftPlan, GoalMovedToVersion
from kompetanse_domain.model.vocabulary import ActivityState, GoalState
from projections.engine.base import aggregate_id
from projections.views.rows import fields


def goal_of(event: LearningGoal.Opened) -> dict[str, Any]:
    """Which goal: its id, its candidate and its code."""
    return {
        "goal_id": aggregate_id(event),
        "candidate_id": str(event.candidate_id),
        "code": event.code,
    }


def opened_goal(event: LearningGoal.Opened, counts: str = "") -> dict[str, Any]:
    """A new goal's row: not started, not withdrawn, its `counts` (space-separated
    column names) at 0."""
    return {
        **goal_of(event),
        "plan_code": event.plan_code,
        "state": GoalState.NOT_STARTED,
        "withdrawn": False,
        **dict.fromkeys(counts.split(), 0),
    }


def sent_for_approval(event: LearningGoal.SentForApproval) -> dict[str, Any]:
    """R6: the goal waits for the approver the candidate's leader was when sent."""
    waiting = {"state": GoalState.SENT_FOR_APPROVAL, "sent_at": event.timestamp}
    shown = fields(event, "completed_on approver_sub approver_name")
    return {**waiting, **shown, "send_comment": event.comment}


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
    shown = "activity_id title kind fulfilled_on activity_code count attachment_id"
    return {
        **fields(event, shown),
        "goal_id": aggregate_id(event),
        "state": ActivityState.REGISTERED,
    }


def activity_sent_for_signing(event: LearningGoal.ActivitySentForSigning) -> dict[str, Any]:
    """R9: the activity waits for the signer named in the event."""
    waiting = {"state": ActivityState.SENT_FOR_SIGNING, "sent_at": event.timestamp}
    return {**waiting, **fields(event, "signer_sub signer_name")}


def recalled() -> dict[str, Any]:
    """R29: sent back to not started; it waits for no approver any more."""
    cleared = dict.fromkeys(
        ("completed_on", "sent_at", "send_comment", "approver_sub", "approver_name")
    )
    return {"state": GoalState.NOT_STARTED, **cleared}


def approval_withdrawn() -> dict[str, Any]:
    """R29: not started again, decided by nobody."""
    cleared = dict.fromkeys(("completed_on", "decided_by_sub", "decided_by_name", "decided_at"))
    return {"state": GoalState.NOT_STARTED, **cleared}


def moved_to_version(event: GoalMovedToVersion) -> dict[str, Any]:
    """R30: the goal belongs to the plan's new version, in the state it moved with."""
    return {"withdrawn": False, "plan_code": event.plan_code, "state": event.state}


def carried_over(event: GoalMovedToVersion) -> dict[str, Any]:
    """R30: an approval carried over keeps its approver and instant (nothing when none)."""
    if event.carried_over_from is None:
        return {}
    return {
        "decided_by_sub": event.decided_by_sub,
        "decided_by_name": event.decided_by_name,
        "decided_at": event.decided_at,
    }


# A goal taken off its plan (withdrawn, or left out of a new version) or back on it:
# the values per event for `rows.register_calls(process_event, "_goal", ...)`.
OFF_OR_BACK_ON_PLAN: Mapping[type, Callable[[Any], dict[str, Any]]] = {
    LearningGoal.Withdrawn: lambda event: {"withdrawn": True},
    GoalLeftPlan: lambda event: {"withdrawn": True},
    LearningGoal.Reopened: lambda event: {"withdrawn": False, "plan_code": event.plan_code},
}
