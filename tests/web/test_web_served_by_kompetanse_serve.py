"""`kompetanse serve` (what scripts/serve runs) serves the pages beside the API: a
newcomer who opens http://127.0.0.1:8000/ lands on the Norwegian sign-in page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_newcomer_opening_the_address_of_kompetanse_serve_gets_the_sign_in_page(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {**os.environ, "KOMPETANSE_DATA_DIR": str(tmp_path / "var")}
    for name in ("KOMPETANSE_DATABASE_URL", "KOMPETANSE_OIDC_ISSUER", "KOMPETANSE_PROJECTIONS"):
        env.pop(name, None)
    command = [sys.executable, "-m", "kompetanse", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a start on a loaded machine
        while True:
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        start = httpx.get(base + "/", follow_redirects=True)
        assert start.status_code == 200
        assert str(start.url) == base + "/logg-inn"
        # the demo world's leader (scripts/serve fills it) and an auditor are offered
        assert '<html lang="nb"' in start.text and "Ingrid Haugen" in start.text
        assert "demo-revisor" in start.text
        css = httpx.get(base + "/static/vendor/designsystemet/designsystemet.css")
        assert css.status_code == 200 and ".ds-button" in css.text
        key = tmp_path / "var" / "web-session.key"
        assert key.stat().st_mode & 0o777 == 0o600
    finally:
        server.terminate()
        server.wait(timeout=20)
