"""Issue 25, point 3: the demo world a newcomer gets from `scripts/serve` in dev mode.

It is written through the application (the API's use cases) into an empty store; these
tests read it back over HTTP as the demo people would: the leader's list with the
candidates at their stages, a supervisor's signing requests with a certificate that
supervisor can download, the veileder's meetings and concern. Filling twice adds nothing, OIDC
settings never fill, and `kompetanse serve --no-demo` leaves the store empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from api_world import services_with_views
from fastapi.testclient import TestClient
from module_world import module_data_dir
from typer.testing import CliRunner

from api.app import create_app
from api.deps import Services
from api.settings import Settings
from kompetanse.cli import app as cli
from kompetanse.demo import (
    CANDIDATES,
    DEMO_USERS,
    LEADER,
    SUPERVISORS,
    VEILEDER,
    DemoUser,
    fill_demo_store,
    fill_demo_world,
)
from kompetanse.devkeys import mint_dev_token
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.catalogue import load_catalogue
from kompetanse_store.urls import event_store_env

OIDC = {
    "oidc_issuer": "https://helseid.example",
    "oidc_audience": "kompetanse",
    "oidc_jwks": "https://helseid.example/jwks",
}
# what `kompetanse serve` also needs with an issuer: the pages' client (ADR 0023)
OIDC_CLIENT = {"oidc_client_id": "kompetanse-web", "oidc_client_secret": "a-test-secret"}


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """The shipped catalogue (the demo's plans), with the real read side following."""
    with services_with_views(database_url, data_dir, load_catalogue()) as services:
        yield services


class DemoReader:
    """Reads the filled world over HTTP as a demo person, after its last event."""

    def __init__(self, client: TestClient, services: Services) -> None:
        self.client = client
        self.data_dir = services.settings.data_dir
        self.position = services.application.recorder.max_notification_id() or 0

    def get(self, path: str, who: DemoUser) -> httpx.Response:
        token = mint_dev_token(self.data_dir, sub=who.sub, name=who.name)
        headers = {"Authorization": f"Bearer {token}", "X-Min-Position": str(self.position)}
        return self.client.get(path, headers=headers)

    def json(self, path: str, who: DemoUser) -> Any:
        response = self.get(path, who)
        assert response.status_code == 200, (path, who.sub, response.text)
        return response.json()


# The tests that read the demo world share one, filled once per module and store on a
# database of its own; the tests of filling and serving keep a fresh store each.


@pytest.fixture(scope="module")
def filled(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """A store the demo world was filled into (the filling said it filled it)."""
    data_dir = module_data_dir(tmp_path_factory)
    with services_with_views(module_database_url, data_dir, load_catalogue()) as services:
        assert fill_demo_world(services.application, services.attachments, services.settings)
        yield services


@pytest.fixture(scope="module")
def demo(filled: Services) -> Iterator[DemoReader]:
    with TestClient(create_app(filled), raise_server_exceptions=False) as client:
        yield DemoReader(client, filled)


def _stored_events(services: Services) -> int:
    return services.application.recorder.max_notification_id() or 0


def test_the_leader_sees_every_demo_candidate_at_their_stage(demo: DemoReader) -> None:
    listed = demo.json("/v1/leaders/me/candidates", LEADER)["data"]
    by_name = {row["candidate"]["name"]: row for row in listed}
    assert sorted(by_name) == sorted(item.user.name for item in CANDIDATES)
    totals = {name: row["totals"] for name, row in by_name.items()}
    assert totals["Jonas Berg"]["total"] == 0  # just registered: no plan yet
    assert totals["Thomas Nilsen"]["total"] == 20  # LIS1: LIS1-KLK
    assert by_name["Thomas Nilsen"]["specialty"] == "LIS1"
    assert totals["Sara Lie"]["sent_for_approval"] == 1
    assert by_name["Sara Lie"]["pending_approvals"] == 1
    assert totals["Maria Vik"]["approved"] == 2
    assert [
        row["candidate"]["name"] for row in demo.json("/v1/leaders/me/approvals", LEADER)["data"]
    ] == ["Sara Lie"]
    emma = by_name["Emma Solberg"]["candidate_id"]
    goal = demo.json(f"/v1/candidates/{emma}/goals/FKM-001", LEADER)
    assert {activity["state"] for activity in goal["activities"]} == {"sent_for_signing"}
    henrik = by_name["Henrik Dahl"]["candidate_id"]
    goal = demo.json(f"/v1/candidates/{henrik}/goals/FKM-001", LEADER)
    assert {activity["state"] for activity in goal["activities"]} == {"signed"}


def test_a_supervisor_has_signing_requests_with_a_certificate_to_download(
    demo: DemoReader,
) -> None:
    supervisor = SUPERVISORS[0]
    requests = demo.json("/v1/supervisors/me/signing-requests", supervisor)["data"]
    assert requests, "the demo supervisor has nothing to sign"
    with_file = [row for row in requests if row["attachment_id"]]
    assert with_file, requests
    row = with_file[0]
    assert row["candidate"]["name"] == "Emma Solberg"
    cid = row["candidate"]["candidate_id"]
    download = demo.get(f"/v1/candidates/{cid}/attachments/{row['attachment_id']}", supervisor)
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.content.startswith(b"%PDF-") and b"Kursbevis" in download.content
    # the other supervisor was never sent it: the same 404 as for anyone else
    other = demo.get(f"/v1/candidates/{cid}/attachments/{row['attachment_id']}", SUPERVISORS[1])
    assert other.status_code == 404


def test_the_veileder_has_a_finalised_meeting_with_a_summary_and_a_scheduled_one(
    demo: DemoReader,
) -> None:
    listed = demo.json("/v1/leaders/me/candidates", LEADER)["data"]
    ids = {row["candidate"]["name"]: row["candidate_id"] for row in listed}
    held = demo.json(f"/v1/candidates/{ids['Maria Vik']}/meetings", VEILEDER)["data"]
    assert [meeting["state"] for meeting in held] == ["finalised"]
    meeting = demo.json(f"/v1/meetings/{held[0]['meeting_id']}", VEILEDER)
    assert "FKM-001" in meeting["summary"]
    assert sorted(meeting["goals_discussed"]) == ["FKM-001", "FKM-002"]
    coming = demo.json(f"/v1/candidates/{ids['Sara Lie']}/meetings", VEILEDER)["data"]
    assert [meeting["state"] for meeting in coming] == ["open"]
    assert coming[0]["scheduled_for"][:10] > date.today().isoformat()  # ahead: still to hold


def test_r26_the_veileder_lists_their_candidates_and_the_leader_sees_one_open_concern(
    demo: DemoReader,
) -> None:
    mine = demo.json("/v1/veiledere/me/candidates", VEILEDER)["data"]
    assert len(mine) == len(CANDIDATES)
    concerned = {row["candidate"]["name"]: row["open_concerns"] for row in mine}
    assert concerned["Henrik Dahl"] == 1 and sum(concerned.values()) == 1
    listed = demo.json("/v1/leaders/me/candidates", LEADER)["data"]
    henrik = next(row for row in listed if row["candidate"]["name"] == "Henrik Dahl")
    assert henrik["open_concerns"] == 1
    (concern,) = demo.json(f"/v1/candidates/{henrik['candidate_id']}/concerns", LEADER)["data"]
    assert concern["state"] == "open" and concern["raised_by"]["name"] == VEILEDER.name


def test_filling_a_store_that_holds_data_adds_nothing(filled: Services) -> None:
    stored = _stored_events(filled)
    assert stored > 0
    assert not fill_demo_world(filled.application, filled.attachments, filled.settings)
    assert _stored_events(filled) == stored


def test_with_oidc_settings_the_demo_world_is_never_filled(
    database_url: str, data_dir: Path, services: Services
) -> None:
    production = Settings(data_dir=data_dir, database_url=database_url, **OIDC)
    assert not fill_demo_world(services.application, services.attachments, production)
    assert not fill_demo_store(production)
    assert _stored_events(services) == 0


def test_demo_users_have_fixed_subs_names_and_norwegian_roles() -> None:
    subs = [user.sub for user in DEMO_USERS]
    assert len(subs) == len(set(subs)) == 11
    assert {LEADER.sub, VEILEDER.sub} <= set(subs)
    assert all(user.name and user.roles for user in DEMO_USERS)


def _serve(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> Any:
    """`kompetanse serve ARGS` up to the point where uvicorn would take over."""
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    # serve would point the root logger at the runner's stderr, closed after the call
    monkeypatch.setattr("api.observability.configure_logging", lambda: None)
    return CliRunner().invoke(cli, ["serve", "--port", "1", *args], env=env)


def _events_in(database_url: str) -> int:
    application = KompetanseApplication(env=event_store_env(database_url))
    try:
        return application.recorder.max_notification_id() or 0
    finally:
        application.close()


@pytest.fixture
def serve_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "KOMPETANSE_DATA_DIR": str(tmp_path / "var"),
        "KOMPETANSE_DATABASE_URL": database_url,
        "KOMPETANSE_OIDC_ISSUER": "",
        "KOMPETANSE_OIDC_AUDIENCE": "",
        "KOMPETANSE_OIDC_JWKS": "",
        "KOMPETANSE_PROJECTIONS": "inline",
        "KOMPETANSE_WORKERS": "1",
    }


def test_serve_with_demo_fills_an_empty_dev_store_and_says_who_is_there(
    database_url: str, serve_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _serve(monkeypatch, serve_env, "--demo")
    assert result.exit_code == 0, result.output
    assert _events_in(database_url) > 0
    line = next(line for line in result.output.splitlines() if "Demo world" in line)
    assert "Demo world filled" in line
    assert all(user.sub in line for user in DEMO_USERS)
    assert "kompetanse dev-token --sub" in line
    again = _serve(monkeypatch, serve_env, "--demo")
    assert again.exit_code == 0, again.output
    assert "nothing added" in again.output


def test_serve_with_no_demo_starts_empty(
    database_url: str, serve_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _serve(monkeypatch, serve_env, "--demo", "--no-demo")  # as scripts/serve passes it
    assert result.exit_code == 0, result.output
    assert "Demo world" not in result.output
    assert _events_in(database_url) == 0


def test_serve_with_demo_under_oidc_fills_nothing(
    database_url: str, serve_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    production = serve_env | {
        f"KOMPETANSE_{name.upper()}": value for name, value in (OIDC | OIDC_CLIENT).items()
    }
    result = _serve(monkeypatch, production, "--demo")
    assert result.exit_code == 0, result.output
    assert "OIDC is configured: no demo world" in result.output
    assert _events_in(database_url) == 0
