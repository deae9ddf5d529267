"""kill -9 of the notification process right after SMTP accepted a mail (R31, ADR 0025).

`kompetanse notifications run` runs as its own process beside a server whose views and
notifications are not inline; the test's SMTP server on loopback sends SIGKILL to that
process once it holds the third mail, so the mail is delivered but never marked sent
(the window SMTP and a database commit cannot close together). After a restart every
notification exists once and each other pair is mailed once; the one in flight keeps its
claim until the claim's lease ends, so within the lease nothing is mailed twice; after
it, that one mail goes again under the same Message-ID: 1 duplicate, counted, which a
mail client folds by Message-ID. Both stores.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fault_support import (
    KOMPETANSE,
    Portal,
    ServerProcess,
    build_team,
    cli_here,
    eventually,
    invite_and_accept,
)
from fault_support import server_env as env_of

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from notification_world import Inbox, receiving

from kompetanse_store.urls import views_database_url
from projections.engine.db import ViewDatabase
from projections.notifications.config import NotificationSettings
from projections.notifications.sender import CLAIM_LEASE, Sender

pytestmark = pytest.mark.slow


class KillingInbox(Inbox):
    """An inbox that SIGKILLs `victim` once it holds mail number `kill_on`, before its
    `250` reaches the sender: the mail is delivered, the sender never marks it sent."""

    victim: int | None = None
    kill_on: int = 3
    killed: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if not self.killed and self.victim is not None and len(self.every) == self.kill_on:
            self.killed = True
            os.kill(self.victim, signal.SIGKILL)
        return answer


@pytest.fixture
def inbox() -> Iterator[KillingInbox]:
    with receiving(KillingInbox()) as received:
        yield received


def _status(env: dict[str, str]) -> dict[str, Any]:
    """`kompetanse notifications status --json` (in this process: it only reads)."""
    done = cli_here("notifications", "status", "--json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _notifications_run(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(KOMPETANSE), "notifications", "run"],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip


def test_r31_kill_9_after_smtp_accepted_mails_no_pair_twice_and_loses_none(
    database_url: str, tmp_path: Path, server: ServerProcess, inbox: KillingInbox
) -> None:
    data_dir = tmp_path / "data"
    env = env_of(
        data_dir,
        database_url,
        projections="external",  # the server follows nothing: the process below does
        smtp_host="127.0.0.1",
        smtp_port=str(inbox.port),  # type: ignore[attr-defined]
        smtp_starttls="false",
    )
    server.start(env)
    server.wait_ready()
    portal = Portal(server.base_url, data_dir)
    cid = build_team(portal)  # invites a leader and a veileder
    for who in ("supervisor_1", "supervisor_2", "supervisor_3"):
        invite_and_accept(portal, cid, "supervisor", "candidate", who)
    expected = sorted(
        (f"{portal.person(who).sub}@example.no", "invitation")
        for who in ("leader", "veileder", "supervisor_1", "supervisor_2", "supervisor_3")
    )

    first = _notifications_run(env, tmp_path / "notifications.log")
    inbox.victim = first.pid
    try:
        first.wait(timeout=90)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL and inbox.killed
    assert len(inbox.every) == 3

    second = _notifications_run(env, tmp_path / "notifications.log")
    try:
        # the two not yet claimed go out; the one SMTP accepted before the kill keeps its
        # claim until the lease ends, so it is not mailed again meanwhile
        # the two the dead process had not claimed go out; one it had claimed (handed to
        # SMTP or not) keeps its claim until the lease ends, so it is not mailed meanwhile
        eventually(lambda: _status(env)["outbox"]["sent"] >= 4)
        time.sleep(2.0)  # another round of the sender: nothing more
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    received = [mail.message_id for mail in inbox.every]
    assert len(received) == len(set(received)), "a pair was mailed twice within the lease"
    outbox = _status(env)["outbox"]
    # every notification exists once: five mails, each sent or (the one in flight) claimed
    assert outbox["sent"] + outbox["waiting"] == 5 and outbox["waiting"] <= 1, outbox

    # the lease ends (the clock moved past it): the claimed one goes, nothing else
    settings = NotificationSettings.from_env(data_dir, env)
    db = ViewDatabase(views_database_url(database_url))
    later = datetime.now(UTC) + CLAIM_LEASE + timedelta(seconds=5)
    try:
        Sender(db, settings, clock=lambda: later).step()
        assert Sender(db, settings, clock=lambda: later).step() == 0
    finally:
        db.dispose()
    assert _status(env)["outbox"] == {
        **outbox,
        "waiting": 0,
        "sent": 5,
        "oldest_waiting_seconds": None,
    }
    received = [mail.message_id for mail in inbox.every]
    assert sorted(set(inbox.pairs())) == expected  # none lost
    # the one SMTP held when the sender died came twice, under the same Message-ID
    duplicates = len(received) - len(set(received))
    assert duplicates == 1 and len(set(received)) == 5
    assert received.count(inbox.every[2].message_id) == 2
    print(f"kill -9 after SMTP accepted: {duplicates} duplicate(s) by Message-ID")
    portal.close()
