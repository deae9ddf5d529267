"""LearningGoal rules R6-R13 and R23, asserted on recorded events and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kompetanse_domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kompetanse_domain.model.learning_goal import LearningGoal
from unit.domain_builders import (
    AUDITOR,
    DEPUTY,
    LEADER,
    LIS,
    STRANGER,
    SUPERVISOR,
    SUPERVISOR_2,
    SYNC,
    TODAY,
    VEILEDER,
    Team,
    open_goal,
    replay,
    staffed_candidate,
)


@pytest.fixture
def team() -> Team:
    return staffed_candidate()


@pytest.fixture
def goal(team: Team) -> LearningGoal:
    return open_goal(team)


def register(team: Team, goal: LearningGoal, activity_id: str = "a1") -> None:
    goal.register_activity(
        team.actor(LIS),
        activity_id=activity_id,
        title="Kurs i akuttmedisin",
        kind="course",
        fulfilled_on=date(2026, 2, 1),
        today=TODAY,
    )


def send_to(team: Team, goal: LearningGoal, signer_sub: str, activity_id: str = "a1") -> None:
    signer = team.candidate.signer(signer_sub)
    goal.send_activity_for_signing(
        team.actor(LIS),
        activity_id=activity_id,
        signer_sub=signer["sub"],
        signer_name=signer["name"],
    )


def send_for_approval(team: Team, goal: LearningGoal) -> None:
    leader = team.candidate.approver()
    goal.send_for_approval(
        team.actor(LIS),
        completed_on=date(2026, 2, 20),
        today=TODAY,
        approver_sub=leader["sub"],
        approver_name=leader["name"],
        comment="Ferdig",
    )


def test_goal_id_is_deterministic_per_candidate_and_code(team: Team) -> None:
    assert open_goal(team, "ALM-001").id == open_goal(team, "ALM-001").id
    assert open_goal(team, "ALM-001").id != open_goal(team, "ALM-002").id


def test_candidate_registers_activity_with_fulfilled_on_date_R9(
    team: Team, goal: LearningGoal
) -> None:
    goal.collect_events()
    register(team, goal)
    (event,) = goal.collect_events()
    assert isinstance(event, LearningGoal.ActivityRegistered)
    assert (event.actor, event.fulfilled_on) == ("lis", date(2026, 2, 1))
    assert goal.activities["a1"]["state"] == "registered"


def test_activity_fulfilled_in_the_future_is_refused_R9(team: Team, goal: LearningGoal) -> None:
    with pytest.raises(InvalidInputError, match="future"):
        goal.register_activity(
            team.actor(LIS),
            activity_id="a",
            title="t",
            kind="course",
            fulfilled_on=date(2026, 3, 2),
            today=TODAY,
        )


@pytest.mark.parametrize("who", [LEADER, VEILEDER, SUPERVISOR])
def test_only_the_candidate_registers_activities_R9(
    team: Team, goal: LearningGoal, who: object
) -> None:
    with pytest.raises(ForbiddenError, match="R9"):
        goal.register_activity(
            team.actor(who),
            activity_id="a",
            title="t",
            kind="course",  # type: ignore[arg-type]
            fulfilled_on=TODAY,
            today=TODAY,
        )


def test_activity_cannot_be_sent_to_someone_who_is_not_supervisor_or_veileder_R9(
    team: Team,
) -> None:
    with pytest.raises(ConflictError, match="R9"):
        team.candidate.signer("leader")


def test_named_supervisor_signs_activity_R10(team: Team, goal: LearningGoal) -> None:
    register(team, goal)
    send_to(team, goal, "sup1")
    goal.collect_events()
    goal.sign_activity(team.actor(SUPERVISOR), activity_id="a1", comment="Bra")
    (event,) = goal.collect_events()
    assert isinstance(event, LearningGoal.ActivitySigned)
    assert event.actor == "sup1"
    assert goal.activities["a1"]["state"] == "signed"


def test_supervisor_cannot_sign_activity_sent_to_another_R10(
    team: Team, goal: LearningGoal
) -> None:
    register(team, goal)
    send_to(team, goal, "sup1")
    with pytest.raises(ForbiddenError, match="R10: this activity was sent to Siri"):
        goal.sign_activity(team.actor(SUPERVISOR_2), activity_id="a1")
    assert goal.activities["a1"]["state"] == "sent_for_signing"


def test_veileder_may_sign_activities_sent_to_them_R10(team: Team, goal: LearningGoal) -> None:
    register(team, goal)
    send_to(team, goal, "veileder")
    goal.sign_activity(team.actor(VEILEDER), activity_id="a1")
    assert goal.activities["a1"]["state"] == "signed"


def test_rejection_needs_a_reason_and_the_activity_may_be_sent_again_R10(
    team: Team, goal: LearningGoal
) -> None:
    register(team, goal)
    send_to(team, goal, "sup1")
    with pytest.raises(InvalidInputError, match="reason"):
        goal.reject_activity(team.actor(SUPERVISOR), activity_id="a1", reason=" ")
    goal.reject_activity(team.actor(SUPERVISOR), activity_id="a1", reason="Mangler kursbevis")
    assert goal.activities["a1"]["state"] == "rejected"
    send_to(team, goal, "sup2")
    goal.sign_activity(team.actor(SUPERVISOR_2), activity_id="a1")
    assert goal.activities["a1"]["signer_sub"] == "sup2"


def test_a_signed_activity_cannot_be_signed_again_R10(team: Team, goal: LearningGoal) -> None:
    register(team, goal)
    send_to(team, goal, "sup1")
    goal.sign_activity(team.actor(SUPERVISOR), activity_id="a1")
    with pytest.raises(ConflictError):
        goal.sign_activity(team.actor(SUPERVISOR), activity_id="a1")


def test_unknown_activity_is_not_found(team: Team, goal: LearningGoal) -> None:
    with pytest.raises(NotFoundError):
        goal.sign_activity(team.actor(SUPERVISOR), activity_id="nope")


def test_candidate_sends_goal_and_the_leader_becomes_approver_R6(
    team: Team, goal: LearningGoal
) -> None:
    send_for_approval(team, goal)
    assert goal.state == "sent_for_approval"
    assert (goal.approver_sub, goal.completed_on) == ("leader", date(2026, 2, 20))


def test_goal_cannot_be_sent_twice_while_waiting_R6(team: Team, goal: LearningGoal) -> None:
    send_for_approval(team, goal)
    with pytest.raises(ConflictError, match="R6"):
        send_for_approval(team, goal)


def test_approving_unsent_goal_is_refused_R7(team: Team, goal: LearningGoal) -> None:
    with pytest.raises(ConflictError, match="R7: goal ALM-001 is not_started"):
        goal.approve(team.actor(LEADER))
    assert goal.version == 1


def test_veileder_cannot_approve_goal_R7(team: Team, goal: LearningGoal) -> None:
    send_for_approval(team, goal)
    with pytest.raises(ForbiddenError, match="R7"):
        goal.approve(team.actor(VEILEDER))


def test_deputy_may_approve_on_behalf_of_the_leader_R7(team: Team, goal: LearningGoal) -> None:
    send_for_approval(team, goal)
    goal.approve(team.actor(DEPUTY))
    assert (goal.state, goal.decided_by_sub) == ("approved", "deputy")


def test_goal_can_be_approved_without_signed_activities_R11(team: Team, goal: LearningGoal) -> None:
    send_for_approval(team, goal)
    goal.approve(team.actor(LEADER), comment="Kompetanse vurdert, §37")
    assert goal.state == "approved"
    assert goal.activities == {}


def test_rejected_goal_may_be_sent_again_and_approved_R7(team: Team, goal: LearningGoal) -> None:
    send_for_approval(team, goal)
    goal.reject(team.actor(LEADER), reason="Trenger mer erfaring")
    assert goal.state == "rejected"
    send_for_approval(team, goal)
    goal.approve(team.actor(LEADER))
    assert goal.state == "approved"


def test_approved_goal_cannot_be_sent_again(team: Team, goal: LearningGoal) -> None:
    send_for_approval(team, goal)
    goal.approve(team.actor(LEADER))
    with pytest.raises(ConflictError):
        send_for_approval(team, goal)


def test_only_veileder_comments_to_the_leader_R13(team: Team, goal: LearningGoal) -> None:
    goal.comment(team.actor(VEILEDER), comment_id="c1", text="Progresjon som forventet")
    assert goal.comments[0]["author_sub"] == "veileder"
    with pytest.raises(ForbiddenError, match="R13"):
        goal.comment(team.actor(SUPERVISOR), comment_id="c2", text="x")


def test_unrelated_person_gets_not_found_on_goal_commands(team: Team, goal: LearningGoal) -> None:
    with pytest.raises(NotFoundError):
        goal.approve(team.actor(STRANGER))


def test_auditor_cannot_approve(team: Team, goal: LearningGoal) -> None:
    send_for_approval(team, goal)
    with pytest.raises(ForbiddenError):
        goal.approve(team.actor(AUDITOR))


def test_imported_approval_applies_once_per_source_event_R23(goal: LearningGoal) -> None:
    kwargs = dict(
        source_portal="hospital-hso",
        source_event_id="e-1",
        approved_at=datetime(2025, 6, 1, tzinfo=UTC),
        approver_name="Dr. Sykehus",
    )
    assert goal.import_approval(SYNC, **kwargs) is True  # type: ignore[arg-type]
    assert goal.import_approval(SYNC, **kwargs) is False  # type: ignore[arg-type]
    assert goal.state == "approved"
    assert [type(e).__name__ for e in goal.collect_events()].count("ApprovalImported") == 1


def test_withdrawn_goal_refuses_commands_until_reopened_R5(team: Team, goal: LearningGoal) -> None:
    goal.withdraw(team.actor(LEADER), reason="plan fjernet")
    with pytest.raises(ConflictError, match="R5"):
        register(team, goal)
    goal.reopen(team.actor(LEADER), plan_code="ALM", version="2026.1")
    register(team, goal)


def test_refused_command_records_no_event(team: Team, goal: LearningGoal) -> None:
    goal.collect_events()
    with pytest.raises(ConflictError):
        goal.approve(team.actor(LEADER))
    assert goal.collect_events() == []


def test_replaying_recorded_events_rebuilds_an_equal_goal(team: Team, goal: LearningGoal) -> None:
    register(team, goal)
    send_to(team, goal, "sup1")
    goal.reject_activity(team.actor(SUPERVISOR), activity_id="a1", reason="Nei")
    goal.comment(team.actor(VEILEDER), comment_id="c", text="ok")
    send_for_approval(team, goal)
    goal.approve(team.actor(LEADER))
    assert replay(list(goal.collect_events())) == goal


def test_waiting_activity_may_be_rerouted_to_another_signer_R9(
    team: Team, goal: LearningGoal
) -> None:
    register(team, goal)
    send_to(team, goal, "sup1")
    team.candidate.revoke_role(team.actor(LIS), role="supervisor", sub="sup1", reason="sluttet")
    send_to(team, goal, "sup2")
    goal.sign_activity(team.actor(SUPERVISOR_2), activity_id="a1")
    assert (goal.activities["a1"]["state"], goal.activities["a1"]["signer_sub"]) == (
        "signed",
        "sup2",
    )


def test_activity_cannot_be_sent_twice_to_the_same_signer_or_after_signing_R9(
    team: Team, goal: LearningGoal
) -> None:
    register(team, goal)
    send_to(team, goal, "sup1")
    with pytest.raises(ConflictError, match="already waiting"):
        send_to(team, goal, "sup1")
    goal.sign_activity(team.actor(SUPERVISOR), activity_id="a1")
    with pytest.raises(ConflictError, match="final"):
        send_to(team, goal, "sup2")
