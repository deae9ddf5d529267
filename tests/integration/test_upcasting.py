"""Candidates registered before `hpr_number` existed still load (ADR 0003), on every store.

`Candidate.Registered` is at class_version 2: version 2 added `hpr_number`. The
library writes `class_version` into a stored event's state only when it is above 1,
so a genuine version-1 event is one whose state has neither `hpr_number` nor the
`class_version` marker. We write such an event straight into the store and load it
through a new application: the upcaster supplies `hpr_number = None`. Without the
upcaster the same stored event cannot be loaded at all.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Role
from support.domain import NOW, application, context, make_identities

PEOPLE = make_identities()


def registered_v2() -> Candidate:
    return Candidate.register(
        PEOPLE.candidate,
        name="Lise Lege",
        email="lise.lege@example.no",
        specialty="ALM",
        organisation_id="0301",
        organisation_name="Oslo kommune",
        hpr_number="7654321",
    )


def stored_state(app: KompetanseApplication, stored: StoredEvent) -> dict[str, Any]:
    state: dict[str, Any] = app.mapper.transcoder.decode(stored.state)
    return state


def write_v1_registration(app: KompetanseApplication) -> tuple[UUID, dict[str, Any]]:
    """Store a Registered event exactly as version 1 of the class wrote it."""
    (registered,) = registered_v2().collect_events()
    stored = app.mapper.to_stored_event(registered)
    state = stored_state(app, stored)
    assert state["class_version"] == 2  # how the library marks versions above 1
    del state["hpr_number"], state["class_version"]
    v1 = dataclasses.replace(stored, state=app.mapper.transcoder.encode(state))
    app.recorder.insert_events([v1])
    return registered.originator_id, state


def test_v1_registration_loads_with_hpr_number_none(database_url: str) -> None:
    with application(database_url) as writer:
        candidate_id, v1_state = write_v1_registration(writer)

    with application(database_url) as reader:
        # The store really holds the version-1 shape...
        (raw,) = reader.recorder.select_events(candidate_id)
        assert raw.originator_version == 1
        assert raw.topic.endswith("Candidate.Registered")
        assert "hpr_number" not in stored_state(reader, raw)
        assert "class_version" not in stored_state(reader, raw)
        # ...and it loads as a version-2 candidate with no HPR number.
        candidate = reader.get_candidate(candidate_id)

    assert candidate.hpr_number is None
    assert candidate.version == 1
    assert candidate.sub == PEOPLE.candidate.sub
    assert candidate.name == v1_state["name"] == "Lise Lege"
    assert candidate.email == "lise.lege@example.no"
    assert candidate.specialty == "ALM"
    assert (candidate.organisation_id, candidate.organisation_name) == ("0301", "Oslo kommune")
    assert candidate.created_on == candidate.modified_on == v1_state["timestamp"]
    assert candidate.roles_of(PEOPLE.candidate.sub) == {Role.CANDIDATE}


def test_upcast_candidate_takes_new_commands_and_replays(database_url: str) -> None:
    with application(database_url) as writer:
        candidate_id, _ = write_v1_registration(writer)
        token = writer.invite(
            context(PEOPLE.candidate),
            candidate_id,
            role="leader",
            name=PEOPLE.leader.name,
            email="leif@example.no",
        ).value["token"]
        writer.accept_invitation(context(PEOPLE.leader), token)
        before = writer.get_candidate(candidate_id)

    with application(database_url) as reader:
        after = reader.get_candidate(candidate_id)
        events = list(reader.events.get(candidate_id))

    assert after == before
    assert after.version == 3
    assert after.hpr_number is None
    assert after.leader == {"sub": PEOPLE.leader.sub, "name": PEOPLE.leader.name}
    assert [type(e).__name__ for e in events] == [
        "Registered",
        "InvitationIssued",
        "InvitationAccepted",
    ]
    assert events[0].hpr_number is None  # the event itself is upcast on reading


def test_v2_registration_is_stored_with_its_class_version_and_hpr_number(
    database_url: str,
) -> None:
    with application(database_url) as app:
        outcome = app.register_candidate(
            context(PEOPLE.candidate, now=NOW),
            name="Lise Lege",
            email="lise.lege@example.no",
            specialty="ALM",
            organisation_id="0301",
            organisation_name="Oslo kommune",
            hpr_number="7654321",
        )
        candidate_id = UUID(outcome.value["candidate_id"])
        (raw,) = app.recorder.select_events(candidate_id)
        state = stored_state(app, raw)
        assert (state["class_version"], state["hpr_number"]) == (2, "7654321")
        assert app.get_candidate(candidate_id).hpr_number == "7654321"


def test_v1_registration_cannot_be_loaded_without_the_upcaster(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The protection matters: with an upcaster that does nothing, loading fails."""
    with application(database_url) as writer:
        candidate_id, _ = write_v1_registration(writer)

    monkeypatch.setattr(Candidate.Registered, "upcast_v1_v2", staticmethod(lambda state: None))
    with application(database_url) as reader, pytest.raises(TypeError, match="hpr_number"):
        reader.repository.get(candidate_id)

    monkeypatch.delattr(Candidate.Registered, "upcast_v1_v2")
    with application(database_url) as reader, pytest.raises(AttributeError, match="upcast_v1_v2"):
        reader.repository.get(candidate_id)
