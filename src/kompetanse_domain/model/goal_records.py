"""What a LearningGoal holds besides its events: the records of its
activities and comments, its refusals, and the checks of its transitions that need
no aggregate (R6, R7, R9, R10). Its states are the vocabulary's (`model.vocabulary`).

The `LearningGoal` aggregate and its nested events stay in `learning_goal` (events
are stored under their module's topic), which re-exports the names callers use.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import TypedDict, cast

from kompetanse_domain.errors import ConflictError, NotFoundError
from kompetanse_domain.model.guards import RoleNotPermittedError
from kompetanse_domain.model.identity import Actor
from kompetanse_domain.model.vocabulary import ActivityState as ActivityState
from kompetanse_domain.model.vocabulary import GoalState as GoalState


@dataclass(frozen=True)
class ActivityFields:
    """What the candidate says about an activity (R9): the fields `ActivityRegistered`
    records and `ActivityEdited` holds after a correction (R29)."""

    title: str
    kind: str
    fulfilled_on: date
    activity_code: str | None
    count: int | None
    note: str | None
    attachment_id: str | None


ACTIVITY_FIELDS = tuple(field.name for field in fields(ActivityFields))


class ActivityRecord(TypedDict):
    activity_id: str
    title: str
    kind: str
    fulfilled_on: date
    activity_code: str | None
    count: int | None
    note: str | None
    attachment_id: str | None
    state: str
    signer_sub: str | None
    signer_name: str | None
    decision_comment: str | None


def registered_activity(activity_id: str, given: ActivityFields) -> ActivityRecord:
    """R9: an activity just registered, with what the candidate gave, to be sent."""
    record = cast(ActivityRecord, {"activity_id": activity_id})
    take_given_fields(record, given)
    set_registered(record)
    return record


def take_given_fields(record: ActivityRecord, given: ActivityFields) -> None:
    for name in ACTIVITY_FIELDS:
        record[name] = getattr(given, name)  # type: ignore[literal-required]


def set_registered(record: ActivityRecord) -> None:
    """Registered (again, R29): sent to no one, no decision."""
    record["state"] = ActivityState.REGISTERED
    record["signer_sub"] = None
    record["signer_name"] = None
    record["decision_comment"] = None


class CommentRecord(TypedDict):
    comment_id: str
    author_sub: str
    author_name: str
    text: str
    written_at: datetime


class GoalTransitionError(ConflictError):
    """Raised when a goal's state does not allow the command (R6, R7)."""


class ActivityTransitionError(ConflictError):
    """Raised when an activity's state does not allow the command (R9, R10)."""


class ActivityNotFoundError(NotFoundError):
    """Raised when a goal has no activity with the given id."""


def check_can_send_for_signing(record: ActivityRecord, signer_sub: str) -> None:
    """R9: an activity not signed, and not already waiting for this signer."""
    if record["state"] == ActivityState.SIGNED:
        raise ActivityTransitionError("R9: activity is signed; a signed activity is final")
    if record["state"] == ActivityState.WITHDRAWN:  # R29
        raise ActivityTransitionError(
            "R29: activity is withdrawn; register it again to send it for signing"
        )
    if record["state"] == ActivityState.SENT_FOR_SIGNING and record["signer_sub"] == signer_sub:
        raise ActivityTransitionError(
            f"R9: activity is already waiting for {record['signer_name']}'s signature"
        )


def check_waiting_for(record: ActivityRecord, actor: Actor, verb: str) -> None:
    """R10: the activity waits for a signature, and it was sent to this actor."""
    if record["state"] != ActivityState.SENT_FOR_SIGNING:
        raise ActivityTransitionError(
            f"R10: activity is {record['state']}; only an activity sent for signing can be {verb}ed"
        )
    if record["signer_sub"] != actor.sub:
        raise RoleNotPermittedError(
            f"R10: this activity was sent to {record['signer_name']}, not to you; only "
            "that signer may decide it"
        )


def check_sendable(code: str, state: str) -> None:
    """R6: only a goal not started or rejected is sent for approval."""
    if state not in (GoalState.NOT_STARTED, GoalState.REJECTED):
        raise GoalTransitionError(
            f"R6: goal {code} is {state}; only a goal not started or rejected "
            "can be sent for approval"
        )


def check_decidable(code: str, state: str, verb: str) -> None:
    """R7: only a goal sent for approval is approved or rejected."""
    if state != GoalState.SENT_FOR_APPROVAL:
        raise GoalTransitionError(
            f"R7: goal {code} is {state}; only a goal sent for approval can be {verb}d"
        )
