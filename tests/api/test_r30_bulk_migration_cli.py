"""R30: `kompetanse catalogue migrate --plan SAM --to-version 2026.2 [--dry-run]` moves
every candidate on the shipped sample SAM 2026.1 along the shipped sample mapping, on
SQLite and PostgreSQL (ADR 0026). A dry run prints the same and saves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from api_world import (
    YESTERDAY,
    Api,
    Person,
    build_team,
    invite_and_accept,
    registration,
    services_with_views,
)
from typer.testing import CliRunner, Result

from api.deps import Services
from kompetanse.cli import app
from kompetanse_domain.catalogue import load_catalogue


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    with services_with_views(database_url, data_dir, load_catalogue()) as services:
        yield services


def _migrate(services: Services, *args: str) -> Result:
    env = {
        "KOMPETANSE_DATA_DIR": str(services.settings.data_dir),
        "KOMPETANSE_DATABASE_URL": services.settings.database_url,
    }
    return CliRunner().invoke(
        app, ["catalogue", "migrate", "--plan", "SAM", "--to-version", "2026.2", *args], env=env
    )


def _events(services: Services) -> int:
    return int(services.application.recorder.max_notification_id() or 0)


def _candidate_on_sam_2026_1(api: Api, who: str | None) -> str:
    """A candidate with SAM 2026.1; the team's (`who` None) has SAM-035..037 approved."""
    if who is None:
        cid = build_team(api)
    else:
        api.people[who] = Person(f"{who}-sub", "Øystein Ærlig")
        cid = api.ok("POST", "/v1/candidates", who, registration("Øystein Ærlig"), 201)[
            "candidate_id"
        ]
        invite_and_accept(api, cid, "leader", who, "leader")
    base = f"/v1/candidates/{cid}"
    api.ok("POST", base + "/plans", "leader", {"plan_code": "SAM", "version": "2026.1"}, 201)
    for code in ("SAM-035", "SAM-036", "SAM-037") if who is None else ():
        goal = f"{base}/goals/{code}"
        api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
        api.ok("POST", goal + "/approve", "leader", {})
    return str(cid)


def _version(services: Services, cid: str) -> str:
    return str(services.application.get_candidate(UUID(cid)).plans["SAM"]["version"])


def test_r30_bulk_migration_dry_run_changes_nothing_then_moves_every_candidate(
    api: Api, services: Services
) -> None:
    team = _candidate_on_sam_2026_1(api, None)
    other = _candidate_on_sam_2026_1(api, "other")
    before = _events(services)

    dry = _migrate(services, "--dry-run")

    assert dry.exit_code == 0, dry.output
    assert "2 candidate(s) on another version of SAM; would move them" in dry.output
    [team_line] = [line for line in dry.stdout.splitlines() if line.startswith("Lise Lege")]
    assert "SAM 2026.1 -> 2026.2" in team_line
    assert "SAM-035->SAM-041" in team_line
    assert "SAM-036->SAM-044, SAM-037->SAM-044" in team_line
    assert "SAM-039 (not_started)" in team_line
    assert "Dry run: nothing was saved." in dry.output
    assert _events(services) == before
    assert (_version(services, team), _version(services, other)) == ("2026.1", "2026.1")

    done = _migrate(services)

    assert done.exit_code == 0, done.output
    assert "2 candidate(s) on another version of SAM; moving them" in done.output
    assert [line for line in done.stdout.splitlines() if line.startswith("Lise Lege")] == [
        team_line
    ]
    assert (_version(services, team), _version(services, other)) == ("2026.2", "2026.2")
    position = str(_events(services))
    goal = api.call(
        "GET",
        f"/v1/candidates/{team}/goals/SAM-041",
        "candidate",
        headers={"X-Min-Position": position},
    ).json()
    assert goal["state"] == "approved"
    assert goal["carried_over_from"]["goal_code"] == "SAM-035"
    history = api.call(
        "GET", f"/v1/candidates/{team}/history", "auditor", headers={"X-Min-Position": position}
    ).json()["data"]
    [migrated] = [event for event in history if event["type"] == "Candidate.PlanMigrated"]
    assert migrated["actor"]["name"] == "Portal operator (kompetanse catalogue migrate)"

    again = _migrate(services)
    assert again.exit_code == 0, again.output
    assert "0 candidate(s) on another version of SAM" in again.output
    assert str(_events(services)) == position
