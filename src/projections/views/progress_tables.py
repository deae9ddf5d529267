"""Tables of the `progress` view (R8, R12, R14, R19-R21)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from projections.views.columns import GOAL_COLUMNS, Tables


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
    t = Tables(md, g)
    candidate = t("progress_candidate", "candidate_id specialty registered_at")
    plan = t("progress_plan", "candidate_id plan_code state", key=2)
    goal = t("progress_goal", (
        f"{GOAL_COLUMNS} registered pending signed mentor_comments"
    ), index_on="candidate_id")  # fmt: skip
    signer = t("progress_signer", "goal_id sub name signatures", key=2)
    procedure = t("progress_procedure", (
        "activity_id goal_id activity_code? title count state"
    ), index_on="goal_id")  # fmt: skip
    meeting = t("progress_meeting", "meeting_id candidate_id")
    # R19: finalised supervision minutes per candidate and month
    month = t("supervision_month", "candidate_id month minutes meetings", key=2)
    return ProgressTables(candidate, plan, goal, signer, procedure, meeting, month)
