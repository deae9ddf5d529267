"""Tables of the `goals` view: one row per learning goal, its activities and comments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)

from projections.engine.tables import (
    CODE,
    ID,
    NAME,
    PORTABLE_JSON,
    STATE,
    SUB,
    UTCDateTime,
    index,
    table,
)
from projections.views.goal_rows import approval_columns


@dataclass(frozen=True)
class GoalTables:
    goal: Table
    activity: Table
    comment: Table
    attachment: Table  # R27: every uploaded file of a candidate, for `attachment` objects
    attachment_sent: Table  # R27: (attachment, person) an activity carrying it was sent to
    decision: Table  # R29: every approval and rejection of a goal, withdrawn ones included


def define_goal_tables(md: MetaData, g: int) -> GoalTables:
    goal = table(
        md, "goal", g,
        Column("goal_id", ID, primary_key=True),
        Column("candidate_id", ID, nullable=False),
        Column("code", CODE, nullable=False),
        Column("plan_code", CODE, nullable=False),
        Column("catalogue_version", CODE, nullable=False),
        Column("state", STATE, nullable=False),
        Column("withdrawn", Boolean, nullable=False),
        *approval_columns(),
        Column("decision_comment", Text),
        Column("imported_from", PORTABLE_JSON, nullable=False),
        Column("decision_version", Integer),  # R29: the `decision` the state stands on
        Column("carried_over_from", PORTABLE_JSON),  # R30, ADR 0026
        Column("opened_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
        Column("version", Integer, nullable=False),
        UniqueConstraint("candidate_id", "code", name=f"uq_view_goal_g{g}_candidate_code"),
    )  # fmt: skip
    activity = table(
        md, "goal_activity", g,
        Column("activity_id", ID, primary_key=True),
        Column("goal_id", ID, nullable=False),
        Column("title", Text, nullable=False),
        Column("kind", STATE, nullable=False),
        Column("fulfilled_on", Date, nullable=False),
        Column("activity_code", CODE),
        Column("count", Integer),
        Column("note", Text),
        Column("attachment_id", ID),
        Column("state", STATE, nullable=False),
        Column("signer_sub", SUB),
        Column("signer_name", NAME),
        Column("decision_comment", Text),
        Column("registered_at", UTCDateTime, nullable=False),
        Column("sent_at", UTCDateTime),
        Column("decided_at", UTCDateTime),
        Column("withdrawn_at", UTCDateTime),  # R29
        Column("withdrawal_reason", Text),
    )  # fmt: skip
    index(activity, "goal_id")
    comment = table(
        md, "goal_comment", g,
        Column("comment_id", ID, primary_key=True),
        Column("goal_id", ID, nullable=False),
        Column("author_sub", SUB, nullable=False),
        Column("author_name", NAME, nullable=False),
        Column("text", Text, nullable=False),
        Column("written_at", UTCDateTime, nullable=False),
    )  # fmt: skip
    index(comment, "goal_id")
    attachment = table(
        md, "goal_attachment", g,
        Column("attachment_id", ID, primary_key=True),
        Column("candidate_id", ID, nullable=False),
        Column("filename", Text, nullable=False),
        Column("content_type", STATE, nullable=False),
        Column("size", Integer, nullable=False),
        Column("sha256", CODE, nullable=False),
    )  # fmt: skip
    attachment_sent = table(
        md, "goal_attachment_sent", g,
        Column("attachment_id", ID, nullable=False),
        Column("sub", SUB, nullable=False),
        PrimaryKeyConstraint("attachment_id", "sub"),
    )  # fmt: skip
    decision = table(
        md, "goal_decision", g,
        Column("goal_id", ID, nullable=False),
        Column("version", Integer, nullable=False),  # the deciding event's
        Column("decision", STATE, nullable=False),  # approved | rejected
        Column("by_sub", SUB),
        Column("by_name", NAME),
        Column("at", UTCDateTime, nullable=False),
        Column("comment", Text),
        Column("source_portal", Text),  # R23: imported from the other portal
        Column("source_event_id", Text),
        Column("withdrawn_by_sub", SUB),  # R29: set when the approval is withdrawn
        Column("withdrawn_by_name", NAME),
        Column("withdrawn_at", UTCDateTime),
        Column("withdrawal_reason", Text),
        PrimaryKeyConstraint("goal_id", "version"),
    )  # fmt: skip
    return GoalTables(goal, activity, comment, attachment, attachment_sent, decision)
