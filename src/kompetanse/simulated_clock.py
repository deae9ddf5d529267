"""A simulated clock for histories written through the domain (the dataset generator,
the demo world): events get the clock's time as their timestamp instead of now.

Only for a process that writes nothing else meanwhile: the library's timestamp source
is replaced for every aggregate while `simulated_clock` is active.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from eventsourcing import domain as es_domain


class SimulatedClock:
    """Replaces the library's event timestamp source while a history is generated."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, rng: random.Random, max_hours: float) -> datetime:
        self.now += timedelta(hours=rng.uniform(0.1, max_hours))
        return self.now

    def forward(self, step: timedelta) -> datetime:
        self.now += step
        return self.now


@contextmanager
def simulated_clock(clock: SimulatedClock) -> Iterator[None]:
    original = es_domain.CanCreateTimestamp.__dict__["create_timestamp"]
    es_domain.CanCreateTimestamp.create_timestamp = staticmethod(lambda: clock.now)  # type: ignore[method-assign]
    try:
        yield
    finally:
        es_domain.CanCreateTimestamp.create_timestamp = original  # type: ignore[method-assign]
