"""The query routes over HTTP, against real projections on SQLite and PostgreSQL.

Commands go through the API, queries read the views a running ProjectionService
keeps up to date; `X-Min-Position` with the command's `X-Event-Position` reads
one's own writes. Tests that record something get a new database each; the refusals of
malformed positions share one app and store per module (`shared`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import (
    YESTERDAY,
    Api,
    Person,
    build_team,
    invite_and_accept,
    problem_of,
    registration,
    services_with_views,
)

from api.deps import Services
from api.routes import leaders as leader_routes
from api.routes import queries as query_routes
from kompetanse_domain.catalogue import Catalogue, GoalDefinition, PlanDefinition, shipped_plans


def _plan(code: str, goals: int) -> PlanDefinition:
    return PlanDefinition(
        code=code,
        title=f"Testplan {code}",
        version="2026.1",
        part="part3",
        sample_titles=True,
        source="Written for the query tests.",
        goals=tuple(
            GoalDefinition(
                code=f"{code}-{n:03d}", title="Kunne teste", competence_level="kjenne til"
            )
            for n in range(1, goals + 1)
        ),
    )


def _catalogue() -> Catalogue:
    return Catalogue(plans=(*shipped_plans(), _plan("TEST-A", 3), _plan("TEST-B", 1)))


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """Like the shared fixture, but with the real read side, following the store."""
    with services_with_views(database_url, data_dir, _catalogue()) as services:
        yield services


@pytest.fixture(scope="module")
def shared_catalogue() -> Catalogue:
    return _catalogue()


class Reads:
    """Queries that wait for the last command this test sent (read your own writes),
    through `command` or straight through `api` (as `build_team` does)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.position = 0

    def command(self, method: str, path: str, who: str, body: Any = None, status: int = 200) -> Any:
        response = self.api.call(method, path, who, body)
        assert response.status_code == status, (path, response.text)
        self.position = max(self.position, int(response.headers["X-Event-Position"]))
        return response.json() if response.content else None

    def get(self, path: str, who: str) -> httpx.Response:
        headers = {"X-Min-Position": str(max(self.position, self.api.written))}
        return self.api.call("GET", path, who, headers=headers)


@pytest.fixture
def reads(api: Api) -> Reads:
    return Reads(api)


def _team(reads: Reads, plan: str = "TEST-A") -> str:
    cid = build_team(reads.api)
    reads.command("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": plan}, 201)
    return cid


def test_every_query_answer_carries_the_projection_position(reads: Reads) -> None:
    cid = _team(reads)

    response = reads.get(f"/v1/candidates/{cid}", "candidate")

    assert response.status_code == 200, response.text
    assert int(response.headers["X-Projection-Position"]) >= reads.position
    body = response.json()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert body["state"] == "registered"
    assert {"role": "leader", "sub": "leader-sub", "name": "Leif Leder"}.items() <= next(
        role for role in body["roles"] if role["role"] == "leader"
    ).items()
    assert [(p["plan_code"], p["state"]) for p in body["plans"]] == [("TEST-A", "active")]
    refused = reads.get(f"/v1/candidates/{cid}", "unrelated")
    assert refused.status_code == 404
    assert "X-Projection-Position" in refused.headers


def test_a_query_with_x_min_position_sees_the_command_just_made(reads: Reads) -> None:
    cid = _team(reads)
    goal = f"/v1/candidates/{cid}/goals/TEST-A-001"
    reads.command("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})

    response = reads.get(goal, "leader")

    assert response.status_code == 200
    assert response.json()["state"] == "sent_for_approval"
    assert response.json()["approver"] == {"sub": "leader-sub", "name": "Leif Leder"}
    assert response.headers["ETag"] == '"2"'


def test_x_min_position_the_views_do_not_reach_is_503_with_retry_after(
    reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_routes, "MIN_POSITION_WAIT", 0.2)
    cid = _team(reads)
    reads.position += 1000

    response = reads.get(f"/v1/candidates/{cid}", "candidate")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "X-Projection-Position" in response.headers
    assert "1" in problem_of(response)["detail"]


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "", "9" * 40])
def test_x_min_position_that_is_not_a_whole_number_is_400(shared: Api, value: str) -> None:
    response = shared.call(
        "GET", "/v1/leaders/me/approvals", "leader", headers={"X-Min-Position": value}
    )

    assert response.status_code == 400
    assert "X-Min-Position" in problem_of(response)["detail"]


def test_people_unrelated_to_the_candidate_get_404_everywhere(reads: Reads) -> None:
    cid = _team(reads)
    meeting = reads.command(
        "POST",
        f"/v1/candidates/{cid}/meetings",
        "veileder",
        {"scheduled_for": YESTERDAY, "planned_minutes": 45},
        201,
    )["meeting_id"]

    for path in (
        f"/v1/candidates/{cid}",
        f"/v1/candidates/{cid}/goals/TEST-A-001",
        f"/v1/candidates/{cid}/progress",
        f"/v1/candidates/{cid}/meetings",
        f"/v1/meetings/{meeting}",
    ):
        response = reads.get(path, "unrelated")
        assert response.status_code == 404, path
        problem_of(response)
    unknown = reads.get("/v1/meetings/00000000-0000-0000-0000-000000000001", "veileder")
    assert unknown.status_code == 404
    missing_goal = reads.get(f"/v1/candidates/{cid}/goals/ALM-001", "candidate")
    assert missing_goal.status_code == 404


def test_a_supervisor_may_not_read_meetings_but_candidate_veileder_auditor_may(
    reads: Reads,
) -> None:
    cid = _team(reads)
    meeting = reads.command(
        "POST",
        f"/v1/candidates/{cid}/meetings",
        "veileder",
        {"scheduled_for": YESTERDAY, "planned_minutes": 45},
        201,
    )["meeting_id"]
    reads.command("PUT", f"/v1/meetings/{meeting}/preparation", "candidate", {"text": "Spørsmål"})
    reads.command(
        "PUT",
        f"/v1/meetings/{meeting}/summary",
        "veileder",
        {"text": "Vi snakket om etikk", "goals_discussed": ["TEST-A-001"]},
    )

    for path in (f"/v1/candidates/{cid}/meetings", f"/v1/meetings/{meeting}"):
        assert reads.get(path, "supervisor").status_code == 403, path
        assert reads.get(path, "leader").status_code == 403, path
    for who in ("candidate", "veileder", "auditor"):
        response = reads.get(f"/v1/meetings/{meeting}", who)
        assert response.status_code == 200, who
    body = response.json()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert body["goals_discussed"] == ["TEST-A-001"]
    assert [(c["what"], c["actor"]["sub"]) for c in body["changes"]] == [
        ("created", "veileder-sub"),
        ("preparation_written", "lis-sub"),
        ("summary_revised", "veileder-sub"),
    ]
    listed = reads.get(f"/v1/candidates/{cid}/meetings", "candidate").json()
    assert listed["count"] == 1
    assert listed["data"][0]["meeting_id"] == meeting


def test_progress_approvals_and_signing_requests_over_http(reads: Reads) -> None:
    cid = _team(reads, plan="FKM")
    goal = f"/v1/candidates/{cid}/goals/FKM-001"
    activity = reads.command(
        "POST",
        goal + "/activities",
        "candidate",
        {"title": "Etikkurs", "kind": "course", "fulfilled_on": YESTERDAY},
        201,
    )["activity_id"]
    reads.command(
        "POST",
        f"{goal}/activities/{activity}/send-for-signing",
        "candidate",
        {"signer_sub": "sup1-sub"},
    )
    for code in ("FKM-003", "FKM-002"):
        reads.command(
            "POST",
            f"/v1/candidates/{cid}/goals/{code}/send-for-approval",
            "candidate",
            {"completed_on": YESTERDAY},
        )

    inbox = reads.get("/v1/supervisors/me/signing-requests", "supervisor").json()
    assert inbox["count"] == 1
    assert inbox["data"][0]["activity_id"] == activity
    assert inbox["data"][0]["candidate"] == {
        "candidate_id": cid,
        "sub": "lis-sub",
        "name": "Lise Lege",
    }
    approvals = reads.get("/v1/leaders/me/approvals", "deputy").json()
    assert [a["goal_code"] for a in approvals["data"]] == ["FKM-003", "FKM-002"]
    dashboard = reads.get("/v1/leaders/me/candidates", "leader").json()
    assert dashboard["data"][0]["pending_approvals"] == 2
    assert dashboard["data"][0]["totals"]["total"] == 24
    progress = reads.get(f"/v1/candidates/{cid}/progress", "veileder").json()
    assert progress["totals"]["sent_for_approval"] == 2
    assert progress["readiness"]["ready"] is False
    assert progress["readiness_by_specialty"] == [progress["readiness"]]  # one specialty (R22)

    reads.command("POST", f"{goal}/activities/{activity}/sign", "supervisor", {})
    assert reads.get("/v1/supervisors/me/signing-requests", "supervisor").json() == {
        "data": [],
        "count": 0,
    }


def test_report_csv_opens_in_norwegian_excel(reads: Reads) -> None:
    api = reads.api
    api.people["åse"] = Person("ase-sub", "Åse Ærlig-Øvrebø")
    cid = reads.command("POST", "/v1/candidates", "åse", registration("Åse Ærlig-Øvrebø"), 201)[
        "candidate_id"
    ]
    invite_and_accept(api, cid, "leader", "åse", "leader")
    reads.command("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-B"}, 201)
    reads.command(
        "POST",
        f"/v1/candidates/{cid}/goals/TEST-B-001/send-for-approval",
        "åse",
        {"completed_on": YESTERDAY},
    )
    reads.command("POST", f"/v1/candidates/{cid}/goals/TEST-B-001/approve", "leader", {})

    response = reads.get("/v1/leaders/me/report.csv", "leader")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "X-Projection-Position" in response.headers
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads UTF-8
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:5] == ["candidate", "candidate_sub", "plan", "goal", "state"]
    assert rows[1][:5] == ["Åse Ærlig-Øvrebø", "ase-sub", "TEST-B", "TEST-B-001", "approved"]
    assert rows[1][5] == YESTERDAY
    assert rows[1][8] == "Leif Leder"
    assert "\r\n" in text
    nobody = reads.get("/v1/leaders/me/report.csv", "unrelated")
    assert nobody.content.decode("utf-8-sig").splitlines() == [
        ";".join(leader_routes.REPORT_COLUMNS)
    ]


def test_report_cells_that_excel_would_run_as_formulas_are_defused() -> None:
    rows = iter(
        [
            {
                "candidate_name": '=HYPERLINK("http://x")',
                "candidate_sub": "s",
                "plan_code": "P",
                "goal_code": "P-001",
                "state": "approved",
                "completed_on": None,
                "sent_at": None,
                "decided_at": None,
                "decided_by": "-1+1",
                "approver": None,
            }
        ]
    )

    text = b"".join(leader_routes.report_lines(rows)).decode()

    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[0] == '\'=HYPERLINK("http://x")'
    assert row[8] == "'-1+1"
