"""Corrections of a learning goal (R29, ADR 0021): new events with a reason, never a deletion.

- the candidate edits an activity that is `registered` or `rejected` (an edited
  rejected activity is `registered` again, so it can be sent again), and withdraws an
  activity not yet signed (`withdrawn`: final, counted nowhere);
- the candidate recalls a goal sent for approval and not yet decided (`not_started`);
- the leader or a deputy withdraws an approval given by mistake (`not_started`); the
  event names the approval it withdraws, and where it came from (an approval imported
  from the other portal, R23, names that portal).

`GoalCorrections` is mixed into `LearningGoal`, which lists `CORRECTION_EVENTS` in its
own body: the library then redefines them there, so they are stored under the goal's
topic (`LearningGoal.ActivityEdited`, ...) and chained with its other events (ADR 0011).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from eventsourcing.domain import Aggregate

from kompetanse_domain.errors import InvalidInputError
from kompetanse_domain.model import values
from kompetanse_domain.model.acting import trigger_by
from kompetanse_domain.model.goal_records import (
    ACTIVITY_FIELDS,
    ActivityFields,
    ActivityRecord,
    ActivityState,
    ActivityTransitionError,
    GoalState,
    GoalTransitionError,
    set_registered,
    take_given_fields,
)
from kompetanse_domain.model.guards import (
    check_not_future,
    check_role,
    check_text,
    optional_text,
    reason_text,
)
from kompetanse_domain.model.identity import Actor, Role

if TYPE_CHECKING:
    from kompetanse_domain.model.learning_goal import LearningGoal

EDITABLE_STATES = (ActivityState.REGISTERED, ActivityState.REJECTED)
EDITABLE_FIELDS = ACTIVITY_FIELDS
REQUIRED_FIELDS = ("title", "kind", "fulfilled_on")


class _Event(Aggregate.Event):
    actor: str
    actor_name: str


class ActivityEdited(_Event, ActivityFields):
    """The candidate corrected an activity; every field holds its value after the edit."""

    activity_id: str
    changed: list[str]
    previous_state: str

    def apply(self, aggregate: Any) -> None:
        record = cast("LearningGoal", aggregate).activities[self.activity_id]
        take_given_fields(record, self)
        if record["state"] == ActivityState.REJECTED:  # registered again, to be sent again
            set_registered(record)


class ActivityWithdrawn(_Event):
    activity_id: str
    reason: str
    previous_state: str
    signer_sub: str | None  # who it was waiting for, if it was sent for signing

    def apply(self, aggregate: Any) -> None:
        cast("LearningGoal", aggregate).activities[self.activity_id]["state"] = (
            ActivityState.WITHDRAWN
        )


def _reopened(aggregate: Any) -> LearningGoal:
    """The goal back to `not_started`, without the date it was completed on (R29)."""
    goal = cast("LearningGoal", aggregate)
    goal.state = GoalState.NOT_STARTED
    goal.completed_on = None
    return goal


class Recalled(_Event):
    """The candidate took back a goal sent for approval before it was decided."""

    reason: str | None

    def apply(self, aggregate: Any) -> None:
        goal = _reopened(aggregate)
        goal.approver_sub = goal.approver_name = None


class ApprovalWithdrawn(_Event):
    """The leader or a deputy withdrew an approval; the fields name that approval."""

    reason: str
    approved_by_sub: str | None
    approved_by_name: str | None
    approved_at: datetime | None
    source_portal: str | None  # the approval came from the other portal (R23)
    source_event_id: str | None

    def apply(self, aggregate: Any) -> None:
        goal = _reopened(aggregate)
        goal.decided_by_sub = goal.decided_by_name = goal.decided_at = goal.decided_source = None


CORRECTION_EVENTS = (ActivityEdited, ActivityWithdrawn, Recalled, ApprovalWithdrawn)


class GoalCorrections:
    """R29: the corrections of a `LearningGoal` (mixed into it)."""

    decided_source: tuple[str, str] | None = None
    """(portal, event id) when the current decision was imported from the other portal."""

    if TYPE_CHECKING:  # the goal's own copies of `CORRECTION_EVENTS`, stored under its topic
        ActivityEdited: type[Any]
        ActivityWithdrawn: type[Any]
        Recalled: type[Any]
        ApprovalWithdrawn: type[Any]
        code: str
        state: str
        completed_on: date | None
        approver_sub: str | None
        approver_name: str | None
        decided_by_sub: str | None
        decided_by_name: str | None
        decided_at: datetime | None
        activities: dict[str, ActivityRecord]

        def check_open(self) -> None: ...
        def activity(self, activity_id: str) -> ActivityRecord: ...
        def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...

    # -- activities --------------------------------------------------------------------

    def edit_activity(
        self, actor: Actor, *, activity_id: str, today: date, changes: Mapping[str, Any]
    ) -> bool:
        """R29: the candidate corrects an activity not sent or rejected; False when
        every given value is the one it already has (nothing is recorded)."""
        check_role(actor, (Role.CANDIDATE,), "R29: only the candidate edits their activities")
        self.check_open()
        record = self.activity(activity_id)
        if record["state"] not in EDITABLE_STATES:
            raise ActivityTransitionError(
                f"R29: activity is {record['state']}; only a registered or rejected activity "
                "can be edited (withdraw it and register it again if it is not signed)"
            )
        unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
        if unknown or not changes:
            raise InvalidInputError(
                "R29: give at least one of " + ", ".join(EDITABLE_FIELDS) + " to change"
            )
        edited = {name: record[name] for name in EDITABLE_FIELDS}  # type: ignore[literal-required]
        edited.update(_checked(changes, today))
        changed = [name for name in EDITABLE_FIELDS if edited[name] != record[name]]  # type: ignore[literal-required]
        if not changed:
            return False
        trigger_by(
            self,
            actor,
            self.ActivityEdited,
            activity_id=activity_id,
            changed=changed,
            previous_state=record["state"],
            **edited,
        )
        return True

    def withdraw_activity(self, actor: Actor, *, activity_id: str, reason: str) -> None:
        """R29: the candidate withdraws an activity not signed; it stays, counted nowhere."""
        check_role(actor, (Role.CANDIDATE,), "R29: only the candidate withdraws their activities")
        self.check_open()
        record = self.activity(activity_id)
        if record["state"] == ActivityState.SIGNED:
            raise ActivityTransitionError(
                "R29: activity is signed; a signed activity is final and cannot be withdrawn"
            )
        if record["state"] == ActivityState.WITHDRAWN:
            raise ActivityTransitionError("R29: activity is already withdrawn")
        waiting = record["state"] == ActivityState.SENT_FOR_SIGNING
        trigger_by(
            self,
            actor,
            self.ActivityWithdrawn,
            activity_id=activity_id,
            reason=reason_text(reason, "reason", "R29"),
            previous_state=record["state"],
            signer_sub=record["signer_sub"] if waiting else None,
        )

    # -- the goal ----------------------------------------------------------------------

    def recall(self, actor: Actor, *, reason: str | None = None) -> None:
        """R29: the candidate recalls a goal sent for approval and not yet decided."""
        check_role(actor, (Role.CANDIDATE,), "R29: only the candidate recalls a goal they sent")
        self.check_open()
        if self.state != GoalState.SENT_FOR_APPROVAL:
            raise GoalTransitionError(
                f"R29: goal {self.code} is {self.state}; only a goal sent for approval and "
                "not yet decided can be recalled"
            )
        trigger_by(self, actor, self.Recalled, reason=optional_text(reason, "reason"))

    def withdraw_approval(self, actor: Actor, *, reason: str) -> None:
        """R29: the leader or a deputy withdraws an approval given by mistake, saying why;
        an approval imported from the other portal (R23) may be withdrawn too."""
        check_role(
            actor,
            (Role.LEADER, Role.DEPUTY),
            "R29: only the leader or a deputy may withdraw an approval",
        )
        self.check_open()
        if self.state != GoalState.APPROVED:
            raise GoalTransitionError(
                f"R29: goal {self.code} is {self.state}; only an approved goal can have "
                "its approval withdrawn"
            )
        source = self.decided_source
        trigger_by(
            self,
            actor,
            self.ApprovalWithdrawn,
            reason=reason_text(reason, "reason", "R29"),
            approved_by_sub=self.decided_by_sub,
            approved_by_name=self.decided_by_name,
            approved_at=self.decided_at,
            source_portal=source[0] if source else None,
            source_event_id=source[1] if source else None,
        )


def _checked(changes: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The given values checked as a registration checks them (R9, R12)."""
    from kompetanse_domain.model.learning_goal import ACTIVITY_KINDS  # imports this module

    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None and name in REQUIRED_FIELDS:
            raise InvalidInputError(f"R29: {name} cannot be removed; give a new value")
        if name == "title":
            value = check_text(value, "title", "R9", limit=values.NAME_LIMIT)
        elif name == "kind" and value not in ACTIVITY_KINDS:
            raise InvalidInputError(
                f"kind {value!r} is unknown; use one of {', '.join(ACTIVITY_KINDS)}"
            )
        elif name == "fulfilled_on":
            check_not_future(value, today, "fulfilled_on")
        elif name == "activity_code":
            value = values.optional_line(value, "activity_code", limit=values.CODE_LIMIT)
        elif name == "count" and value is not None and not 1 <= value <= 10_000:
            raise InvalidInputError("R12: count must be between 1 and 10000")
        elif name == "note":
            value = optional_text(value, "note")
        checked[name] = value
    return checked
