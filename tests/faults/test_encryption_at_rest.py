"""Encryption at rest (ADR 0010): canaries never reach the stored rows, nor the logs.

The real server runs as a subprocess with `KOMPETANSE_CIPHER_KEY` from
`kompetanse keys cipher`. Unique canary strings are planted through the API (a
person's name, an activity title, a rejection reason, a meeting summary), and a goal
gets more than 100 events so the store writes a snapshot of it. Then the raw
`state` column of the events and snapshots tables, and the server's stdout/stderr,
must hold no canary, while every query still returns them. A restart with a wrong
key, or with none, must exit non-zero with a clear message and never serve.
(`kompetanse keys cipher` and `keys check` run in the test's process: `cli_here`.)

The control test runs the same with no key and finds the canaries in the raw rows,
so the search itself is known to work.
"""

from __future__ import annotations

import base64
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher
from fault_support import (
    Portal,
    ServerProcess,
    activity,
    build_team,
    cli_here,
    server_env,
)

from kompetanse_store.urls import is_sqlite, sqlite_path

# More than the snapshot interval (100) of LearningGoal, so the goal is snapshotted.
ACTIVITIES_FOR_A_SNAPSHOT = 105

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Canaries:
    name: str
    title: str
    reason: str
    summary: str

    @classmethod
    def fresh(cls) -> Canaries:
        tag = uuid.uuid4().hex
        return cls(
            name=f"Kanari Navnesen {tag[:12]}",
            title=f"Kanari-aktivitet-{tag}",
            reason=f"Kanari-avvisningsgrunn-{tag}",
            summary=f"Kanari-referat-{tag}",
        )

    def all(self) -> dict[str, str]:
        return {
            "name": self.name,
            "title": self.title,
            "reason": self.reason,
            "summary": self.summary,
        }

    def found_in(self, blobs: list[bytes]) -> set[str]:
        """Which canaries occur (UTF-8) in any of the blobs."""
        return {
            label
            for label, text in self.all().items()
            if any(text.encode() in blob for blob in blobs)
        }


@dataclass(frozen=True)
class Planted:
    cid: str
    mid: str


def plant(portal: Portal, canaries: Canaries) -> Planted:
    """Canaries in a name, an activity title, a rejection reason and a meeting summary."""
    cid = build_team(portal, candidate_name=canaries.name)
    goal = f"/v1/candidates/{cid}/goals/ALM-001"
    aid = portal.ok("POST", f"{goal}/activities", "candidate", activity(canaries.title), 201)[
        "activity_id"
    ]
    veileder = portal.person("veileder").sub
    portal.ok(
        "POST", f"{goal}/activities/{aid}/send-for-signing", "candidate", {"signer_sub": veileder}
    )
    portal.ok("POST", f"{goal}/activities/{aid}/reject", "veileder", {"reason": canaries.reason})
    for number in range(ACTIVITIES_FOR_A_SNAPSHOT):
        portal.ok("POST", f"{goal}/activities", "candidate", activity(f"Kurs {number}"), 201)
    meeting = {"scheduled_for": "2026-01-15", "planned_minutes": 45}
    mid = portal.ok("POST", f"/v1/candidates/{cid}/meetings", "veileder", meeting, 201)[
        "meeting_id"
    ]
    summary = {"text": canaries.summary, "goals_discussed": ["ALM-001"]}
    portal.ok("PUT", f"/v1/meetings/{mid}/summary", "veileder", summary)
    return Planted(cid, mid)


def assert_queries_return_canaries(portal: Portal, planted: Planted, canaries: Canaries) -> None:
    cid = planted.cid
    candidate = portal.read(f"/v1/candidates/{cid}", "candidate")
    assert candidate["name"] == canaries.name
    goal = portal.read(f"/v1/candidates/{cid}/goals/ALM-001", "candidate")
    by_title = {a["title"]: a for a in goal["activities"]}
    assert len(by_title) == ACTIVITIES_FOR_A_SNAPSHOT + 1
    assert by_title[canaries.title]["state"] == "rejected"
    assert by_title[canaries.title]["decision_comment"] == canaries.reason
    meeting = portal.read(f"/v1/meetings/{planted.mid}", "veileder")
    assert meeting["summary"] == canaries.summary
    progress = portal.read(f"/v1/candidates/{cid}/progress", "leader")
    assert progress["candidate_id"] == cid
    assert "ALM-001" in {g["code"] for g in progress["goals"]}
    leading = portal.read("/v1/leaders/me/candidates", "leader")
    assert canaries.name in {row["candidate"]["name"] for row in leading["data"]}


def raw_rows(database_url: str) -> dict[str, list[bytes]]:
    """The stored `state` of every event and snapshot row, as the database holds it."""
    if is_sqlite(database_url):
        tables = {"events": "stored_events", "snapshots": "stored_snapshots"}
        with sqlite3.connect(sqlite_path(database_url)) as conn:
            return {
                kind: [bytes(r[0]) for r in conn.execute(f"SELECT state FROM {table}")]
                for kind, table in tables.items()
            }
    tables = {"events": "kompetanse_events", "snapshots": "kompetanse_snapshots"}
    with psycopg.connect(database_url) as conn:
        return {
            kind: [bytes(r[0]) for r in conn.execute(f"SELECT state FROM {table}").fetchall()]
            for kind, table in tables.items()
        }


def store_files(database_url: str) -> list[bytes]:
    """SQLite: the bytes of the event store's file and its journal (free pages too)."""
    if not is_sqlite(database_url):
        return []
    path = sqlite_path(database_url)
    names = [path, *(path.with_name(path.name + s) for s in ("-wal", "-journal"))]
    return [p.read_bytes() for p in names if p.exists()]


def start_and_wait(server: ServerProcess, env: dict[str, str]) -> None:
    server.start(env)
    server.wait_ready()


def test_payloads_and_snapshots_are_encrypted_and_a_wrong_key_never_serves(
    database_url: str, tmp_path: Path, server: ServerProcess
) -> None:
    data_dir = tmp_path / "data"
    plain_env = server_env(data_dir, database_url)
    key = cli_here("keys", "cipher", env=plain_env).stdout.strip()
    other_key = AESCipher.create_key(32)
    assert len(base64.b64decode(key, validate=True)) == 32 and key != other_key
    canaries = Canaries.fresh()

    start_and_wait(server, server_env(data_dir, database_url, cipher_key=key))
    portal = Portal(server.base_url, data_dir)
    try:
        planted = plant(portal, canaries)
        assert_queries_return_canaries(portal, planted, canaries)
    finally:
        portal.close()
    server.stop()

    rows = raw_rows(database_url)
    assert len(rows["events"]) > ACTIVITIES_FOR_A_SNAPSHOT
    assert rows["snapshots"], "no snapshot was written: the test does not cover snapshots"
    assert canaries.found_in(rows["events"]) == set()
    assert canaries.found_in(rows["snapshots"]) == set()
    assert canaries.found_in(store_files(database_url)) == set()
    assert canaries.found_in([server.logs().encode()]) == set()

    # A wrong key, and no key, each refuse to start (side by side: two processes).
    refusals = {
        "wrong key": (other_key, "KOMPETANSE_CIPHER_KEY does not decrypt the stored events"),
        "no key": (None, "encrypted but no key is set"),
    }
    refused = {
        label: ServerProcess(tmp_path / "logs" / label.replace(" ", "-")) for label in refusals
    }
    try:
        for label, (given, _) in refusals.items():
            refused[label].start(server_env(data_dir, database_url, cipher_key=given))
        for label, (_, message) in refusals.items():
            code, served = refused[label].wait_exit()
            assert code != 0, label
            assert not served, f"{label}: the server answered before refusing"
            # The error itself, not a quoted source line: the last line of stderr.
            last_line = refused[label].last_stderr().strip().splitlines()[-1]
            assert message in last_line, (label, refused[label].last_logs())
            assert "(position 1)" in last_line, label
    finally:
        for process in refused.values():
            process.stop()

    # The refused starts changed nothing: the right key still reads the store.
    check = cli_here("keys", "check", env=server_env(data_dir, database_url, cipher_key=key))
    assert check.returncode == 0, check.stderr
    assert "(encrypted;" in check.stdout


def test_control_without_a_key_the_canaries_are_in_the_raw_rows(
    database_url: str, tmp_path: Path, server: ServerProcess
) -> None:
    """The search above can fail: unencrypted, every canary is found where it is stored."""
    data_dir = tmp_path / "data"
    canaries = Canaries.fresh()
    start_and_wait(server, server_env(data_dir, database_url))
    portal = Portal(server.base_url, data_dir)
    try:
        planted = plant(portal, canaries)
        assert_queries_return_canaries(portal, planted, canaries)
    finally:
        portal.close()
    server.stop()

    rows = raw_rows(database_url)
    assert canaries.found_in(rows["events"]) == set(canaries.all())
    # The goal's snapshot holds its activities: the title and the rejection reason.
    assert {"title", "reason"} <= canaries.found_in(rows["snapshots"])
    if is_sqlite(database_url):
        assert canaries.found_in(store_files(database_url)) == set(canaries.all())
