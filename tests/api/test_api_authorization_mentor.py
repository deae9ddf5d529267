"""The authorization matrix of `test_api_authorization`, extended to the commands and
queries of R25 and R26 (API.md v1.1 "Corrections": cancel a meeting; "Mentor and
leader": concerns and the veileder's list), against the same seven relations.

As there: the allowed relations succeed, other related people get 403, an unrelated
person 404, an auditor (who may read but never act) 403; every attempt gets a fresh
target. The queries read real views, so this module runs with a following read side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_world import Api, problem_of, services_with_views
from test_api_authorization import RELATIONS, Request, Team

from api.deps import Services


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    with services_with_views(database_url, data_dir) as services:
        yield services


def _concern(team: Team) -> str:
    body = {"text": "Progresjonen er ikke som forventet"}
    concern_id = team.api.ok("POST", team.base + "/concerns", "veileder", body, 201)["concern_id"]
    return f"{team.base}/concerns/{concern_id}"


COMMANDS: dict[str, tuple[dict[str, int], Callable[[Team], Request]]] = {
    "cancel_meeting": (  # R25
        {"veileder": 200},
        lambda t: Request("POST", t.meeting() + "/cancel", {"reason": "Avlyst"}),
    ),
    "raise_concern": (  # R26
        {"veileder": 201},
        lambda t: Request("POST", t.base + "/concerns", {"text": "Bekymring"}),
    ),
    "resolve_concern": (  # R26
        {"leader": 200, "deputy": 200},
        lambda t: Request("POST", _concern(t) + "/resolve", {"note": "Fulgt opp"}),
    ),
}

READ_CONCERNS = ("candidate", "leader", "deputy", "veileder", "auditor")


def _expected(allowed: dict[str, int], relation: str) -> int:
    if relation in allowed:
        return allowed[relation]
    return 404 if relation == "unrelated" else 403


@pytest.mark.parametrize("command", list(COMMANDS))
def test_r25_r26_only_the_roles_in_api_md_may_run_each_new_command(api: Api, command: str) -> None:
    team = Team(api)
    expected, actual = {}, {}
    for relation in RELATIONS:
        request = COMMANDS[command][1](team)
        response = api.call(request.method, request.path, relation, request.body)
        actual[relation] = response.status_code
        expected[relation] = _expected(COMMANDS[command][0], relation)
        if response.status_code >= 400:
            problem_of(response)
    assert actual == expected


def test_r26_who_reads_a_candidates_concerns(api: Api) -> None:
    team = Team(api)
    path = team.base + "/concerns"
    raised = api.call("POST", path, "veileder", {"text": "Bekymring"})
    assert raised.status_code == 201, raised.text
    position = {"X-Min-Position": raised.headers["X-Event-Position"]}
    actual = {}
    for relation in RELATIONS:
        response = api.call("GET", path, relation, headers=position)
        actual[relation] = response.status_code
        if response.status_code >= 400:
            problem_of(response)
        else:
            assert response.json()["count"] == 1, relation
    assert actual == {
        relation: _expected(dict.fromkeys(READ_CONCERNS, 200), relation) for relation in RELATIONS
    }


def test_r26_any_user_reads_their_own_veileder_list(api: Api) -> None:
    Team(api)
    statuses = {
        relation: api.call("GET", "/v1/veiledere/me/candidates", relation).status_code
        for relation in RELATIONS
    }
    assert statuses == dict.fromkeys(RELATIONS, 200)
    assert api.call("GET", "/v1/veiledere/me/candidates", None).status_code == 401
