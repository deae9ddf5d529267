"""Plain values a use case is called with and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kompetanse_domain.model.identity import Identity

OSLO = ZoneInfo("Europe/Oslo")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CommandContext:
    """Who acts, and the request's concurrency and retry controls (API.md).

    `expected_version` comes from `If-Match`; `idempotency_key` with `fingerprint`
    (a hash of the request) makes a retry return the first outcome.
    """

    identity: Identity
    expected_version: int | None = None
    idempotency_key: str | None = None
    fingerprint: str = ""
    now: datetime = field(default_factory=utc_now)

    @property
    def today(self) -> date:
        """Dates are Norwegian calendar dates."""
        return self.now.astimezone(OSLO).date()


@dataclass(frozen=True)
class Outcome:
    """What a command did: the values to answer with, its last event position, the version."""

    value: dict[str, Any] = field(default_factory=dict)
    position: int = 0
    version: int | None = None
    replayed: bool = False
