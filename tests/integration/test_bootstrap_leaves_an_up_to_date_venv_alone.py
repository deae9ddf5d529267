"""README's commands (`scripts/serve`, `scripts/test`) prepare `.venv` each time they run.
On a venv already in sync with requirements.lock and pyproject.toml they change nothing:
re-syncing took the installed `kompetanse` command away for a moment, and a test that
starts `scripts/serve` then broke the tests running `kompetanse` beside it."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KOMPETANSE = REPO / ".venv" / "bin" / "kompetanse"


def _bootstrap() -> None:
    subprocess.run(
        ["bash", "-c", "source scripts/_bootstrap.sh"], cwd=REPO, check=True, timeout=300
    )


def test_preparing_an_up_to_date_venv_again_leaves_the_kompetanse_command_in_place() -> None:
    _bootstrap()  # in sync now (a no-op when scripts/test prepared it)
    before = KOMPETANSE.stat()
    _bootstrap()
    after = KOMPETANSE.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
