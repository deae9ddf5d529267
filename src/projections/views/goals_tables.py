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


@dataclass(frozen=True)
class GoalTables:
    goal: Table
    activity: Table
    comment: Table
    attachment: Table  # R27: every uploaded file of a candidate, for `attachment` objects
    attachment_sent: Table  # R27: (attachment, person) an activity carrying it was sent to


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
        Column("completed_on", Date),
        Column("sent_at", UTCDateTime),
        Column("send_comment", Text),
        Column("approver_sub", SUB),
        Column("approver_name", NAME),
        Column("decided_by_sub", SUB),
        Column("decided_by_name", NAME),
        Column("decided_at", UTCDateTime),
        Column("decision_comment", Text),
        Column("imported_from", PORTABLE_JSON, nullable=False),
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
    return GoalTables(goal, activity, comment, attachment, attachment_sent)
