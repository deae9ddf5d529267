"""The notification process in a running server (R31, ADR 0014, ADR 0025), both stores.

With `--workers 2` it is one more child process (`kompetanse notifications run`) and
mails by SMTP (a real server on loopback); in the embedded default (one process) it runs
in threads and, without an SMTP host, writes `.eml` files under `<data dir>/outbox/`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_support import Portal, ServerProcess, build_team, eventually, run_cli, server_env

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from notification_world import Inbox, receiving

pytestmark = pytest.mark.slow


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with receiving(Inbox()) as received:
        yield received


def _children(pid: int) -> list[str]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                kids = [int(kid) for kid in (task / "children").read_text().split()]
            except OSError:
                continue
            for kid in kids:
                try:
                    found.append(
                        Path(f"/proc/{kid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                    )
                except OSError:
                    continue
                queue.append(kid)
    return found


def test_with_workers_a_notification_child_mails_the_invited_by_smtp(
    database_url: str, tmp_path: Path, server: ServerProcess, inbox: Inbox
) -> None:
    data_dir = tmp_path / "data"
    env = server_env(
        data_dir,
        database_url,
        workers="2",
        smtp_host="127.0.0.1",
        smtp_port=str(inbox.port),  # type: ignore[attr-defined]
        smtp_starttls="false",
        public_url="https://kompetanse.example.no",
    )
    server.start(env)
    server.wait_ready()
    assert server.process is not None
    assert sum("notifications run" in command for command in _children(server.process.pid)) == 1

    portal = Portal(server.base_url, data_dir)
    build_team(portal)
    eventually(lambda: len(inbox.mails) >= 2)
    time.sleep(1.5)  # a second round of the sender: nothing more
    invited = [f"{portal.person(who).sub}@example.no" for who in ("leader", "veileder")]
    assert inbox.pairs() == sorted((to, "invitation") for to in invited)
    assert all(
        "https://kompetanse.example.no/v1/invitations/" in mail.texts()[1] for mail in inbox.mails
    )
    portal.close()


def test_the_embedded_server_writes_eml_files_without_an_smtp_host(
    database_url: str, tmp_path: Path, server: ServerProcess
) -> None:
    data_dir = tmp_path / "data"
    server.start(server_env(data_dir, database_url))
    server.wait_ready()
    portal = Portal(server.base_url, data_dir)
    build_team(portal)
    outbox = data_dir / "outbox"
    eventually(lambda: len(list(outbox.glob("*.eml"))) == 2)
    ready = portal.client.get("/readyz").json()
    eventually(
        lambda: portal.client.get("/readyz").json()["notifications"]["outbox"]["waiting"] == 0
    )
    assert ready["notifications"]["available"] is True
    portal.close()


def test_a_bad_notification_setting_stops_the_server_and_the_cli_saying_which(
    tmp_path: Path, sqlite_url: str
) -> None:
    env = server_env(tmp_path / "data", sqlite_url, reminder_days="0", smtp_port="x")
    for args in (("serve", "--port", "1"), ("notifications", "status")):
        done = run_cli(*args, env=env)
        assert done.returncode == 2, done.stderr
        assert "KOMPETANSE_SMTP_PORT" in done.stderr or "KOMPETANSE_REMINDER_DAYS" in done.stderr
        assert "Traceback" not in done.stderr
