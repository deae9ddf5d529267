"""The notification process's tables (ADR 0025).

Unlike the views these tables have no generations: notifications carry their readers'
read marks and the outbox its delivery state, which no rebuild could restore, so the
process is never rebuilt; its tracking row (`notifications`) only moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, Table, Text

from projections.engine.tables import ID, STATE, UTCDateTime, index
from projections.views.columns import TYPES, Tables

EMAIL = Text


@dataclass(frozen=True)
class NotificationTables:
    candidate: Table  # who the candidate is
    role: Table  # (candidate, sub, role): approvers and signers, while they hold the role
    address: Table  # sub -> e-mail known from events (registration, accepted invitation)
    invitation: Table
    goal: Table  # goals and since when one waits for approval
    activity: Table  # activities and since when one waits for a signature
    notification: Table
    outbox: Table
    claim: Table  # sub -> the `email` claim last seen (written by the API)


def define_notification_tables(md: MetaData, generation: int = 1) -> NotificationTables:
    t = Tables(md, None, {**TYPES, "email": EMAIL, "recipient_email": EMAIL})
    candidate = t("notification_candidate", "candidate_id sub name")
    # until: a deputy's last day (R7), else None
    role = t("notification_role", "candidate_id sub role until?", key=3)
    address = t("notification_address", "sub email")
    # until: a deputy invitation's last day (R7)
    invitation = t("notification_invitation", "invitation_id candidate_id email until?")
    goal = t("notification_goal", "goal_id candidate_id code withdrawn waiting_since?")
    index(goal, "waiting_since")
    activity = t("notification_activity", "activity_id goal_id signer_sub? waiting_since?")
    index(activity, "waiting_since")
    # recipient_sub None: an invitation, to an e-mail address
    notification = t("notification", (
        "notification_id recipient_sub? recipient_email? kind candidate_id? subject link"
        " created_at read_at?"
    ), index_on="recipient_sub created_at")  # fmt: skip
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
    claim = t("notification_claim", "sub email")
    return NotificationTables(
        candidate, role, address, invitation, goal, activity, notification, outbox, claim
    )
