"""Plain-SQL reads of the view tables; they never load aggregates (STYLE 6, ADR 0004).

Each call is one read transaction over the live generation of the views it uses,
and returns plain dicts (dates and instants as `date`/`datetime`) or, for the
report, an iterator that streams rows from the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

from kompetanse_domain.catalogue import Catalogue
from projections.db import ViewDatabase
from projections.queries import candidates, goals, inbox, leader, meetings, progress
from projections.queries.read import reading
from projections.schema import ViewSchema


class Queries:
    def __init__(self, db: ViewDatabase, schema: ViewSchema, catalogue: Catalogue) -> None:
        self._db, self._schema, self.catalogue = db, schema, catalogue

    def position(self) -> int:
        """The lowest position applied by any view."""
        with reading(self._db, self._schema) as r:
            return r.position

    def get_candidate(self, cid: UUID) -> dict[str, Any] | None:
        with reading(self._db, self._schema) as r:
            return candidates.get_candidate(r, self.catalogue, cid)

    def get_goal(self, cid: UUID, code: str) -> dict[str, Any] | None:
        with reading(self._db, self._schema) as r:
            return goals.get_goal(r, self.catalogue, cid, code)

    def get_meeting(self, mid: UUID) -> dict[str, Any] | None:
        with reading(self._db, self._schema) as r:
            return meetings.get_meeting(r, mid)

    def list_meetings(self, cid: UUID) -> list[dict[str, Any]]:
        with reading(self._db, self._schema) as r:
            return meetings.list_meetings(r, cid)

    def get_progress(self, cid: UUID, today: date | None = None) -> dict[str, Any] | None:
        with reading(self._db, self._schema) as r:
            return progress.get_progress(r, self.catalogue, cid, today)

    def list_leader_candidates(self, sub: str) -> list[dict[str, Any]]:
        with reading(self._db, self._schema) as r:
            return leader.list_leader_candidates(r, sub)

    def list_leader_approvals(self, sub: str) -> list[dict[str, Any]]:
        with reading(self._db, self._schema) as r:
            return leader.list_leader_approvals(r, sub)

    def list_signing_requests(self, sub: str) -> list[dict[str, Any]]:
        with reading(self._db, self._schema) as r:
            return inbox.list_signing_requests(r, sub)

    def iter_report_rows(self, sub: str) -> Iterator[dict[str, Any]]:
        """Streams rows; the read transaction stays open until the iterator is exhausted."""
        with reading(self._db, self._schema) as r:
            yield from leader.iter_report_rows(r, sub)
