"""Which tables each view generation has, and creating or dropping them (ADR 0004)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, MetaData
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from projections.engine import tracking
from projections.engine.base import ViewProjection

# A view's tables are a pure function of its `define` and the generation, so they are
# built and fingerprinted once per process, not once per service: a server, a CLI
# command or a test builds its services again and again (about 0.08 s each time).
# The key is the `define` function itself, so a view whose `define` is replaced gets
# its own entry.
_LOCK = threading.Lock()
_GENERATIONS: dict[tuple[Callable[..., Any], int], tuple[MetaData, Any]] = {}
_SHAPES: dict[Callable[..., Any], str] = {}


def _tables_of(define: Callable[..., Any], generation: int) -> tuple[MetaData, Any]:
    key = (define, generation)
    with _LOCK:
        found = _GENERATIONS.get(key)
        if found is None:
            md = MetaData()
            found = _GENERATIONS[key] = (md, define(md, generation))
        return found


def _shape_of(define: Callable[..., Any]) -> str:
    with _LOCK:
        found = _SHAPES.get(define)
        if found is None:
            md = MetaData()
            define(md, 0)
            dialect = sqlite.dialect()
            ddl = [str(CreateTable(tbl).compile(dialect=dialect)) for tbl in md.sorted_tables]
            ddl += [
                str(CreateIndex(idx).compile(dialect=dialect))
                for tbl in md.sorted_tables
                for idx in sorted(tbl.indexes, key=lambda found: str(found.name))
            ]
            found = _SHAPES[define] = hashlib.sha256("\n".join(ddl).encode()).hexdigest()
        return found


class ViewSchema:
    """The views by name, and their tables per generation (built once per process)."""

    def __init__(self, views: Sequence[ViewProjection[Any]]) -> None:
        self.views = {view.name: view for view in views}

    def _generation(self, name: str, generation: int) -> tuple[MetaData, Any]:
        return _tables_of(self.views[name].define, generation)

    def tables(self, name: str, generation: int) -> Any:
        """The view's tables of that generation (its `define` dataclass)."""
        return self._generation(name, generation)[1]

    def metadata(self, name: str, generation: int) -> MetaData:
        return self._generation(name, generation)[0]

    def shape(self, name: str) -> str:
        """A fingerprint of the view's tables and indexes as the code defines them.

        Stored with the generation it built; a release that changes a view's tables
        gives another fingerprint, and the old generation must be rebuilt before use.
        """
        return _shape_of(self.views[name].define)

    def create(self, conn: Connection, name: str, generation: int) -> None:
        self.metadata(name, generation).create_all(conn, checkfirst=True)

    def create_bare(self, conn: Connection, name: str, generation: int) -> None:
        """The generation's tables without secondary indexes (a rebuild fills them first)."""
        for tbl in self.metadata(name, generation).sorted_tables:
            conn.execute(CreateTable(tbl))

    def create_indexes(self, conn: Connection, name: str, generation: int) -> None:
        """The secondary indexes `create_bare` left out."""
        for tbl in self.metadata(name, generation).sorted_tables:
            for idx in sorted(tbl.indexes, key=lambda found: str(found.name)):
                idx.create(conn)

    def analyze(self, conn: Connection, name: str, generation: int) -> None:
        """PostgreSQL: gather the planner's statistics of freshly filled tables now.

        Without them the planner guesses until autovacuum gets round to the new tables,
        and the guesses scan: a candidate's progress took 43 ms instead of 9 (p95).
        """
        if conn.dialect.name != "postgresql":
            return
        for tbl in self.metadata(name, generation).sorted_tables:
            conn.exec_driver_sql(f"ANALYZE {conn.dialect.identifier_preparer.quote(tbl.name)}")

    def drop(self, conn: Connection, name: str, generation: int) -> None:
        self.metadata(name, generation).drop_all(conn, checkfirst=True)

    def install(self, conn: Connection) -> list[str]:
        """Create the tracking table, each view's row and its live tables when missing.

        Returns the views whose live generation was built with other tables than the
        code defines now (an older release): they must be rebuilt before use.
        """
        tracking.metadata.create_all(conn, checkfirst=True)
        tracking.add_missing_columns(conn)
        stale = []
        for name in self.views:
            row = tracking.ensure(conn, name, self.shape(name))
            if row.shape != self.shape(name):
                stale.append(name)
            else:
                self.create(conn, name, row.generation)
        return stale
