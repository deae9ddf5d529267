"""What the application needs of its event store: the library's, able to prefetch (ADR 0002).

A command on a goal loads the candidate and the goal; with the aggregate cache each load
fast-forwards by reading the aggregate's newer events. `prefetched(repository, ids)`
lets a store read those of several cached aggregates at once; here it reads nothing,
so each load reads as usual. The store package (`kompetanse_store.prefetching`) gives a
subclass that prefetches in one SQL statement, and its persistence factories (named by
`PERSISTENCE_MODULE`) construct it: the domain names no store code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.persistence import EventStore


class PrefetchableEventStore(EventStore[UUID]):
    """The library's event store; a store's subclass may answer several loads at once."""

    @contextmanager
    def prefetched(self, repository: Repository[UUID], ids: Iterable[UUID]) -> Iterator[None]:
        """Within the block, fast-forwards of these cached aggregates may need no own read."""
        yield
