"""Issue 25, point 3: README's first command, `scripts/serve`, gives a newcomer the demo world.

A real process on a fresh data directory (SQLite, dev tokens), as a newcomer starts it:
it says the demo world was filled and who is in it, and the demo leader's list shows the
six demo candidates once the in-process views have caught up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from kompetanse.demo import CANDIDATES, LEADER
from kompetanse.devkeys import mint_dev_token

SERVE = Path(__file__).resolve().parents[2] / "scripts" / "serve"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_scripts_serve_fills_the_demo_world_the_leader_then_sees(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "var", tmp_path / "serve.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOMPETANSE_")}
    env["KOMPETANSE_DATA_DIR"] = str(data_dir)
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(SERVE), "--port", str(port)], env=env, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        names: list[str] = []
        while sorted(names) != sorted(item.user.name for item in CANDIDATES):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, (names, log.read_text())
            time.sleep(0.3)
            try:
                token = mint_dev_token(data_dir, sub=LEADER.sub, name=LEADER.name)
                listed = httpx.get(
                    base + "/v1/leaders/me/candidates",
                    headers={"Authorization": f"Bearer {token}"},
                )
            except (httpx.TransportError, FileNotFoundError):
                continue  # not listening yet, or the dev keys not made yet
            if listed.status_code == 200:
                names = [row["candidate"]["name"] for row in listed.json()["data"]]
        said = log.read_text()
        assert "Demo world filled" in said and LEADER.sub in said, said
    finally:
        server.terminate()
        server.wait(timeout=20)
