"""Who may do what for the profile and the invitations (API.md v1.1 "Profile and
specialty", "Mentor and leader"; R28, R2, R7): the authorization matrix of
`test_api_authorization` (the same seven relations, the same expectations: the allowed
relations succeed, other related people 403, an unrelated person 404, an auditor 403)
for the commands and the query added in v1.1, kept in a file of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import cycle

import pytest
from api_world import Api, problem_of
from test_api_authorization import RELATIONS, Request, Team
from test_api_rules_over_http import oslo_today

TODAY = oslo_today().isoformat()  # dates are Oslo dates (no flake near midnight)
IN_A_MONTH = (oslo_today() + timedelta(days=30)).isoformat()


def _specialties() -> Iterator[str]:
    """Every attempt records another specialty than the current one (ALM at first)."""
    return cycle(("SAM", "ALM"))


class ProfileTeam(Team):
    def __init__(self, api: Api) -> None:
        super().__init__(api)
        self.specialties = _specialties()
        self.emails = iter(range(1000))


INVITE_BOUND = {
    "role": "supervisor",
    "name": "Ny",
    "email": "ny@example.no",
    "hpr_number": "1234567",
}
INVITE_DEPUTY = {"role": "deputy", "name": "Ny", "email": "ny@example.no", "until": IN_A_MONTH}

CASES: dict[str, tuple[dict[str, int], Callable[[ProfileTeam], Request]]] = {
    "edit_profile": (
        {"candidate": 200},
        lambda t: Request("PATCH", t.base, {"email": f"ny{next(t.emails)}@example.no"}),
    ),
    "change_specialty": (
        {"candidate": 201, "leader": 201, "deputy": 201},
        lambda t: Request(
            "POST", t.base + "/specialties", {"specialty": next(t.specialties), "from": TODAY}
        ),
    ),
    "invite_bound_to_hpr_number": (
        {"candidate": 201},
        lambda t: Request("POST", t.base + "/invitations", INVITE_BOUND),
    ),
    "invite_deputy_until": (
        {"leader": 201},
        lambda t: Request("POST", t.base + "/invitations", INVITE_DEPUTY),
    ),
    "list_invitations": (
        {"candidate": 200, "leader": 200},
        lambda t: Request("GET", t.base + "/invitations"),
    ),
}


def expected_status(case: str, relation: str) -> int:
    allowed = CASES[case][0]
    if relation in allowed:
        return allowed[relation]
    return 404 if relation == "unrelated" else 403


@pytest.mark.parametrize("case", list(CASES))
def test_r28_r26_only_the_roles_in_api_md_may_use_the_profile_and_invitations(
    api: Api, case: str
) -> None:
    team = ProfileTeam(api)
    expected, actual = {}, {}
    for relation in RELATIONS:
        request = CASES[case][1](team)
        response = api.call(request.method, request.path, relation, request.body)
        actual[relation] = response.status_code
        expected[relation] = expected_status(case, relation)
        if response.status_code >= 400:
            problem_of(response)
    assert actual == expected
