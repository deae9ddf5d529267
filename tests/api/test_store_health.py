"""While the event store is known to be down, requests are refused at once (ADR 0015).

The whole server under a real PostgreSQL restart is in tests/faults/test_postgres_restart.py;
here the rules of `StoreHealth`, against a real server and a port nobody listens on.
"""

from __future__ import annotations

import socket
import time

import pytest

from api.store_health import (
    PROBE_EVERY_SECONDS,
    StoreHealth,
    StoreUnreachableError,
    connect_probe,
)
from kompetanse_domain.errors import UnavailableError


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://nobody@127.0.0.1:{port}/kompetanse"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_known_outage_is_refused_at_once_and_probed_at_most_twice_a_second() -> None:
    clock, connect, probes = Clock(), connect_probe(_closed_port_url()), []

    def probe() -> None:
        probes.append(clock.now)
        connect()

    health = StoreHealth(probe, clock=clock)
    health.saw_outage(OSError("connection refused"))
    assert health.down

    began = time.monotonic()
    with pytest.raises(StoreUnreachableError, match="unreachable right now") as refused:
        health.check()
    assert isinstance(refused.value, UnavailableError)  # answered 503 with Retry-After
    assert time.monotonic() - began < 1.5  # a refused connection, not the library's retries
    assert "try again shortly" in str(refused.value)

    for _ in range(3):  # no probe is due yet: refused without connecting
        with pytest.raises(StoreUnreachableError):
            health.check()
    assert len(probes) == 1
    clock.now += PROBE_EVERY_SECONDS
    with pytest.raises(StoreUnreachableError):
        health.check()
    assert len(probes) == 2 and health.down


@pytest.mark.postgres
def test_the_first_probe_that_connects_ends_the_outage(postgres_url: str) -> None:
    health = StoreHealth.for_store(postgres_url)
    health.saw_outage(OSError("connection refused"))
    assert health.down
    health.check()  # the server is up: no error, and no longer down
    assert not health.down
    health.check()


def test_readiness_probing_sees_an_outage_nobody_reported() -> None:
    health = StoreHealth.for_store(_closed_port_url())
    health.check()  # nothing known, no probe asked for: nothing to refuse
    assert not health.down
    with pytest.raises(StoreUnreachableError):
        health.check(probe=True)
    assert health.down


def test_the_embedded_store_has_no_outage_to_refuse() -> None:
    health = StoreHealth.for_store("sqlite:///var/kompetanse.db")
    health.saw_outage(OSError("disk I/O error"))
    assert not health.down
    health.check(probe=True)
