"""Settings, wiring and the CLI (ADR 0008): the process as `kompetanse serve` builds it."""

from __future__ import annotations

import os
import pty
import re
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_world import registration
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.settings import DEFAULT_MAX_UPLOAD, Settings, SettingsError
from kompetanse.bootstrap import build_services, close_services
from kompetanse.cli import app as cli
from projections.service import ProjectionService


def test_settings_defaults_to_embedded_sqlite_and_dev_tokens(tmp_path: Path) -> None:
    settings = Settings.from_env({"KOMPETANSE_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/kompetanse.db"
    assert settings.dev_mode
    assert settings.tokens().issuer == "kompetanse-dev"
    assert (settings.portal_id, settings.projections) == ("municipal", "inline")
    assert settings.max_upload == DEFAULT_MAX_UPLOAD
    assert settings.command_threads == 4  # commands of a process at once (ADR 0017)
    assert Settings.from_env({"KOMPETANSE_COMMAND_THREADS": "1"}).command_threads == 1


@pytest.mark.parametrize(
    "environ",
    [
        {"KOMPETANSE_PROJECTIONS": "sometimes"},
        {"KOMPETANSE_MAX_UPLOAD": "ten megabytes"},
        {"KOMPETANSE_MAX_UPLOAD": "0"},
        {"KOMPETANSE_AGGREGATE_CACHE": "many"},
        {"KOMPETANSE_AGGREGATE_CACHE": "-1"},
        {"KOMPETANSE_COMMAND_THREADS": "0"},
        {"KOMPETANSE_COMMAND_THREADS": "all"},
        {"KOMPETANSE_OIDC_ISSUER": "https://helseid.example"},
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="KOMPETANSE_"):
        Settings.from_env(environ)


def test_oidc_settings_replace_dev_tokens() -> None:
    settings = Settings.from_env(
        {
            "KOMPETANSE_OIDC_ISSUER": "https://helseid.example",
            "KOMPETANSE_OIDC_AUDIENCE": "kompetanse",
            "KOMPETANSE_OIDC_JWKS": "https://helseid.example/jwks",
        }
    )
    assert not settings.dev_mode
    assert settings.tokens().jwks == "https://helseid.example/jwks"


def test_built_services_serve_commands_with_a_cli_dev_token(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=database_url)
    services = build_services(settings)
    try:
        key = settings.dev_keys_dir / "private-key.pem"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert isinstance(services.projections, ProjectionService)
        result = CliRunner().invoke(
            cli,
            ["dev-token", "--sub", "lis", "--name", "Lise", "--data-dir", str(settings.data_dir)],
            env={"KOMPETANSE_OIDC_ISSUER": ""},
        )
        assert result.exit_code == 0, result.output
        headers = {"Authorization": f"Bearer {result.output.strip()}"}
        with TestClient(create_app(services)) as client:
            created = client.post("/v1/candidates", json=registration(), headers=headers)
            assert created.status_code == 201, created.text
            assert services.projections.wait_for(int(created.headers["X-Event-Position"]), 10)
            assert client.get("/readyz").status_code == 200
    finally:
        close_services(services)


def test_external_projections_are_not_started_here(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url, projections="external")
    services = build_services(settings)
    try:
        assert isinstance(services.projections, ProjectionService)
        assert services.projections.catch_up() == 0
        with TestClient(create_app(services)) as client:
            assert client.get("/readyz").status_code == 200
    finally:
        close_services(services)


def test_serve_refuses_views_an_older_release_built_and_names_the_rebuild(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # serve would point the root logger at the runner's stderr, closed after the call
    monkeypatch.setattr("api.observability.configure_logging", lambda: None)
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url, projections="external")
    close_services(build_services(settings))
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///").replace(".db", "-views.db")) as db:
        db.execute("UPDATE projection_tracking SET shape = 'older' WHERE name = 'audit'")
    result = CliRunner().invoke(
        cli,
        ["serve", "--port", "1"],
        env={"KOMPETANSE_DATA_DIR": str(tmp_path), "KOMPETANSE_DATABASE_URL": sqlite_url},
    )
    assert result.exit_code == 2
    assert "audit" in result.output and "kompetanse projections rebuild" in result.output
    rebuilt = CliRunner().invoke(
        cli,
        ["projections", "rebuild"],
        env={"KOMPETANSE_DATA_DIR": str(tmp_path), "KOMPETANSE_DATABASE_URL": sqlite_url},
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    close_services(build_services(settings))  # served again


def test_dev_token_is_refused_when_oidc_is_configured(tmp_path: Path) -> None:
    env = {
        "KOMPETANSE_OIDC_ISSUER": "https://helseid.example",
        "KOMPETANSE_OIDC_AUDIENCE": "kompetanse",
        "KOMPETANSE_OIDC_JWKS": "https://helseid.example/jwks",
    }
    result = CliRunner().invoke(cli, ["dev-token", "--sub", "a", "--name", "A"], env=env)
    assert result.exit_code == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_prints_docs_url_and_a_working_demo_token(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "KOMPETANSE_DATA_DIR": str(tmp_path / "var")}
    for name in ("KOMPETANSE_DATABASE_URL", "KOMPETANSE_OIDC_ISSUER", "KOMPETANSE_PROJECTIONS"):
        env.pop(name, None)
    command = [sys.executable, "-m", "kompetanse", "serve", "--port", str(port)]
    terminal, attached = pty.openpty()  # the demo token is shown on a terminal only
    server = subprocess.Popen(command, env=env, stdout=attached, cwd=tmp_path)
    os.close(attached)
    screen = open(terminal, encoding="utf-8", errors="replace")  # noqa: SIM115
    try:
        output = "".join(screen.readline() for _ in range(4))
        assert f"http://127.0.0.1:{port}/docs" in output
        token = re.search(r"Bearer (\S+)", output)
        assert token, output
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token.group(1)}"}
        created = httpx.post(base + "/v1/candidates", json=registration(), headers=headers)
        assert created.status_code == 201, created.text
        assert httpx.get(base + "/docs").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
        screen.close()
