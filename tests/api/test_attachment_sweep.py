"""`kompetanse attachments sweep` (issue 22, finding 9), on SQLite and PostgreSQL.

It removes the stored files no `AttachmentUploaded` event names once they are older
than the grace period, and never a file an event names, however old, nor a fresh
one whose event may be about to be saved.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

import pytest
from api_world import TINY_PDF, TINY_PNG, Api, registration
from eventsourcing.cryptography import AESCipher
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from api.app import create_app
from api.attachments import AttachmentStore
from api.deps import Services
from api.settings import Settings
from kompetanse.bootstrap import build_services, close_services
from kompetanse.cli import app
from kompetanse.devkeys import mint_dev_token

DAY = 86400


@pytest.fixture
def cid(api: Api) -> str:
    return str(api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"])


def _sweep(services: Services, *args: str) -> Result:
    env = {
        "KOMPETANSE_DATA_DIR": str(services.settings.data_dir),
        "KOMPETANSE_DATABASE_URL": services.settings.database_url,
    }
    result = CliRunner().invoke(app, ["attachments", "sweep", *args], env=env)
    assert result.exit_code == 0, result.output
    return result


def _uploaded(api: Api, cid: str, content: bytes, headers: dict[str, str] | None = None) -> int:
    files = {"file": ("kursbevis.pdf", content, "application/pdf")}
    response = api.call(
        "POST", f"/v1/candidates/{cid}/attachments", "candidate", files=files, headers=headers
    )
    return response.status_code


def _orphan(services: Services, content: bytes) -> Path:
    """A stored file no event names, as a failed command leaves it."""
    blob = services.attachments.save(io.BytesIO(content), limit=services.settings.max_upload)
    return services.attachments.path_of(blob.sha256)


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _stored(services: Services, content: bytes) -> Path:
    return services.attachments.path_of(hashlib.sha256(content).hexdigest())


def test_sweep_removes_an_old_orphan_and_keeps_every_file_an_event_refers_to(
    api: Api, services: Services, cid: str
) -> None:
    assert _uploaded(api, cid, TINY_PDF) == 201
    referenced = _stored(services, TINY_PDF)
    orphan = _orphan(services, TINY_PNG)
    _age(referenced, 400 * DAY)
    _age(orphan, 2 * DAY)

    result = _sweep(services)

    assert referenced.read_bytes() == TINY_PDF
    assert not orphan.exists()
    assert orphan.name in result.output
    assert "Removed 1 files" in result.output
    assert "kept 1 that events refer to" in result.output


def test_sweep_keeps_an_orphan_younger_than_the_grace(api: Api, services: Services) -> None:
    orphan = _orphan(services, TINY_PNG)  # just stored: its event may be about to be saved
    _sweep(services)
    assert orphan.exists()
    _age(orphan, 30 * 60)
    _sweep(services, "--grace", "1h")
    assert orphan.exists()
    _age(orphan, 2 * 3600)
    _sweep(services, "--grace", "1h")
    assert not orphan.exists()


def test_upload_whose_command_fails_leaves_only_what_the_sweep_removes(
    api: Api, services: Services, cid: str
) -> None:
    status = _uploaded(api, cid, TINY_PNG, headers={"If-Match": '"999"'})
    assert status == 412  # stored, then the command refused: the file has no event
    left = _stored(services, TINY_PNG)
    assert left.exists()
    _sweep(services)
    assert left.exists()  # inside the grace period
    _age(left, 2 * DAY)
    _sweep(services)
    assert not left.exists()
    assert [path for path in services.settings.attachments_dir.rglob("*") if path.is_file()] == []


def test_sweep_dry_run_lists_but_removes_nothing(api: Api, services: Services) -> None:
    orphan = _orphan(services, TINY_PNG)
    _age(orphan, 2 * DAY)
    result = _sweep(services, "--dry-run")
    assert orphan.exists()
    assert f"would remove {orphan.relative_to(services.attachments.root)}" in result.output


def test_sweep_removes_a_stale_left_over_of_an_interrupted_upload(
    api: Api, services: Services, cid: str
) -> None:
    assert _uploaded(api, cid, TINY_PDF) == 201  # makes the staging folder
    staging = services.attachments.root / "tmp"
    stale, fresh = staging / "upload-stale", staging / "upload-fresh"
    stale.write_bytes(b"%PDF half")
    fresh.write_bytes(b"%PDF being written")
    _age(stale, 2 * DAY)
    _sweep(services)
    assert not stale.exists()
    assert fresh.exists()
    assert _stored(services, TINY_PDF).exists()


def test_sweep_refuses_a_grace_it_cannot_read(services: Services) -> None:
    env = {"KOMPETANSE_DATA_DIR": str(services.settings.data_dir)}
    result = CliRunner().invoke(app, ["attachments", "sweep", "--grace", "soon"], env=env)
    assert result.exit_code == 2
    assert "24h" in result.output


def test_sweep_puts_back_an_old_file_the_same_content_was_uploaded_to_meanwhile(
    tmp_path: Path,
) -> None:
    store = AttachmentStore(tmp_path / "attachments")
    old = store.path_of(store.save(io.BytesIO(TINY_PNG), limit=1 << 20).sha256)
    _age(old, 2 * DAY)

    def referenced_after_an_upload_of_the_same_file() -> set[str]:
        store.save(io.BytesIO(TINY_PNG), limit=1 << 20)  # its event is about to be saved
        return set()

    result = store.sweep(referenced_after_an_upload_of_the_same_file, grace=DAY)
    assert old.read_bytes() == TINY_PNG
    assert result.removed == []


def test_sweep_reads_the_references_of_an_encrypted_store(
    database_url: str, tmp_path: Path
) -> None:
    key = AESCipher.create_key(32)
    data_dir = tmp_path / "var"
    settings = Settings(data_dir=data_dir, database_url=database_url, cipher_key=key)
    services = build_services(settings)
    try:
        token = {"Authorization": f"Bearer {mint_dev_token(data_dir, sub='lis', name='Lise')}"}
        with TestClient(create_app(services)) as client:
            created = client.post("/v1/candidates", json=registration(), headers=token)
            assert created.status_code == 201, created.text
            files = {"file": ("kurs.pdf", TINY_PDF, "application/pdf")}
            path = f"/v1/candidates/{created.json()['candidate_id']}/attachments"
            assert client.post(path, files=files, headers=token).status_code == 201
        referenced = _stored(services, TINY_PDF)
        orphan = _orphan(services, TINY_PNG)
    finally:
        close_services(services)
    _age(referenced, 2 * DAY)
    _age(orphan, 2 * DAY)
    env = {
        "KOMPETANSE_DATA_DIR": str(data_dir),
        "KOMPETANSE_DATABASE_URL": database_url,
        "KOMPETANSE_CIPHER_KEY": key,
    }
    result = CliRunner().invoke(app, ["attachments", "sweep"], env=env)
    assert result.exit_code == 0, result.output
    assert referenced.exists()
    assert not orphan.exists()
    without_key = {**env, "KOMPETANSE_CIPHER_KEY": ""}
    _age(referenced, 2 * DAY)
    refused = CliRunner().invoke(app, ["attachments", "sweep"], env=without_key)
    assert refused.exit_code == 2  # a store it cannot read: nothing is removed
    assert referenced.exists()
