"""A CLI command refused before it does anything exits 2 with one line that says why,
`kompetanse: ...` on stderr, and no traceback (one `EXIT_REFUSED` for every command)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kompetanse.cli import app as cli

BAD_SETTINGS = {"KOMPETANSE_COMMAND_THREADS": "0"}


def _refused(args: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize(
    "args",
    [["sync"], ["keys", "check"], ["audit", "verify", "--all"], ["projections", "status"]],
)
def test_commands_refuse_bad_settings_naming_the_setting(args: list[str], tmp_path: Path) -> None:
    output = _refused(args, {"KOMPETANSE_DATA_DIR": str(tmp_path), **BAD_SETTINGS})
    assert "kompetanse: KOMPETANSE_COMMAND_THREADS must be 1 or more" in output


def test_sync_refuses_an_unknown_action_and_missing_portals(tmp_path: Path) -> None:
    env = {"KOMPETANSE_DATA_DIR": str(tmp_path)}
    assert "kompetanse: unknown action 'start'; the only one is `status`" in _refused(
        ["sync", "start"], env
    )
    output = _refused(["sync", "--source", "http://source.example"], env)
    assert "kompetanse: sync needs --source-token, --target, --target-token" in output
