"""Tables of the `goals` view: one row per learning goal, its activities and comments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    MetaData,
    Table,
    UniqueConstraint,
)

from projections.views.columns import APPROVAL_COLUMNS, Tables


@dataclass(frozen=True)
class GoalTables:
    goal: Table
    activity: Table
    comment: Table
    attachment: Table  # R27: every uploaded file of a candidate, for `attachment` objects
    attachment_sent: Table  # R27: (attachment, person) an activity carrying it was sent to
    decision: Table  # R29: every approval and rejection of a goal, withdrawn ones included


def define_goal_tables(md: MetaData, g: int) -> GoalTables:
    t = Tables(md, g)
    # decision_version: R29, the `decision` the state stands on; carried_over_from: R30
    one_code = UniqueConstraint("candidate_id", "code", name=f"uq_view_goal_g{g}_candidate_code")
    goal = t("goal", (
        "goal_id candidate_id code plan_code catalogue_version state withdrawn"
        f" {APPROVAL_COLUMNS} decision_comment? imported_from"
        " decision_version? carried_over_from? opened_at updated_at version"
    ), one_code)  # fmt: skip
    activity = t("goal_activity", (
        "activity_id goal_id title kind fulfilled_on activity_code? count? note? attachment_id?"
        " state signer_sub? signer_name? decision_comment? registered_at sent_at? decided_at?"
        " withdrawn_at? withdrawal_reason?"  # R29
    ), index_on="goal_id")  # fmt: skip
    comment = t("goal_comment", (
        "comment_id goal_id author_sub author_name text written_at"
    ), index_on="goal_id")  # fmt: skip
    attachment = t("goal_attachment", (
        "attachment_id candidate_id filename content_type size sha256"
    ))  # fmt: skip
    attachment_sent = t("goal_attachment_sent", "attachment_id sub", key=2)
    # version: the deciding event's; decision: approved | rejected; source_*: R23, imported
    # from the other portal; withdrawn_*: R29, set when the approval is withdrawn
    decision = t("goal_decision", (
        "goal_id version decision by_sub? by_name? at comment? source_portal? source_event_id?"
        " withdrawn_by_sub? withdrawn_by_name? withdrawn_at? withdrawal_reason?"
    ), key=2)  # fmt: skip
    return GoalTables(goal, activity, comment, attachment, attachment_sent, decision)
