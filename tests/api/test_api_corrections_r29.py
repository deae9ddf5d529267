"""Corrections over HTTP (R29, API.md v1.1 "Corrections", ADR 0021), on SQLite and PostgreSQL.

The candidate edits or withdraws an activity not signed and recalls a goal not yet
decided; the leader or a deputy withdraws an approval given by mistake. Each is a new
event with actor, time and reason; the goal, progress, the approvals queue, the signer's
inbox, report.csv, history, state `as_of` and the feed show the result, a withdrawn
activity counts nowhere, and a refusal stores nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from api_world import TINY_PDF, YESTERDAY, Api, problem_of, registration, services_with_views
from test_api_rules_over_http import SPIROMETRY, Reads, activity, small_catalogue, team

from api.deps import Services


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """The real read side, following the store, with the small catalogue."""
    with services_with_views(database_url, data_dir, small_catalogue()) as services:
        yield services


@pytest.fixture
def reads(api: Api) -> Reads:
    return Reads(api)


def goal_path(cid: str, code: str = "ALM-001") -> str:
    return f"/v1/candidates/{cid}/goals/{code}"


def history(reads: Reads, cid: str, as_of: str | None = None) -> list[dict[str, Any]]:
    query = f"?as_of={quote(as_of)}" if as_of else ""
    items: list[dict[str, Any]] = reads.get(f"/v1/candidates/{cid}/history{query}", "auditor")[
        "data"
    ]
    return items


def events_of(reads: Reads, cid: str) -> int:
    """How many events the candidate's history holds (the store, not a view)."""
    return len(history(reads, cid))


def refused_with_nothing_stored(
    reads: Reads, cid: str, method: str, path: str, who: str, body: Any, status: int
) -> dict[str, Any]:
    before = events_of(reads, cid)
    response = reads.api.call(method, path, who, body)
    assert response.status_code == status, response.text
    problem = problem_of(response)
    assert events_of(reads, cid) == before, problem
    return problem


def activity_of(goal: dict[str, Any], activity_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in goal["activities"] if a["activity_id"] == activity_id)
    return found


def send(reads: Reads, cid: str, activity_id: str, signer: str = "supervisor") -> None:
    sub = reads.api.person(signer).sub
    path = f"{goal_path(cid)}/activities/{activity_id}/send-for-signing"
    reads.ok("POST", path, "candidate", {"signer_sub": sub})


def inbox(reads: Reads, who: str = "supervisor") -> list[str]:
    body = reads.get("/v1/supervisors/me/signing-requests", who)
    return [item["activity_id"] for item in body["data"]]


def procedure_counts(reads: Reads, cid: str) -> dict[str, Any]:
    goal = next(g for g in reads.progress(cid)["goals"] if g["code"] == "ALM-001")
    spirometry: dict[str, Any] = next(p for p in goal["procedures"] if p["title"] == SPIROMETRY)
    return {"goal": goal, "procedure": spirometry}


def report(reads: Reads, code: str) -> dict[str, str]:
    headers = {"X-Min-Position": str(max(reads.position, reads.api.written))}
    response = reads.api.call("GET", "/v1/leaders/me/report.csv", "leader", headers=headers)
    assert response.status_code == 200, response.text
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    row: dict[str, str] = next(r for r in rows if r["goal"] == code)
    return row


# -- editing an activity ---------------------------------------------------------------------


def test_r29_the_candidate_edits_a_registered_activity_and_every_view_shows_it(
    reads: Reads,
) -> None:
    cid = team(reads, "ALM")
    aid = activity(reads, cid, "ALM-001", {"title": "Spiro", "kind": "course"})
    path = f"{goal_path(cid)}/activities/{aid}"

    edited = reads.call(
        "PATCH", path, "candidate", {"title": SPIROMETRY, "kind": "procedure", "count": 2}
    )

    assert edited.status_code == 200, edited.text
    events = events_of(reads, cid)
    same = reads.call("PATCH", path, "candidate", {"title": SPIROMETRY, "count": 2})
    assert same.status_code == 200, same.text  # nothing to change: nothing recorded
    assert events_of(reads, cid) == events
    shown = activity_of(reads.get(goal_path(cid), "candidate"), aid)
    assert (shown["title"], shown["kind"], shown["count"], shown["state"]) == (
        SPIROMETRY,
        "procedure",
        2,
        "registered",
    )
    assert procedure_counts(reads, cid)["procedure"]["count"] == 2  # R12 follows the edit
    event = next(i for i in history(reads, cid) if i["type"] == "LearningGoal.ActivityEdited")
    assert event["actor"]["sub"] == reads.api.person("candidate").sub
    assert event["data"]["changed"] == ["title", "kind", "count"]
    assert event["data"]["title"] == SPIROMETRY
    # the first registration stays in the history beside the correction (R24)
    registered = next(i for i in history(reads, cid) if i["type"].endswith("ActivityRegistered"))
    assert registered["data"]["title"] == "Spiro"


def test_r29_an_edited_rejected_activity_is_registered_again_and_can_be_sent_again(
    reads: Reads,
) -> None:
    cid = team(reads, "ALM")
    aid = activity(reads, cid, "ALM-001", {"title": "Kurs", "kind": "course"})
    path = f"{goal_path(cid)}/activities/{aid}"
    send(reads, cid, aid)
    reads.ok("POST", path + "/reject", "supervisor", {"reason": "Feil dato"})

    reads.ok("PATCH", path, "candidate", {"fulfilled_on": YESTERDAY, "note": "Rett dato"})

    shown = activity_of(reads.get(goal_path(cid), "candidate"), aid)
    assert (shown["state"], shown["signer"], shown["note"]) == ("registered", None, "Rett dato")
    send(reads, cid, aid, "supervisor_2")
    assert aid in inbox(reads, "supervisor_2")
    reads.ok("POST", path + "/sign", "supervisor_2", {})
    assert activity_of(reads.get(goal_path(cid), "candidate"), aid)["state"] == "signed"


def test_r29_edits_refused_with_nothing_stored(reads: Reads) -> None:
    cid = team(reads, "ALM")
    other = reads.ok("POST", "/v1/candidates", "lis_other", registration("Otto Annen"), 201)
    theirs = reads.api.call(
        "POST",
        f"/v1/candidates/{other['candidate_id']}/attachments",
        "lis_other",
        files={"file": ("kurs.pdf", TINY_PDF, "application/pdf")},
    ).json()["attachment_id"]
    registered = activity(reads, cid, "ALM-001", {"title": "Kurs", "kind": "course"})
    sent = activity(reads, cid, "ALM-001", {"title": "Sendt", "kind": "course"})
    send(reads, cid, sent)
    signed = activity(reads, cid, "ALM-001", {"title": "Signert", "kind": "course"})
    send(reads, cid, signed)
    reads.ok("POST", f"{goal_path(cid)}/activities/{signed}/sign", "supervisor", {})

    def path(aid: str) -> str:
        return f"{goal_path(cid)}/activities/{aid}"

    for aid, who, body, status, words in (
        (signed, "candidate", {"title": "Nytt"}, 409, "R29: activity is signed"),
        (sent, "candidate", {"title": "Nytt"}, 409, "R29: activity is sent_for_signing"),
        (registered, "candidate", {"attachment_id": theirs}, 404, "upload it"),
        (
            registered,
            "candidate",
            {"attachment_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12},
            404,
            "upload it",
        ),
        (registered, "candidate", {}, 422, "give at least one"),
        (registered, "candidate", {"title": None}, 422, "title cannot be removed"),
        (registered, "candidate", {"kind": "bogus"}, 422, "kind"),
        (registered, "candidate", {"fulfilled_on": "2199-01-01"}, 422, "future"),
        (registered, "candidate", {"title": "Kurs", "surprise": 1}, 422, ""),
        (registered, "leader", {"title": "Nytt"}, 403, "R29: only the candidate"),
        (registered, "unrelated", {"title": "Nytt"}, 404, ""),
        ("00000000-0000-4000-8000-000000000000", "candidate", {"title": "Nytt"}, 404, ""),
    ):
        problem = refused_with_nothing_stored(reads, cid, "PATCH", path(aid), who, body, status)
        assert words in str(problem), (body, problem)
    assert activity_of(reads.get(goal_path(cid), "candidate"), registered)["title"] == "Kurs"


# -- withdrawing an activity -----------------------------------------------------------------


def test_r29_a_withdrawn_activity_counts_nowhere_and_stays_visible_with_its_reason(
    reads: Reads,
) -> None:
    cid = team(reads, "ALM")
    body = {"title": SPIROMETRY, "kind": "procedure"}
    kept = activity(reads, cid, "ALM-001", {**body, "count": 1})
    waiting = activity(reads, cid, "ALM-001", {**body, "count": 5})
    send(reads, cid, waiting)
    before = procedure_counts(reads, cid)
    assert (before["procedure"]["count"], before["goal"]["pending_activities"]) == (6, 1)

    reads.ok(
        "POST",
        f"{goal_path(cid)}/activities/{waiting}/withdraw",
        "candidate",
        {"reason": "Registrert to ganger"},
    )

    after = procedure_counts(reads, cid)
    assert after["procedure"]["count"] == 1  # R12: only the kept one
    assert after["goal"]["pending_activities"] == 0
    goal = reads.get(goal_path(cid), "candidate")
    shown = activity_of(goal, waiting)
    assert (shown["state"], shown["withdrawal_reason"]) == ("withdrawn", "Registrert to ganger")
    assert activity_of(goal, kept)["state"] == "registered"
    assert waiting not in inbox(reads)  # the signer no longer sees it
    # R8: the leader's evidence holds no withdrawn activity either
    reads.ok(
        "POST", goal_path(cid) + "/send-for-approval", "candidate", {"completed_on": YESTERDAY}
    )
    queued = reads.get("/v1/leaders/me/approvals", "leader")["data"]
    assert [
        item["evidence"]["signed_activities"] for item in queued if item["goal_code"] == "ALM-001"
    ] == [0]
    event = next(i for i in history(reads, cid) if i["type"] == "LearningGoal.ActivityWithdrawn")
    assert event["data"]["reason"] == "Registrert to ganger"
    assert event["data"]["previous_state"] == "sent_for_signing"
    state = reads.get(f"/v1/candidates/{cid}/state", "auditor")
    states = {a["activity_id"]: a["state"] for a in state["goals"][0]["activities"]}
    assert states[waiting] == "withdrawn"


def test_r29_a_withdrawn_activity_cannot_be_signed_sent_edited_or_withdrawn_again(
    reads: Reads,
) -> None:
    cid = team(reads, "ALM")
    aid = activity(reads, cid, "ALM-001", {"title": "Kurs", "kind": "course"})
    path = f"{goal_path(cid)}/activities/{aid}"
    send(reads, cid, aid)
    reads.ok("POST", path + "/withdraw", "candidate", {"reason": "Feil mål"})
    signer = {"signer_sub": reads.api.person("supervisor_2").sub}

    for method, suffix, who, body, words in (
        ("POST", "/sign", "supervisor", {}, "activity is withdrawn"),
        ("POST", "/reject", "supervisor", {"reason": "Nei"}, "activity is withdrawn"),
        ("POST", "/send-for-signing", "candidate", signer, "R29: activity is withdrawn"),
        ("PATCH", "", "candidate", {"title": "Nytt"}, "R29: activity is withdrawn"),
        ("POST", "/withdraw", "candidate", {"reason": "Igjen"}, "already withdrawn"),
    ):
        problem = refused_with_nothing_stored(reads, cid, method, path + suffix, who, body, 409)
        assert words in problem["detail"], problem


def test_r29_withdrawals_refused_with_nothing_stored(reads: Reads) -> None:
    cid = team(reads, "ALM")
    aid = activity(reads, cid, "ALM-001", {"title": "Kurs", "kind": "course"})
    signed = activity(reads, cid, "ALM-001", {"title": "Signert", "kind": "course"})
    send(reads, cid, signed)
    reads.ok("POST", f"{goal_path(cid)}/activities/{signed}/sign", "supervisor", {})

    def path(activity_id: str) -> str:
        return f"{goal_path(cid)}/activities/{activity_id}/withdraw"

    for activity_id, who, body, status in (
        (aid, "candidate", {}, 422),  # a reason is required
        (aid, "candidate", {"reason": "   "}, 422),
        (aid, "candidate", None, 422),
        (signed, "candidate", {"reason": "Feil"}, 409),  # a signed activity is final
        (aid, "supervisor", {"reason": "Feil"}, 403),
        (aid, "leader", {"reason": "Feil"}, 403),
        (aid, "unrelated", {"reason": "Feil"}, 404),
    ):
        refused_with_nothing_stored(reads, cid, "POST", path(activity_id), who, body, status)
    assert activity_of(reads.get(goal_path(cid), "candidate"), aid)["state"] == "registered"


# -- recalling a goal ------------------------------------------------------------------------


def test_r29_a_recalled_goal_leaves_the_approvals_queue_and_may_be_sent_again(
    reads: Reads,
) -> None:
    cid = team(reads, "ALM")
    goal = goal_path(cid)
    reads.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    assert [i["goal_code"] for i in reads.get("/v1/leaders/me/approvals", "leader")["data"]] == [
        "ALM-001"
    ]

    reads.ok("POST", goal + "/recall", "candidate", {"reason": "Glemte et kurs"})

    assert reads.get("/v1/leaders/me/approvals", "leader")["data"] == []
    shown = reads.get(goal, "candidate")
    assert (shown["state"], shown["completed_on"], shown["approver"]) == ("not_started", None, None)
    progress = next(g for g in reads.progress(cid)["goals"] if g["code"] == "ALM-001")
    assert progress["state"] == "not_started"
    assert report(reads, "ALM-001")["state"] == "not_started"
    event = next(i for i in history(reads, cid) if i["type"] == "LearningGoal.Recalled")
    assert event["data"]["reason"] == "Glemte et kurs"
    reads.ok("POST", goal + "/recall", "candidate", None, 409)  # nothing left to recall
    reads.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    reads.ok("POST", goal + "/recall", "candidate", None)  # the reason is optional
    assert reads.get(goal, "candidate")["state"] == "not_started"


def test_r29_recalls_refused_with_nothing_stored(reads: Reads) -> None:
    cid = team(reads, "ALM")
    recall = goal_path(cid) + "/recall"
    refused_with_nothing_stored(reads, cid, "POST", recall, "candidate", {}, 409)  # not sent
    approved = goal_path(cid, "ALM-002")
    reads.ok("POST", approved + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    reads.ok("POST", approved + "/approve", "leader", {})
    refused_with_nothing_stored(reads, cid, "POST", approved + "/recall", "candidate", {}, 409)
    reads.ok(
        "POST", goal_path(cid) + "/send-for-approval", "candidate", {"completed_on": YESTERDAY}
    )
    for who, status in (("leader", 403), ("veileder", 403), ("unrelated", 404)):
        refused_with_nothing_stored(reads, cid, "POST", recall, who, {}, status)
    problem = refused_with_nothing_stored(
        reads, cid, "POST", recall, "candidate", {"reason": "x\u202ey"}, 422
    )
    assert "reason" in problem["detail"]


# -- withdrawing an approval -----------------------------------------------------------------


def test_r29_a_withdrawn_approval_stays_in_the_decisions_and_every_view_follows(
    reads: Reads,
) -> None:
    cid = team(reads, "ALM")
    goal = goal_path(cid)
    reads.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    reads.ok("POST", goal + "/approve", "leader", {"comment": "Fint"})
    assert report(reads, "ALM-001")["state"] == "approved"
    approved_at = reads.get(goal, "auditor")["decided_at"]
    between = history(reads, cid)[-1]["occurred_at"]

    reads.ok("POST", goal + "/withdraw-approval", "deputy", {"reason": "Godkjent ved en feil"})

    shown = reads.get(goal, "candidate")
    assert (shown["state"], shown["decided_by"], shown["decided_at"]) == (
        "not_started",
        None,
        None,
    )
    [decision] = shown["decisions"]
    assert decision["decision"] == "approved"
    assert decision["decided_by"]["sub"] == reads.api.person("leader").sub
    assert decision["decided_at"] == approved_at
    assert decision["comment"] == "Fint"
    assert decision["withdrawn"] is True
    assert decision["withdrawn_by"]["sub"] == reads.api.person("deputy").sub
    assert decision["withdrawal_reason"] == "Godkjent ved en feil"
    assert decision["withdrawn_at"] is not None
    assert decision["source_portal"] is None
    progress = reads.progress(cid)
    assert next(g for g in progress["goals"] if g["code"] == "ALM-001")["state"] == "not_started"
    assert next(p for p in progress["plans"] if p["plan_code"] == "ALM")["approved"] == 0
    assert report(reads, "ALM-001")["state"] == "not_started"
    event = next(i for i in history(reads, cid) if i["type"] == "LearningGoal.ApprovalWithdrawn")
    assert event["actor"]["sub"] == reads.api.person("deputy").sub
    assert event["data"]["reason"] == "Godkjent ved en feil"
    assert event["data"]["approved_by_sub"] == reads.api.person("leader").sub
    # state as_of: approved before the withdrawal, not_started after it
    before = reads.get(f"/v1/candidates/{cid}/state?as_of={quote(between)}", "auditor")
    after = reads.get(f"/v1/candidates/{cid}/state", "auditor")
    assert [g["state"] for g in before["goals"] if g["code"] == "ALM-001"] == ["approved"]
    assert [g["state"] for g in after["goals"] if g["code"] == "ALM-001"] == ["not_started"]
    assert reads.get(f"/v1/candidates/{cid}/history/verify", "auditor")["ok"] is True
    # the goal goes on: sent and approved again, both approvals listed
    reads.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    reads.ok("POST", goal + "/approve", "leader", {})
    decisions = reads.get(goal, "candidate")["decisions"]
    assert [(d["decision"], d["withdrawn"]) for d in decisions] == [
        ("approved", True),
        ("approved", False),
    ]


def test_r29_approval_withdrawals_refused_with_nothing_stored(reads: Reads) -> None:
    cid = team(reads, "ALM")
    goal = goal_path(cid)
    withdraw = goal + "/withdraw-approval"
    reason = {"reason": "Feil"}
    refused_with_nothing_stored(reads, cid, "POST", withdraw, "leader", reason, 409)  # not approved
    reads.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    refused_with_nothing_stored(reads, cid, "POST", withdraw, "leader", reason, 409)  # only sent
    reads.ok("POST", goal + "/approve", "leader", {})
    for who, body, status in (
        ("candidate", reason, 403),
        ("veileder", reason, 403),
        ("supervisor", reason, 403),
        ("auditor", reason, 403),
        ("unrelated", reason, 404),
        ("leader", {}, 422),  # a reason is required
        ("leader", {"reason": ""}, 422),
        ("leader", None, 422),
    ):
        refused_with_nothing_stored(reads, cid, "POST", withdraw, who, body, status)
    assert reads.get(goal, "candidate")["state"] == "approved"


def test_r29_an_approval_from_the_other_portal_may_be_withdrawn_and_history_says_so(
    reads: Reads,
) -> None:
    cid = team(reads, "ALM")
    person = {"sub": reads.api.person("candidate").sub}
    imported = {
        "source_portal": "helse-sor-ost",
        "source_event_id": "hso-event-1",
        "person": person,
        "goal_code": "ALM-001",
        "approved_at": "2026-01-05T10:00:00+00:00",
        "approver_name": "Leder i HSØ",
    }
    assert reads.ok("POST", "/v1/sync/approvals", "sync", imported)["applied"] is True

    reads.ok("POST", goal_path(cid) + "/withdraw-approval", "leader", {"reason": "Feil kandidat"})

    event = next(i for i in history(reads, cid) if i["type"] == "LearningGoal.ApprovalWithdrawn")
    assert event["data"]["source_portal"] == "helse-sor-ost"
    assert event["data"]["source_event_id"] == "hso-event-1"
    assert event["data"]["approved_by_name"] == "Leder i HSØ"
    [decision] = reads.get(goal_path(cid), "candidate")["decisions"]
    assert (decision["source_portal"], decision["withdrawn"]) == ("helse-sor-ost", True)
    # the sync job sending the same approval again changes nothing (applied once)
    assert reads.ok("POST", "/v1/sync/approvals", "sync", imported)["applied"] is False
    assert reads.get(goal_path(cid), "candidate")["state"] == "not_started"


def test_r29_the_feed_carries_the_corrections_and_the_sync_job_skips_them(
    reads: Reads,
) -> None:
    from kompetanse.sync import APPROVED, NOT_PROPAGATED

    cid = team(reads, "ALM")
    aid = activity(reads, cid, "ALM-001", {"title": "Kurs", "kind": "course"})
    path = f"{goal_path(cid)}/activities/{aid}"
    reads.ok("PATCH", path, "candidate", {"count": 2, "kind": "procedure"})
    reads.ok("POST", path + "/withdraw", "candidate", {"reason": "Feil"})
    goal = goal_path(cid)
    reads.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    reads.ok("POST", goal + "/recall", "candidate", {})
    reads.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    reads.ok("POST", goal + "/approve", "leader", {})
    reads.ok("POST", goal + "/withdraw-approval", "leader", {"reason": "Feil"})

    response: httpx.Response = reads.api.call(  # the feed is read from the audit view
        "GET",
        "/v1/feed?after=0&limit=1000",
        "sync",
        headers={"X-Min-Position": str(max(reads.position, reads.api.written))},
    )

    assert response.status_code == 200, response.text
    types = [item["type"] for item in response.json()["items"]]
    corrections = [t for t in types if t.split(".")[-1] in NOT_PROPAGATED_NAMES]
    assert corrections == [
        "LearningGoal.ActivityEdited",
        "LearningGoal.ActivityWithdrawn",
        "LearningGoal.Recalled",
        "LearningGoal.ApprovalWithdrawn",
    ]
    assert "LearningGoal.ApprovalWithdrawn" in NOT_PROPAGATED
    assert APPROVED not in NOT_PROPAGATED


NOT_PROPAGATED_NAMES = ("ActivityEdited", "ActivityWithdrawn", "Recalled", "ApprovalWithdrawn")


def test_r29_the_openapi_document_declares_the_corrections_and_the_withdrawn_state(
    api: Api,
) -> None:
    document = api.client.get("/openapi.json").json()
    paths = document["paths"]
    activity = "/v1/candidates/{cid}/goals/{code}/activities/{aid}"
    assert "patch" in paths[activity]
    for path in (
        activity + "/withdraw",
        "/v1/candidates/{cid}/goals/{code}/recall",
        "/v1/candidates/{cid}/goals/{code}/withdraw-approval",
    ):
        assert "post" in paths[path], path
    schemas = document["components"]["schemas"]
    state = schemas["ActivityPublic"]["properties"]["state"]
    state = schemas[state["$ref"].rsplit("/", 1)[-1]] if "$ref" in state else state
    assert "withdrawn" in state["enum"]
    assert schemas["Withdrawal"]["required"] == ["reason"]
    assert "decisions" in schemas["GoalPublic"]["properties"]
    kind = schemas["EditActivity"]["properties"]["kind"]["anyOf"][0]
    assert kind["enum"] == schemas["RegisterActivity"]["properties"]["kind"]["enum"]
    created = paths["/v1/candidates/{cid}/goals/{code}/activities"]["post"]["responses"]["201"]
    assert {"EditActivity", "WithdrawActivity"} <= set(created["links"])
