"""R26 in the domain: the veileder raises a concern, the leader or a deputy resolves it
once with a note; a refusal records nothing. The events are stored as the candidate's."""

from __future__ import annotations

import pickle

import pytest
from eventsourcing.utils import get_topic

from kompetanse_domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kompetanse_domain.model.candidate import Candidate
from unit.domain_builders import (
    AUDITOR,
    DEPUTY,
    LEADER,
    LIS,
    STRANGER,
    SUPERVISOR,
    VEILEDER,
    Team,
    replay,
    staffed_candidate,
)


@pytest.fixture
def team() -> Team:
    return staffed_candidate()


def test_r26_concern_events_are_stored_under_the_candidates_topic() -> None:
    assert get_topic(Candidate.ConcernRaised).endswith("candidate:Candidate.ConcernRaised")
    assert get_topic(Candidate.ConcernResolved).endswith("candidate:Candidate.ConcernResolved")
    assert issubclass(Candidate.ConcernRaised, Candidate.Event)


def test_r26_only_the_veileder_raises_a_concern_and_refusals_record_nothing(team: Team) -> None:
    candidate = team.candidate
    candidate.collect_events()
    for identity, error in (
        (LIS, ForbiddenError),
        (LEADER, ForbiddenError),
        (DEPUTY, ForbiddenError),
        (SUPERVISOR, ForbiddenError),
        (AUDITOR, ForbiddenError),
        (STRANGER, NotFoundError),
    ):
        with pytest.raises(error):
            candidate.raise_concern(team.actor(identity), concern_id="c1", text="Bekymring")
    with pytest.raises(InvalidInputError, match="text"):
        candidate.raise_concern(team.actor(VEILEDER), concern_id="c1", text=" \u200b ")
    assert candidate.collect_events() == []
    assert candidate.concerns == {}

    candidate.raise_concern(team.actor(VEILEDER), concern_id="c1", text="For lite fremdrift")
    [event] = candidate.collect_events()
    assert isinstance(event, Candidate.ConcernRaised)
    assert (event.actor, event.concern_id, event.text) == ("veileder", "c1", "For lite fremdrift")
    assert candidate.concerns["c1"]["state"] == "open"


def test_r26_the_leader_or_a_deputy_resolves_once_with_a_note(team: Team) -> None:
    candidate = team.candidate
    candidate.raise_concern(team.actor(VEILEDER), concern_id="c1", text="Bekymring")
    candidate.raise_concern(team.actor(VEILEDER), concern_id="c2", text="Enda en")
    for identity in (LIS, VEILEDER, SUPERVISOR, AUDITOR):
        with pytest.raises(ForbiddenError, match="R26"):
            candidate.resolve_concern(team.actor(identity), concern_id="c1", note="Sett")
    with pytest.raises(NotFoundError):
        candidate.resolve_concern(team.actor(LEADER), concern_id="nope", note="Sett")
    with pytest.raises(InvalidInputError, match="note"):
        candidate.resolve_concern(team.actor(LEADER), concern_id="c1", note="")

    candidate.resolve_concern(team.actor(DEPUTY), concern_id="c1", note="Fulgt opp")
    candidate.resolve_concern(team.actor(LEADER), concern_id="c2", note="Avklart")
    with pytest.raises(ConflictError, match="already resolved"):
        candidate.resolve_concern(team.actor(LEADER), concern_id="c1", note="Igjen")

    resolved = candidate.concerns["c1"]
    assert (resolved["state"], resolved["resolved_by_sub"], resolved["note"]) == (
        "resolved",
        "deputy",
        "Fulgt opp",
    )
    assert replay(list(candidate.collect_events())) == candidate


def test_r26_a_candidate_stored_before_concerns_existed_takes_one(team: Team) -> None:
    """A snapshot taken before this version has no `concerns`: it starts with none."""
    team.candidate.collect_events()
    candidate = pickle.loads(pickle.dumps(team.candidate))
    del candidate.__dict__["concerns"]
    candidate.raise_concern(team.actor(VEILEDER), concern_id="c1", text="Bekymring")
    assert list(candidate.__dict__["concerns"]) == ["c1"]
