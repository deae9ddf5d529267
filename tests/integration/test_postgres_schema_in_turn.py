"""Processes starting side by side on one PostgreSQL database create the store's tables
in turn (an advisory lock): the library's `CREATE OR REPLACE FUNCTION` run by two sessions
at once fails with "tuple concurrently updated"."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env

pytestmark = pytest.mark.postgres

STARTS = 8


def test_applications_starting_at_once_all_start(postgres_url: str) -> None:
    KompetanseApplication(
        env=event_store_env(postgres_url)
    ).close()  # tables exist, as on a restart
    barrier = threading.Barrier(STARTS)

    def start() -> None:
        barrier.wait()
        KompetanseApplication(env=event_store_env(postgres_url)).close()

    for _ in range(3):
        with ThreadPoolExecutor(STARTS) as pool:
            for future in [pool.submit(start) for _ in range(STARTS)]:
                future.result()  # raises what a start raised
