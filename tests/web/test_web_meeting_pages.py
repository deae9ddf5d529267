"""The candidate's supervision meetings on the pages (R15-R18), over HTTP on both stores:
the list, the candidate's preparation (a refused one shows the error summary), the
veileder's summary to read; a leader (no reader of meetings) gets no meeting page."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient
from web_world import CANDIDATE, GOAL, LEADER, VEILEDER, YESTERDAY, csrf_of, sign_in, wait_for_views

from api.deps import Services
from kompetanse_domain.application import CommandContext


def _meeting(services: Services, cid: UUID, summary: str | None = None) -> UUID:
    ctx = CommandContext(identity=VEILEDER.identity)
    created = services.application.create_meeting(
        ctx, cid, scheduled_for=YESTERDAY, planned_minutes=45
    )
    mid = UUID(created.value["meeting_id"])
    if summary is not None:
        services.application.revise_summary(ctx, mid, text=summary, goals_discussed=[GOAL])
    wait_for_views(services)
    return mid


def test_the_candidate_lists_meetings_writes_a_preparation_and_reads_the_summary(
    client: TestClient, team: UUID, services: Services
) -> None:
    mid = _meeting(services, team, summary="Vi gikk gjennom brystsmerter.")
    sign_in(client, CANDIDATE)
    assert f'href="/kandidater/{team}/moter"' in client.get(f"/kandidater/{team}").text
    listed = client.get(f"/kandidater/{team}/moter").text
    assert f'href="/moter/{mid}"' in listed and VEILEDER.name in listed
    page = client.get(f"/moter/{mid}").text
    assert "Vi gikk gjennom brystsmerter." in page and GOAL in page
    answer = client.post(
        f"/moter/{mid}/forberedelse",
        data={"csrf": csrf_of(page), "text": "Jeg vil snakke om sepsis."},
    )
    assert answer.status_code == 303
    shown = client.get(f"/moter/{mid}").text
    assert "Forberedelsen er lagret." in shown and "Jeg vil snakke om sepsis." in shown
    meeting = services.projections.queries.get_meeting(mid)
    assert meeting is not None
    assert [p["text"] for p in meeting["preparations"]] == ["Jeg vil snakke om sepsis."]


def test_a_preparation_of_only_invisible_characters_is_refused_beside_the_field(
    client: TestClient, team: UUID, services: Services
) -> None:
    mid = _meeting(services, team)
    sign_in(client, CANDIDATE)
    page = client.get(f"/moter/{mid}").text
    answer = client.post(
        f"/moter/{mid}/forberedelse",
        data={"csrf": csrf_of(page), "text": "\u200b\u200b"},
    )
    assert answer.status_code == 422
    assert "For å gå videre må du rette opp følgende" in answer.text
    assert 'href="#forberedelse-text"' in answer.text
    assert 'id="forberedelse-text-feil"' in answer.text
    meeting = services.projections.queries.get_meeting(mid)
    assert meeting is not None and meeting["preparations"] == []


def test_the_leader_gets_no_meetings_link_and_no_meeting_page(
    client: TestClient, team: UUID, services: Services
) -> None:
    mid = _meeting(services, team, summary="Fortrolig referat")
    sign_in(client, LEADER)
    assert "/moter" not in client.get(f"/kandidater/{team}").text
    answer = client.get(f"/moter/{mid}")
    assert answer.status_code in (403, 404, 409)
    assert "Fortrolig referat" not in answer.text
