"""Course certificates (R9): PDF, PNG or JPEG by content, at most 10 MiB, stored by hash."""

from __future__ import annotations

import hashlib

import pytest
from api_world import TINY_PDF, TINY_PNG, Api, problem_of, registration

from api.deps import Services

MIB = 1024 * 1024


@pytest.fixture
def cid(api: Api) -> str:
    return str(api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"])


def _upload(api: Api, cid: str, name: str, content: bytes, who: str = "candidate") -> object:
    files = {"file": (name, content, "application/octet-stream")}
    return api.call("POST", f"/v1/candidates/{cid}/attachments", who, files=files)


def test_pdf_is_stored_by_its_sha256(api: Api, services: Services, cid: str) -> None:
    response = _upload(api, cid, "kursbevis.pdf", TINY_PDF)
    assert response.status_code == 201, response.text
    body = response.json()
    digest = hashlib.sha256(TINY_PDF).hexdigest()
    assert (body["sha256"], body["size"]) == (digest, len(TINY_PDF))
    stored = services.attachments.path_of(digest)
    assert stored.read_bytes() == TINY_PDF
    assert stored.parent.parent.parent == services.settings.attachments_dir


def test_png_named_anything_is_accepted_by_its_content(api: Api, cid: str) -> None:
    assert _upload(api, cid, "bilde.txt", TINY_PNG).status_code == 201


def test_text_file_named_pdf_is_415(api: Api, cid: str) -> None:
    response = _upload(api, cid, "kursbevis.pdf", b"Dette er ikke en PDF\n" * 20)
    assert response.status_code == 415
    problem_of(response)


def test_empty_file_is_415(api: Api, cid: str) -> None:
    assert _upload(api, cid, "tom.pdf", b"").status_code == 415


def test_file_one_byte_over_10_mib_is_413(api: Api, services: Services, cid: str) -> None:
    content = TINY_PDF + b"\0" * (10 * MIB + 1 - len(TINY_PDF))
    response = _upload(api, cid, "stor.pdf", content)
    assert response.status_code == 413
    problem_of(response)
    assert not services.attachments.path_of(hashlib.sha256(content).hexdigest()).exists()


def test_file_of_exactly_10_mib_is_accepted(api: Api, cid: str) -> None:
    content = TINY_PDF + b"\0" * (10 * MIB - len(TINY_PDF))
    assert _upload(api, cid, "akkurat.pdf", content).status_code == 201


def test_body_far_over_the_limit_is_refused_before_it_is_read(api: Api, cid: str) -> None:
    content = TINY_PDF + b"\0" * (11 * MIB)
    assert _upload(api, cid, "enorm.pdf", content).status_code == 413


def test_missing_file_field_is_422(api: Api, cid: str) -> None:
    response = api.call(
        "POST", f"/v1/candidates/{cid}/attachments", "candidate", files={"other": ("a", b"x")}
    )
    assert response.status_code == 422
    problem_of(response)


def test_only_the_candidate_uploads(api: Api, cid: str) -> None:
    assert _upload(api, cid, "kurs.pdf", TINY_PDF, who="unrelated").status_code == 404
