"""The notification process's tables (ADR 0025).

Unlike the views these tables have no generations: notifications carry their readers'
read marks and the outbox its delivery state, which no rebuild could restore, so the
process is never rebuilt; its tracking row (`notifications`) only moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, PrimaryKeyConstraint, Table, Text

from projections.engine.tables import CODE, ID, NAME, STATE, SUB, UTCDateTime, index

EMAIL = Text


@dataclass(frozen=True)
class NotificationTables:
    candidate: Table  # who the candidate is
    role: Table  # (candidate, sub, role): leader and deputies, while they hold the role
    address: Table  # sub -> e-mail known from events (registration, accepted invitation)
    invitation: Table
    goal: Table  # goals and since when one waits for approval
    activity: Table  # activities and since when one waits for a signature
    notification: Table
    outbox: Table
    claim: Table  # sub -> the `email` claim last seen (written by the API)


def define_notification_tables(md: MetaData, generation: int = 1) -> NotificationTables:
    candidate = Table(
        "notification_candidate", md,
        Column("candidate_id", ID, primary_key=True),
        Column("sub", SUB, nullable=False),
        Column("name", NAME, nullable=False),
    )  # fmt: skip
    role = Table(
        "notification_role", md,
        Column("candidate_id", ID, nullable=False),
        Column("sub", SUB, nullable=False),
        Column("role", STATE, nullable=False),
        Column("until", Date, nullable=True),  # a deputy's last day (R7), else None
        PrimaryKeyConstraint("candidate_id", "sub", "role"),
    )  # fmt: skip
    address = Table(
        "notification_address", md,
        Column("sub", SUB, primary_key=True),
        Column("email", EMAIL, nullable=False),
    )  # fmt: skip
    invitation = Table(
        "notification_invitation", md,
        Column("invitation_id", ID, primary_key=True),
        Column("candidate_id", ID, nullable=False),
        Column("email", EMAIL, nullable=False),
        Column("until", Date, nullable=True),  # a deputy invitation's last day (R7)
    )  # fmt: skip
    goal = Table(
        "notification_goal", md,
        Column("goal_id", ID, primary_key=True),
        Column("candidate_id", ID, nullable=False),
        Column("code", CODE, nullable=False),
        Column("withdrawn", Boolean, nullable=False),
        Column("waiting_since", UTCDateTime),
    )  # fmt: skip
    index(goal, "waiting_since")
    activity = Table(
        "notification_activity", md,
        Column("activity_id", ID, primary_key=True),
        Column("goal_id", ID, nullable=False),
        Column("signer_sub", SUB),
        Column("waiting_since", UTCDateTime),
    )  # fmt: skip
    index(activity, "waiting_since")
    notification = Table(
        "notification", md,
        Column("notification_id", ID, primary_key=True),
        Column("recipient_sub", SUB),  # None: an invitation, to an e-mail address
        Column("recipient_email", EMAIL),
        Column("kind", STATE, nullable=False),
        Column("candidate_id", ID),
        Column("subject", Text, nullable=False),
        Column("link", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("read_at", UTCDateTime),
    )  # fmt: skip
    index(notification, "recipient_sub", "created_at")
    outbox = Table(
        "notification_outbox", md,
        Column("notification_id", ID, primary_key=True),  # one e-mail per notification
        Column("message_id", Text, nullable=False, unique=True),
        Column("state", STATE, nullable=False),  # waiting, sending, sent, undeliverable
        Column("attempts", Integer, nullable=False),
        Column("failures", Integer, nullable=False),
        Column("next_attempt_at", UTCDateTime, nullable=False),
        Column("claimed_at", UTCDateTime),
        Column("last_error", Text),
        Column("created_at", UTCDateTime, nullable=False),
        Column("sent_at", UTCDateTime),
        Column("sent_to", EMAIL),
    )  # fmt: skip
    index(outbox, "state", "next_attempt_at")
    claim = Table(
        "notification_claim", md,
        Column("sub", SUB, primary_key=True),
        Column("email", EMAIL, nullable=False),
    )  # fmt: skip
    return NotificationTables(
        candidate, role, address, invitation, goal, activity, notification, outbox, claim
    )
