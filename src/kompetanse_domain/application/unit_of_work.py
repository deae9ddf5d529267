"""The one place a command is carried out: idempotency, If-Match, retries (ADR 0007).

A use case hands `_execute` a `decide` function that loads what it needs, calls one
command on an aggregate and returns the `changes` to save. `_execute` then

- answers a repeated request (same actor, same `Idempotency-Key`) with the first
  outcome, or refuses a key reused for a different request;
- checks `If-Match` against the version the changed aggregate was loaded at, after
  the domain's own refusal (a 404, 403 or 409 wins over a 412, RFC 9110 13.2.1);
- saves the changes and the idempotency receipt in one atomic `save()`, and runs
  `decide` again on fresh state when another writer got there first.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.receipts import CommandReceipt, receipt_id
from kompetanse_domain.errors import (
    ConflictError,
    IdempotencyKeyReusedError,
    UnavailableError,
    VersionMismatchError,
)
from kompetanse_domain.model import values

ATTEMPTS = 5

A = TypeVar("A", bound=Aggregate)

_LOADED: ContextVar[list[int] | None] = ContextVar("loaded_versions", default=None)
"""The versions the aggregates one decision changes were loaded at (checked with If-Match)."""


@dataclass(frozen=True)
class Decision:
    """What a use case decided: the aggregates to save, the first being the one whose
    version the command answers with, and the values to answer with."""

    changed: tuple[Aggregate, ...]
    value: dict[str, Any] = field(default_factory=dict)


def changes(target: Aggregate, *others: Aggregate, value: dict[str, Any] | None = None) -> Decision:
    """Save `target` (the command answers with its version) and `others` together."""
    return Decision((target, *others), dict(value or {}))


class UnitOfWork(Application[UUID]):
    """Runs one decision and saves it atomically (mixed into `KompetanseApplication`)."""

    def _execute(self, ctx: CommandContext, decide: Callable[[], Decision]) -> Outcome:
        """Run a decision and save it atomically, with idempotency and retry on races."""
        values.check_person(ctx.identity.sub, ctx.identity.name)
        try:
            for _ in range(ATTEMPTS):
                prior = self._prior_outcome(ctx)
                if prior is not None:
                    return prior
                loaded: list[int] = []
                reset = _LOADED.set(loaded)
                try:
                    decision = decide()
                finally:
                    _LOADED.reset(reset)
                self._check_preconditions(ctx, loaded)  # after the domain's own refusals
                version = decision.changed[0].version
                value = decision.value
                to_save = list(decision.changed)
                if ctx.idempotency_key:
                    to_save.append(
                        CommandReceipt(
                            actor=ctx.identity.sub,
                            key=ctx.idempotency_key,
                            fingerprint=ctx.fingerprint,
                            value=value,
                            version=version,
                        )
                    )
                try:
                    recordings = self.save(*to_save)
                except IntegrityError:
                    if ctx.expected_version is not None and not ctx.idempotency_key:
                        raise VersionMismatchError(
                            "The resource was changed meanwhile; reload it and try again"
                        ) from None
                    continue
                position = max((r.notification.id for r in recordings), default=0)
                return Outcome(value=value, position=position, version=version)
        except (OperationalError, InterfaceError) as error:
            raise UnavailableError(f"The event store is unavailable: {error}") from None
        raise ConflictError("The resource is being changed by others right now; try again")

    @staticmethod
    def _target(aggregate: A, ctx: CommandContext) -> A:
        """The aggregate a command changes; `If-Match` is checked against the version it
        was loaded at, but only once the command itself has run: a refusal (404, 403,
        409) wins over a failed precondition (RFC 9110 13.2.1)."""
        loaded = _LOADED.get()
        if loaded is None:  # outside `_execute`: check at once
            UnitOfWork._check_preconditions(ctx, [aggregate.version])
        elif ctx.expected_version is not None:
            loaded.append(aggregate.version)
        return aggregate

    @staticmethod
    def _check_preconditions(ctx: CommandContext, loaded_versions: list[int]) -> None:
        for loaded in loaded_versions:
            if ctx.expected_version is not None and loaded != ctx.expected_version:
                if ctx.expected_version < 0:
                    raise VersionMismatchError(
                        'If-Match is not one ETag such as "3"; send the ETag you read'
                    )
                raise VersionMismatchError(
                    f"The resource is at version {loaded}, not {ctx.expected_version}; "
                    "reload it and try again"
                )

    def _prior_outcome(self, ctx: CommandContext) -> Outcome | None:
        if not ctx.idempotency_key:
            return None
        receipt = self._find_receipt(receipt_id(ctx.identity.sub, ctx.idempotency_key))
        if receipt is None:
            return None
        if receipt.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyReusedError(
                "This Idempotency-Key was used for a different request; use a new key"
            )
        return Outcome(
            value=dict(receipt.value),
            position=self.recorder.max_notification_id() or 0,
            version=receipt.result_version,
            replayed=True,
        )

    def _find_receipt(self, receipt: UUID) -> CommandReceipt | None:
        """A receipt is one event and never snapshotted: read it from the event store
        alone, not the snapshots first as the repository does (a round trip less for
        every command sent with an Idempotency-Key, which is nearly all of them)."""
        try:
            found = project_aggregate(None, self.events.get(receipt, limit=1))
        except (OperationalError, InterfaceError) as error:
            raise UnavailableError(f"The event store is unavailable: {error}") from None
        return found if isinstance(found, CommandReceipt) else None
