"""Tables of the `leader` view: whom a person leads, and those candidates' goals (R7, R14)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, PrimaryKeyConstraint, Table

from projections.engine.tables import CODE, ID, NAME, STATE, SUB, UTCDateTime, index, table
from projections.views.goal_rows import approval_columns, goal_columns


@dataclass(frozen=True)
class LeaderTables:
    link: Table  # (sub, candidate, role) for role leader or deputy, while held
    candidate: Table  # the candidate's sub, name and specialty
    goal: Table  # one row per goal: state, dates, approver, R8 evidence counters


def define_leader_tables(md: MetaData, g: int) -> LeaderTables:
    link = table(
        md, "leader_link", g,
        Column("sub", SUB, nullable=False),
        Column("candidate_id", ID, nullable=False),
        Column("role", STATE, nullable=False),
        Column("since", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("sub", "candidate_id", "role"),
    )  # fmt: skip
    index(link, "candidate_id")
    candidate = table(
        md, "leader_candidate", g,
        Column("candidate_id", ID, primary_key=True),
        Column("sub", SUB, nullable=False),
        Column("name", NAME, nullable=False),
        Column("specialty", CODE, nullable=False),
    )  # fmt: skip
    goal = table(
        md, "leader_goal", g,
        *goal_columns(),
        *approval_columns(),
        Column("mentor_comments", Integer, nullable=False),
        Column("signed_activities", Integer, nullable=False),
    )  # fmt: skip
    index(goal, "candidate_id", "state")
    return LeaderTables(link, candidate, goal)
