"""The feed under concurrent writers on PostgreSQL: nothing skipped, nothing twice (ADR 0013).

A real server (projections inline) on a fresh PostgreSQL database; 8 writer processes
(`concurrent_writer.py`) append events through KompetanseApplication on the same store,
some of their insert transactions sleeping after the insert while holding the table
lock, about 10 % rolled back after the insert (holes in the positions). Two readers
follow `GET /v1/feed` (long poll, small pages) while they write. When the writers are
done, each reader's events equal a final SELECT of the store (the events of candidates,
goals and meetings), in position order, strictly increasing, none twice.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sync_support import RunningPortal, check_increasing, start_portals

from kompetanse.devkeys import mint_dev_token
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.audit.recompute import is_chained_topic
from kompetanse_store.urls import event_store_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

WRITER = Path(__file__).with_name("concurrent_writer.py")
WRITERS = 8
COMMANDS = 40
READERS = 2
PAGE = 37
SEED = 20261123
FINISH_SECONDS = 90.0

Key = tuple[int, str, int]  # position, aggregate id, version


@pytest.fixture
def portal(tmp_path: Path, postgres_url: str) -> Iterator[RunningPortal]:
    (running,) = start_portals([("hospital-hso", tmp_path / "portal", postgres_url)])
    try:
        yield running
    finally:
        running.close()


class Reader(threading.Thread):
    """Follows the feed until it has passed `stop_at` (set once the writers are done)."""

    def __init__(self, base_url: str, token: str, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.items: list[dict[str, Any]] = []
        self.stop_at: int | None = None
        self.error: BaseException | None = None
        self.deadline = time.monotonic() + FINISH_SECONDS

    def run(self) -> None:
        after = 0
        try:
            while time.monotonic() < self.deadline:
                response = self.client.get(
                    "/v1/feed", params={"after": after, "limit": PAGE, "wait": 1}
                )
                assert response.status_code == 200, response.text
                page = response.json()
                check_increasing(page["items"], after)
                self.items += page["items"]
                after = page["next_after"]
                if not page["items"] and self.stop_at is not None and after >= self.stop_at:
                    return
            raise AssertionError(f"{self.name}: did not reach {self.stop_at}, at {after}")
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            self.client.close()

    def keys(self) -> list[Key]:
        return [(i["position"], i["aggregate_id"], i["version"]) for i in self.items]


def _stored(database_url: str) -> tuple[list[Key], list[int]]:
    """The candidate, goal and meeting events of the store, and every stored position."""
    app = KompetanseApplication(env=event_store_env(database_url))
    try:
        chained: list[Key] = []
        positions: list[int] = []
        after = 0
        while batch := app.recorder.select_notifications(
            start=after, limit=1000, inclusive_of_start=False
        ):
            for n in batch:
                positions.append(n.id)
                if is_chained_topic(n.topic):
                    chained.append((n.id, str(n.originator_id), n.originator_version))
            after = batch[-1].id
        return chained, positions
    finally:
        app.close()


def _run_writers(database_url: str, on_first_exit: Callable[[], None]) -> list[dict[str, int]]:
    writers = [
        subprocess.Popen(
            [sys.executable, str(WRITER), database_url, str(i), str(COMMANDS), str(SEED + i)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        for i in range(WRITERS)
    ]
    try:
        results = []
        for writer in writers:
            out, err = writer.communicate(timeout=FINISH_SECONDS)
            assert writer.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
            if len(results) == 1:
                on_first_exit()
        return results
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait(10)


def test_readers_see_every_committed_event_once_in_order(portal: RunningPortal) -> None:
    token = mint_dev_token(portal.data_dir, sub="feed-reader", name="Leser", roles=["sync"])
    readers = [Reader(portal.url, token, f"reader-{n}") for n in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        seen_while_writing: list[int] = []
        counts = _run_writers(
            portal.database_url,
            lambda: seen_while_writing.extend(len(reader.items) for reader in readers),
        )
        expected, positions = _stored(portal.database_url)
        for reader in readers:
            reader.stop_at = expected[-1][0]
    finally:
        for reader in readers:
            if reader.stop_at is None:  # the writers failed: do not wait for the readers
                reader.deadline = 0
            reader.join(FINISH_SECONDS + 5)

    # The writers did what the test is about: slow commits and rollbacks with holes.
    assert sum(c["rolled_back"] for c in counts) > 0, counts
    assert sum(c["delayed"] for c in counts) > 0, counts
    assert positions[-1] > len(positions), "rolled-back inserts leave holes in the positions"
    assert len(expected) >= WRITERS * COMMANDS * 0.8
    assert max(seen_while_writing) > 0, "the readers followed the feed while it was written"

    for reader in readers:
        assert reader.error is None, f"{reader.name}: {reader.error!r}"
        keys = reader.keys()
        assert keys == expected, reader.name
        assert len(set(keys)) == len(keys)
        assert all(a[0] < b[0] for a, b in itertools.pairwise(keys))
