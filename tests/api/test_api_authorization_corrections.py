"""Who may correct what (R29, API.md v1.1 "Corrections"), over HTTP: the four commands
against the seven relations of `test_api_authorization` (its `Team` and expectations):
the allowed relations succeed, other related people get 403, an unrelated person 404,
an auditor 403."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from api_world import Api, problem_of
from test_api_authorization import RELATIONS, Request, Team

REASON = {"reason": "Registrert ved en feil"}


def approved_goal(team: Team) -> str:
    goal = team.sent_goal()
    team.api.ok("POST", goal + "/approve", "leader", {})
    return goal


CASES: dict[str, tuple[dict[str, int], Callable[[Team], Request]]] = {
    "edit_activity": (
        {"candidate": 200},
        lambda t: Request("PATCH", t.activity(send=False), {"title": "Kurs i etikk"}),
    ),
    "withdraw_activity": (
        {"candidate": 200},
        lambda t: Request("POST", t.activity(send=True) + "/withdraw", REASON),
    ),
    "recall_goal": (
        {"candidate": 200},
        lambda t: Request("POST", t.sent_goal() + "/recall", {"reason": "For tidlig"}),
    ),
    "withdraw_approval": (
        {"leader": 200, "deputy": 200},
        lambda t: Request("POST", approved_goal(t) + "/withdraw-approval", REASON),
    ),
}


def expected_status(command: str, relation: str) -> int:
    allowed = CASES[command][0]
    if relation in allowed:
        return allowed[relation]
    return 404 if relation == "unrelated" else 403


@pytest.mark.parametrize("command", list(CASES))
def test_r29_only_the_roles_in_api_md_may_correct(api: Api, command: str) -> None:
    team = Team(api)
    expected, actual = {}, {}
    for relation in RELATIONS:
        request = CASES[command][1](team)
        response = api.call(request.method, request.path, relation, request.body)
        actual[relation] = response.status_code
        expected[relation] = expected_status(command, relation)
        if response.status_code >= 400:
            problem_of(response)
    assert actual == expected
