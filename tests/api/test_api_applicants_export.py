"""The applicant's export over HTTP, on SQLite and PostgreSQL (API.md v1.1, ADR 0024).

After a small journey (two plans, a signed procedure, an approved goal, a finalised
meeting) the candidate downloads `export.json` and `export.pdf`: the JSON holds the
doctor, each plan's achieved goals with approver and date, signed activities with
signers, procedure counts (R12), meetings and hours (R19) and readiness with what is
missing (R20); its signature verifies with the key `GET /v1/audit/keys` publishes
(checked here with a few independent lines); `kompetanse audit verify-export` says
"valid", and names the field when one is changed. The PDF's text (pdftotext) is
Norwegian and holds the same facts. Others related get 403, strangers 404.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rfc8785
from api_world import (
    YESTERDAY,
    Api,
    catalogue_with_test_plans,
    invite_and_accept,
    problem_of,
    registration,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from module_world import module_data_dir, served_api
from test_api_authorization import RELATIONS
from typer.testing import CliRunner

from api.deps import Services
from kompetanse.cli import app as cli
from kompetanse_domain.audit.export_signature import public_jwk
from kompetanse_domain.catalogue import Catalogue, PlanDefinition
from support.module_store import STORES, database_for_module

NAME = "Åse Ødegård Bjørnæs"
TITLE = "Kunne utføre og tolke spirometri på små og store pasienter i førstelinjen"
SPIROMETRY = "Spirometri"


def _plan(code: str, specialty: str | None, titles: list[str]) -> PlanDefinition:
    return PlanDefinition.model_validate(
        {
            "code": code,
            "title": f"Testplan {code}",
            "version": "2026.1",
            "part": "part3",
            "specialty": specialty,
            "sample_titles": True,
            "source": "Written for the export tests.",
            "goals": [
                {
                    "code": f"{code}-{n:03d}",
                    "title": title,
                    "competence_level": "kjenne til",
                    "recommended_activities": (
                        [{"kind": "procedure", "title": SPIROMETRY, "recommended_minimum": 3}]
                        if n == 1 and code == "ALM"
                        else []
                    ),
                }
                for n, title in enumerate(titles, start=1)
            ],
        }
    )


def catalogue() -> Catalogue:
    tests = [plan for plan in catalogue_with_test_plans().plans if plan.code.startswith("TEST")]
    return Catalogue(
        plans=(
            _plan("FKM", None, ["Kjenne til etikk", "Kjenne til lovverk"]),
            _plan("ALM", "ALM", [TITLE, "Kunne håndtere øyeblikkelig hjelp"]),
            *tests,
        )
    )


# The tests only read the journey (exports and keys are queries): it is built once per
# module and store, with its own services and database.
@pytest.fixture(scope="module", params=STORES)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield from database_for_module(request, tmp_path_factory)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return module_data_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def world(database_url: str, data_dir: Path) -> Iterator[tuple[Services, Api]]:
    with served_api(database_url, data_dir, catalogue()) as built:
        yield built


class Journey:
    """Åse's candidate with a team, ALM and FKM, a signed procedure, ALM-001 approved,
    one finalised 90-minute meeting."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.position = 0
        self.cid = self.ok("POST", "/v1/candidates", "candidate", registration(NAME), 201)[
            "candidate_id"
        ]
        for role, who in (("leader", "leader"), ("veileder", "veileder")):
            invite_and_accept(api, self.cid, role, "candidate", who)
        invite_and_accept(api, self.cid, "supervisor", "candidate", "supervisor")
        invite_and_accept(api, self.cid, "deputy", "leader", "deputy")
        base = f"/v1/candidates/{self.cid}"
        for plan in ("ALM", "FKM"):
            self.ok("POST", base + "/plans", "leader", {"plan_code": plan}, 201)
        goal = base + "/goals/ALM-001"
        activity = {
            "title": SPIROMETRY,
            "kind": "procedure",
            "fulfilled_on": YESTERDAY,
            "activity_code": SPIROMETRY,
            "count": 2,
        }
        aid = self.ok("POST", goal + "/activities", "candidate", activity, 201)["activity_id"]
        signer = {"signer_sub": api.person("supervisor").sub}
        self.ok("POST", f"{goal}/activities/{aid}/send-for-signing", "candidate", signer)
        self.ok("POST", f"{goal}/activities/{aid}/sign", "supervisor", {})
        self.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
        self.ok("POST", goal + "/approve", "leader", {})
        meeting = {"scheduled_for": YESTERDAY, "planned_minutes": 90}
        mid = self.ok("POST", base + "/meetings", "veileder", meeting, 201)["meeting_id"]
        summary = {"text": "Vi gikk gjennom spirometri", "goals_discussed": ["ALM-001"]}
        self.ok("PUT", f"/v1/meetings/{mid}/summary", "veileder", summary)
        held = {"held_on": YESTERDAY, "duration_minutes": 90}
        self.ok("POST", f"/v1/meetings/{mid}/finalise", "veileder", held)

    def ok(self, method: str, path: str, who: str, body: Any = None, status: int = 200) -> Any:
        response = self.api.call(method, path, who, body)
        assert response.status_code == status, (method, path, who, response.text)
        if "X-Event-Position" in response.headers:
            self.position = max(self.position, int(response.headers["X-Event-Position"]))
        return response.json() if response.content else None

    def get(self, path: str, who: str) -> httpx.Response:
        headers = {"X-Min-Position": str(max(self.position, self.api.written))}
        return self.api.call("GET", path, who, headers=headers)

    def export(self, who: str = "candidate", kind: str = "json") -> httpx.Response:
        return self.get(f"/v1/candidates/{self.cid}/export.{kind}", who)


@pytest.fixture(scope="module")
def journey(world: tuple[Services, Api]) -> Journey:
    return Journey(world[1])


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_export_json_holds_what_the_application_for_approval_needs(journey: Journey) -> None:
    response = journey.export()
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "private, no-store"
    doc = response.json()
    assert doc["doctor"]["name"] == NAME
    assert doc["doctor"]["organisation"]["name"] == "Oslo kommune"
    assert doc["specialty"] == "ALM"
    plans = {plan["plan_code"]: plan for plan in doc["plans"]}
    assert [g["code"] for g in plans["ALM"]["achieved_goals"]] == ["ALM-001"]
    assert plans["FKM"]["achieved_goals"] == []
    achieved = plans["ALM"]["achieved_goals"][0]
    assert achieved["title"] == TITLE
    assert achieved["approver"] == {"sub": "leader-sub", "name": "Leif Leder"}
    assert achieved["completed_on"] == YESTERDAY
    assert achieved["approved_at"]
    [signed] = doc["signed_activities"]
    assert (signed["goal_code"], signed["title"], signed["count"]) == ("ALM-001", SPIROMETRY, 2)
    assert signed["signer"] == {"sub": "sup1-sub", "name": "Siri Supervisør"}
    [procedure] = doc["procedures"]  # R12
    assert procedure["goal_code"] == "ALM-001"
    assert (procedure["count"], procedure["recommended_minimum"], procedure["remaining"]) == (
        2,
        3,
        1,
    )
    [meeting] = doc["supervision"]["meetings"]  # R19
    assert (meeting["held_on"], meeting["duration_minutes"]) == (YESTERDAY, 90)
    assert meeting["veileder"]["name"] == "Vera Veileder"
    assert doc["supervision"]["total_hours"] == 1.5
    readiness = doc["readiness"]  # R20
    assert readiness["ready"] is False
    missing = {(m["plan_code"], m["goal_code"]) for m in readiness["missing"]}
    assert missing == {("ALM", "ALM-002"), ("FKM", "FKM-001"), ("FKM", "FKM-002")}
    assert doc["position"] >= journey.position
    assert doc["generated_at"]


def test_signature_verifies_with_the_published_key(journey: Journey, data_dir: Path) -> None:
    doc = journey.export().json()
    keys = journey.get("/v1/audit/keys", "unrelated")
    assert keys.status_code == 200, keys.text
    [jwk] = keys.json()["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["kid"]) == ("OKP", "Ed25519", doc["key_id"])
    # Independently of the portal's code: RFC 8785 bytes without `signature`, Ed25519.
    unsigned = {k: v for k, v in doc.items() if k != "signature"}
    public = Ed25519PublicKey.from_public_bytes(_b64url(jwk["x"]))
    public.verify(_b64url(doc["signature"]), rfc8785.dumps(unsigned))
    assert "=" not in doc["signature"]
    # The key id is the RFC 7638 thumbprint of the published key.
    members = {"crv": "Ed25519", "kty": "OKP", "x": jwk["x"]}
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(rfc8785.dumps(members)).digest())
    assert jwk["kid"] == thumbprint.rstrip(b"=").decode()
    # It is the portal's checkpoint key, the one `kompetanse audit checkpoint` signs with.
    pem = (data_dir / "audit-keys" / "checkpoint.pem").read_bytes()
    checkpoint = serialization.load_pem_private_key(pem, password=None).public_key()
    raw = checkpoint.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert raw == _b64url(jwk["x"])


@pytest.fixture
def verify(journey: Journey, tmp_path: Path) -> Any:
    """`kompetanse audit verify-export FILE --key JWKS` on a changed copy of the export."""
    doc = journey.export().json()
    jwks = tmp_path / "keys.json"
    jwks.write_text(journey.get("/v1/audit/keys", "candidate").text, encoding="utf-8")

    def run(change: Any = None, key: Path = jwks) -> Any:
        altered = copy.deepcopy(doc)
        if change is not None:
            change(altered)
        exported = tmp_path / "export.json"
        exported.write_text(json.dumps(altered, ensure_ascii=False), encoding="utf-8")
        return CliRunner().invoke(
            cli, ["audit", "verify-export", str(exported), "--key", str(key)], env={}
        )

    return run


def test_verify_export_says_valid_for_the_export_as_downloaded(verify: Any) -> None:
    result = verify()
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def _set(path: str, value: Any) -> Any:
    def change(doc: Any) -> None:
        *parents, last = path.strip("/").split("/")
        node = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value

    return change


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("/doctor/name", "Åse Ødegård Bjørnæz"),  # one character
        ("/plans/0/achieved_goals/0/approver/name", "Noen Annen"),
        ("/plans/0/achieved_goals/0/approved_at", "2020-01-01T00:00:00+00:00"),
        ("/readiness/ready", True),
        ("/supervision/total_hours", 150),
        ("/position", 1),
    ],
)
def test_verify_export_names_the_field_that_was_changed(
    verify: Any, field: str, value: Any
) -> None:
    result = verify(_set(field, value))
    assert result.exit_code == 1, result.output
    assert f"field {field} was changed" in result.output


def test_verify_export_names_an_added_or_removed_field(verify: Any) -> None:
    added = verify(_set("/doctor/title", "Professor"))
    assert added.exit_code == 1 and "field /doctor/title was added" in added.output
    removed = verify(lambda doc: doc["signed_activities"].clear())
    assert removed.exit_code == 1, removed.output
    assert "field /signed_activities/0 was removed" in removed.output
    dropped = verify(lambda doc: doc["doctor"].pop("email"))
    assert dropped.exit_code == 1 and "field /doctor/email was removed" in dropped.output


def test_verify_export_refuses_a_signature_by_another_key(verify: Any, tmp_path: Path) -> None:
    def resign(doc: Any) -> None:  # same key_id and digests, signed by someone else
        unsigned = {k: v for k, v in doc.items() if k != "signature"}
        raw = Ed25519PrivateKey.generate().sign(rfc8785.dumps(unsigned))
        doc["signature"] = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    result = verify(resign)
    assert result.exit_code == 1, result.output
    assert "signature does not verify" in result.output
    assert "another key" in result.output


def test_verify_export_refuses_an_unknown_key_id_and_a_malformed_file(
    verify: Any, tmp_path: Path
) -> None:
    changed = verify(_set("/key_id", "not-a-key-of-this-portal"))
    assert changed.exit_code == 1, changed.output
    assert "field /key_id was changed" in changed.output
    stranger = public_jwk(Ed25519PrivateKey.generate().public_key())
    other_portal = tmp_path / "other-portal-keys.json"
    other_portal.write_text(json.dumps({"keys": [stranger]}), encoding="utf-8")
    unknown = verify(key=other_portal)
    assert unknown.exit_code == 1, unknown.output
    assert "unknown key_id" in unknown.output and stranger["kid"] in unknown.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"doctor": ', encoding="utf-8")
    result = CliRunner().invoke(cli, ["audit", "verify-export", str(broken), "--key", "x"])
    assert result.exit_code == 2
    assert "not a JSON export" in result.output
    unsigned = verify(lambda doc: doc.pop("signature"))
    assert unsigned.exit_code == 1 and "not a signed export: no signature" in unsigned.output


def test_export_pdf_is_norwegian_text_with_the_same_facts(journey: Journey, tmp_path: Path) -> None:
    response = journey.export(kind="pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pdf = tmp_path / "export.pdf"
    pdf.write_bytes(response.content)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "scripts/test installs poppler-utils (pdftotext)"
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    for fact in (
        NAME,
        "Kunne utføre og tolke spirometri",  # the achieved goal's title, wrapped in a cell
        "Leif Leder",  # its approver
        "Siri Supervisør",  # the signer
        "Vera Veileder",
        "Allmennmedisin",
        "Klar til å søke om spesialistgodkjenning? Nei",
        "Dette mangler",
        "FKM-002",
        "Signerte læringsaktiviteter",
        "Prosedyrer mot anbefalt minimum",
    ):
        assert fact in flat, (fact, flat)


@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_only_the_candidate_and_auditors_get_the_export(journey: Journey, kind: str) -> None:
    """The authorization matrix's relations (tests/api/test_api_authorization.py): the
    candidate and auditors read; others related 403; a stranger 404, the same body as
    for a candidate that does not exist (no existence leak)."""
    allowed = {"candidate": 200, "auditor": 200}
    expected = {who: allowed.get(who, 404 if who == "unrelated" else 403) for who in RELATIONS}
    actual = {}
    for who in RELATIONS:
        response = journey.export(who, kind)
        actual[who] = response.status_code
        if response.status_code >= 400:
            problem_of(response)
    assert actual == expected
    stranger = journey.export("unrelated", kind).json()
    nobody = f"/v1/candidates/{uuid.uuid4()}/export.{kind}"
    assert stranger == journey.get(nobody, "unrelated").json()


def test_every_signed_in_user_gets_the_public_keys(journey: Journey) -> None:
    answers = [journey.get("/v1/audit/keys", who) for who in RELATIONS]
    assert {response.status_code for response in answers} == {200}
    assert len({response.text for response in answers}) == 1
    assert "d" not in answers[0].json()["keys"][0]  # never the private part


def test_audit_keys_need_a_signed_in_user(journey: Journey) -> None:
    response = journey.api.call("GET", "/v1/audit/keys", None)
    assert response.status_code == 401
    problem_of(response)
