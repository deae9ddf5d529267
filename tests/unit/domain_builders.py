"""Builders for pure domain tests: a candidate with every role, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Actor, Identity, PlatformRole
from kompetanse_domain.model.learning_goal import LearningGoal

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 1)

LIS = Identity("lis", "Lise Lege")
LEADER = Identity("leader", "Leif Leder")
DEPUTY = Identity("deputy", "Dina Stedfortreder")
VEILEDER = Identity("veileder", "Vera Veileder")
SUPERVISOR = Identity("sup1", "Siri Supervisør")
SUPERVISOR_2 = Identity("sup2", "Sverre Supervisør")
STRANGER = Identity("stranger", "Ukjent Person")
AUDITOR = Identity("auditor", "Anne Revisor", frozenset({PlatformRole.AUDITOR}))
SYNC = Identity("sync", "Synkronisering", frozenset({PlatformRole.SYNC}))


def registered_candidate() -> Candidate:
    return Candidate.register(
        LIS,
        name="Lise Lege",
        email="lise@example.no",
        specialty="ALM",
        organisation_id="0301",
        organisation_name="Oslo kommune",
        hpr_number="1234567",
    )


def invite_and_accept(
    candidate: Candidate, inviter: Identity, invitee: Identity, role: str
) -> None:
    secret = f"secret-{invitee.sub}-{role}"
    invitation_id = f"inv-{invitee.sub}-{role}"
    candidate.invite(
        candidate.actor(inviter),
        invitation_id=invitation_id,
        role=role,
        name=invitee.name,
        email=f"{invitee.sub}@example.no",
        secret=secret,
        expires_at=NOW + timedelta(days=30),
    )
    candidate.accept_invitation(invitee, invitation_id=invitation_id, secret=secret, now=NOW)


@dataclass
class Team:
    candidate: Candidate

    def actor(self, identity: Identity) -> Actor:
        return self.candidate.actor(identity)


def staffed_candidate() -> Team:
    """A candidate with leader, deputy, veileder and two supervisors."""
    candidate = registered_candidate()
    invite_and_accept(candidate, LIS, LEADER, "leader")
    invite_and_accept(candidate, LEADER, DEPUTY, "deputy")
    invite_and_accept(candidate, LIS, VEILEDER, "veileder")
    invite_and_accept(candidate, LIS, SUPERVISOR, "supervisor")
    invite_and_accept(candidate, LIS, SUPERVISOR_2, "supervisor")
    return Team(candidate)


def open_goal(team: Team, code: str = "ALM-001") -> LearningGoal:
    return LearningGoal.open(
        team.actor(LEADER),
        candidate_id=team.candidate.id,
        code=code,
        plan_code="ALM",
        version="2026.1",
    )


def replay(aggregate_events: list[object]) -> object:
    """Fold recorded events into a new aggregate, as the repository does."""
    aggregate = None
    for event in aggregate_events:
        aggregate = event.mutate(aggregate)  # type: ignore[attr-defined]
    return aggregate
