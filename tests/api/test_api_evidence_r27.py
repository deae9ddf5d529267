"""R27 (API.md v1.1 "Evidence"): who downloads a certificate, how it is served, and the
`attachment` object every activity of a query carries.

Commands go through the API; queries and downloads read the views a running
ProjectionService keeps up to date (`X-Min-Position` reads one's own writes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from api_world import (
    TINY_PDF,
    TINY_PNG,
    YESTERDAY,
    Api,
    build_team,
    catalogue_with_test_plans,
    problem_of,
    registration,
    services_with_views,
)
from module_world import module_data_dir, served_api

from api.deps import Services
from api.routes.attachments import content_disposition

NAME = "Kursbevis 'Blåøy'; æøå.pdf"  # multipart clients send '"' as %22, so: ' and ;
SAFE_NAME = "Kursbevis _Blaoy_ aeoa.pdf"


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """The shared fixture's services, with the real read side following the store."""
    with services_with_views(database_url, data_dir, catalogue_with_test_plans()) as services:
        yield services


class Reads:
    """Commands that remember their position; reads that wait for it."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.position = 0

    def command(
        self, method: str, path: str, who: str, body: Any = None, status: int = 200, **kw: Any
    ) -> Any:
        response = self.api.call(method, path, who, body, **kw)
        assert response.status_code == status, (path, response.text)
        self.position = max(self.position, int(response.headers["X-Event-Position"]))
        return response.json() if response.content else None

    def get(self, path: str, who: str) -> httpx.Response:
        position = max(self.position, self.api.written)  # commands sent through `api` too
        return self.api.call("GET", path, who, headers={"X-Min-Position": str(position)})


class Evidence:
    """A candidate with the full team, a certificate on an activity sent to `supervisor`,
    a second file never sent to anyone, and another candidate with a file of her own."""

    def __init__(self, reads: Reads) -> None:
        api = reads.api
        self.reads = reads
        self.cid = build_team(api)
        plans = f"/v1/candidates/{self.cid}/plans"
        reads.command("POST", plans, "leader", {"plan_code": "TEST-A"}, 201)
        self.attachment = self.upload(self.cid, "candidate", NAME, TINY_PDF)
        self.unsent = self.upload(self.cid, "candidate", "ikke-sendt.png", TINY_PNG)
        self.goal = f"/v1/candidates/{self.cid}/goals/TEST-A-001"
        self.activity = reads.command(
            "POST",
            self.goal + "/activities",
            "candidate",
            {
                "title": "Kurs i etikk",
                "kind": "course",
                "fulfilled_on": YESTERDAY,
                "attachment_id": self.attachment,
            },
            201,
        )["activity_id"]
        self.bare_activity = reads.command(
            "POST",
            self.goal + "/activities",
            "candidate",
            {"title": "Uten vedlegg", "kind": "other", "fulfilled_on": YESTERDAY},
            201,
        )["activity_id"]
        reads.command(
            "POST",
            f"{self.goal}/activities/{self.activity}/send-for-signing",
            "candidate",
            {"signer_sub": "sup1-sub"},
        )
        api.person("other_candidate")
        self.other_cid = reads.command(
            "POST", "/v1/candidates", "other_candidate", registration("Olga Annen"), 201
        )["candidate_id"]
        self.other_attachment = self.upload(self.other_cid, "other_candidate", "a.pdf", TINY_PDF)

    def upload(self, cid: str, who: str, name: str, content: bytes) -> str:
        files = {"file": (name, content, "application/octet-stream")}
        body = self.reads.command(
            "POST", f"/v1/candidates/{cid}/attachments", who, status=201, files=files
        )
        return str(body["attachment_id"])

    def download(
        self, who: str, attachment: str | None = None, cid: str | None = None
    ) -> httpx.Response:
        return self.reads.get(
            f"/v1/candidates/{cid or self.cid}/attachments/{attachment or self.attachment}", who
        )


@pytest.fixture
def own_evidence(api: Api) -> Evidence:
    """Evidence on the test's own store: for the tests that change it."""
    return Evidence(Reads(api))


# The tests that only read the evidence share it, built once per module and store.


@pytest.fixture(scope="module")
def evidence(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Evidence]:
    data_dir = module_data_dir(tmp_path_factory)
    with served_api(module_database_url, data_dir, catalogue_with_test_plans()) as (_, api):
        yield Evidence(Reads(api))


@pytest.mark.parametrize(
    "who", ["candidate", "leader", "deputy", "veileder", "supervisor", "auditor"]
)
def test_r27_those_api_md_lists_download_the_file_as_an_attachment(
    evidence: Evidence, who: str
) -> None:
    response = evidence.download(who)

    assert response.status_code == 200, response.text
    assert response.content == TINY_PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-length"] == str(len(TINY_PDF))
    assert "X-Projection-Position" in response.headers


def _problem(response: httpx.Response) -> tuple[int, str, str, str]:
    body = problem_of(response)
    return response.status_code, body["type"], body["title"], body["detail"]


def test_r27_everyone_else_gets_one_and_the_same_404(evidence: Evidence) -> None:
    never_sent = evidence.download("supervisor_2")
    refusals = {
        "a supervisor never sent an activity carrying the file": never_sent,
        "a person unrelated to the candidate": evidence.download("unrelated"),
        "the sent supervisor, for a file of the candidate not sent to her": evidence.download(
            "supervisor", evidence.unsent
        ),
        "another candidate's file, under this candidate": evidence.download(
            "leader", evidence.other_attachment
        ),
        "this candidate's file, under another candidate": evidence.download(
            "other_candidate", evidence.attachment, cid=evidence.other_cid
        ),
        "a file id nobody uploaded": evidence.download(
            "candidate", "00000000-0000-4000-8000-000000000000"
        ),
        "a candidate that does not exist": evidence.download(
            "auditor", cid="00000000-0000-4000-8000-000000000001"
        ),
    }

    answers = {what: _problem(response) for what, response in refusals.items()}

    assert set(answers.values()) == {_problem(never_sent)}, answers
    assert _problem(never_sent)[0] == 404
    assert all(TINY_PDF not in response.content for response in refusals.values())


def test_r27_the_other_candidate_opens_her_own_file(evidence: Evidence) -> None:
    response = evidence.download("other_candidate", evidence.other_attachment, evidence.other_cid)

    assert response.status_code == 200
    assert response.content == TINY_PDF


def test_r27_the_signer_still_opens_the_file_after_signing(own_evidence: Evidence) -> None:
    reads = own_evidence.reads
    reads.command(
        "POST", f"{own_evidence.goal}/activities/{own_evidence.activity}/sign", "supervisor", {}
    )

    assert own_evidence.download("supervisor").status_code == 200
    assert own_evidence.download("supervisor_2").status_code == 404


def test_r27_a_name_with_aeoeaa_and_quotes_is_made_safe_for_the_header(
    evidence: Evidence,
) -> None:
    disposition = evidence.download("leader").headers["content-disposition"]

    assert disposition == (
        f"attachment; filename=\"{SAFE_NAME}\"; filename*=UTF-8''{_star_value(disposition)}"
    )
    assert unquote(_star_value(disposition)) == NAME
    assert disposition.isascii()
    assert "\r" not in disposition and "\n" not in disposition


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ('Kurs "bevis".pdf', "Kurs _bevis_.pdf"),
        ("Kurs\r\nSet-Cookie: x=1.pdf", "Kurs Set-Cookie_ x_1.pdf"),
        ("Blåbærsyltetøy.pdf", "Blabaersyltetoy.pdf"),
        ("", "attachment.pdf"),
        ("\u200b", "attachment.pdf"),
    ],
)
def test_r27_quotes_and_line_breaks_never_reach_the_header(name: str, plain: str) -> None:
    disposition = content_disposition(name, "application/pdf")

    assert disposition.startswith(f'attachment; filename="{plain}"')
    assert disposition.isascii()
    assert disposition.count('"') == 2
    assert "\r" not in disposition and "\n" not in disposition
    if name.strip() and name != plain:
        assert _star_value(disposition) != ""


def _star_value(disposition: str) -> str:
    return disposition.split("filename*=UTF-8''", 1)[1]


def test_r27_a_plain_name_is_sent_as_it_is(own_evidence: Evidence) -> None:
    attachment = own_evidence.upload(own_evidence.cid, "candidate", "kursbevis-2026.png", TINY_PNG)

    response = own_evidence.download("veileder", attachment)

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == 'attachment; filename="kursbevis-2026.png"'


def _attachment_object(evidence: Evidence) -> dict[str, Any]:
    return {
        "attachment_id": evidence.attachment,
        "filename": NAME,
        "content_type": "application/pdf",
        "size": len(TINY_PDF),
        "sha256": hashlib.sha256(TINY_PDF).hexdigest(),
    }


def test_r27_goal_detail_activities_carry_their_attachment_object(evidence: Evidence) -> None:
    goal = evidence.reads.get(evidence.goal, "leader").json()

    carried = {a["activity_id"]: a["attachment"] for a in goal["activities"]}
    assert carried == {
        evidence.activity: _attachment_object(evidence),
        evidence.bare_activity: None,
    }


def test_r27_signing_requests_carry_the_attachment_object(evidence: Evidence) -> None:
    inbox = evidence.reads.get("/v1/supervisors/me/signing-requests", "supervisor").json()

    assert [(r["activity_id"], r["attachment"]) for r in inbox["data"]] == [
        (evidence.activity, _attachment_object(evidence))
    ]


def test_r27_the_signer_opens_the_file_the_signing_request_names(evidence: Evidence) -> None:
    request = evidence.reads.get("/v1/supervisors/me/signing-requests", "supervisor").json()
    attachment = request["data"][0]["attachment"]

    response = evidence.download("supervisor", attachment["attachment_id"])

    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == attachment["sha256"]
