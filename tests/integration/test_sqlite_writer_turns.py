"""SQLite writers of several processes take turns on a lock file (ADR 0018).

SQLite only: PostgreSQL orders its writers with the library's table lock (ADR 0013).
Another process holding the turn is a real process here (`_TurnHolder`), since the
lock is the kernel's, between open files.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.sqlite_turns import WriterTurns, writers_lock_path
from kompetanse_store.urls import sqlite_path
from support.domain import Team, application, register_team, unique_people

HOLD_TURN = """
import fcntl, sys
lock = open(sys.argv[1], "ab")
fcntl.flock(lock, fcntl.LOCK_EX)
print("holding", flush=True)
sys.stdin.read()  # until the test closes our stdin, or kills us
"""

WRITE_TEAMS = """
import sys
from support.domain import application, register_team, unique_people
with application(sys.argv[1]) as app:
    for _ in range(int(sys.argv[2])):
        register_team(app, unique_people(), hpr_number=None)
"""


class _TurnHolder:
    """Another process that has taken the writers' turn and keeps it."""

    def __init__(self, database_url: str) -> None:
        lock = writers_lock_path(str(sqlite_path(database_url)))
        assert lock is not None
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLD_TURN, str(lock)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "holding"

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def app(sqlite_url: str) -> Iterator[KompetanseApplication]:
    with application(sqlite_url) as app:
        register_team(
            app, unique_people(), hpr_number=None
        )  # the tables exist and the lock file too
        yield app


class _Write(threading.Thread):
    def __init__(self, app: KompetanseApplication) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.team: Team | None = None

    def run(self) -> None:
        self.team = register_team(self.app, unique_people(), hpr_number=None)


def _position(app: KompetanseApplication) -> int:
    return app.recorder.max_notification_id() or 0


def test_a_write_waits_while_another_process_has_the_turn_and_goes_on_after(
    app: KompetanseApplication, sqlite_url: str
) -> None:
    before = _position(app)
    holder = _TurnHolder(sqlite_url)
    try:
        write = _Write(app)
        write.start()
        write.join(timeout=0.5)
        assert write.is_alive()  # waiting for its turn
        assert _position(app) == before  # nothing written meanwhile
    finally:
        holder.release()
    write.join(timeout=10)
    assert not write.is_alive()
    assert write.team is not None
    assert app.get_candidate(write.team.candidate_id)
    assert _position(app) > before


def test_reads_do_not_wait_for_a_writers_turn(app: KompetanseApplication, sqlite_url: str) -> None:
    team = register_team(app, unique_people(), hpr_number=None)
    holder = _TurnHolder(sqlite_url)
    try:
        began = time.monotonic()
        assert app.get_candidate(team.candidate_id)
        assert _position(app) > 0
        assert time.monotonic() - began < 2
    finally:
        holder.release()


def test_a_writer_killed_holding_its_turn_does_not_stall_the_others(
    app: KompetanseApplication, sqlite_url: str
) -> None:
    holder = _TurnHolder(sqlite_url)
    write = _Write(app)
    write.start()
    write.join(timeout=0.3)
    assert write.is_alive()
    holder.kill()  # kill -9: the kernel drops its lock with its open files
    write.join(timeout=10)
    assert not write.is_alive()
    assert write.team is not None


def test_writer_processes_on_one_file_store_every_event_once_in_order(sqlite_url: str) -> None:
    with application(sqlite_url) as app:
        register_team(
            app, unique_people(), hpr_number=None
        )  # creates the tables before the writers race
        start = _position(app)
    tests_dir = Path(__file__).resolve().parents[1]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITE_TEAMS, sqlite_url, "8"],
            env={**os.environ, "PYTHONPATH": str(tests_dir)},
        )
        for _ in range(3)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0]

    with application(sqlite_url) as app:
        stored = app.recorder.select_notifications(start=start + 1, limit=10_000)
        register_team(app, unique_people(), hpr_number=None)
        per_team = _position(app) - stored[-1].id
    positions = [n.id for n in stored]
    assert positions == list(range(start + 1, start + 1 + len(positions)))  # no holes
    assert len({(n.originator_id, n.originator_version) for n in stored}) == len(stored)
    assert len(stored) == 3 * 8 * per_team  # every team of every writer, whole


def _take_turn_and_say_so(turns: WriterTurns, said: Any) -> None:
    with turns.turn():
        said.send("in")


def test_a_forked_child_waits_for_the_turn_its_parent_holds(tmp_path: Path) -> None:
    turns = WriterTurns(tmp_path / "kompetanse.db-writers.lock")
    fork = multiprocessing.get_context("fork")
    ours, theirs = fork.Pipe()
    with turns.turn():  # the parent's file is open before the fork
        child = fork.Process(target=_take_turn_and_say_so, args=(turns, theirs))
        child.start()
        assert not ours.poll(0.5)  # sharing the parent's open file would let it in
    assert ours.poll(10)
    assert ours.recv() == "in"
    child.join(timeout=10)
    assert child.exitcode == 0
