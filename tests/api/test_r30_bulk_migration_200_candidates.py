"""R30 over HTTP, on SQLite and PostgreSQL: `kompetanse catalogue migrate --plan SAM
--to-version 2026.2` moves 200 candidates on the shipped sample SAM 2026.1, in four
kinds of state, along the shipped sample mapping (ADR 0026):

    SAM-035 -> SAM-041; SAM-036 + SAM-037 -> SAM-044; SAM-038 -> SAM-038, SAM-042;
    SAM-039 removed; SAM-043 added; every other goal keeps its code.

The candidates are built with the domain's methods and saved through the application,
one save each (not HTTP nor ~8 commands each: that took minutes). What they see
afterwards is read over HTTP: the line the CLI prints for each, the progress bar, the
leader's totals for all 200, and progress, readiness, goals and history for a sample.
A second run changes nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from api_world import Api, Person, services_with_views
from typer.testing import CliRunner, Result

from api.deps import Services
from kompetanse.cli import app
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.catalogue import load_catalogue
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Identity
from kompetanse_domain.model.learning_goal import LearningGoal

CANDIDATES = 200
LEADER = Identity("leader-sub", "Leif Leder")
DONE = date.today() - timedelta(days=1)

# What each kind of candidate did on SAM 2026.1 (approved, sent for approval, rejected),
# the line the CLI prints for it, and what it has on SAM 2026.2 afterwards.
KINDS: list[dict[str, Any]] = [
    {
        "approve": ("SAM-035", "SAM-036", "SAM-037"),
        "send": (),
        "reject": (),
        "line": "carried over: SAM-035->SAM-041, SAM-036->SAM-044, SAM-037->SAM-044; "
        "open: SAM-042, SAM-043; left the plan: SAM-039 (not_started)",
        "approved": {"SAM-041", "SAM-044"},
        "waiting": set(),
    },
    {  # many to one, half approved: SAM-044 opens; the waiting SAM-037 is named
        "approve": ("SAM-036",),
        "send": ("SAM-037",),
        "reject": (),
        "line": "carried over: -; open: SAM-041, SAM-042, SAM-043, SAM-044; left the plan: "
        "SAM-035 (not_started), SAM-036 (approved), SAM-037 (sent_for_approval), "
        "SAM-039 (not_started)",
        "approved": set(),
        "waiting": set(),
    },
    {  # kept and one to many carry; a goal waiting for approval that is removed is named
        "approve": ("SAM-001", "SAM-038"),
        "send": ("SAM-039", "SAM-002"),
        "reject": (),
        "line": "carried over: SAM-001->SAM-001, SAM-038->SAM-038, SAM-038->SAM-042; "
        "open: SAM-041, SAM-043, SAM-044; left the plan: SAM-035 (not_started), "
        "SAM-036 (not_started), SAM-037 (not_started), SAM-039 (sent_for_approval)",
        "approved": {"SAM-001", "SAM-038", "SAM-042"},
        "waiting": {"SAM-002"},  # a kept goal keeps waiting
    },
    {  # nothing approved; a rejected kept goal stays rejected
        "approve": (),
        "send": ("SAM-003",),
        "reject": ("SAM-003",),
        "line": "carried over: -; open: SAM-041, SAM-042, SAM-043, SAM-044; "
        "left the plan: SAM-035 (not_started), SAM-036 (not_started), "
        "SAM-037 (not_started), SAM-039 (not_started)",
        "approved": set(),
        "waiting": set(),
    },
]


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    with services_with_views(database_url, data_dir, load_catalogue()) as services:
        yield services


def _name(index: int) -> str:
    return f"Kandidat {index:03d} Ærø"


def _build(application: KompetanseApplication) -> list[str]:
    """200 candidates, each with Leif Leder as leader and SAM 2026.1, in `KINDS` order.

    Built with the domain's own methods and saved by the application, one save per
    candidate (the same events as the commands register, invite, accept, assign, send,
    approve and reject, ~8 commands a candidate, which took a minute on PostgreSQL)."""
    plan = application.catalogue.plan_version("SAM", "2026.1")
    assert plan is not None
    codes = [goal.code for goal in plan.goals]
    now = datetime.now(UTC)
    ids: list[str] = []
    for index in range(CANDIDATES):
        me = Identity(f"bulk-{index:03d}", _name(index))
        candidate = Candidate.register(
            me,
            name=_name(index),
            email=f"bulk-{index:03d}@example.no",
            specialty="SAM",  # readiness: FKM and SAM (R20)
            organisation_id="974589095",
            organisation_name="Helse Sør-Øst",
            specialties=application.specialties,
        )
        candidate.invite(
            candidate.actor(me),
            invitation_id=f"invitation-{index}",
            role="leader",
            name=LEADER.name,
            email="leder@example.no",
            secret=f"secret-{index}",
            expires_at=now + timedelta(days=30),
            today=now.date(),
        )
        candidate.accept_invitation(
            LEADER, invitation_id=f"invitation-{index}", secret=f"secret-{index}", now=now
        )
        leader, lis = candidate.actor(LEADER), candidate.actor(me)
        candidate.assign_plan(leader, plan_code="SAM", catalogue_version="2026.1", goal_codes=codes)
        goals = {
            code: LearningGoal.open(
                leader, candidate_id=candidate.id, code=code, plan_code="SAM", version="2026.1"
            )
            for code in codes
        }
        kind = KINDS[index % len(KINDS)]
        approver = candidate.approver()
        assert approver is not None
        for code in (*kind["approve"], *kind["send"]):
            goals[code].send_for_approval(
                lis,
                completed_on=DONE,
                today=now.date(),
                approver_sub=approver["sub"],
                approver_name=approver["name"],
            )
        for code in kind["approve"]:
            goals[code].approve(leader)
        for code in kind["reject"]:
            goals[code].reject(leader, reason="Mangler dokumentasjon")
        application.save(candidate, *goals.values())
        ids.append(str(candidate.id))
    return ids


def _migrate(services: Services) -> Result:
    env = {
        "KOMPETANSE_DATA_DIR": str(services.settings.data_dir),
        "KOMPETANSE_DATABASE_URL": services.settings.database_url,
    }
    return CliRunner().invoke(
        app, ["catalogue", "migrate", "--plan", "SAM", "--to-version", "2026.2"], env=env
    )


def _position(services: Services) -> int:
    return int(services.application.recorder.max_notification_id() or 0)


def _get(api: Api, path: str, who: str, position: int) -> Any:
    response = api.call("GET", path, who, headers={"X-Min-Position": str(position)})
    assert response.status_code == 200, (path, response.text)
    return response.json()


def test_r30_bulk_migration_of_200_candidates_over_http(api: Api, services: Services) -> None:
    started = time.monotonic()
    ids = _build(services.application)
    built = time.monotonic()

    done = _migrate(services)

    migrated = time.monotonic()
    assert done.exit_code == 0, done.output
    assert f"{CANDIDATES} candidate(s) on another version of SAM; moving them" in done.stdout
    # The progress bar (stderr) counts every candidate; its lines never mix with stdout.
    assert re.search(rf"SAM -> 2026\.2: 100%.*{CANDIDATES}/{CANDIDATES} \[", done.stderr)
    assert "%|" not in done.stdout
    lines = {
        line.split(": SAM 2026.1 -> 2026.2; ")[0]: line.split(": SAM 2026.1 -> 2026.2; ")[1]
        for line in done.stdout.splitlines()
        if line.startswith("Kandidat ")
    }
    assert len(lines) == CANDIDATES  # one line per candidate, each once
    for index, cid in enumerate(ids):
        assert lines[f"{_name(index)} ({cid})"] == KINDS[index % len(KINDS)]["line"], index

    position = _position(services)
    led = _get(api, "/v1/leaders/me/candidates", "leader", position)
    assert led["count"] == CANDIDATES
    totals = {row["candidate_id"]: row["totals"] for row in led["data"]}
    for index, cid in enumerate(ids):
        kind = KINDS[index % len(KINDS)]
        # the goals that left the plan no longer count; 40 goals in either version
        assert totals[cid]["total"] == 40, (index, totals[cid])
        assert totals[cid]["approved"] == len(kind["approved"]), (index, totals[cid])
        assert totals[cid]["sent_for_approval"] == len(kind["waiting"]), (index, totals[cid])
        assert totals[cid]["rejected"] == len(kind["reject"]), (index, totals[cid])

    api.people.update({f"bulk-{i:03d}": _person(i) for i in range(CANDIDATES)})
    for index in (0, 1, 2, 3, 101, 198, 199):
        _check_candidate(api, ids[index], f"bulk-{index:03d}", KINDS[index % 4], position)

    again = _migrate(services)

    assert again.exit_code == 0, again.output
    assert "0 candidate(s) on another version of SAM" in again.stdout
    assert not [line for line in again.stdout.splitlines() if line.startswith("Kandidat ")]
    assert _position(services) == position
    checked = time.monotonic()
    print(  # measured: -s shows it (ADR 0026's bulk tool on 200 candidates)
        f"build {built - started:.1f}s, migrate {migrated - built:.1f}s, "
        f"checks {checked - migrated:.1f}s"
    )


def _person(index: int) -> Person:
    return Person(f"bulk-{index:03d}", _name(index))


def _check_candidate(api: Api, cid: str, who: str, kind: dict[str, Any], position: int) -> None:
    base = f"/v1/candidates/{cid}"
    progress = _get(api, base + "/progress", who, position)
    [plan] = [p for p in progress["plans"] if p["plan_code"] == "SAM"]
    assert (plan["total"], plan["approved"]) == (40, len(kind["approved"])), plan
    states = {goal["code"]: goal["state"] for goal in progress["goals"]}
    assert {code for code, state in states.items() if state == "approved"} == kind["approved"]
    assert not {"SAM-035", "SAM-036", "SAM-037", "SAM-039"} & states.keys()
    assert {"SAM-041", "SAM-042", "SAM-043", "SAM-044"} <= states.keys()
    readiness = progress["readiness"]
    assert readiness["ready"] is False and readiness["required_plans"] == ["FKM", "SAM"]
    missing = {m["goal_code"]: m["state"] for m in readiness["missing"] if m["plan_code"] == "SAM"}
    # the new version's goals not approved, and nothing of the old version
    assert set(missing) == {goal for goal, state in states.items() if state != "approved"}
    assert missing["SAM-043"] == "not_started" and len(missing) == 40 - len(kind["approved"])
    for code in kind["approved"] - {"SAM-001", "SAM-038"}:
        goal = _get(api, f"{base}/goals/{code}", who, position)
        assert goal["state"] == "approved" and goal["catalogue_version"] == "2026.2"
        assert goal["carried_over_from"]["version"] == "2026.1"
        assert goal["carried_over_from"]["approver"] == "Leif Leder"
        assert goal["decided_by"] == {"sub": "leader-sub", "name": "Leif Leder"}
    [plan_held] = [p for p in _get(api, base, who, position)["plans"] if p["plan_code"] == "SAM"]
    assert plan_held["catalogue_version"] == "2026.2"
    history = _get(api, base + "/history", "auditor", position)["data"]
    [migrated] = [event for event in history if event["type"] == "Candidate.PlanMigrated"]
    assert migrated["actor"]["name"] == "Portal operator (kompetanse catalogue migrate)"
    types = [event["type"] for event in history]
    assert types.count("LearningGoal.MovedToVersion") == 40
    assert _get(api, base + "/history/verify", "auditor", position)["ok"] is True
