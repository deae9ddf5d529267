"""Text fields in `/openapi.json` say what the domain refuses (ADR 0020): controls and
bidirectional controls nowhere, a required text holds something visible, an optional
one may be blank. Samples where document and server agree, on both stores; without the
patterns a client's generator (schemathesis) sent names the server refused, and never
registered anyone."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from api_world import YESTERDAY, Api, build_team, registration

SAMPLES_REQUIRED = [
    ("Åse Ødegård", True),
    ("e\u0301", True),  # decomposed: normalised (NFC) by the domain
    ("Ωmega", True),
    ("A\x00B", False),  # NUL
    ("A\x1b[31mB", False),  # a terminal escape
    ("A\u0085B", False),  # C1
    ("\u202eevil", False),  # right-to-left override
    ("\u200b\u200b", False),  # only zero-width
    ("   ", False),  # only blanks
]


def _schema(api: Api, component: str, name: str) -> dict[str, Any]:
    document = api.client.get("/openapi.json").json()
    schema: dict[str, Any] = document["components"]["schemas"][component]["properties"][name]
    branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
    return branches[0] if branches else schema


def _disagreements(schema: dict[str, Any], samples: list[tuple[str, bool]], send: Any) -> list[Any]:
    validator = jsonschema_rs.validator_for(schema)
    found = []
    for value, allowed in samples:
        assert validator.is_valid(value) is allowed, (value, schema)
        status = send(value)
        if (status != 422) is not allowed:
            found.append((value, allowed, status))
    return found


def test_a_name_the_document_allows_is_registered_and_one_it_refuses_is_422(api: Api) -> None:
    schema = _schema(api, "RegisterCandidate", "name")
    people = iter(range(100))

    def send(name: str) -> int:
        body = {**registration(), "name": name}
        return api.call("POST", "/v1/candidates", f"text_{next(people)}", body).status_code

    assert _disagreements(schema, SAMPLES_REQUIRED, send) == []


def test_a_comment_may_run_over_lines_and_an_optional_note_may_be_blank(api: Api) -> None:
    cid = build_team(api)
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    comment = _schema(api, "GoalComment", "text")
    note = _schema(api, "RegisterActivity", "note")
    multiline = [("Godt i gang.\n\tSe kursbevis.", True), *SAMPLES_REQUIRED]
    optional = [("", True), ("  \n", True), ("Fint\narbeid", True), ("A\x00B", False)]
    goal = f"/v1/candidates/{cid}/goals/TEST-A-001"

    def send_comment(text: str) -> int:
        return api.call("POST", goal + "/comments", "veileder", {"text": text}).status_code

    def send_note(text: str) -> int:
        body = {"title": "Kurs", "kind": "course", "fulfilled_on": YESTERDAY, "note": text}
        return api.call("POST", goal + "/activities", "candidate", body).status_code

    assert _disagreements(comment, multiline, send_comment) == []
    assert _disagreements(note, optional, send_note) == []
