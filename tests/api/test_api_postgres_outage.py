"""PostgreSQL unreachable -> 503 with Retry-After; the API recovers by itself (ADR 0009).

Stops and restarts this worker's throwaway PostgreSQL server, so it runs only
against a server the suite owns (not KOMPETANSE_TEST_POSTGRES_URL). The library
retries a failed statement 10 times, each waiting up to POSTGRES_CONNECT_TIMEOUT
for a connection; with the store's 5 s that is ~50 s before the 503, so this test
shortens it to 1 s.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from api_world import Api, FakeProjections, problem_of, registration

from api.attachments import AttachmentStore
from api.deps import Services
from api.settings import Settings
from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env
from support.postgres import ThrowawayPostgres

RECOVERY_SECONDS = 60  # the pool reconnects with exponential backoff (1 s, 2 s, 4 s ...)


@pytest.fixture
def store_url(postgres_url: str) -> str:
    return postgres_url


@pytest.fixture
def services(store_url: str, data_dir: Path) -> Iterator[Services]:
    env = event_store_env(store_url) | {"POSTGRES_CONNECT_TIMEOUT": "1"}
    application = KompetanseApplication(env=env)
    settings = Settings(data_dir=data_dir, database_url=store_url)
    try:
        yield Services(
            application=application,
            projections=FakeProjections(application),
            settings=settings,
            attachments=AttachmentStore(settings.attachments_dir),
        )
    finally:
        application.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_down_is_503_and_service_recovers_when_it_is_back(
    api: Api, postgres_server: object
) -> None:
    if not isinstance(postgres_server, ThrowawayPostgres):
        pytest.skip("needs the suite's own PostgreSQL server to stop and start it")
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    invite = {"role": "leader", "name": "Leif Leder", "email": "leif@example.no"}
    path = f"/v1/candidates/{cid}/invitations"

    with psycopg.connect(postgres_server.url, autocommit=True) as admin:
        admin.execute("CHECKPOINT")  # the test server runs with synchronous_commit=off
    postgres_server.stop()
    try:
        down = api.call("POST", path, "candidate", invite)
        assert down.status_code == 503, down.text
        assert down.headers["Retry-After"]
        problem_of(down)
    finally:
        postgres_server.start()

    deadline = time.monotonic() + RECOVERY_SECONDS
    while (status := api.call("POST", path, "candidate", invite).status_code) == 503:
        assert time.monotonic() < deadline, "no recovery after PostgreSQL came back"
        time.sleep(0.5)
    assert status == 201
    assert api.client.get("/readyz").status_code == 200
