"""An upload while PostgreSQL is down: 503, and no file is left behind (issue 22, finding 9).

The caller's right to attach is asked of the store before the file is stored, so an
upload the store cannot take stores nothing; the outage is noted, so the commands
after it are refused at once (ADR 0015). Stops and restarts this worker's throwaway
PostgreSQL, like `test_api_postgres_outage.py`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from api_world import TINY_PDF, Api, FakeProjections, problem_of, registration

from api.attachments import AttachmentStore
from api.deps import Services
from api.settings import Settings
from api.store_health import StoreHealth
from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env
from support.postgres import ThrowawayPostgres

RECOVERY_SECONDS = 60


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
            store=StoreHealth.for_store(store_url),  # as `serve` builds it
        )
    finally:
        application.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_upload_while_the_store_is_down_is_503_and_leaves_no_file(
    api: Api, services: Services, postgres_server: object
) -> None:
    if not isinstance(postgres_server, ThrowawayPostgres):
        pytest.skip("needs the suite's own PostgreSQL server to stop and start it")
    cid = api.ok("POST", "/v1/candidates", "candidate", registration(), 201)["candidate_id"]
    path = f"/v1/candidates/{cid}/attachments"
    files = {"file": ("kurs.pdf", TINY_PDF, "application/pdf")}

    with psycopg.connect(postgres_server.url, autocommit=True) as admin:
        admin.execute("CHECKPOINT")  # the test server runs with synchronous_commit=off
    postgres_server.stop()
    try:
        down = api.call("POST", path, "candidate", files=files)
        assert down.status_code == 503, down.text
        problem_of(down)
        started = time.monotonic()
        again = api.call("POST", path, "candidate", files=files)
        assert again.status_code == 503, again.text
        assert time.monotonic() - started < 5  # the outage was noted: refused at once
    finally:
        postgres_server.start()
    root = services.settings.attachments_dir
    assert not root.exists() or [path for path in root.rglob("*") if path.is_file()] == []

    deadline = time.monotonic() + RECOVERY_SECONDS
    while (status := api.call("POST", path, "candidate", files=files).status_code) == 503:
        assert time.monotonic() < deadline, "no recovery after PostgreSQL came back"
        time.sleep(0.5)
    assert status == 201
