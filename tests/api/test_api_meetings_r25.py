"""R25 over HTTP on both stores: a meeting is finalised only with a summary, and a meeting
that will not be held is cancelled with a reason, kept and shown, never deleted.

Commands go through the API; queries read the views a running ProjectionService keeps
up to date (`Reads` waits for the last command's position). Every refusal is a problem
answer and leaves the meeting as it was (same version, same change log).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from api_world import YESTERDAY, Api, build_team, problem_of, services_with_views
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


def _meeting(reads: Reads, cid: str, scheduled_for: str = YESTERDAY, minutes: int = 60) -> str:
    body = {"scheduled_for": scheduled_for, "planned_minutes": minutes}
    mid: str = reads.command("POST", f"/v1/candidates/{cid}/meetings", "veileder", body, 201)[
        "meeting_id"
    ]
    return mid


def _view(reads: Reads, mid: str) -> dict[str, Any]:
    response = reads.get(f"/v1/meetings/{mid}", "veileder")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _refused(reads: Reads, method: str, path: str, who: str, body: Any, status: int) -> str:
    response = reads.api.call(method, path, who, body)
    assert response.status_code == status, (path, who, response.text)
    detail: str = problem_of(response)["detail"]
    return detail


FINALISE = {"held_on": YESTERDAY, "duration_minutes": 60}


def test_r25_finalising_a_meeting_without_a_summary_is_409_and_changes_nothing(
    reads: Reads,
) -> None:
    cid = build_team(reads.api)
    mid = _meeting(reads, cid)
    path = f"/v1/meetings/{mid}"
    reads.command("PUT", path + "/preparation", "candidate", {"text": "Mine spørsmål"})
    before = _view(reads, mid)

    detail = _refused(reads, "POST", path + "/finalise", "veileder", FINALISE, 409)
    assert "R25" in detail and "summary" in detail
    reads.command("PUT", path + "/summary", "veileder", {"text": "   "})  # blank is no summary
    blank = _view(reads, mid)
    _refused(reads, "POST", path + "/finalise", "veileder", FINALISE, 409)

    after = _view(reads, mid)
    assert after["state"] == "open" and after["held_on"] is None
    assert after["version"] == blank["version"] == before["version"] + 1
    assert [c["what"] for c in after["changes"]] == [
        "created",
        "preparation_written",
        "summary_revised",
    ]

    reads.command("PUT", path + "/summary", "veileder", {"text": "Vi snakket om vaktene"})
    reads.command("POST", path + "/finalise", "veileder", FINALISE)
    done = _view(reads, mid)
    assert done["state"] == "finalised"
    assert done["summary"] == "Vi snakket om vaktene"
    assert done["duration_minutes"] == 60


def test_r25_the_veileder_cancels_a_meeting_with_a_reason_and_it_is_kept(reads: Reads) -> None:
    cid = build_team(reads.api)
    mid = _meeting(reads, cid)
    path = f"/v1/meetings/{mid}"
    before = _view(reads, mid)

    for who, status in (
        ("candidate", 403),
        ("leader", 403),
        ("deputy", 403),
        ("supervisor", 403),
        ("auditor", 403),
        ("unrelated", 404),
    ):
        _refused(reads, "POST", path + "/cancel", who, {"reason": "Syk"}, status)
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "\u200b"}):
        _refused(reads, "POST", path + "/cancel", "veileder", body, 422)
    assert _view(reads, mid) == before  # nothing stored by any refusal

    reads.command("POST", path + "/cancel", "veileder", {"reason": "Kandidaten er syk"})

    cancelled = _view(reads, mid)
    assert cancelled["state"] == "cancelled"
    assert cancelled["version"] == before["version"] + 1
    last = cancelled["changes"][-1]
    assert last["what"] == "cancelled"
    assert last["detail"] == {"reason": "Kandidaten er syk"}
    assert last["actor"] == {"sub": "veileder-sub", "name": "Vera Veileder"}
    listed = reads.get(f"/v1/candidates/{cid}/meetings", "candidate").json()
    assert [(m["meeting_id"], m["state"]) for m in listed["data"]] == [(mid, "cancelled")]


def test_r25_a_cancelled_meeting_cannot_be_written_finalised_or_cancelled_again(
    reads: Reads,
) -> None:
    cid = build_team(reads.api)
    mid = _meeting(reads, cid)
    path = f"/v1/meetings/{mid}"
    reads.command("PUT", path + "/summary", "veileder", {"text": "Utkast"})
    reads.command("POST", path + "/cancel", "veileder", {"reason": "Avlyst"})
    cancelled = _view(reads, mid)

    for method, suffix, who, body in (
        ("PUT", "/preparation", "candidate", {"text": "For sent"}),
        ("PUT", "/summary", "veileder", {"text": "Endret"}),
        ("POST", "/finalise", "veileder", FINALISE),
        ("POST", "/cancel", "veileder", {"reason": "Igjen"}),
    ):
        detail = _refused(reads, method, path + suffix, who, body, 409)
        assert "R25" in detail, (suffix, detail)
    assert _view(reads, mid) == cancelled


def test_r25_a_finalised_meeting_cannot_be_cancelled(reads: Reads) -> None:
    cid = build_team(reads.api)
    mid = _meeting(reads, cid)
    path = f"/v1/meetings/{mid}"
    reads.command("PUT", path + "/summary", "veileder", {"text": "Referat"})
    reads.command("POST", path + "/finalise", "veileder", FINALISE)
    finalised = _view(reads, mid)

    _refused(reads, "POST", path + "/cancel", "veileder", {"reason": "Feil"}, 409)

    assert _view(reads, mid) == finalised
    assert finalised["state"] == "finalised"


def test_r25_r19_a_cancelled_meeting_counts_toward_no_supervision_hours(reads: Reads) -> None:
    cid = build_team(reads.api)  # ALM: R19 counts hours per month
    held = _meeting(reads, cid, minutes=60)
    reads.command("PUT", f"/v1/meetings/{held}/summary", "veileder", {"text": "Referat"})
    reads.command(
        "POST", f"/v1/meetings/{held}/finalise", "veileder", {**FINALISE, "duration_minutes": 90}
    )
    cancelled = _meeting(reads, cid, minutes=600)
    reads.command("PUT", f"/v1/meetings/{cancelled}/summary", "veileder", {"text": "Planlagt"})
    reads.command("POST", f"/v1/meetings/{cancelled}/cancel", "veileder", {"reason": "Avlyst"})

    progress = reads.get(f"/v1/candidates/{cid}/progress", "candidate").json()

    supervision = progress["supervision"]
    month = date.fromisoformat(YESTERDAY).strftime("%Y-%m")
    assert supervision["months"] == [{"month": month, "hours": 1.5, "meetings": 1}]
    assert supervision["total_hours"] == 1.5


@pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")  # TestClient
def test_r25_history_state_as_of_and_the_feed_show_the_cancellation(
    reads: Reads, services: Services, data_dir: Path
) -> None:
    cid = build_team(reads.api)
    mid = _meeting(reads, cid)
    reads.command("PUT", f"/v1/meetings/{mid}/summary", "veileder", {"text": "Utkast"})
    before_cancel = datetime.now(UTC)
    reads.command("POST", f"/v1/meetings/{mid}/cancel", "veileder", {"reason": "Ferie"})

    history = reads.get(f"/v1/candidates/{cid}/history", "auditor").json()["data"]
    [item] = [i for i in history if i["type"] == "SupervisionMeeting.Cancelled"]
    assert item["aggregate_id"] == mid
    assert item["actor"] == {"sub": "veileder-sub", "name": "Vera Veileder"}
    assert item["data"]["reason"] == "Ferie"

    def meeting_as_of(instant: datetime) -> dict[str, Any]:
        path = f"/v1/candidates/{cid}/state?as_of={quote(instant.isoformat())}"
        response = reads.get(path, "candidate")
        assert response.status_code == 200, response.text
        [meeting] = response.json()["meetings"]
        return dict(meeting)

    earlier = meeting_as_of(before_cancel)
    assert (earlier["state"], earlier["cancel_reason"]) == ("open", None)
    now = meeting_as_of(datetime.now(UTC) + timedelta(seconds=1))
    assert (now["state"], now["cancel_reason"]) == ("cancelled", "Ferie")

    # the feed carries it, and the sync job passes over it without posting anything
    feed = reads.get("/v1/feed?after=0&limit=1000", "sync").json()["items"]
    assert [i["data"]["reason"] for i in feed if i["type"] == "SupervisionMeeting.Cancelled"] == [
        "Ferie"
    ]
    posted: list[Any] = []
    source = TestClient(reads.api.client.app, headers=reads.api.headers("sync"))
    positions = SyncPositionStore(f"sqlite:///{data_dir / 'sync.db'}")
    try:
        job = SyncJob(
            source=source,
            target=_recording_target(posted),
            positions=positions,
            source_key="source",
            source_portal="hospital",
        )
        job.run(once=True)
        assert posted == []
        assert job.stats.events_seen == len(feed)
        assert positions.load("source") == feed[-1]["position"]
    finally:
        positions.close()


def _recording_target(posted: list[Any]) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        posted.append(request.content)
        return httpx.Response(500)

    return httpx.Client(base_url="http://target.test", transport=httpx.MockTransport(answer))
