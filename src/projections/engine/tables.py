"""Column types and table naming shared by the view tables (ADR 0004).

Every view owns a *generation* of tables, named `view_<table>_g<generation>`;
`projection_tracking` says which generation is live. A rebuild fills the next
generation and switches the pointer in one transaction (`projections.engine.rebuild`).
Rows hold only what events say (never the processing time), so a view rebuilt
from scratch equals the view applied incrementally.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Index, MetaData, String, Table, TypeDecorator

from kompetanse_domain.model.values import in_zone

ID = String(36)
SUB = String(255)
NAME = String(500)
CODE = String(64)
STATE = String(32)
PORTABLE_JSON = JSON()


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored as naive UTC and read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("view instants must be timezone-aware")
        return in_zone(value, UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant: datetime = value
        return instant.replace(tzinfo=UTC)


def table_name(base: str, generation: int) -> str:
    return f"view_{base}_g{generation}"


def table(md: MetaData, base: str, generation: int, *columns: Any) -> Table:
    """A view table of one generation."""
    return Table(table_name(base, generation), md, *columns)


def index(tbl: Table, *columns: str) -> Index:
    """An index named after its (generation-specific) table: names are unique per schema."""
    return Index(f"ix_{tbl.name}_{'_'.join(columns)}", *(tbl.c[name] for name in columns))
