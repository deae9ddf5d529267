"""A 405 names in `Allow` every method the path serves (RFC 9110 15.5.6), across routers."""

from __future__ import annotations

import re

from api_world import Api, problem_of

EXAMPLES = {"cid": "0b0c6ad4-4b7c-4c57-9e0b-7a8c1c3a1f00", "code": "ALM-001", "plan_code": "ALM"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _concrete(path: str) -> str:
    """A request path for a route template, with values its parameters accept."""
    return re.sub(
        r"{(\w+)(?::\w+)?}",
        lambda m: EXAMPLES.get(m.group(1), "0b0c6ad4-4b7c-4c57-9e0b-7a8c1c3a1f01"),
        path,
    )


def test_a_405_lists_every_method_of_the_path_in_allow(api: Api) -> None:
    paths = api.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    served = {path: {method.upper() for method in operations} for path, operations in paths.items()}
    assert "/v1/candidates/{cid}/meetings" in served and len(served) > 20
    wrong = []
    for path, methods in served.items():
        for method in sorted(set(METHODS) - methods):
            response = api.call(method, _concrete(path), "candidate")
            allow = {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()}
            if response.status_code != 405 or allow != methods:
                wrong.append((method, path, response.status_code, sorted(allow), sorted(methods)))
            else:
                problem_of(response)
    assert wrong == []


def test_the_meetings_of_a_candidate_allow_get_and_post(api: Api) -> None:
    response = api.call("DELETE", f"/v1/candidates/{EXAMPLES['cid']}/meetings", "candidate")
    assert response.status_code == 405
    assert sorted(m.strip() for m in response.headers["allow"].split(",")) == ["GET", "POST"]
