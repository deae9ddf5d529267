"""The one place a command is carried out: idempotency, If-Match, retries (ADR 0007).

A use case hands `_execute` a `decide` function that loads what it needs, calls one
command on an aggregate and returns the `changes` to save. `_execute` then

- answers a repeated request (same actor, same `Idempotency-Key`) with the first
  outcome, or refuses a key reused for a different request;
- checks `If-Match` against the version the changed aggregate was loaded at, after
  the domain's own refusal (a 404, 403 or 409 wins over a 412, RFC 9110 13.2.1);
- saves the changes and the idempotency receipt in one atomic `save()`, and runs
  `decide` again on fresh state when another writer got there first.

Commands on one aggregate take turns within a process: the loader of the aggregate a
command changes first waits for that aggregate's turn (`_take_turn`), held until the
command is done. Another process may still get there first; then the command is
decided again, after a short random pause, until it is saved or the domain refuses
it, for up to `RETRY_SECONDS`. A client is never refused for a race it did not cause.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from eventsourcing.utils import EnvType

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.receipts import CommandReceipt, receipt_id
from kompetanse_domain.application.turns import Turns
from kompetanse_domain.errors import (
    IdempotencyKeyReusedError,
    UnavailableError,
    VersionMismatchError,
)
from kompetanse_domain.model import values

RETRY_SECONDS = 5.0
"""How long a command is decided again while other processes keep saving first."""
PAUSE_SECONDS = (0.005, 0.2)
"""The random pause before deciding again: up to the first, doubling up to the second."""
TURN_SECONDS = 2.0
"""How long a command waits for its aggregate's turn before trying without it."""

A = TypeVar("A", bound=Aggregate)

Answer = dict[str, Any] | None
"""What a command's use case answers with besides the version (None: nothing more)."""

_LOADED: ContextVar[list[int] | None] = ContextVar("loaded_versions", default=None)
"""The versions the aggregates one decision changes were loaded at (checked with If-Match)."""

_TURN: ContextVar[list[UUID] | None] = ContextVar("turn", default=None)
"""The aggregate whose turn the running command holds (at most one: no deadlocks)."""


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

    def __init__(self, env: EnvType | None = None) -> None:
        self._turns = Turns()
        super().__init__(env=env)

    def _execute(self, ctx: CommandContext, decide: Callable[[], Decision]) -> Outcome:
        """Run a decision and save it atomically, with idempotency and retry on races."""
        values.check_person(ctx.identity.sub, ctx.identity.name)
        turn: list[UUID] = []
        reset_turn = _TURN.set(turn)
        try:
            return self._attempts(ctx, decide)
        finally:
            _TURN.reset(reset_turn)
            for aggregate_id in turn:
                self._turns.give_back(aggregate_id)

    def _take_turn(self, aggregate_id: UUID) -> None:
        """Wait until no other command of this process changes the aggregate (called by
        the loaders before they load it). A command takes one turn, that of the first
        aggregate it loads for change; a turn not given within `TURN_SECONDS` is not
        waited for further (the save is still safe: a race is decided again)."""
        turn = _TURN.get()
        if turn is None or turn:
            return
        if self._turns.take(aggregate_id, TURN_SECONDS):
            turn.append(aggregate_id)

    def _attempts(self, ctx: CommandContext, decide: Callable[[], Decision]) -> Outcome:
        deadline = time.monotonic() + RETRY_SECONDS
        pause = PAUSE_SECONDS[0]
        try:
            while True:
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
                    # Another writer saved first: decide again on fresh state, where
                    # the domain's guards and If-Match (412) are checked anew.
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(random.uniform(0, pause))  # jitter: the racers part
                    pause = min(pause * 2, PAUSE_SECONDS[1])
                    continue
                position = max((r.notification.id for r in recordings), default=0)
                return Outcome(value=value, position=position, version=version)
        except (OperationalError, InterfaceError) as error:
            raise UnavailableError(f"The event store is unavailable: {error}") from None
        raise UnavailableError(
            f"Others kept changing this resource for {RETRY_SECONDS:g} s; "
            "nothing was changed, try again in a moment"
        )

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
