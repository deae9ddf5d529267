"""Who may move a candidate's plan to a new version (R30), over HTTP on both stores: the
authorization matrix's relations (`test_api_authorization.RELATIONS`) against
`POST /v1/candidates/{cid}/plans/{plan_code}/migrate`: the leader and a deputy
succeed, other related people and the auditor get 403, an unrelated person 404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_world import Api, build_team, services_with_views
from test_api_authorization import RELATIONS
from test_api_r30_plan_versions import V1, V2, catalogue

from api.deps import Services

ALLOWED = ("leader", "deputy")


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    with services_with_views(database_url, data_dir, catalogue()) as services:
        yield services


def test_r30_only_the_leader_or_a_deputy_migrates_a_plan(api: Api) -> None:
    cid = build_team(api)
    base = f"/v1/candidates/{cid}"
    statuses = {}
    for who in RELATIONS:
        if who in ALLOWED:  # a fresh target: the plan back on the old version
            api.call("DELETE", base + "/plans/VER", "leader", {"reason": "Ny tildeling"})
            assigned = {"plan_code": "VER", "version": V1}
            api.ok("POST", base + "/plans", "leader", assigned, 201)
        response = api.call("POST", base + "/plans/VER/migrate", who, {"to_version": V2})
        statuses[who] = response.status_code
        if who in ALLOWED:
            assert response.json()["from_version"] == V1, response.text

    assert statuses == {
        who: 200 if who in ALLOWED else 404 if who == "unrelated" else 403 for who in RELATIONS
    }
