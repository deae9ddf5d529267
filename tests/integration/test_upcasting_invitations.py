"""Invitations issued before v1.1 still load (ADR 0003), on every store.

`Candidate.InvitationIssued` is at class_version 2: version 2 added `hpr_number` (the
invitation is bound to that person) and `until` (a deputy's last day). A genuine
version-1 event has neither, nor the `class_version` marker. We store one as version 1
wrote it; a new application loads it with both None, and it can still be accepted.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any
from uuid import UUID

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_state import hash_secret
from kompetanse_domain.model.identity import Role
from support.domain import NOW, application, context, make_identities

PEOPLE = make_identities()


def write_v1_invitation(app: KompetanseApplication) -> UUID:
    """A registered candidate, then an InvitationIssued exactly as version 1 stored it."""
    candidate = Candidate.register(
        PEOPLE.candidate,
        name="Lise Lege",
        email="lise.lege@example.no",
        specialty="ALM",
        organisation_id="0301",
        organisation_name="Oslo kommune",
    )
    candidate.invite(
        candidate.actor(PEOPLE.candidate),
        invitation_id="3f8a2a52-7c1e-4a55-9f6b-0d7a8f0e9b11",
        role="supervisor",
        name="Siri",
        email="siri@example.no",
        secret="hemmelig",
        expires_at=NOW + timedelta(days=3650),
    )
    registered, issued = candidate.collect_events()
    stored = app.mapper.to_stored_event(issued)
    state: dict[str, Any] = app.mapper.transcoder.decode(stored.state)
    assert (state["class_version"], state["hpr_number"], state["until"]) == (2, None, None)
    del state["class_version"], state["hpr_number"], state["until"]
    v1 = dataclasses.replace(stored, state=app.mapper.transcoder.encode(state))
    app.recorder.insert_events([app.mapper.to_stored_event(registered), v1])
    return candidate.id


def test_v1_invitation_loads_unbound_and_without_an_end(database_url: str) -> None:
    with application(database_url) as writer:
        candidate_id = write_v1_invitation(writer)

    with application(database_url) as reader:
        raw = reader.recorder.select_events(candidate_id)[1]
        state = reader.mapper.transcoder.decode(raw.state)
        assert raw.topic.endswith("Candidate.InvitationIssued")
        assert not {"hpr_number", "until", "class_version"} & state.keys()
        candidate = reader.get_candidate(candidate_id)
        event = list(reader.events.get(candidate_id))[1]

    assert (event.hpr_number, event.until) == (None, None)
    (listed,) = candidate.invitations_at(NOW)
    assert (listed["state"], listed["hpr_number"], listed["until"]) == ("pending", None, None)
    assert candidate.invitations[listed["invitation_id"]]["secret_sha256"] == hash_secret(
        "hemmelig"
    )


def test_v1_invitation_is_accepted_by_anyone_with_its_link(database_url: str) -> None:
    with application(database_url) as app:
        candidate_id = write_v1_invitation(app)
        token = f"{candidate_id.hex}.{UUID('3f8a2a52-7c1e-4a55-9f6b-0d7a8f0e9b11').hex}.hemmelig"
        app.accept_invitation(context(PEOPLE.supervisor), token, hpr_number="1234567")
        candidate = app.get_candidate(candidate_id)

    assert Role.SUPERVISOR in candidate.roles_of(PEOPLE.supervisor.sub)
