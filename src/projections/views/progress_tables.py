"""Tables of the `progress` view (R8, R12, R14, R19-R21)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, PrimaryKeyConstraint, String, Table, Text

from projections.engine.tables import CODE, ID, NAME, STATE, SUB, UTCDateTime, index, table
from projections.views.goal_rows import goal_columns


@dataclass(frozen=True)
class ProgressTables:
    candidate: Table  # specialty and registration date (R20, R21)
    plan: Table  # plan states (R20, R21)
    goal: Table  # state and activity counters per goal
    signer: Table  # R8: who signed activities of a goal
    procedure: Table  # R12: procedure activities, matched to the catalogue at query time
    meeting: Table  # which candidate a meeting belongs to
    month: Table  # R19: finalised supervision minutes per candidate and month


def define_progress_tables(md: MetaData, g: int) -> ProgressTables:
    candidate = table(
        md, "progress_candidate", g,
        Column("candidate_id", ID, primary_key=True),
        Column("specialty", CODE, nullable=False),
        Column("registered_at", UTCDateTime, nullable=False),
    )  # fmt: skip
    plan = table(
        md, "progress_plan", g,
        Column("candidate_id", ID, nullable=False),
        Column("plan_code", CODE, nullable=False),
        Column("state", STATE, nullable=False),
        PrimaryKeyConstraint("candidate_id", "plan_code"),
    )  # fmt: skip
    goal = table(
        md, "progress_goal", g,
        *goal_columns(),
        Column("registered", Integer, nullable=False),
        Column("pending", Integer, nullable=False),
        Column("signed", Integer, nullable=False),
        Column("mentor_comments", Integer, nullable=False),
    )  # fmt: skip
    index(goal, "candidate_id")
    signer = table(
        md, "progress_signer", g,
        Column("goal_id", ID, nullable=False),
        Column("sub", SUB, nullable=False),
        Column("name", NAME, nullable=False),
        Column("signatures", Integer, nullable=False),
        PrimaryKeyConstraint("goal_id", "sub"),
    )  # fmt: skip
    procedure = table(
        md, "progress_procedure", g,
        Column("activity_id", ID, primary_key=True),
        Column("goal_id", ID, nullable=False),
        Column("activity_code", CODE),
        Column("title", Text, nullable=False),
        Column("count", Integer, nullable=False),
        Column("state", STATE, nullable=False),
    )  # fmt: skip
    index(procedure, "goal_id")
    meeting = table(
        md, "progress_meeting", g,
        Column("meeting_id", ID, primary_key=True),
        Column("candidate_id", ID, nullable=False),
    )  # fmt: skip
    month = table(
        md, "supervision_month", g,
        Column("candidate_id", ID, nullable=False),
        Column("month", String(7), nullable=False),
        Column("minutes", Integer, nullable=False),
        Column("meetings", Integer, nullable=False),
        PrimaryKeyConstraint("candidate_id", "month"),
    )  # fmt: skip
    return ProgressTables(candidate, plan, goal, signer, procedure, meeting, month)
