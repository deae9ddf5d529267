"""The applicant's export from the candidate's page (R24, API.md v1.1): the candidate
downloads the signed export as PDF and JSON (always as a download); a supervisor gets
no link and no file. Both stores."""

from __future__ import annotations

import json
from uuid import UUID

from fastapi.testclient import TestClient
from web_world import CANDIDATE, SUPERVISOR, sign_in

from api.deps import Services
from api.export_keys import published_keys
from kompetanse_domain.audit.export_signature import keys_from_jwks, verify_export


def test_the_candidate_downloads_the_signed_export_as_pdf_and_json(
    client: TestClient, team: UUID, services: Services
) -> None:
    sign_in(client, CANDIDATE)
    page = client.get(f"/kandidater/{team}").text
    assert f'href="/kandidater/{team}/eksport.pdf"' in page
    assert f'href="/kandidater/{team}/eksport.json"' in page
    pdf = client.get(f"/kandidater/{team}/eksport.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    answer = client.get(f"/kandidater/{team}/eksport.json")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    document = json.loads(answer.content)
    assert document["candidate_id"] == str(team)
    keys = keys_from_jwks({"keys": published_keys(services.settings.data_dir)})
    verify_export(document, keys)  # raises when the signature does not hold


def test_a_supervisor_gets_no_export_link_and_no_export(client: TestClient, team: UUID) -> None:
    sign_in(client, SUPERVISOR)
    page = client.get(f"/kandidater/{team}").text
    assert "eksport.pdf" not in page
    answer = client.get(f"/kandidater/{team}/eksport.json")
    assert answer.status_code in (403, 404, 409)
    assert "candidate_id" not in answer.text and "<html" in answer.text
