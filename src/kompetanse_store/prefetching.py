"""Loading several aggregates in one read (ADR 0002).

A command on a goal loads the candidate (for the actor's roles) and the goal; moving a
plan to a new version (R30) loads all of its goals. With the aggregate cache each load
fast-forwards the cached aggregate by selecting its newer events, and an aggregate not
cached is read whole: on PostgreSQL one round trip per aggregate.
`PrefetchingEventStore.prefetched` selects the newer events of all the given aggregates
(all events of one not cached) in one statement (on SQLite, one read transaction instead
of one per aggregate), and the repository's own reads (same id, same `gt`, within the
block, on the same thread) are answered from that result. Anything else, including a
fast-forward from a version another thread reached meanwhile, reads the store as before,
so the cache's locking and copying stay the library's.

The domain's application names only `PrefetchableEventStore`, which prefetches nothing;
the factories of `sqlite_turns` and `postgres_schema` construct this subclass instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from kompetanse_domain.application.event_store import PrefetchableEventStore

Key = tuple[UUID, int]


class PrefetchingEventStore(PrefetchableEventStore):
    """The library's event store, able to answer fast-forward reads from one prefetch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()
        self._select: Any = None  # one branch of the statement, or None: no prefetching
        self._statements: dict[int, Any] = {}  # the statement per number of aggregates
        recorder = self.recorder
        if getattr(getattr(recorder, "datastore", None), "originator_id_type", "") != "uuid":
            return
        if isinstance(recorder, PostgresAggregateRecorder):
            self._select = SQL(
                "(SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
                "WHERE originator_id = %s AND originator_version > %s)"
            ).format(
                schema=Identifier(recorder.datastore.schema),
                table=Identifier(recorder.events_table_name),
            )
        elif isinstance(recorder, SQLiteAggregateRecorder):
            self._select = (
                "SELECT originator_id, originator_version, topic, state "
                f"FROM {recorder.events_table_name} "
                "WHERE originator_id = ? AND originator_version > ?"
            )

    @contextmanager
    def prefetched(self, repository: Repository[UUID], ids: Iterable[UUID]) -> Iterator[None]:
        """Within the block, loads of these aggregates need no own read: a cached one's
        fast-forward, or an uncached one's whole history."""
        wanted = self._versions(repository, ids) if self._select is not None else []
        if len(wanted) < 2:  # nothing to save: the repository reads as usual
            yield
            return
        self._local.found = self._select_newer(wanted)
        try:
            yield
        finally:
            self._local.found = None

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[DomainEventProtocol[UUID]]:
        found: dict[Key, list[StoredEvent]] | None = getattr(self._local, "found", None)
        if found and lte is None and not desc and limit is None:
            stored = found.pop((originator_id, 0 if gt is None else gt), None)
            if stored is not None:
                return map(self.mapper.to_domain_event, stored)
        return super().get(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)

    @staticmethod
    def _versions(repository: Repository[UUID], ids: Iterable[UUID]) -> list[Key]:
        """(id, the version its load reads after): a cached aggregate's version (its
        fast-forward), 0 for one not cached (read whole). A cache that is not fast-forwarded
        reads nothing for what it holds."""
        cache = repository.cache
        wanted = []
        for aggregate_id in dict.fromkeys(ids):
            try:
                version = 0 if cache is None else cache.get(aggregate_id).version
            except KeyError:
                version = 0
            if version == 0 or repository.fastforward:
                wanted.append((aggregate_id, version))
        return wanted

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _select_newer(self, wanted: Sequence[Key]) -> dict[Key, list[StoredEvent]]:
        """The events after each (id, version), in one statement; the library's retry."""
        found: dict[Key, list[StoredEvent]] = {key: [] for key in wanted}
        since = dict(wanted)
        for originator_id, version, topic, state in self._rows(wanted):
            found[(originator_id, since[originator_id])].append(
                StoredEvent(
                    originator_id=originator_id,
                    originator_version=version,
                    topic=topic,
                    state=bytes(state),
                )
            )
        for stored in found.values():
            stored.sort(key=_version)
        return found

    def _rows(self, wanted: Sequence[Key]) -> list[tuple[UUID, int, str, bytes]]:
        """(id, version, topic, state) of the newer events: a UNION ALL of key lookups."""
        recorder = self.recorder
        if isinstance(recorder, PostgresAggregateRecorder):
            params: list[Any] = [value for key in wanted for value in key]
            with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                statement = self._statements.get(len(wanted))
                if statement is None:  # rendered once per number of aggregates
                    union = SQL(" UNION ALL ").join([self._select] * len(wanted))
                    statement = self._statements[len(wanted)] = union.as_bytes(conn)
                curs.execute(statement, params, prepare=True)
                return [
                    (r["originator_id"], r["originator_version"], r["topic"], r["state"])
                    for r in curs.fetchall()
                ]
        assert isinstance(recorder, SQLiteAggregateRecorder)
        statement = self._statements.get(len(wanted))
        if statement is None:
            statement = self._statements[len(wanted)] = " UNION ALL ".join(
                [self._select] * len(wanted)
            )
        params = [value for key in wanted for value in (key[0].hex, key[1])]
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [
                (UUID(r["originator_id"]), r["originator_version"], r["topic"], r["state"])
                for r in c.fetchall()
            ]


def _version(stored: StoredEvent) -> int:
    return stored.originator_version
