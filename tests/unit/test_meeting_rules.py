"""SupervisionMeeting rules R15-R18."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from kompetanse_domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kompetanse_domain.model.meeting import SupervisionMeeting
from unit.domain_builders import (
    LIS,
    STRANGER,
    SUPERVISOR,
    TODAY,
    VEILEDER,
    Team,
    replay,
    staffed_candidate,
)


@pytest.fixture
def team() -> Team:
    return staffed_candidate()


@pytest.fixture
def meeting(team: Team) -> SupervisionMeeting:
    return SupervisionMeeting.create(
        team.actor(VEILEDER),
        meeting_id=uuid.uuid4(),
        candidate_id=team.candidate.id,
        scheduled_for=date(2026, 3, 1),
        planned_minutes=60,
    )


def test_only_the_veileder_creates_meetings_R15(team: Team) -> None:
    with pytest.raises(ForbiddenError, match="R15"):
        SupervisionMeeting.create(
            team.actor(LIS),
            meeting_id=uuid.uuid4(),
            candidate_id=team.candidate.id,
            scheduled_for=date(2026, 3, 1),
            planned_minutes=60,
        )


def test_candidate_and_veileder_each_write_their_own_preparation_R15(
    team: Team, meeting: SupervisionMeeting
) -> None:
    meeting.write_preparation(team.actor(LIS), text="Vil snakke om vaktbelastning")
    meeting.write_preparation(team.actor(VEILEDER), text="Ta opp ALM-001")
    assert meeting.preparations == {
        "candidate": "Vil snakke om vaktbelastning",
        "veileder": "Ta opp ALM-001",
    }


def test_supervisor_cannot_write_in_a_meeting_R15(team: Team, meeting: SupervisionMeeting) -> None:
    with pytest.raises(ForbiddenError):
        meeting.write_preparation(team.actor(SUPERVISOR), text="x")


def test_unrelated_person_gets_not_found_on_meeting(
    team: Team, meeting: SupervisionMeeting
) -> None:
    with pytest.raises(NotFoundError):
        meeting.write_preparation(team.actor(STRANGER), text="x")


def test_every_summary_revision_is_an_event_naming_its_author_R16(
    team: Team, meeting: SupervisionMeeting
) -> None:
    meeting.collect_events()
    meeting.revise_summary(team.actor(LIS), text="Utkast", goals_discussed=[], known_goals=set())
    meeting.revise_summary(
        team.actor(VEILEDER), text="Endelig", goals_discussed=["ALM-001"], known_goals={"ALM-001"}
    )
    events = meeting.collect_events()
    assert [(e.actor, e.text) for e in events] == [("lis", "Utkast"), ("veileder", "Endelig")]  # type: ignore[attr-defined]


def test_goals_discussed_must_be_goals_of_the_candidate_R18(
    team: Team, meeting: SupervisionMeeting
) -> None:
    with pytest.raises(InvalidInputError, match=r"R18.*ALM-999"):
        meeting.revise_summary(
            team.actor(VEILEDER), text="x", goals_discussed=["ALM-999"], known_goals={"ALM-001"}
        )


def test_candidate_cannot_finalise_meeting_R17(team: Team, meeting: SupervisionMeeting) -> None:
    with pytest.raises(ForbiddenError, match="R17: only the veileder may finalise"):
        meeting.finalise(team.actor(LIS), held_on=TODAY, duration_minutes=45, today=TODAY)


def test_edit_after_finalise_is_refused_R17(team: Team, meeting: SupervisionMeeting) -> None:
    meeting.revise_summary(team.actor(VEILEDER), text="s", goals_discussed=[], known_goals=set())
    meeting.finalise(team.actor(VEILEDER), held_on=TODAY, duration_minutes=45, today=TODAY)
    for write in (
        lambda: meeting.write_preparation(team.actor(LIS), text="for sent"),
        lambda: meeting.revise_summary(
            team.actor(VEILEDER), text="x", goals_discussed=[], known_goals=set()
        ),
        lambda: meeting.finalise(
            team.actor(VEILEDER), held_on=TODAY, duration_minutes=1, today=TODAY
        ),
    ):
        with pytest.raises(ConflictError, match="R17"):
            write()
    assert meeting.state == "finalised"


def test_duration_must_be_positive(team: Team, meeting: SupervisionMeeting) -> None:
    with pytest.raises(InvalidInputError, match="duration_minutes"):
        meeting.finalise(team.actor(VEILEDER), held_on=TODAY, duration_minutes=0, today=TODAY)


def test_replaying_recorded_events_rebuilds_an_equal_meeting(
    team: Team, meeting: SupervisionMeeting
) -> None:
    meeting.write_preparation(team.actor(LIS), text="p")
    meeting.revise_summary(team.actor(LIS), text="s", goals_discussed=[], known_goals=set())
    meeting.finalise(team.actor(VEILEDER), held_on=TODAY, duration_minutes=50, today=TODAY)
    assert replay(list(meeting.collect_events())) == meeting
