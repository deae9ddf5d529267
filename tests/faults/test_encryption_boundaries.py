"""Where decrypted data or the cipher setting can escape encryption at rest (ADR 0010).

Each test here failed when written, and guards the fix:
- a view that fails on an event writes the event's decrypted values (SQLAlchemy's
  `[parameters: ...]`) into the log, the tracking row and so `/readyz` (no token);
- the library reads `KOMPETANSE_CIPHER_KEY` from the process environment by itself (it
  prefixes settings with the application's name), so an application built without a
  key still picks it up, without the cipher topic, and fails to start;
- `kompetanse projections ...` builds its application without the key.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from eventsourcing.cryptography import AESCipher
from fault_support import run_cli, server_env

from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.model.identity import Identity
from kompetanse_store.urls import event_store_env, views_database_url
from projections.service import ProjectionService

CANARY = "Kanari Lekkasjesen 4f1c"


def register(app: KompetanseApplication, name: str = CANARY) -> None:
    app.register_candidate(
        CommandContext(Identity("canary-sub", "Someone")),
        name=name,
        email="kanari@example.no",
        specialty="ALM",
        organisation_id="kommune-0301",
        organisation_name="Oslo kommune",
    )


def test_a_failing_view_keeps_decrypted_values_out_of_logs_and_status(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = KompetanseApplication(
        env=event_store_env(sqlite_url, cipher_key=AESCipher.create_key(32))
    )
    service = ProjectionService(app, views_database_url(sqlite_url))
    try:
        register(app)
        with service.db.write() as conn:  # a view that refuses the row, like a buggy handler
            conn.execute(
                sa.text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON view_candidate_g1 "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
        service.catch_up()
        errors = [view.error or "" for view in service.status() if view.error]
        assert errors, "the view did not fail: the test does not exercise the failure"
        assert CANARY not in caplog.text
        assert not [error for error in errors if CANARY in error]
    finally:
        service.close()
        app.close()


def test_an_application_built_without_a_key_ignores_the_key_in_the_environment(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOMPETANSE_CIPHER_KEY", AESCipher.create_key(32))
    app = KompetanseApplication(env=event_store_env(sqlite_url))
    try:
        assert app.mapper.cipher is None
    finally:
        app.close()


@pytest.mark.slow
def test_the_projections_cli_reads_an_encrypted_store(sqlite_url: str, tmp_path: Path) -> None:
    key = AESCipher.create_key(32)
    app = KompetanseApplication(env=event_store_env(sqlite_url, cipher_key=key))
    try:
        register(app)
    finally:
        app.close()
    env = server_env(tmp_path / "data", sqlite_url, cipher_key=key)
    rebuilt = run_cli("projections", "rebuild", "candidates", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert "candidates: rebuilt" in rebuilt.stdout
