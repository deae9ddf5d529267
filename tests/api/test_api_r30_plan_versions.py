"""R30 over HTTP, on SQLite and PostgreSQL: a candidate's plan moves to a new version
along the catalogue's mapping (API.md v1.1 "Curriculum versions", ADR 0026).

The plan VER has two versions. 2026.2 maps from 2026.1 like this:

    VER-001 -> VER-001            kept (the mapping does not name it)
    VER-002 -> VER-007            one to one, a new code
    VER-003 -> VER-003, VER-008   one to many
    VER-004 + VER-005 -> VER-009  many to one
    VER-006 -> (removed)
    (added) -> VER-010
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import (
    YESTERDAY,
    Api,
    build_team,
    catalogue_with_test_plans,
    problem_of,
    services_with_views,
)

from api.deps import Services
from kompetanse_domain.catalogue import Catalogue, PlanDefinition
from kompetanse_domain.catalogue.model import GoalLink, PlanMapping

V1, V2 = "2026.1", "2026.2"


def ver_plan(version: str, numbers: list[int]) -> PlanDefinition:
    return PlanDefinition.model_validate(
        {
            "code": "VER",
            "title": "Versjonert testplan",
            "version": version,
            "part": "part3",
            "specialty": "ALM",  # required for the candidate's approval (R20)
            "sample_titles": True,
            "source": "Written for the R30 tests.",
            "goals": [
                {"code": f"VER-{n:03d}", "title": f"Mål {n}", "competence_level": "kjenne til"}
                for n in numbers
            ],
        }
    )


MAPPING = PlanMapping(
    plan_code="VER",
    from_version=V1,
    to_version=V2,
    sample=True,
    source="Written for the R30 tests.",
    links=(
        GoalLink(source="VER-002", target="VER-007"),
        GoalLink(source="VER-003", target="VER-003"),
        GoalLink(source="VER-003", target="VER-008"),
        GoalLink(source="VER-004", target="VER-009"),
        GoalLink(source="VER-005", target="VER-009"),
        GoalLink(source="VER-006", target=None),
        GoalLink(source=None, target="VER-010"),
    ),
)


def catalogue() -> Catalogue:
    return Catalogue(
        plans=(*catalogue_with_test_plans().plans, ver_plan(V2, [1, 3, 7, 8, 9, 10])),
        versions=(ver_plan(V1, [1, 2, 3, 4, 5, 6]),),
        mappings=(MAPPING,),
    )


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    with services_with_views(database_url, data_dir, catalogue()) as services:
        yield services


class World:
    """A candidate with a team and VER assigned in version 2026.1."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.position = 0
        self.cid = build_team(api)
        self.base = f"/v1/candidates/{self.cid}"
        answer = self.ok(
            "POST", self.base + "/plans", "leader", {"plan_code": "VER", "version": V1}, 201
        )
        assert answer == {"plan_code": "VER", "goals": 6}

    def ok(self, method: str, path: str, who: str, body: Any = None, status: int = 200) -> Any:
        response = self.call(method, path, who, body)
        assert response.status_code == status, (method, path, who, response.text)
        return response.json() if response.content else None

    def call(self, method: str, path: str, who: str, body: Any = None) -> httpx.Response:
        response = self.api.call(method, path, who, body)
        if "X-Event-Position" in response.headers:
            self.position = max(self.position, int(response.headers["X-Event-Position"]))
        return response

    def get(self, path: str, who: str = "leader") -> Any:
        headers = {"X-Min-Position": str(max(self.position, self.api.written))}
        response = self.api.call("GET", path, who, headers=headers)
        assert response.status_code == 200, (path, response.text)
        return response.json() if "json" in response.headers["content-type"] else response

    def send(self, *codes: str) -> None:
        for code in codes:
            body = {"completed_on": YESTERDAY}
            self.ok("POST", f"{self.base}/goals/{code}/send-for-approval", "candidate", body)

    def approve(self, *codes: str) -> None:
        self.send(*codes)
        for code in codes:
            self.ok("POST", f"{self.base}/goals/{code}/approve", "leader", {})

    def migrate(self, who: str = "leader", to_version: str = V2) -> httpx.Response:
        body = {"to_version": to_version}
        return self.call("POST", f"{self.base}/plans/VER/migrate", who, body)

    def goal(self, code: str) -> Any:
        return self.get(f"{self.base}/goals/{code}", "candidate")

    def plan_progress(self) -> dict[str, Any]:
        progress = self.get(f"{self.base}/progress")
        [plan] = [p for p in progress["plans"] if p["plan_code"] == "VER"]
        return {"plan": plan, "goals": {g["code"]: g["state"] for g in progress["goals"]}}


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


def test_r30_approved_goals_carry_over_one_to_one_one_to_many_and_many_to_one(
    world: World,
) -> None:
    world.approve("VER-001", "VER-002", "VER-003", "VER-004", "VER-005")

    response = world.migrate("deputy")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "plan_code": "VER",
        "from_version": V1,
        "to_version": V2,
        "carried_over": [
            {"from": "VER-001", "to": "VER-001"},
            {"from": "VER-003", "to": "VER-003"},
            {"from": "VER-002", "to": "VER-007"},
            {"from": "VER-003", "to": "VER-008"},  # one to many: every new goal carries
            {"from": "VER-004", "to": "VER-009"},  # many to one, all approved
            {"from": "VER-005", "to": "VER-009"},
        ],
        "open": ["VER-010"],
        "dropped": [{"code": "VER-006", "state": "not_started"}],
    }
    renamed = world.goal("VER-007")
    assert (renamed["state"], renamed["catalogue_version"]) == ("approved", V2)
    old = world.goal("VER-002")
    assert renamed["carried_over_from"] == {
        "version": V1,
        "goal_code": "VER-002",
        "approved_at": renamed["decided_at"].replace("Z", "+00:00"),
        "approver": "Leif Leder",
    }
    assert renamed["decided_by"] == old["decided_by"] == {"sub": "leader-sub", "name": "Leif Leder"}
    assert old["withdrawn"] is True and old["state"] == "approved"  # its history stays
    progress = world.plan_progress()
    assert (progress["plan"]["total"], progress["plan"]["approved"]) == (6, 5)
    assert progress["goals"] == {
        "VER-001": "approved",
        "VER-003": "approved",
        "VER-007": "approved",
        "VER-008": "approved",
        "VER-009": "approved",
        "VER-010": "not_started",
    }
    [plan] = [p for p in world.get(world.base)["plans"] if p["plan_code"] == "VER"]
    assert (plan["catalogue_version"], plan["goal_count"]) == (V2, 6)


def test_r30_many_to_one_opens_when_not_all_old_goals_were_approved(world: World) -> None:
    world.approve("VER-004")
    world.send("VER-005", "VER-006")

    answer = world.migrate().json()

    assert answer["carried_over"] == []
    assert answer["open"] == ["VER-007", "VER-008", "VER-009", "VER-010"]
    assert answer["dropped"] == [
        {"code": "VER-002", "state": "not_started"},
        {"code": "VER-004", "state": "approved"},  # listed: its approval did not carry
        {"code": "VER-005", "state": "sent_for_approval"},  # waiting: listed, still visible
        {"code": "VER-006", "state": "sent_for_approval"},
    ]
    merged = world.goal("VER-009")
    assert (merged["state"], merged["carried_over_from"]) == ("not_started", None)
    waiting = world.goal("VER-005")
    assert (waiting["state"], waiting["withdrawn"]) == ("sent_for_approval", True)
    progress = world.plan_progress()
    assert progress["plan"]["approved"] == 0 and progress["plan"]["total"] == 6
    readiness = world.get(world.base + "/progress")["readiness"]
    missing = {m["goal_code"] for m in readiness["missing"] if m["plan_code"] == "VER"}
    assert {"VER-009", "VER-010"} <= missing and "VER-005" not in missing


def test_r30_repeating_the_migration_changes_nothing(world: World) -> None:
    world.approve("VER-002")
    first = world.migrate().json()
    history = world.get(world.base + "/history", "candidate")
    goal = world.goal("VER-007")

    again = world.migrate()

    assert again.status_code == 200, again.text
    assert again.json() == {
        "plan_code": "VER",
        "from_version": V2,
        "to_version": V2,
        "carried_over": [],
        "open": [],
        "dropped": [],
    }
    assert first["carried_over"] == [{"from": "VER-002", "to": "VER-007"}]
    assert world.get(world.base + "/history", "candidate")["count"] == history["count"]
    assert world.goal("VER-007")["version"] == goal["version"]


def test_r30_a_version_without_a_mapping_is_409_and_changes_nothing(world: World) -> None:
    response = world.migrate(to_version="2027.1")

    assert response.status_code == 409, response.text
    assert "mapping" in problem_of(response)["detail"]
    [plan] = [p for p in world.get(world.base)["plans"] if p["plan_code"] == "VER"]
    assert plan["catalogue_version"] == V1
    assert world.migrate("candidate").status_code == 403  # R30: leader or deputy only


def test_r30_history_and_state_as_of_before_the_migration_show_the_old_plan(
    world: World,
) -> None:
    world.approve("VER-002")
    before = datetime.now(UTC).isoformat()
    world.migrate()

    old = world.get(f"{world.base}/state?as_of={before}", "auditor")
    new = world.get(world.base + "/state", "auditor")

    [old_plan] = [p for p in old["plans"] if p["plan_code"] == "VER"]
    [new_plan] = [p for p in new["plans"] if p["plan_code"] == "VER"]
    assert (old_plan["catalogue_version"], old_plan["goal_codes"]) == (
        V1,
        [f"VER-{n:03d}" for n in (1, 2, 3, 4, 5, 6)],
    )
    assert new_plan["catalogue_version"] == V2
    assert "VER-007" not in {g["code"] for g in old["goals"]}
    carried = next(g for g in new["goals"] if g["code"] == "VER-007")
    assert carried["state"] == "approved"
    assert carried["carried_over_from"]["goal_code"] == "VER-002"
    types = [event["type"] for event in world.get(world.base + "/history", "auditor")["data"]]
    assert "Candidate.PlanMigrated" in types
    assert "LearningGoal.MovedToVersion" in types and "LearningGoal.LeftPlan" in types
    verified = world.get(world.base + "/history/verify", "auditor")
    assert verified["ok"] is True


def test_r30_export_json_names_where_a_carried_approval_came_from(world: World) -> None:
    world.approve("VER-002")
    world.migrate()

    export = world.get(world.base + "/export.json", "candidate")

    [plan] = [p for p in export["plans"] if p["plan_code"] == "VER"]
    achieved = {goal["code"]: goal for goal in plan["achieved_goals"]}
    assert achieved["VER-007"]["carried_over_from"]["goal_code"] == "VER-002"
    assert achieved["VER-007"]["carried_over_from"]["version"] == V1
    assert "VER-002" not in achieved  # the old goal left the plan: counted once, as VER-007
    assert plan["achieved_count"] == 1 and plan["catalogue_version"] == V2


def test_r30_report_csv_shows_the_new_version_goals(world: World) -> None:
    world.approve("VER-002")
    world.migrate()

    text = world.get("/v1/leaders/me/report.csv").content.decode("utf-8-sig")

    goals = {line.split(";")[3]: line.split(";")[4] for line in text.splitlines()[1:]}
    assert goals["VER-007"] == "approved"
    assert "VER-010" in goals


def test_r30_catalogue_lists_every_version_and_assigns_the_newest_by_default(
    world: World,
) -> None:
    plans = world.get("/v1/catalogue/plans", "unrelated")["data"]
    versions = [(p["version"], p["goal_count"]) for p in plans if p["code"] == "VER"]
    assert versions == [(V1, 6), (V2, 6)]
    old = world.get("/v1/catalogue/plans/VER?version=2026.1", "unrelated")
    assert [g["code"] for g in old["goals"]][-1] == "VER-006"
    newest = world.get("/v1/catalogue/plans/VER", "unrelated")
    assert newest["version"] == V2
    world.ok("DELETE", world.base + "/plans/VER", "leader", {"reason": "Feil versjon"}, 204)
    world.ok("POST", world.base + "/plans", "leader", {"plan_code": "VER"}, 201)
    [plan] = [p for p in world.get(world.base)["plans"] if p["plan_code"] == "VER"]
    assert plan["catalogue_version"] == V2
    unknown = world.call(
        "POST", world.base + "/plans", "leader", {"plan_code": "ALM", "version": "1999.1"}
    )
    assert unknown.status_code == 404, unknown.text
    assert "held versions" in problem_of(unknown)["detail"]


def test_r30_the_openapi_document_declares_the_migration(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]

    operation = document["paths"]["/v1/candidates/{cid}/plans/{plan_code}/migrate"]["post"]
    answer = operation["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PlanMigrated"
    }
    assert {"409", "403", "404"} <= set(operation["responses"])
    assert schemas["MigratePlan"]["required"] == ["to_version"]
    carried = schemas["CarriedOver"]["properties"]
    assert set(carried) == {"from", "to"}
    assert "sent_for_signing" in schemas["DroppedGoal"]["properties"]["state"]["enum"]
    assert "version" in schemas["AssignPlan"]["properties"]
    assert "carried_over_from" in schemas["GoalPublic"]["properties"]


def test_r30_an_archived_plan_is_not_migrated_409_and_a_bad_version_is_422(
    world: World,
) -> None:
    world.approve(*(f"VER-{n:03d}" for n in range(1, 7)))
    world.ok("POST", world.base + "/plans/VER/archive", "leader", {})

    archived = world.migrate()
    malformed = world.migrate(to_version="2026.x")

    assert archived.status_code == 409, archived.text
    assert "archived" in problem_of(archived)["detail"]
    assert malformed.status_code == 422, malformed.text
    missing = world.call("POST", world.base + "/plans/ALM/migrate", "leader", {"to_version": V2})
    assert missing.status_code == 404, missing.text
