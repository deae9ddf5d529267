"""R26 over HTTP on both stores: the veileder raises a concern about a candidate, the
leader or a deputy resolves it with a note; the veileder's own list of candidates; the
leader's list counts open concerns.

Commands go through the API; queries read the views a running ProjectionService keeps
up to date. Every refusal is a problem answer and stores nothing (no concern listed, no
event in the history).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from api_world import (
    YESTERDAY,
    Api,
    build_team,
    invite_and_accept,
    problem_of,
    registration,
    services_with_views,
)
from fastapi.testclient import TestClient
from test_queries import Reads

from api.deps import Services
from kompetanse.sync import SyncJob
from kompetanse.sync_position import SyncPositionStore


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    with services_with_views(database_url, data_dir) as services:
        yield services


@pytest.fixture
def reads(api: Api) -> Reads:
    return Reads(api)


def _concerns(reads: Reads, cid: str, who: str = "leader") -> dict[str, Any]:
    response = reads.get(f"/v1/candidates/{cid}/concerns", who)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["count"] == len(body["data"])
    return body


def _refused(reads: Reads, method: str, path: str, who: str, body: Any, status: int) -> str:
    response = reads.api.call(method, path, who, body)
    assert response.status_code == status, (path, who, response.text)
    detail: str = problem_of(response)["detail"]
    return detail


def _history_types(reads: Reads, cid: str) -> list[str]:
    items = reads.get(f"/v1/candidates/{cid}/history", "auditor").json()["data"]
    return [item["type"] for item in items]


def _raise(reads: Reads, cid: str, text: str) -> str:
    body = {"text": text}
    concern_id: str = reads.command(
        "POST", f"/v1/candidates/{cid}/concerns", "veileder", body, 201
    )["concern_id"]
    return concern_id


def _leader_row(reads: Reads, cid: str, who: str = "leader") -> dict[str, Any]:
    rows = reads.get("/v1/leaders/me/candidates", who).json()["data"]
    [row] = [r for r in rows if r["candidate_id"] == cid]
    return dict(row)


def test_r26_the_veileder_raises_a_concern_and_a_deputy_resolves_it_with_a_note(
    reads: Reads,
) -> None:
    cid = build_team(reads.api)
    assert _concerns(reads, cid) == {"data": [], "count": 0}
    assert _leader_row(reads, cid)["open_concerns"] == 0

    concern_id = _raise(reads, cid, "Progresjonen er for langsom siste halvår")

    [concern] = _concerns(reads, cid)["data"]
    assert concern["concern_id"] == concern_id
    assert concern["text"] == "Progresjonen er for langsom siste halvår"
    assert concern["raised_by"] == {"sub": "veileder-sub", "name": "Vera Veileder"}
    assert concern["state"] == "open"
    assert (concern["resolved_by"], concern["resolved_at"], concern["note"]) == (None, None, None)
    assert _leader_row(reads, cid)["open_concerns"] == 1
    assert _leader_row(reads, cid, "deputy")["open_concerns"] == 1

    path = f"/v1/candidates/{cid}/concerns/{concern_id}/resolve"
    reads.command("POST", path, "deputy", {"note": "Avtalt oppfølgingsmøte med kandidaten"})

    [resolved] = _concerns(reads, cid)["data"]
    assert resolved["state"] == "resolved"
    assert resolved["resolved_by"] == {"sub": "deputy-sub", "name": "Dina Stedfortreder"}
    assert resolved["note"] == "Avtalt oppfølgingsmøte med kandidaten"
    assert datetime.fromisoformat(resolved["resolved_at"]) >= datetime.fromisoformat(
        resolved["raised_at"]
    )
    assert _leader_row(reads, cid)["open_concerns"] == 0

    detail = _refused(reads, "POST", path, "leader", {"note": "Igjen"}, 409)
    assert "R26" in detail and "already resolved" in detail
    assert _concerns(reads, cid)["data"] == [resolved]


def test_r26_a_concern_by_someone_who_is_not_the_veileder_is_refused_and_nothing_stored(
    reads: Reads,
) -> None:
    cid = build_team(reads.api)
    path = f"/v1/candidates/{cid}/concerns"
    before = _history_types(reads, cid)

    for who, status in (
        ("candidate", 403),
        ("leader", 403),
        ("deputy", 403),
        ("supervisor", 403),
        ("auditor", 403),
        ("unrelated", 404),
    ):
        _refused(reads, "POST", path, who, {"text": "Bekymring"}, status)
    for body in ({}, {"text": ""}, {"text": "  \n "}, {"text": "x" * 4001}, {"note": "feil"}):
        _refused(reads, "POST", path, "veileder", body, 422)

    assert _concerns(reads, cid) == {"data": [], "count": 0}
    assert _history_types(reads, cid) == before
    assert _leader_row(reads, cid)["open_concerns"] == 0


def test_r26_only_the_leader_or_a_deputy_resolves_and_refusals_store_nothing(
    reads: Reads,
) -> None:
    cid = build_team(reads.api)
    concern_id = _raise(reads, cid, "Mangler aktiviteter")
    path = f"/v1/candidates/{cid}/concerns/{concern_id}/resolve"
    before = _concerns(reads, cid)
    history = _history_types(reads, cid)

    for who, status in (
        ("candidate", 403),
        ("veileder", 403),
        ("supervisor", 403),
        ("auditor", 403),
        ("unrelated", 404),
    ):
        _refused(reads, "POST", path, who, {"note": "Sett"}, status)
    for body in ({}, {"note": ""}, {"note": " "}):
        _refused(reads, "POST", path, "leader", body, 422)
    unknown = f"/v1/candidates/{cid}/concerns/00000000-0000-4000-8000-000000000001/resolve"
    _refused(reads, "POST", unknown, "leader", {"note": "Sett"}, 404)
    _refused(
        reads, "POST", f"/v1/candidates/{cid}/concerns/42/resolve", "leader", {"note": "x"}, 422
    )

    assert _concerns(reads, cid) == before
    assert before["data"][0]["state"] == "open"
    assert _history_types(reads, cid) == history


def test_r26_the_candidate_leader_deputy_veileder_and_auditors_read_concerns(
    reads: Reads,
) -> None:
    cid = build_team(reads.api)
    _raise(reads, cid, "Bekymring")
    for who in ("candidate", "leader", "deputy", "veileder", "auditor"):
        assert _concerns(reads, cid, who)["count"] == 1, who
    supervisor = reads.get(f"/v1/candidates/{cid}/concerns", "supervisor")
    assert supervisor.status_code == 403
    assert "R26" in problem_of(supervisor)["detail"]
    stranger = reads.get(f"/v1/candidates/{cid}/concerns", "unrelated")
    assert stranger.status_code == 404
    problem_of(stranger)


def test_r26_the_veileder_lists_their_candidates_with_totals_meetings_and_concerns(
    reads: Reads,
) -> None:
    api = reads.api
    cid = build_team(api)  # Lise Lege, veileder: "veileder"
    reads.command("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    reads.command(
        "POST",
        f"/v1/candidates/{cid}/goals/TEST-A-001/send-for-approval",
        "candidate",
        {"completed_on": YESTERDAY},
    )
    other = api.ok("POST", "/v1/candidates", "candidate_2", registration("Anders Å"), 201)[
        "candidate_id"
    ]
    invite_and_accept(api, other, "veileder", "candidate_2", "veileder")
    not_mine = api.ok("POST", "/v1/candidates", "candidate_3", registration("Berit B"), 201)[
        "candidate_id"
    ]
    invite_and_accept(api, not_mine, "veileder", "candidate_3", "veileder_2")

    today = date.today()
    held = _meeting(reads, cid, (today - timedelta(days=20)).isoformat())
    reads.command("PUT", f"/v1/meetings/{held}/summary", "veileder", {"text": "Referat"})
    held_on = (today - timedelta(days=19)).isoformat()
    body = {"held_on": held_on, "duration_minutes": 75}
    reads.command("POST", f"/v1/meetings/{held}/finalise", "veileder", body)
    _meeting(reads, cid, (today - timedelta(days=2)).isoformat())  # past, still open: not next
    cancelled = _meeting(reads, cid, (today + timedelta(days=3)).isoformat())
    reads.command("POST", f"/v1/meetings/{cancelled}/cancel", "veileder", {"reason": "Ferie"})
    upcoming = _meeting(reads, cid, (today + timedelta(days=7)).isoformat(), minutes=45)
    _meeting(reads, cid, (today + timedelta(days=30)).isoformat())
    _raise(reads, cid, "Første bekymring")
    resolved = _raise(reads, cid, "Andre bekymring")
    reads.command(
        "POST", f"/v1/candidates/{cid}/concerns/{resolved}/resolve", "leader", {"note": "Ok"}
    )

    response = reads.get("/v1/veiledere/me/candidates", "veileder")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 2
    assert [row["candidate"]["name"] for row in body["data"]] == ["Anders Å", "Lise Lege"]
    anders, lise = body["data"]
    assert lise["candidate_id"] == cid
    assert lise["candidate"] == {"candidate_id": cid, "sub": "lis-sub", "name": "Lise Lege"}
    assert lise["specialty"] == "ALM"
    assert lise["totals"]["total"] == 1
    assert lise["totals"]["sent_for_approval"] == 1
    assert lise["next_meeting"] == {
        "meeting_id": upcoming,
        "scheduled_for": (today + timedelta(days=7)).isoformat(),
        "planned_minutes": 45,
    }
    assert lise["last_finalised_meeting"] == {
        "meeting_id": held,
        "held_on": held_on,
        "duration_minutes": 75,
    }
    assert lise["open_concerns"] == 1
    assert anders["candidate_id"] == other
    assert anders["totals"]["total"] == 0
    assert (anders["next_meeting"], anders["last_finalised_meeting"]) == (None, None)
    assert anders["open_concerns"] == 0

    for who in ("leader", "candidate", "unrelated", "auditor"):
        mine = reads.get("/v1/veiledere/me/candidates", who)
        assert mine.status_code == 200, who
        assert mine.json() == {"data": [], "count": 0}, who
    [theirs] = reads.get("/v1/veiledere/me/candidates", "veileder_2").json()["data"]
    assert theirs["candidate_id"] == not_mine

    # a veileder who is removed no longer sees the candidate
    reads.command(
        "DELETE", f"/v1/candidates/{other}/roles/veileder/veileder-sub", "candidate_2", status=204
    )
    remaining = reads.get("/v1/veiledere/me/candidates", "veileder").json()["data"]
    assert [row["candidate_id"] for row in remaining] == [cid]


def _meeting(reads: Reads, cid: str, scheduled_for: str, minutes: int = 60) -> str:
    body = {"scheduled_for": scheduled_for, "planned_minutes": minutes}
    mid: str = reads.command("POST", f"/v1/candidates/{cid}/meetings", "veileder", body, 201)[
        "meeting_id"
    ]
    return mid


@pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")  # TestClient
def test_r26_history_state_as_of_and_the_feed_show_concerns(reads: Reads, data_dir: Path) -> None:
    cid = build_team(reads.api)
    concern_id = _raise(reads, cid, "Lite fremdrift")
    before_resolve = datetime.now(UTC)
    reads.command(
        "POST",
        f"/v1/candidates/{cid}/concerns/{concern_id}/resolve",
        "leader",
        {"note": "Snakket med kandidaten"},
    )

    history = reads.get(f"/v1/candidates/{cid}/history", "candidate").json()["data"]
    raised = next(i for i in history if i["type"] == "Candidate.ConcernRaised")
    answered = next(i for i in history if i["type"] == "Candidate.ConcernResolved")
    assert raised["aggregate"] == answered["aggregate"] == "Candidate"
    assert raised["actor"]["sub"] == "veileder-sub"
    assert (raised["data"]["concern_id"], raised["data"]["text"]) == (concern_id, "Lite fremdrift")
    assert answered["actor"]["sub"] == "leader-sub"
    assert answered["data"]["note"] == "Snakket med kandidaten"
    verify = reads.get(f"/v1/candidates/{cid}/history/verify", "auditor").json()
    assert verify["ok"] is True

    def concerns_as_of(instant: datetime) -> list[dict[str, Any]]:
        path = f"/v1/candidates/{cid}/state?as_of={quote(instant.isoformat())}"
        response = reads.get(path, "auditor")
        assert response.status_code == 200, response.text
        return list(response.json()["concerns"])

    [earlier] = concerns_as_of(before_resolve)
    assert (earlier["concern_id"], earlier["state"], earlier["note"]) == (concern_id, "open", None)
    [now] = concerns_as_of(datetime.now(UTC) + timedelta(seconds=1))
    assert (now["state"], now["note"]) == ("resolved", "Snakket med kandidaten")
    assert now["resolved_by"] == {"sub": "leader-sub", "name": "Leif Leder"}

    feed = reads.get("/v1/feed?after=0&limit=1000", "sync").json()["items"]
    types = [i["type"] for i in feed]
    assert "Candidate.ConcernRaised" in types and "Candidate.ConcernResolved" in types
    posted: list[bytes] = []
    positions = SyncPositionStore(f"sqlite:///{data_dir / 'sync.db'}")
    try:
        job = SyncJob(
            source=TestClient(reads.api.client.app, headers=reads.api.headers("sync")),
            target=httpx.Client(
                base_url="http://target.test",
                transport=httpx.MockTransport(
                    lambda request: posted.append(request.content) or httpx.Response(500)
                ),
            ),
            positions=positions,
            source_key="source",
            source_portal="hospital",
        )
        job.run(once=True)  # passes over the concerns without posting or failing
        assert posted == []
        assert job.stats.events_seen == len(feed)
        assert positions.load("source") == feed[-1]["position"]
    finally:
        positions.close()
