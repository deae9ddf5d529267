"""A refused upload leaves nothing on disk (issue 22, finding 9), on SQLite and PostgreSQL.

Before, the file was stored first and the caller checked after: a stranger, an
auditor, or an upload to a candidate that does not exist left up to 10 MiB behind
per request. Now the domain's rule (only the candidate attaches) is asked first, and
a file refused for its size or type is removed while it is refused.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from api_world import TINY_PDF, Api, build_team, problem_of, registration

from api.deps import Services

MIB = 1024 * 1024
BIG_PDF = TINY_PDF + b"\0" * (9 * MIB)  # a large file that would be accepted by size and type


def _files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def _upload(api: Api, cid: str, content: bytes, who: str) -> httpx.Response:
    files = {"file": ("kursbevis.pdf", content, "application/pdf")}
    return api.call("POST", f"/v1/candidates/{cid}/attachments", who, files=files)


@pytest.fixture
def cid(api: Api) -> str:
    return str(api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"])


@pytest.mark.parametrize(("who", "status"), [("unrelated", 404), ("auditor", 403)])
def test_upload_by_someone_who_may_not_attach_leaves_no_file(
    api: Api, services: Services, cid: str, who: str, status: int
) -> None:
    response = _upload(api, cid, BIG_PDF, who)
    assert response.status_code == status, response.text
    problem_of(response)
    assert _files_under(services.settings.attachments_dir) == []


@pytest.mark.parametrize("who", ["leader", "veileder", "supervisor", "deputy"])
def test_upload_by_a_related_person_who_is_not_the_candidate_leaves_no_file(
    api: Api, services: Services, who: str
) -> None:
    team = build_team(api)
    response = _upload(api, team, BIG_PDF, who)
    assert response.status_code == 403, response.text
    assert "only the candidate" in problem_of(response)["detail"]
    assert _files_under(services.settings.attachments_dir) == []


def test_upload_to_a_candidate_that_does_not_exist_leaves_no_file(
    api: Api, services: Services
) -> None:
    api.ok("POST", "/v1/candidates", "candidate", registration(), 201)  # someone exists
    response = _upload(api, str(uuid.uuid4()), BIG_PDF, "candidate")
    assert response.status_code == 404, response.text
    problem_of(response)
    assert _files_under(services.settings.attachments_dir) == []


def test_upload_too_large_leaves_no_file(api: Api, services: Services, cid: str) -> None:
    content = TINY_PDF + b"\0" * (10 * MIB + 1 - len(TINY_PDF))
    response = _upload(api, cid, content, "candidate")
    assert response.status_code == 413, response.text
    assert _files_under(services.settings.attachments_dir) == []


def test_upload_of_a_wrong_type_leaves_no_file(api: Api, services: Services, cid: str) -> None:
    response = _upload(api, cid, b"#!/bin/sh\necho not a certificate\n" * 1000, "candidate")
    assert response.status_code == 415, response.text
    assert _files_under(services.settings.attachments_dir) == []


def test_the_candidates_own_upload_is_still_stored(api: Api, services: Services, cid: str) -> None:
    response = _upload(api, cid, TINY_PDF, "candidate")
    assert response.status_code == 201, response.text
    assert len(_files_under(services.settings.attachments_dir)) == 1
