"""Tables of the `leader` view: whom a person leads, and those candidates' goals (R7, R14)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from projections.views.columns import APPROVAL_COLUMNS, GOAL_COLUMNS, Tables


@dataclass(frozen=True)
class LeaderTables:
    link: Table  # (sub, candidate, role) for role leader or deputy, while held
    candidate: Table  # the candidate's sub, name and specialty
    goal: Table  # one row per goal: state, dates, approver, R8 evidence counters


def define_leader_tables(md: MetaData, g: int) -> LeaderTables:
    t = Tables(md, g)
    link = t("leader_link", "sub candidate_id role since", key=3, index_on="candidate_id")
    candidate = t("leader_candidate", "candidate_id sub name specialty")
    goal = t("leader_goal", (
        f"{GOAL_COLUMNS} {APPROVAL_COLUMNS} mentor_comments signed_activities"
    ), index_on="candidate_id state")  # fmt: skip
    return LeaderTables(link, candidate, goal)
