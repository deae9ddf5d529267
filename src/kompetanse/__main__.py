"""`python -m kompetanse` runs the CLI, like the `kompetanse` console script."""

from __future__ import annotations

from kompetanse.cli import app

app()
