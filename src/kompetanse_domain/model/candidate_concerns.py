"""Concerns of the mentor about a candidate (R26).

The veileder tells the leader that progress over time is not as expected: a concern
about the candidate as a whole, not a comment on one goal. The leader or a deputy
answers it with a note, which resolves it; nothing is deleted, and history shows both.

`CandidateConcerns` is mixed into `Candidate`, which lists `CONCERN_EVENTS` in its own
body: the library then redefines them there (subclasses of `Candidate.Event`), so they
are stored under the candidate's topic (`Candidate.ConcernRaised`, ...) and chained with
its other events (ADR 0011). A candidate stored before concerns existed (a snapshot
without the attribute) has none.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from eventsourcing.domain import Aggregate

from kompetanse_domain.errors import ConflictError, NotFoundError
from kompetanse_domain.model.acting import trigger_by
from kompetanse_domain.model.guards import (
    NotRelatedError,
    RoleNotPermittedError,
    check_role,
    reason_text,
)
from kompetanse_domain.model.identity import Actor, Role
from kompetanse_domain.model.vocabulary import ConcernState

CONCERN_READERS = (Role.CANDIDATE, Role.LEADER, Role.DEPUTY, Role.VEILEDER)


class ConcernNotFoundError(NotFoundError):
    """Raised for a concern id this candidate does not have."""


class ConcernAlreadyResolvedError(ConflictError):
    """Raised when a resolved concern is resolved again (R26)."""


class ConcernRecord(TypedDict):
    text: str
    raised_by_sub: str
    raised_by_name: str
    raised_at: datetime
    state: str
    resolved_by_sub: str | None
    resolved_by_name: str | None
    resolved_at: datetime | None
    note: str | None


class _Event(Aggregate.Event):
    actor: str
    actor_name: str


class ConcernRaised(_Event):
    """R26: the veileder's concern about the candidate's progress."""

    concern_id: str
    text: str

    def apply(self, aggregate: Any) -> None:
        concerns_of(aggregate)[self.concern_id] = ConcernRecord(
            text=self.text,
            raised_by_sub=self.actor,
            raised_by_name=self.actor_name,
            raised_at=self.timestamp,
            state=ConcernState.OPEN,
            resolved_by_sub=None,
            resolved_by_name=None,
            resolved_at=None,
            note=None,
        )


class ConcernResolved(_Event):
    """R26: the leader's (or a deputy's) answer, which resolves the concern."""

    concern_id: str
    note: str

    def apply(self, aggregate: Any) -> None:
        concern = concerns_of(aggregate)[self.concern_id]
        concern["state"] = ConcernState.RESOLVED
        concern["resolved_by_sub"] = self.actor
        concern["resolved_by_name"] = self.actor_name
        concern["resolved_at"] = self.timestamp
        concern["note"] = self.note


CONCERN_EVENTS = (ConcernRaised, ConcernResolved)


def concerns_of(candidate: Any) -> dict[str, ConcernRecord]:
    """The candidate's concerns by id (made empty for a candidate stored without them)."""
    concerns: dict[str, ConcernRecord] = candidate.__dict__.setdefault("concerns", {})
    return concerns


class CandidateConcerns:
    """The concern commands of `Candidate` (R26)."""

    concerns: dict[str, ConcernRecord]  # set by `Candidate.__init__`; see `concerns_of`

    if TYPE_CHECKING:  # the candidate's own copies of `CONCERN_EVENTS` (its topic)
        ConcernRaised: type[Any]
        ConcernResolved: type[Any]

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

    def raise_concern(self, actor: Actor, *, concern_id: str, text: str) -> None:
        """R26: only the candidate's veileder raises a concern, with a text."""
        check_role(actor, (Role.VEILEDER,), "R26: only the candidate's veileder raises a concern")
        text = reason_text(text, "text", "R26")
        trigger_by(self, actor, self.ConcernRaised, concern_id=concern_id, text=text)

    def resolve_concern(self, actor: Actor, *, concern_id: str, note: str) -> None:
        """R26: the leader or a deputy answers a concern with a note; once."""
        check_role(
            actor,
            (Role.LEADER, Role.DEPUTY),
            "R26: only the leader or a deputy resolves a concern",
        )
        concern = concerns_of(self).get(concern_id)
        if concern is None:
            raise ConcernNotFoundError(f"Concern {concern_id} not found for this candidate")
        if concern["state"] == ConcernState.RESOLVED:
            raise ConcernAlreadyResolvedError(
                f"R26: the concern was already resolved by {concern['resolved_by_name']}"
            )
        note = reason_text(note, "note", "R26")
        trigger_by(self, actor, self.ConcernResolved, concern_id=concern_id, note=note)

    def check_can_read_concerns(self, actor: Actor) -> None:
        """R26: the candidate, leader, deputies and veileder read the concerns; auditors
        too (R24). A supervisor is refused (403); an unrelated person learns nothing."""
        if actor.holds(*CONCERN_READERS) or actor.identity.is_auditor:
            return
        if not actor.is_related:
            raise NotRelatedError("Candidate not found, or you have no role for this candidate")
        raise RoleNotPermittedError(
            "R26: only the candidate, the leader, deputies and the veileder read concerns"
        )
