"""The session cookie's life (expired, signed with another key), the sign-in page only
in dev mode, and the evidence downloaded through the pages as the API lets it (R27)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from web_world import (
    CANDIDATE,
    GOAL,
    LEADER,
    STRANGER,
    SUPERVISOR,
    YESTERDAY,
    real_services,
    sign_in,
    wait_for_views,
    web_app,
)

from api.deps import Services
from kompetanse_domain.application import CommandContext
from web.session import COOKIE, SALT

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class NineHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 9 * 3600


def cookie_for(secret: str, data: dict[str, Any], signer: type[TimestampSigner]) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT, signer=signer).dumps(data)


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url


def test_a_session_older_than_a_working_day_shows_the_expired_page(client: TestClient) -> None:
    data = {"csrf": "x", "sub": CANDIDATE.sub, "name": CANDIDATE.name, "roles": []}
    client.cookies.set(COOKIE, cookie_for("secret-of-the-web-tests", data, NineHoursAgo))
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/utlopt"
    page = client.get("/utlopt")
    assert "Økten er utløpt" in page.text and "Logg inn igjen" in page.text


def test_a_cookie_signed_with_another_key_signs_no_one_in(client: TestClient) -> None:
    data = {"csrf": "x", "sub": LEADER.sub, "name": LEADER.name, "roles": []}
    client.cookies.set(COOKIE, cookie_for("someone-elses-key", data, TimestampSigner))
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/logg-inn"


def test_with_oidc_configured_there_is_no_dev_sign_in_page(tmp_path: Path, sqlite_url: str) -> None:
    import dataclasses

    with real_services(sqlite_url, tmp_path / "data") as services:
        settings = dataclasses.replace(
            services.settings,
            oidc_issuer="https://helseid.example",
            oidc_audience="kompetanse",
            oidc_jwks=str(tmp_path / "jwks.json"),
        )
        oidc = dataclasses.replace(services, settings=settings)
        with TestClient(web_app(oidc), follow_redirects=False) as client:
            page = client.get("/logg-inn")
            assert page.status_code == 404
            assert "Demo" not in page.text
            assert client.post("/logg-inn", data={"sub": "x", "name": "y"}).status_code in (
                403,
                404,
            )


def test_the_supervisor_downloads_the_evidence_and_a_stranger_gets_404(
    client: TestClient, team: UUID, services: Services
) -> None:
    sha = services.attachments.save(__import__("io").BytesIO(PDF), limit=10_000)
    as_candidate = CommandContext(identity=CANDIDATE.identity)
    stored = services.application.upload_attachment(
        as_candidate,
        team,
        sha256=sha.sha256,
        size=sha.size,
        media_type=sha.media_type,
        filename="kursbevis æøå.pdf",
    )
    attachment = stored.value["attachment_id"]
    activity = services.application.register_activity(
        as_candidate,
        team,
        GOAL,
        title="Kurs",
        kind="course",
        fulfilled_on=YESTERDAY,
        attachment_id=attachment,
    )
    services.application.send_activity_for_signing(
        as_candidate, team, GOAL, activity.value["activity_id"], signer_sub=SUPERVISOR.sub
    )
    wait_for_views(services)
    sign_in(client, SUPERVISOR)
    assert f"/kandidater/{team}/vedlegg/{attachment}" in client.get("/signering").text
    answer = client.get(f"/kandidater/{team}/vedlegg/{attachment}")
    assert answer.status_code == 200 and answer.content == PDF
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["x-content-type-options"] == "nosniff"
    sign_in(client, STRANGER)
    refused = client.get(f"/kandidater/{team}/vedlegg/{attachment}")
    assert refused.status_code == 404 and PDF not in refused.content
