"""Candidate rules R1-R5, asserted on recorded events and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kompetanse_domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kompetanse_domain.model.candidate import Candidate, InvitationNotUsableError
from kompetanse_domain.model.identity import Role
from unit.domain_builders import (
    AUDITOR,
    DEPUTY,
    LEADER,
    LIS,
    NOW,
    STRANGER,
    SUPERVISOR,
    VEILEDER,
    invite_and_accept,
    registered_candidate,
    replay,
    staffed_candidate,
)


def test_candidate_registers_themself_with_personal_email_R1() -> None:
    candidate = registered_candidate()
    (event,) = candidate.collect_events()
    assert isinstance(event, Candidate.Registered)
    assert (event.actor, event.sub, event.email) == ("lis", "lis", "lise@example.no")


def test_registration_refuses_a_malformed_email_R1() -> None:
    with pytest.raises(InvalidInputError, match="R1"):
        Candidate.register(
            LIS,
            name="L",
            email="not-an-email",
            specialty="ALM",
            organisation_id="1",
            organisation_name="Kommune",
        )


def test_registration_refuses_an_unknown_specialty() -> None:
    with pytest.raises(InvalidInputError, match="specialty"):
        Candidate.register(
            LIS,
            name="L",
            email="l@example.no",
            specialty="XYZ",
            organisation_id="1",
            organisation_name="Kommune",
        )


def test_second_leader_invitation_is_refused_while_one_is_pending_R2() -> None:
    candidate = registered_candidate()
    kwargs = dict(
        role="leader",
        name="A",
        email="a@example.no",
        secret="s",
        expires_at=NOW + timedelta(days=1),
    )
    candidate.invite(candidate.actor(LIS), invitation_id="i1", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="R2"):
        candidate.invite(candidate.actor(LIS), invitation_id="i2", **kwargs)  # type: ignore[arg-type]


def test_second_leader_is_refused_once_one_holds_the_role_R2() -> None:
    candidate = registered_candidate()
    invite_and_accept(candidate, LIS, LEADER, "leader")
    with pytest.raises(ConflictError, match="already your leader"):
        invite_and_accept(candidate, LIS, STRANGER, "leader")


def test_any_number_of_supervisors_may_be_invited_R2() -> None:
    team = staffed_candidate()
    assert set(team.candidate.supervisors) == {"sup1", "sup2"}


def test_one_person_with_two_roles_accepts_two_invitations_R2() -> None:
    candidate = registered_candidate()
    invite_and_accept(candidate, LIS, LEADER, "leader")
    invite_and_accept(candidate, LIS, LEADER, "veileder")
    assert candidate.roles_of("leader") == {Role.LEADER, Role.VEILEDER}


def test_only_the_leader_invites_a_deputy_R7() -> None:
    candidate = registered_candidate()
    invite_and_accept(candidate, LIS, LEADER, "leader")
    with pytest.raises(ForbiddenError, match="R7"):
        invite_and_accept(candidate, LIS, DEPUTY, "deputy")


def test_a_person_gets_no_role_without_accepting_an_invitation_R3() -> None:
    candidate = registered_candidate()
    assert candidate.roles_of("leader") == frozenset()


def test_a_used_invitation_cannot_be_accepted_again_R3() -> None:
    candidate = registered_candidate()
    invite_and_accept(candidate, LIS, SUPERVISOR, "supervisor")
    with pytest.raises(InvitationNotUsableError, match="already accepted"):
        candidate.accept_invitation(
            STRANGER, invitation_id="inv-sup1-supervisor", secret="secret-sup1-supervisor", now=NOW
        )


def test_an_expired_invitation_is_refused_R3() -> None:
    candidate = registered_candidate()
    candidate.invite(
        candidate.actor(LIS),
        invitation_id="i",
        role="supervisor",
        name="S",
        email="s@example.no",
        secret="s",
        expires_at=NOW,
    )
    with pytest.raises(InvitationNotUsableError, match="expired"):
        candidate.accept_invitation(SUPERVISOR, invitation_id="i", secret="s", now=NOW)


def test_a_wrong_invitation_secret_is_not_found() -> None:
    candidate = registered_candidate()
    candidate.invite(
        candidate.actor(LIS),
        invitation_id="i",
        role="supervisor",
        name="S",
        email="s@example.no",
        secret="right",
        expires_at=NOW + timedelta(days=1),
    )
    with pytest.raises(NotFoundError):
        candidate.accept_invitation(SUPERVISOR, invitation_id="i", secret="wrong", now=NOW)


def test_the_candidate_cannot_accept_a_role_in_their_own_training_R2() -> None:
    candidate = registered_candidate()
    candidate.invite(
        candidate.actor(LIS),
        invitation_id="i",
        role="leader",
        name="Me",
        email="me@example.no",
        secret="s",
        expires_at=NOW + timedelta(days=1),
    )
    with pytest.raises(ConflictError, match="own training"):
        candidate.accept_invitation(LIS, invitation_id="i", secret="s", now=NOW)


def test_unrelated_person_cannot_even_learn_the_candidate_exists() -> None:
    candidate = registered_candidate()
    with pytest.raises(NotFoundError):
        candidate.invite(
            candidate.actor(STRANGER),
            invitation_id="i",
            role="supervisor",
            name="S",
            email="s@example.no",
            secret="s",
            expires_at=NOW,
        )


def test_leader_assigns_plan_with_catalogue_version_and_goal_codes_R4() -> None:
    team = staffed_candidate()
    team.candidate.collect_events()
    team.candidate.assign_plan(
        team.actor(LEADER), plan_code="ALM", catalogue_version="2026.1", goal_codes=["ALM-001"]
    )
    (event,) = team.candidate.collect_events()
    assert isinstance(event, Candidate.PlanAssigned)
    assert (event.catalogue_version, event.goal_codes, event.actor) == (
        "2026.1",
        ["ALM-001"],
        "leader",
    )


@pytest.mark.parametrize("who", [LIS, VEILEDER, SUPERVISOR])
def test_only_leader_or_deputy_assigns_plans_R4(who: object) -> None:
    team = staffed_candidate()
    with pytest.raises(ForbiddenError, match="R4"):
        team.candidate.assign_plan(
            team.actor(who),
            plan_code="ALM",
            catalogue_version="1",
            goal_codes=[],  # type: ignore[arg-type]
        )


def test_plan_with_unapproved_goals_cannot_be_archived_R5() -> None:
    team = staffed_candidate()
    team.candidate.assign_plan(
        team.actor(LEADER), plan_code="LIS1-KLK", catalogue_version="1", goal_codes=["LIS1-KLK-001"]
    )
    with pytest.raises(ConflictError, match="not complete"):
        team.candidate.archive_plan(
            team.actor(LEADER), plan_code="LIS1-KLK", unapproved_goals=["LIS1-KLK-001"]
        )
    team.candidate.archive_plan(team.actor(LEADER), plan_code="LIS1-KLK", unapproved_goals=[])
    assert team.candidate.plans["LIS1-KLK"]["state"] == "archived"


def test_removing_a_plan_needs_a_reason_and_keeps_history_R5() -> None:
    team = staffed_candidate()
    team.candidate.assign_plan(
        team.actor(LEADER), plan_code="SAM", catalogue_version="1", goal_codes=["SAM-001"]
    )
    with pytest.raises(InvalidInputError, match="reason"):
        team.candidate.remove_plan(team.actor(LEADER), plan_code="SAM", reason="  ")
    team.candidate.remove_plan(team.actor(LEADER), plan_code="SAM", reason="feiltildelt")
    assert team.candidate.plans["SAM"]["state"] == "removed"
    assert "SAM-001" not in team.candidate.goal_codes()


def test_auditor_may_read_but_is_refused_commands() -> None:
    team = staffed_candidate()
    auditor = team.actor(AUDITOR)
    team.candidate.check_can_read(auditor)
    with pytest.raises(ForbiddenError):
        team.candidate.assign_plan(auditor, plan_code="ALM", catalogue_version="1", goal_codes=[])


def test_supervisor_may_not_read_meetings_R17() -> None:
    team = staffed_candidate()
    with pytest.raises(ForbiddenError, match="R17"):
        team.candidate.check_can_read_meetings(team.actor(SUPERVISOR))
    team.candidate.check_can_read_meetings(team.actor(VEILEDER))


def test_replaying_recorded_events_rebuilds_an_equal_candidate() -> None:
    team = staffed_candidate()
    team.candidate.revoke_role(team.actor(LIS), role="supervisor", sub="sup2", reason="sluttet")
    events = list(team.candidate.collect_events())
    assert replay(events) == team.candidate
