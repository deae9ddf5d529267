"""The domain's vocabulary, each set written once (issue 23, point 5): the kinds of an
activity and the states of a goal, an activity, a plan, a meeting, a concern and an
invitation (DOMAIN.md, API.md "Goal states ...").

Each is a `StrEnum`: a member *is* its string (`GoalState.APPROVED == "approved"`), so
rows, JSON answers and stored aggregates hold the same text as before. The domain
compares and assigns members; the views write them to their tables; the API's answer
models type their fields with them, so the OpenAPI document lists the values. Events
carry plain strings (a command's `kind` is the text the client sent, checked against
`ACTIVITY_KINDS`), so a stored event decodes to an equal `str` whatever this module
becomes.

States that a feature adds before its code lands (a withdrawn activity, a cancelled
meeting, concerns, invitation answers) are listed here too, so that the vocabulary
stays in one place.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ACTIVITY_KINDS",
    "ActivityKind",
    "ActivityState",
    "ConcernState",
    "GoalState",
    "InvitationState",
    "MeetingState",
    "PlanState",
]


class ActivityKind(StrEnum):
    """What a registered or recommended activity is (R9, R11, R12)."""

    COURSE = "course"
    PROCEDURE = "procedure"
    E_LEARNING = "e_learning"
    GROUP_SUPERVISION = "group_supervision"
    INTERNAL_TEACHING = "internal_teaching"
    OTHER = "other"


ACTIVITY_KINDS: tuple[str, ...] = tuple(kind.value for kind in ActivityKind)
"""The kinds as plain strings, in the order error messages and documents list them."""


class GoalState(StrEnum):
    """A learning goal: sent for approval by the candidate, decided by the leader (R6, R7)."""

    NOT_STARTED = "not_started"
    SENT_FOR_APPROVAL = "sent_for_approval"
    APPROVED = "approved"
    REJECTED = "rejected"


class ActivityState(StrEnum):
    """An activity: sent for signing, signed or rejected by the signer (R9, R10)."""

    REGISTERED = "registered"
    SENT_FOR_SIGNING = "sent_for_signing"
    SIGNED = "signed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the candidate, counted nowhere (API.md v1.1)


class PlanState(StrEnum):
    """A candidate's assigned plan (R4, R5)."""

    ACTIVE = "active"
    ARCHIVED = "archived"
    REMOVED = "removed"


class MeetingState(StrEnum):
    """A supervision meeting (R15-R18, R25)."""

    OPEN = "open"
    FINALISED = "finalised"
    CANCELLED = "cancelled"  # with a reason, never deleted (R25)


class ConcernState(StrEnum):
    """A veileder's concern about a candidate's progress (API.md v1.1)."""

    OPEN = "open"
    RESOLVED = "resolved"


class InvitationState(StrEnum):
    """An invitation to a role (R3)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"
