"""Shared builders for domain and application tests.

- `make_identities()`: the people around one candidate, plus an unrelated person,
  an auditor and the sync job.
- `build_candidate(people)`: a pure, in-memory Candidate with every role accepted.
- `register_team(app, people)`: the same through a KompetanseApplication, returning ids.
- `replay(events)`: fold recorded events into a new aggregate, as the repository does.
- state-machine support: the refusal a command must meet (`role_refusal`, `first`, ...),
  a `Ledger` that checks what each command recorded, and input strategies.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

import hypothesis
import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper
from hypothesis import strategies as st

from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.catalogue import PlanDefinition
from kompetanse_domain.errors import DomainError, ForbiddenError, InvalidInputError, NotFoundError
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Identity, PlatformRole, Role
from kompetanse_store.urls import event_store_env

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)
HPR_NUMBER = "1234567"
INVITATION_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class People:
    """Everyone a test needs; `by_label()` names them for random choice."""

    candidate: Identity
    leader: Identity
    deputy: Identity
    veileder: Identity
    supervisor: Identity
    supervisor_2: Identity
    stranger: Identity
    auditor: Identity
    sync: Identity

    def by_label(self) -> dict[str, Identity]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def make_identities() -> People:
    return People(
        candidate=Identity("lis-sub", "Lise Lege"),
        leader=Identity("leader-sub", "Leif Leder"),
        deputy=Identity("deputy-sub", "Dina Stedfortreder"),
        veileder=Identity("veileder-sub", "Vera Veileder"),
        supervisor=Identity("sup1-sub", "Siri Supervisør"),
        supervisor_2=Identity("sup2-sub", "Sverre Supervisør"),
        stranger=Identity("stranger-sub", "Ukjent Person"),
        auditor=Identity("auditor-sub", "Anne Revisor", frozenset({PlatformRole.AUDITOR})),
        sync=Identity("sync-sub", "Portal-synk", frozenset({PlatformRole.SYNC})),
    )


def unique_people(tag: str | None = None) -> People:
    """The usual people with subs no other team in the database has."""
    tag = tag or uuid.uuid4().hex[:6]
    base = make_identities()
    return People(
        **{
            label: Identity(f"{person.sub}-{tag}", person.name, person.platform_roles)
            for label, person in base.by_label().items()
        }
    )


def versioned_plan(version: str, numbers: Iterable[int], source: str) -> PlanDefinition:
    """Plan VER in `version`, with goals VER-<n> for each n (R30's tests)."""
    return PlanDefinition.model_validate(
        {
            "code": "VER",
            "title": "Versjonert plan",
            "version": version,
            "part": "part3",
            "specialty": None,
            "sample_titles": True,
            "source": source,
            "goals": [
                {"code": f"VER-{n:03d}", "title": f"Mål {n}", "competence_level": "kjenne til"}
                for n in numbers
            ],
        }
    )


def context(identity: Identity, **kwargs: Any) -> CommandContext:
    """A command context at the fixed test instant (dates are then deterministic)."""
    kwargs.setdefault("now", NOW)
    return CommandContext(identity=identity, **kwargs)


# -- pure domain ---------------------------------------------------------------------


def build_candidate(people: People, *, specialty: str = "ALM") -> Candidate:
    """A registered candidate whose leader, deputy, veileder and supervisors accepted."""
    candidate = Candidate.register(
        people.candidate,
        name=people.candidate.name,
        email="lise.lege@example.no",
        specialty=specialty,
        organisation_id="0301",
        organisation_name="Oslo kommune",
        hpr_number=HPR_NUMBER,
    )
    invitations = [
        (people.candidate, people.leader, "leader"),
        (people.candidate, people.veileder, "veileder"),
        (people.candidate, people.supervisor, "supervisor"),
        (people.candidate, people.supervisor_2, "supervisor"),
        (people.leader, people.deputy, "deputy"),
    ]
    for inviter, invitee, role in invitations:
        invitation_id = f"inv-{invitee.sub}-{role}"
        secret = f"secret-{invitee.sub}-{role}"
        candidate.invite(
            candidate.actor(inviter),
            invitation_id=invitation_id,
            role=role,
            name=invitee.name,
            email=f"{invitee.sub}@example.no",
            secret=secret,
            expires_at=NOW + INVITATION_LIFETIME,
        )
        candidate.accept_invitation(invitee, invitation_id=invitation_id, secret=secret, now=NOW)
    return candidate


def replay(events: Iterable[Any]) -> Any:
    """Fold events: the created event builds the aggregate, the rest mutate it."""
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


# -- through the application -----------------------------------------------------------


@contextmanager
def application(database_url: str) -> Iterator[KompetanseApplication]:
    """A KompetanseApplication on the database, closed afterwards (one per "process")."""
    app = KompetanseApplication(env=event_store_env(database_url))
    try:
        yield app
    finally:
        app.close()


@dataclass(frozen=True)
class Team:
    """Ids of a candidate registered through an application, with every role accepted."""

    people: People
    candidate_id: UUID
    roles: dict[str, str] = field(default_factory=dict)


def register_team(
    app: KompetanseApplication,
    people: People | None = None,
    *,
    hpr_number: str | None = HPR_NUMBER,
    plans: Iterable[str] = (),
) -> Team:
    """Register the candidate, invite and accept every role, and assign `plans`."""
    people = people or make_identities()
    outcome = app.register_candidate(
        context(people.candidate),
        name=people.candidate.name,
        email="lise.lege@example.no",
        specialty="ALM",
        organisation_id="0301",
        organisation_name="Oslo kommune",
        hpr_number=hpr_number,
    )
    candidate_id = UUID(outcome.value["candidate_id"])
    invitations = [
        (people.candidate, people.leader, "leader"),
        (people.candidate, people.veileder, "veileder"),
        (people.candidate, people.supervisor, "supervisor"),
        (people.candidate, people.supervisor_2, "supervisor"),
        (people.leader, people.deputy, "deputy"),
    ]
    roles: dict[str, str] = {}
    for inviter, invitee, role in invitations:
        token = app.invite(
            context(inviter),
            candidate_id,
            role=role,
            name=invitee.name,
            email=f"{invitee.sub}@example.no",
        ).value["token"]
        roles[invitee.sub] = app.accept_invitation(context(invitee), token).value["role"]
    for plan_code in plans:
        app.assign_plan(context(people.leader), candidate_id, plan_code=plan_code)
    return Team(people=people, candidate_id=candidate_id, roles=roles)


# -- state-machine support: expected refusals and a ledger of recorded events ---------

ROLES_BY_LABEL: dict[str, frozenset[Role]] = {
    "candidate": frozenset({Role.CANDIDATE}),
    "leader": frozenset({Role.LEADER}),
    "deputy": frozenset({Role.DEPUTY}),
    "veileder": frozenset({Role.VEILEDER}),
    "supervisor": frozenset({Role.SUPERVISOR}),
    "supervisor_2": frozenset({Role.SUPERVISOR}),
    "stranger": frozenset(),
    "auditor": frozenset(),
    "sync": frozenset(),
}
RULE_MESSAGE = re.compile(r"^R\d+: ")
Refusal = type[DomainError] | None


def role_refusal(label: str, allowed: tuple[Role, ...]) -> Refusal:
    """Unrelated people learn nothing (404); a related person in the wrong role gets 403."""
    roles = ROLES_BY_LABEL[label]
    if roles & set(allowed):
        return None
    if not roles and label != "auditor":
        return NotFoundError
    return ForbiddenError


def unrelated_refusal(label: str) -> Refusal:
    """Reading a candidate's goals: everyone related, and auditors (R14, R24)."""
    return NotFoundError if not ROLES_BY_LABEL[label] and label != "auditor" else None


def text_refusal(text: str, limit: int) -> Refusal:
    stripped = text.strip()
    return InvalidInputError if not stripped or len(stripped) > limit else None


def first(*refusals: Refusal) -> Refusal:
    """The refusal of the first guard that fails (guards run in this order)."""
    return next((refusal for refusal in refusals if refusal is not None), None)


@cache
def in_memory_mapper() -> Mapper[Any]:
    """The application's real mapper (its transcodings included) on the in-memory store."""
    return KompetanseApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper


def round_trip(event: Any) -> Any:
    """Encode an event as the store would and decode it again; it must come back equal."""
    mapper = in_memory_mapper()
    decoded = mapper.to_domain_event(mapper.to_stored_event(event))
    assert type(decoded) is type(event)
    assert vars(decoded) == vars(event)
    return decoded


class Ledger:
    """The events recorded by the aggregates under test, taken after every command."""

    def __init__(self, **aggregates: Aggregate) -> None:
        self.aggregates = aggregates
        self.recorded: dict[str, list[Any]] = {name: [] for name in aggregates}
        self.decoded: dict[str, list[Any]] = {name: [] for name in aggregates}
        self.collect()

    def collect(self) -> dict[str, list[Any]]:
        """Take the pending events; each must be the next version of its aggregate."""
        new: dict[str, list[Any]] = {}
        for name, aggregate in self.aggregates.items():
            new[name] = list(aggregate.collect_events())
            for event in new[name]:
                assert event.originator_id == aggregate.id
                assert event.originator_version == len(self.recorded[name]) + 1
                self.recorded[name].append(event)
                self.decoded[name].append(round_trip(event))
            assert aggregate.version == len(self.recorded[name])
        return new

    def attempt(
        self,
        what: str,
        actor_sub: str,
        refusal: Refusal,
        command: Callable[[], Any],
        **expected: list[type[Any]],
    ) -> Any:
        """Run a command. Accepted: exactly the `expected` event types, by the actor.
        Refused: the typed error family, and nothing recorded or changed anywhere."""
        hypothesis.event(f"{what}: {refusal.__name__ if refusal else 'accepted'}")
        if refusal is not None:
            before = {name: copy.deepcopy(vars(a)) for name, a in self.aggregates.items()}
            with pytest.raises(refusal) as raised:
                command()
            for name, aggregate in self.aggregates.items():
                assert aggregate.pending_events == []
                assert aggregate.version == len(self.recorded[name])
                assert vars(aggregate) == before[name]
            if refusal is ForbiddenError:  # STYLE 3: the message names the rule
                assert RULE_MESSAGE.match(raised.value.message), raised.value.message
            return None
        result = command()
        new = self.collect()
        for name in self.aggregates:
            assert [type(e) for e in new[name]] == expected.get(name, [])
            assert all(e.actor == actor_sub for e in new[name])
        return result

    def check_versions(self) -> None:
        for name, aggregate in self.aggregates.items():
            versions = [e.originator_version for e in self.recorded[name]]
            assert versions == list(range(1, aggregate.version + 1))

    def check_replay(self) -> None:
        """Folding the events, before and after serialisation, rebuilds equal aggregates."""
        for name, aggregate in self.aggregates.items():
            assert replay(self.recorded[name]) == aggregate
            assert replay(self.decoded[name]) == aggregate


def who(*usual: str) -> st.SearchStrategy[str]:
    """Mostly someone whose role usually does this, otherwise anyone at all."""
    return st.one_of(st.sampled_from(usual), st.sampled_from(usual), anyone)


def flaws(*kinds: str) -> st.SearchStrategy[str | None]:
    """Mostly well-formed input; otherwise one named flaw."""
    return st.sampled_from([*[None] * (2 * len(kinds) + 2), *kinds])


def text_with(flaw: str | None, good: str, *, limit: int) -> str:
    return {"empty": "", "blank": "   ", "long": "x" * (limit + 1)}.get(flaw or "", good)


anyone: st.SearchStrategy[str] = st.sampled_from(tuple(ROLES_BY_LABEL))
