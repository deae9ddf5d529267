"""Data files 0600, folders 0700, no token in a log (issue 22, finding 10), on SQLite.

Before, the SQLite store, its views and the uploaded certificates were 0644 in 0755
folders (readable by every user of the machine), and `kompetanse serve` in dev mode
printed a 12-hour token into whatever took its output, a service's log included.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_world import TINY_PDF, TINY_PNG, registration, small_plan
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from kompetanse.bootstrap import build_services, close_services
from kompetanse.devkeys import mint_dev_token
from kompetanse_domain.catalogue.loading import save_imported_plan

JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+")
STORE_FILES = {"kompetanse.db", "kompetanse.db-writers.lock", "kompetanse-views.db"}


def _modes(data_dir: Path) -> dict[str, str]:
    """Every file and folder under the data directory (itself too) with its mode."""
    found = {".": oct(stat.S_IMODE(data_dir.stat().st_mode))}
    for path in data_dir.rglob("*"):
        found[str(path.relative_to(data_dir))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def _not_private(data_dir: Path) -> dict[str, str]:
    return {
        name: mode
        for name, mode in _modes(data_dir).items()
        if mode != (oct(0o700) if (data_dir / name).is_dir() else oct(0o600))
    }


def _upload(client: TestClient, token: str, cid: str) -> None:
    response = client.post(
        f"/v1/candidates/{cid}/attachments",
        files={"file": ("kurs.pdf", TINY_PDF, "application/pdf")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text


def test_data_files_are_private_after_the_app_starts_on_sqlite(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    # what an earlier release left: readable folders and files
    (data_dir / "attachments" / "ab" / "cd").mkdir(parents=True, mode=0o755)
    left = data_dir / "attachments" / "ab" / "cd" / hashlib.sha256(TINY_PNG).hexdigest()
    left.write_bytes(TINY_PNG)
    save_imported_plan(small_plan("TEST-Y"), data_dir / "catalogue")
    for path in (data_dir, *data_dir.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)

    settings = Settings(data_dir=data_dir, database_url="")  # the embedded SQLite default
    services = build_services(settings)
    try:
        token = mint_dev_token(data_dir, sub="lis-sub", name="Lise Lege")
        with TestClient(create_app(services)) as client:
            created = client.post(
                "/v1/candidates", json=registration(), headers={"Authorization": f"Bearer {token}"}
            )
            assert created.status_code == 201, created.text
            _upload(client, token, created.json()["candidate_id"])
        save_imported_plan(small_plan("TEST-Z"), settings.catalogue_dir)  # catalogue import
        present = set(_modes(data_dir))
        assert present >= STORE_FILES
        assert {"dev-keys/private-key.pem", "dev-keys/jwks.json"} <= present
        assert {"catalogue/TEST-Y@2026.1.json", "catalogue/TEST-Z@2026.1.json"} <= present
        assert sum(1 for name in present if name.startswith("attachments/")) >= 6
        assert _not_private(data_dir) == {}
    finally:
        close_services(services)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_served_files_are_private_and_the_service_log_holds_no_token(tmp_path: Path) -> None:
    data_dir, log = tmp_path / "var", tmp_path / "service.log"
    port = _free_port()
    env = {**os.environ, "KOMPETANSE_DATA_DIR": str(data_dir)}
    for name in ("KOMPETANSE_DATABASE_URL", "KOMPETANSE_OIDC_ISSUER", "KOMPETANSE_PROJECTIONS"):
        env.pop(name, None)
    command = [sys.executable, "-m", "kompetanse", "serve", "--port", str(port)]
    with log.open("w") as output:  # as a service manager takes the output: not a terminal
        server = subprocess.Popen(command, env=env, stdout=output, stderr=output, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a start on a loaded machine
        while True:
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        token = mint_dev_token(data_dir, sub="lis-sub", name="Lise Lege")
        headers = {"Authorization": f"Bearer {token}"}
        created = httpx.post(base + "/v1/candidates", json=registration(), headers=headers)
        assert created.status_code == 201, created.text
        uploaded = httpx.post(
            f"{base}/v1/candidates/{created.json()['candidate_id']}/attachments",
            files={"file": ("kurs.pdf", TINY_PDF, "application/pdf")},
            headers=headers,
        )
        assert uploaded.status_code == 201, uploaded.text
        assert set(_modes(data_dir)) >= STORE_FILES
        assert _not_private(data_dir) == {}
    finally:
        server.terminate()
        server.wait(timeout=20)
    written = log.read_text()
    assert "kompetanse dev-token" in written  # it says how to get one
    assert "Bearer" not in written
    assert not JWT.search(written)
