"""The domain's vocabulary is written once (issue 23, point 5), says what API.md says, and
holds what the catalogue uses; a stored snapshot keeps its states as plain strings."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from eventsourcing.domain import Snapshot

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.catalogue import ACTIVITY_KINDS as CATALOGUE_KINDS
from kompetanse_domain.catalogue import COLUMNS, load_catalogue, parse_plan_csv
from kompetanse_domain.model import vocabulary
from kompetanse_domain.model.learning_goal import ACTIVITY_KINDS as GOAL_KINDS
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.meeting import MeetingState
from kompetanse_domain.model.vocabulary import (
    ACTIVITY_KINDS,
    ActivityKind,
    ActivityState,
    GoalState,
    PlanState,
)
from unit.domain_builders import LEADER, LIS, NOW, SUPERVISOR, open_goal, staffed_candidate

# API.md, word for word: "kind one of `course`, `procedure`, ..."; "Goal states: ..."
API_KINDS = ("course", "procedure", "e_learning", "group_supervision", "internal_teaching", "other")
API_GOAL_STATES = {"not_started", "sent_for_approval", "approved", "rejected"}
API_ACTIVITY_STATES = {"registered", "sent_for_signing", "signed", "rejected", "withdrawn"}
API_MEETING_STATES = {"open", "finalised", "cancelled"}
API_CONCERN_STATES = {"open", "resolved"}
API_INVITATION_STATES = {"pending", "accepted", "revoked", "expired"}


def test_the_vocabulary_has_the_words_and_order_of_the_api_document() -> None:
    assert ACTIVITY_KINDS == API_KINDS
    assert {state.value for state in GoalState} == API_GOAL_STATES
    assert {state.value for state in ActivityState} == API_ACTIVITY_STATES
    assert {state.value for state in vocabulary.MeetingState} == API_MEETING_STATES
    assert {state.value for state in vocabulary.ConcernState} == API_CONCERN_STATES
    assert {state.value for state in vocabulary.InvitationState} == API_INVITATION_STATES
    assert {state.value for state in PlanState} == {"active", "archived", "removed"}


def test_the_domain_the_catalogue_and_the_meetings_use_the_one_vocabulary() -> None:
    assert GOAL_KINDS is ACTIVITY_KINDS and CATALOGUE_KINDS is ACTIVITY_KINDS
    assert MeetingState is vocabulary.MeetingState


def test_every_kind_the_shipped_catalogue_recommends_is_a_kind_of_the_vocabulary() -> None:
    used = {
        activity.kind
        for plan in load_catalogue().plans
        for goal in plan.goals
        for activity in goal.recommended_activities
    }
    assert used and used <= set(ActivityKind)


def test_a_plan_imported_from_csv_may_recommend_every_kind_of_the_vocabulary() -> None:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for number, kind in enumerate(ACTIVITY_KINDS, start=1):
        writer.writerow(
            {
                "plan_code": "ARB",
                "plan_title": "Arbeidsmedisin (ARB)",
                "version": "2027.1",
                "goal_code": f"ARB-{number:03d}",
                "goal_title": f"Ha kunnskap om arbeidsmiljø, tema {number}",
                "competence_level": "ha kunnskap om",
                "arena": "",
                "activity_kind": kind,
                "activity_title": f"Aktivitet {number}",
                "recommended_minimum": "",
            }
        )
    plan = parse_plan_csv(out.getvalue().encode())
    kinds = [goal.recommended_activities[0].kind for goal in plan.goals]
    assert kinds == list(ActivityKind)


def _goal_with_a_signed_and_an_approved_state() -> LearningGoal:
    team = staffed_candidate()
    goal = open_goal(team)
    goal.register_activity(
        team.actor(LIS),
        activity_id="a1",
        title="Kurs",
        kind="course",
        fulfilled_on=date(2026, 1, 5),
        today=NOW.date(),
    )
    goal.send_activity_for_signing(
        team.actor(LIS), activity_id="a1", signer_sub=SUPERVISOR.sub, signer_name=SUPERVISOR.name
    )
    goal.sign_activity(team.actor(SUPERVISOR), activity_id="a1")
    goal.send_for_approval(
        team.actor(LIS),
        completed_on=date(2026, 1, 6),
        today=NOW.date(),
        approver_sub=LEADER.sub,
        approver_name=LEADER.name,
    )
    goal.approve(team.actor(LEADER))
    return goal


def test_a_snapshot_of_a_goal_stores_and_reads_its_states_as_plain_strings() -> None:
    application = KompetanseApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        goal = _goal_with_a_signed_and_an_approved_state()
        stored = application.mapper.to_stored_event(Snapshot.take(goal))
        assert b'"state":"approved"' in stored.state
        assert b'"state":"signed"' in stored.state
        state: dict[str, Any] = application.mapper.to_domain_event(stored).state  # type: ignore[attr-defined]
        assert type(state["state"]) is str and state["state"] == GoalState.APPROVED
        record = state["activities"]["a1"]
        assert type(record["state"]) is str and record["state"] == ActivityState.SIGNED
        assert type(record["kind"]) is str and record["kind"] == ActivityKind.COURSE
    finally:
        application.close()
