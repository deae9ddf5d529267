"""Audit use cases over the stored events themselves (R24, ADR 0011).

These read the event store directly, never the views: verifying recomputes the hash
chains from stored bytes, and `state_as_of` rebuilds aggregates from their events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from kompetanse_domain.application.service import KompetanseApplication
from kompetanse_domain.audit.chain import ChainLink
from kompetanse_domain.audit.checkpoint import Head, check_against_checkpoint
from kompetanse_domain.audit.recompute import ChainRecomputer, UnattributedEventError
from kompetanse_domain.audit.verify import RecordedLink, VerifyResult, verify_links

BATCH = 2000


class AuditService:
    """Recomputes chains from the store and compares them with what was recorded."""

    def __init__(self, application: KompetanseApplication) -> None:
        self.application = application

    def stored_events(self, after: int = 0, upto: int | None = None) -> Iterator[Notification]:
        """Every stored event in position order, in bounded batches."""
        recorder = self.application.recorder
        while True:
            batch = recorder.select_notifications(
                start=after, limit=BATCH, stop=upto, inclusive_of_start=False
            )
            if not batch:
                return
            yield from batch
            after = batch[-1].id

    def recompute(self, upto: int | None = None) -> Iterator[ChainLink | UnattributedEventError]:
        recomputer = ChainRecomputer(self.application.mapper.to_domain_event)
        return recomputer.links(self.stored_events(upto=upto))

    def verify(
        self,
        recorded: Iterable[RecordedLink],
        *,
        candidate_id: UUID | None = None,
        upto: int | None = None,
    ) -> VerifyResult:
        return verify_links(self.recompute(upto), recorded, candidate_id=candidate_id, upto=upto)

    def heads(self, upto: int | None = None) -> dict[str, Head]:
        """Every candidate's chain head, recomputed from the store (for checkpoints)."""
        heads: dict[str, Head] = {}
        for link in self.recompute(upto):
            if isinstance(link, UnattributedEventError):
                raise link
            previous = heads.get(str(link.candidate_id))
            count = previous.events + 1 if previous else 1
            heads[str(link.candidate_id)] = Head(link.position, link.hash, count)
        return heads

    def first_break_of_checkpoint(self, heads: dict[str, Head]) -> int | None:
        """The first signed head that the stored history no longer extends, if any."""
        wanted = {(cid, head.position) for cid, head in heads.items()}
        reached: dict[tuple[str, int], str] = {}
        for link in self.recompute():
            if isinstance(link, UnattributedEventError):
                continue
            key = (str(link.candidate_id), link.position)
            if key in wanted:
                reached[key] = link.hash
        return check_against_checkpoint(heads, reached)

    def state_as_of(self, versions: dict[UUID, int]) -> list[Any]:
        """Aggregates rebuilt from their events up to the given versions."""
        return [
            self.application.repository.get(aggregate_id, version=version)
            for aggregate_id, version in versions.items()
            if version > 0
        ]
