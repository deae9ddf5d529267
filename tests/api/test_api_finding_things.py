"""Finding things (API.md v1.1), over HTTP on SQLite and PostgreSQL.

Auditors find candidates by HPR number or by a part of the name (case-insensitive,
æøå included, `%` and `_` literal) in the `finder` view; everyone else is refused
with 403. Any authenticated user reads the plan catalogue.

Tests that register people get a new database each; the refusals of bad parameters and
the catalogue reads share one app and store per module (`shared`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import Api, build_team, problem_of, registration, services_with_views, small_plan

from api.deps import Services
from kompetanse_domain.model.finding import SEARCH_LIMIT

RELATIONS = ("candidate", "leader", "deputy", "veileder", "supervisor", "unrelated")


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """The real read side, following the store (the search reads a view)."""
    with services_with_views(database_url, data_dir) as services:
        yield services


class World:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.position = 0

    def register(self, who: str, name: str, hpr_number: str | None = None) -> str:
        body: dict[str, Any] = {**registration(name), "hpr_number": hpr_number}
        response = self.api.call("POST", "/v1/candidates", who, body)
        assert response.status_code == 201, response.text
        self.position = max(self.position, int(response.headers["X-Event-Position"]))
        cid: str = response.json()["candidate_id"]
        return cid

    def search(self, who: str = "auditor", **params: str) -> httpx.Response:
        position = max(self.position, self.api.written)
        headers = self.api.headers(who, {"X-Min-Position": str(position)})
        return self.api.client.get("/v1/candidates", params=params, headers=headers)

    def found(self, **params: str) -> list[str]:
        response = self.search(**params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["count"] == len(body["data"])
        return [row["name"] for row in body["data"]]


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


def test_an_auditor_finds_a_candidate_by_hpr_number(world: World) -> None:
    cid = world.register("aase", "Åse Ødegård", "12345678")
    world.register("ola", "Ola Nordmann", "1234567")
    response = world.search(hpr_number="12345678")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": [
            {
                "candidate_id": cid,
                "name": "Åse Ødegård",
                "hpr_number": "12345678",
                "specialty": "ALM",
                "organisation": {"id": "kommune-0301", "name": "Oslo kommune"},
            }
        ],
        "count": 1,
    }
    assert world.found(hpr_number="9999") == []


def test_an_auditor_finds_by_a_part_of_the_name_case_insensitively_with_aeoeaa(
    world: World,
) -> None:
    world.register("aase", "Åse Ødegård")
    world.register("oeystein", "Øystein Ærø")
    world.register("ola", "Ola Nordmann")
    assert world.found(q="øde") == ["Åse Ødegård"]
    assert world.found(q="ÅSE") == ["Åse Ødegård"]
    assert world.found(q="ØDEGÅRD") == ["Åse Ødegård"]
    assert world.found(q="æRØ") == ["Øystein Ærø"]
    assert world.found(q="nordMANN") == ["Ola Nordmann"]
    # "Å" sent decomposed (A + combining ring) is normalised (NFC) before matching
    assert world.found(q="A\u030ase") == ["Åse Ødegård"]
    # both given: both must match
    assert world.found(q="ola", hpr_number="1234") == []


def test_percent_and_underscore_in_q_are_matched_literally(world: World) -> None:
    world.register("a", "Anne_Lise Berg")
    world.register("b", "Anne Lise Berg")
    world.register("c", "Bo 100% Ek")
    world.register("d", "Bo 1000 Ek")
    assert world.found(q="e_l") == ["Anne_Lise Berg"]
    assert world.found(q="0%") == ["Bo 100% Ek"]
    assert world.found(q="%%") == []
    assert world.found(q="__") == []
    assert world.found(q="\\%") == []


def test_only_auditors_search_candidates_the_rest_get_403(api: Api, world: World) -> None:
    build_team(api)
    for relation in RELATIONS:
        for params in ({"q": "Lise"}, {"hpr_number": "12"}, {}):
            response = world.search(relation, **params)
            assert response.status_code == 403, (relation, params, response.text)
            assert "auditor" in problem_of(response)["detail"]
            assert "X-Projection-Position" in response.headers
    assert world.found(q="Lise") == ["Lise Lege"]
    assert api.client.get("/v1/candidates", params={"q": "Lise"}).status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "a"},
        {"q": "  a  "},
        {"q": "\u200b\u200b"},
        {"q": "x" * 101},
        {"q": "Lise\x00"},
        {"hpr_number": "123"},
        {"hpr_number": "1234567890"},
        {"hpr_number": "12a45"},
        {"hpr_number": "١٢٣٤٥"},  # Arabic-Indic digits: not 0-9
        {"hpr_number": ""},
    ],
)
def test_bad_search_parameters_are_422_problems(shared: Api, params: dict[str, str]) -> None:
    response = World(shared).search(**params)
    assert response.status_code == 422, (params, response.text)
    detail = problem_of(response)["detail"]
    assert "q" in detail or "hpr_number" in detail


def test_the_search_reads_the_view_at_the_position_asked_for(world: World) -> None:
    world.register("aase", "Åse Ødegård", "12345678")
    response = world.search(q="øde")  # X-Min-Position: the registration's position
    assert response.status_code == 200
    assert int(response.headers["X-Projection-Position"]) >= world.position
    assert response.json()["count"] == 1
    refused = world.api.client.get(
        "/v1/candidates",
        params={"q": "øde"},
        headers=world.api.headers("auditor", {"X-Min-Position": "soon"}),
    )
    assert refused.status_code == 400
    assert "X-Projection-Position" in refused.headers


def test_a_search_answers_at_most_the_limit_ordered_by_name(world: World) -> None:
    for n in range(SEARCH_LIMIT + 1):
        world.register(f"person{n}", f"Kari Nummer {n:03d}")
    names = world.found(q="kari")
    assert len(names) == SEARCH_LIMIT == 50
    assert names == sorted(names)
    assert names[0] == "Kari Nummer 000"


# -- the catalogue ----------------------------------------------------------------------


def test_any_user_lists_the_catalogue_plans(shared: Api) -> None:
    for who in ("unrelated", "auditor", "candidate"):
        body = shared.ok("GET", "/v1/catalogue/plans", who)
        assert body["count"] == len(body["data"])
        klk = next(plan for plan in body["data"] if plan["code"] == "LIS1-KLK")
        assert klk == {
            "code": "LIS1-KLK",
            "version": "2026.1",
            "title": "DEL1 - Kliniske læringsmål - kommunehelsetjenesten",
            "goal_count": 20,
        }
        codes = [plan["code"] for plan in body["data"]]
        assert codes == sorted(codes) and {"ALM", "LIS1-FKM", "TEST-A"} <= set(codes)
    assert shared.call("GET", "/v1/catalogue/plans", None).status_code == 401


def test_a_plan_and_its_goals_newest_version_or_the_version_asked_for(shared: Api) -> None:
    newest = shared.ok("GET", "/v1/catalogue/plans/LIS1-KLK", "unrelated")
    assert newest["code"] == "LIS1-KLK" and newest["version"] == "2026.1"
    assert newest["goal_count"] == len(newest["goals"]) == 20
    goal = next(goal for goal in newest["goals"] if goal["code"] == "LIS1-KLK-002")
    assert goal == {
        "code": "LIS1-KLK-002",
        "title": "Selvstendig kunne vurdere hastegrad og håndtere henvendelser til legevakt",
        "arena": "municipality",
        "competence_level": "selvstendig",
        "recommended_activities": [
            {"kind": "course", "title": "Kurs i akuttmedisin for legevakt",
             "recommended_minimum": None},
            {"kind": "procedure", "title": "Legevaktskonsultasjoner", "recommended_minimum": 50},
        ],
    }  # fmt: skip
    same = shared.ok("GET", "/v1/catalogue/plans/LIS1-KLK?version=2026.1", "auditor")
    assert same == newest


def test_an_unknown_plan_or_version_is_a_404_problem(shared: Api) -> None:
    for path in ("/v1/catalogue/plans/NOPE", "/v1/catalogue/plans/LIS1-KLK?version=1999.1"):
        response = shared.call("GET", path, "candidate")
        assert response.status_code == 404, (path, response.text)
        assert (
            "/v1/catalogue/plans" in problem_of(response)["detail"]
            or "version" in (problem_of(response)["detail"])
        )
    for path in ("/v1/catalogue/plans/lis1-klk", "/v1/catalogue/plans/LIS1-KLK?version=new"):
        response = shared.call("GET", path, "candidate")
        assert response.status_code == 422, (path, response.text)
        problem_of(response)


def test_an_older_version_held_in_the_imported_plans_is_served_when_asked_for(
    api: Api, services: Services
) -> None:
    older = small_plan("TEST-A").model_copy(update={"version": "2025.1", "title": "Gammel"})
    folder = services.settings.catalogue_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "TEST-A@2025.1.json").write_text(older.model_dump_json(), encoding="utf-8")
    (folder / "TEST-A@2024.1.json").write_text("{not a plan", encoding="utf-8")
    newest = api.ok("GET", "/v1/catalogue/plans/TEST-A", "unrelated")
    assert (newest["version"], newest["title"]) == ("2026.1", "Testplan TEST-A")
    asked = api.ok("GET", "/v1/catalogue/plans/TEST-A?version=2025.1", "unrelated")
    assert (asked["version"], asked["title"], asked["goal_count"]) == ("2025.1", "Gammel", 1)
    broken = api.call("GET", "/v1/catalogue/plans/TEST-A?version=2024.1", "unrelated")
    assert broken.status_code == 404, broken.text
    assert "newest is 2026.1" in problem_of(broken)["detail"]
