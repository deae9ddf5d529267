"""`/openapi.json` says what the server enforces, and the server enforces what it says.

For each constrained field a value is valid under the published document exactly when
the server lets it through validation (anything but 422); the documented response
headers are declared and sent; each created resource links to the calls that follow,
and following a link works. Whole numbers written `60.0` are integers, as in JSON
Schema. Both stores.

The document is generated once per module (`document`: 0.9-3 s of pydantic work each
time, the same for every app over the same catalogue), and on each store the served
`/openapi.json` is checked to be that very document.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
import pytest
from api_world import (
    YESTERDAY,
    Api,
    build_team,
    catalogue_with_test_plans,
    registration,
    services_with_views,
)
from fastapi.testclient import TestClient

from api.app import create_app
from api.attachments import AttachmentStore
from api.deps import Services
from api.settings import Settings
from kompetanse_domain.application import KompetanseApplication

Sample = tuple[Any, bool]  # a value, and whether the document allows it


@pytest.fixture
def services(store_url: str, data_dir: Path) -> Iterator[Services]:
    """With the real read side, so links to queries can be followed."""
    with services_with_views(store_url, data_dir) as services:
        yield services


def _read(api: Api, path: str, who: str, after: Any) -> Any:
    """A query that waits for the command answered by `after` (read your own write)."""
    position = after.headers["X-Event-Position"]
    return api.call("GET", path, who, headers={"X-Min-Position": position})


def _served_document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture(scope="module")
def generated_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`/openapi.json` as an app over the tests' catalogue serves it (the document does
    not depend on the store: see `test_the_served_document_is_the_one_checked_here`)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("document"))
    application = KompetanseApplication(catalogue=catalogue_with_test_plans())
    services = Services(
        application=application,
        projections=cast(Any, None),
        settings=settings,
        attachments=AttachmentStore(settings.attachments_dir),
    )
    try:
        with TestClient(create_app(services)) as client:
            return _served_document(client)
    finally:
        application.close()


@pytest.fixture
def document(generated_document: dict[str, Any]) -> dict[str, Any]:
    """The module's document, a copy per test (a test cannot change another's)."""
    return copy.deepcopy(generated_document)


def test_the_served_document_is_the_one_checked_here(api: Api, document: dict[str, Any]) -> None:
    """On each store, the app of these tests serves exactly the module's document."""
    assert _served_document(api.client) == document


def _property(document: dict[str, Any], component: str, name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][component]["properties"][name]
    return schema


def _parameter(document: dict[str, Any], method: str, path: str, name: str) -> dict[str, Any]:
    operation = document["paths"][path][method]
    schema: dict[str, Any] = next(p for p in operation["parameters"] if p["name"] == name)["schema"]
    return schema


def _allowed(schema: dict[str, Any], value: Any) -> bool:
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    return bool(validator.is_valid(value))


def _agree(
    schema: dict[str, Any], samples: list[Sample], send: Callable[[Any], int]
) -> list[tuple[Any, bool, int]]:
    """The samples on which the document and the server disagree (and the sample list
    itself must say what the document says, so it cannot drift silently)."""
    disagreements = []
    for value, allowed in samples:
        assert _allowed(schema, value) is allowed, (value, schema)
        status = send(value)
        if (status != 422) is not allowed:
            disagreements.append((value, allowed, status))
    return disagreements


@pytest.fixture
def cid(api: Api) -> str:
    cid = build_team(api)
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    return cid


def test_invitation_roles_in_the_document_are_the_ones_the_server_accepts(
    api: Api, document: dict[str, Any]
) -> None:
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    schema = _property(document, "Invite", "role")
    assert sorted(schema["enum"]) == ["deputy", "leader", "supervisor", "veileder"]
    samples = [(role, True) for role in schema["enum"]] + [
        ("candidate", False),
        ("boss", False),
        ("Leader", False),
    ]

    def send(role: Any) -> int:
        body = {"role": role, "name": "Per Person", "email": "per@example.no"}
        return api.call("POST", f"/v1/candidates/{cid}/invitations", "candidate", body).status_code

    assert _agree(schema, samples, send) == []


def test_email_addresses_follow_the_domains_rule_in_document_and_server(
    api: Api, document: dict[str, Any]
) -> None:
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    schema = _property(document, "Invite", "email")
    samples = [
        ("per@example.no", True),
        ("a@b.c", True),
        ("a@localhost", False),
        ("per example@x.no", False),
        ("@example.no", False),
        ("per@", False),
        ("per\x01@example.no", False),
        ("per@exam\u0085ple.no", False),
        ("per@example.no\u202e", False),
    ]

    def send(email: Any) -> int:
        body = {"role": "supervisor", "name": "Per Person", "email": email}
        return api.call("POST", f"/v1/candidates/{cid}/invitations", "candidate", body).status_code

    assert _agree(schema, samples, send) == []
    assert _property(document, "RegisterCandidate", "email")["pattern"] == schema["pattern"]


def test_activity_kinds_in_the_document_are_the_ones_the_server_accepts(
    api: Api, cid: str, document: dict[str, Any]
) -> None:
    schema = _property(document, "RegisterActivity", "kind")
    samples = [(kind, True) for kind in schema["enum"]] + [("seminar", False), ("Course", False)]

    def send(kind: Any) -> int:
        body = {"title": "Kurs", "kind": kind, "fulfilled_on": YESTERDAY}
        path = f"/v1/candidates/{cid}/goals/TEST-A-001/activities"
        return api.call("POST", path, "candidate", body).status_code

    assert "course" in schema["enum"] and _agree(schema, samples, send) == []


def test_specialties_in_the_document_are_those_of_the_catalogue(
    api: Api, document: dict[str, Any]
) -> None:
    schema = _property(document, "RegisterCandidate", "specialty")
    assert {"LIS1", "ALM"} <= set(schema["enum"])
    samples = [(code, True) for code in schema["enum"]] + [("XYZ", False), ("alm", False)]
    people = iter(range(100))

    def send(specialty: Any) -> int:
        body = {**registration(), "specialty": specialty}
        return api.call("POST", "/v1/candidates", f"person_{next(people)}", body).status_code

    assert _agree(schema, samples, send) == []


def test_plan_codes_in_the_document_are_those_of_the_catalogue(
    api: Api, document: dict[str, Any]
) -> None:
    cid = build_team(api)
    schema = _property(document, "AssignPlan", "plan_code")
    assert {"ALM", "TEST-A"} <= set(schema["enum"])
    for code in ("TEST-B", "ALM"):
        response = api.call("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": code})
        assert response.status_code == 201, response.text
    unknown = api.call("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "NOPE"})
    assert not _allowed(schema, "NOPE") and unknown.status_code >= 400


def test_hpr_numbers_are_four_to_nine_ascii_digits_in_document_and_server(
    api: Api, document: dict[str, Any]
) -> None:
    schema = _property(document, "RegisterCandidate", "hpr_number")
    samples = [
        ("1234", True),
        ("123456789", True),
        ("123", False),
        ("1234567890", False),
        ("12a4", False),
        ("\u00b2\u00b2\u00b2\u00b2", False),  # superscript digits: str.isdigit() says yes
        ("\u0663\u0663\u0663\u0663", False),  # Arabic-Indic digits
    ]
    people = iter(range(100))

    def send(hpr: Any) -> int:
        body = {**registration(), "hpr_number": hpr}
        return api.call("POST", "/v1/candidates", f"hpr_{next(people)}", body).status_code

    assert _agree(schema, samples, send) == []


def test_minutes_and_counts_have_the_domains_range_and_whole_floats_are_integers(
    api: Api, cid: str, document: dict[str, Any]
) -> None:
    minutes = _property(document, "CreateMeeting", "planned_minutes")
    samples = [
        (60, True),
        (60.0, True),
        (1, True),
        (1440, True),
        (0, False),
        (1441, False),
        (-5, False),
        (60.5, False),
        ("60", False),
        (True, False),
    ]

    def meeting(value: Any) -> int:
        body = {"scheduled_for": YESTERDAY, "planned_minutes": value}
        return api.call("POST", f"/v1/candidates/{cid}/meetings", "veileder", body).status_code

    assert _agree(minutes, samples, meeting) == []

    count = _property(document, "RegisterActivity", "count")
    count_samples = [(3, True), (3.0, True), (10_000, True), (0, False), (10_001, False)]

    def activity(value: Any) -> int:
        body = {"title": "Prosedyre", "kind": "procedure", "fulfilled_on": YESTERDAY}
        path = f"/v1/candidates/{cid}/goals/TEST-A-001/activities"
        return api.call("POST", path, "candidate", {**body, "count": value}).status_code

    assert _agree(count, count_samples, activity) == []


def test_sixty_point_zero_minutes_are_recorded_as_sixty(api: Api, cid: str) -> None:
    body = {"scheduled_for": YESTERDAY, "planned_minutes": 60.0}
    meeting = api.ok("POST", f"/v1/candidates/{cid}/meetings", "veileder", body, 201)["meeting_id"]
    api.ok("PUT", f"/v1/meetings/{meeting}/summary", "veileder", {"text": "Vi snakket."})
    finalise = {"held_on": YESTERDAY, "duration_minutes": 45.0}
    done = api.call("POST", f"/v1/meetings/{meeting}/finalise", "veileder", finalise)
    assert done.status_code == 200, done.text
    read = _read(api, f"/v1/meetings/{meeting}", "veileder", done)
    assert read.status_code == 200, read.text
    shown = read.json()
    assert (shown["planned_minutes"], shown["duration_minutes"]) == (60, 45)


def test_as_of_is_a_date_time_in_document_and_server(
    api: Api, cid: str, document: dict[str, Any]
) -> None:
    schema = _parameter(document, "get", "/v1/candidates/{cid}/history", "as_of")
    schema = next(branch for branch in schema["anyOf"] if branch.get("type") == "string")
    samples = [
        ("2026-03-01T12:00:00+01:00", True),
        ("2026-03-01T12:00:00Z", True),
        ("2026-13-01T12:00:00Z", False),
        ("2026-02-30T12:00:00Z", False),
        ("2026-03-01T25:00:00Z", False),
        ("2026-03-01T12:00:00", False),
        ("yesterday", False),
    ]

    def send(value: Any) -> int:
        path = f"/v1/candidates/{cid}/history"
        return api.client.get(
            path, params={"as_of": value}, headers=api.headers("candidate")
        ).status_code

    assert _agree(schema, samples, send) == []


def test_x_min_position_is_declared_as_a_whole_number_string(document: dict[str, Any]) -> None:
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "X-Min-Position":
                    assert parameter["schema"] == {"type": "string", "pattern": "^[0-9]{1,18}$"}
    schema = _parameter(document, "get", "/v1/candidates/{cid}", "X-Min-Position")
    assert [_allowed(schema, v) for v in ("0", "12", "\u00b2", "-1", "1.0", "9" * 19)] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_response_headers_are_declared_and_sent(api: Api, document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            for status, response in operation["responses"].items():
                headers = response.get("headers", {})
                if "If-Match" in names and status.startswith("2"):
                    assert headers["X-Event-Position"]["required"], (method, path)
                    assert "ETag" in headers, (method, path)
                if "X-Min-Position" in names:
                    assert "X-Projection-Position" in headers, (method, path, status)
                if status == "503":
                    assert headers["Retry-After"]["required"], (method, path)

    created = api.call("POST", "/v1/candidates", "candidate", registration())
    assert created.status_code == 201
    assert created.headers["X-Event-Position"].isdigit()
    assert created.headers["ETag"] == '"1"'
    cid = created.json()["candidate_id"]
    read = _read(api, f"/v1/candidates/{cid}", "candidate", created)
    assert read.status_code == 200 and read.headers["X-Projection-Position"].isdigit()


def _resolve(document: dict[str, Any], ref: str) -> tuple[str, str]:
    _, _, path, method = ref.split("/", 3)
    return path.replace("~1", "/").replace("~0", "~"), method


def test_every_created_resource_links_to_operations_that_exist(document: dict[str, Any]) -> None:
    creating = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                links = response.get("links", {})
                if status == "201":
                    creating += 1
                    assert links, f"{method.upper()} {path} creates something but links nowhere"
                for name, link in links.items():
                    target_path, target_method = _resolve(document, link["operationRef"])
                    target = document["paths"][target_path][target_method]
                    params = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
                    assert set(link["parameters"]) <= params | {
                        p["name"] for p in target.get("parameters", [])
                    }, name
                    assert {p for p in params if f"{{{p}}}" in target_path} - set(
                        link["parameters"]
                    ) <= {"sub"}, (name, params)
    assert creating >= 6


def test_following_the_links_of_a_registration_and_a_meeting_reaches_them(
    api: Api, cid: str, document: dict[str, Any]
) -> None:
    body = {"scheduled_for": YESTERDAY, "planned_minutes": 60}
    created = api.call("POST", f"/v1/candidates/{cid}/meetings", "veileder", body)
    links = document["paths"]["/v1/candidates/{cid}/meetings"]["post"]["responses"]["201"]["links"]
    target_path, method = _resolve(document, links["GetMeeting"]["operationRef"])
    pointer = links["GetMeeting"]["parameters"]["mid"].split("#/")[1]
    followed = _read(
        api, target_path.replace("{mid}", created.json()[pointer]), "veileder", created
    )
    assert method == "get"
    assert followed.status_code == 200, followed.text

    registered = api.call("POST", "/v1/candidates", "newcomer", registration("Ny Lege"))
    links = document["paths"]["/v1/candidates"]["post"]["responses"]["201"]["links"]
    for name in ("GetCandidate", "GetProgress", "GetHistory", "GetState"):
        target_path, method = _resolve(document, links[name]["operationRef"])
        path = target_path.replace("{cid}", registered.json()["candidate_id"])
        assert method == "get" and _read(api, path, "newcomer", registered).status_code == 200, name
