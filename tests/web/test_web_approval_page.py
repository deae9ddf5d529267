"""The leader's approval page (issue 25, point 4) over HTTP on both stores: the whole
basis of a goal on one screen, reached from the approvals queue; approve and reject
(a reason is required) from it, withdraw the approval; refusals shown beside the form;
the same authorization as the API."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from browsing import TINY_PDF
from fastapi.testclient import TestClient
from web_world import (
    CANDIDATE,
    GOAL,
    LEADER,
    STRANGER,
    SUPERVISOR,
    VEILEDER,
    YESTERDAY,
    Person,
    csrf_of,
    sign_in,
    wait_for_views,
)

from api.deps import Services
from kompetanse_domain.application import CommandContext
from web.routes.approval import days_waiting

BASIS = "/kandidater/{cid}/mal/" + GOAL + "/grunnlag"


def _as(person: Person) -> CommandContext:
    return CommandContext(identity=person.identity)


def send_goal_with_its_basis(services: Services, cid: UUID) -> None:
    """A signed procedure with its certificate, a veileder's comment, a finalised meeting
    that discussed the goal, and the goal sent for approval: all through the application."""
    app = services.application
    blob = services.attachments.save(io.BytesIO(TINY_PDF), limit=1_000_000)
    attachment_id = app.upload_attachment(
        _as(CANDIDATE),
        cid,
        sha256=blob.sha256,
        size=blob.size,
        media_type=blob.media_type,
        filename="kursbevis.pdf",
    ).value["attachment_id"]
    aid = app.register_activity(
        _as(CANDIDATE),
        cid,
        GOAL,
        title="Thoraxdren under veiledning",
        kind="procedure",
        fulfilled_on=YESTERDAY,
        activity_code="PROC-7",
        count=3,
        attachment_id=attachment_id,
    ).value["activity_id"]
    app.send_activity_for_signing(_as(CANDIDATE), cid, GOAL, aid, signer_sub=SUPERVISOR.sub)
    app.sign_activity(_as(SUPERVISOR), cid, GOAL, aid, comment="Godt utført")
    app.comment_goal(_as(VEILEDER), cid, GOAL, text="Lise er trygg på dette nå")
    mid = UUID(
        app.create_meeting(_as(VEILEDER), cid, scheduled_for=YESTERDAY, planned_minutes=45).value[
            "meeting_id"
        ]
    )
    app.revise_summary(_as(VEILEDER), mid, text="Gikk gjennom brystsmerter", goals_discussed=[GOAL])
    app.finalise_meeting(_as(VEILEDER), mid, held_on=YESTERDAY, duration_minutes=45)
    app.send_goal_for_approval(_as(CANDIDATE), cid, GOAL, completed_on=YESTERDAY)
    wait_for_views(services)


@pytest.fixture
def sent(team: UUID, services: Services) -> UUID:
    send_goal_with_its_basis(services, team)
    return team


def _state(services: Services, cid: UUID) -> str:
    goal = services.projections.queries.get_goal(cid, GOAL)
    assert goal is not None
    return goal["state"]


def test_the_approvals_queue_links_each_goal_to_its_approval_page(
    client: TestClient, sent: UUID
) -> None:
    sign_in(client, LEADER)
    queue = client.get("/leder/godkjenninger").text
    assert f'href="{BASIS.format(cid=sent)}"' in queue
    assert "1 signert aktivitet<" in queue  # the goal's one signed activity, in the singular


def test_the_approval_page_shows_the_whole_basis_on_one_screen(
    client: TestClient, sent: UUID
) -> None:
    sign_in(client, LEADER)
    page = client.get(BASIS.format(cid=sent))
    assert page.status_code == 200, page.text
    html = page.text
    assert "Thoraxdren under veiledning" in html
    assert SUPERVISOR.name in html and "Godt utført" in html  # who signed (and when)
    assert "Last ned dokumentasjon: kursbevis.pdf" in html  # the evidence, a download
    assert 'id="prosedyrer"' in html  # procedure counts against the minimums
    assert "Lise er trygg på dette nå" in html  # the veileder's comment
    assert "Gikk gjennom brystsmerter" in html  # the meeting that discussed the goal
    assert "venter i 0 dager" in html
    assert "1 aktivitet</caption>" in html  # one activity, in the singular
    assert "Godkjenn " + GOAL in html and "Avvis " + GOAL in html


def test_the_leader_approves_on_the_approval_page(
    client: TestClient, sent: UUID, services: Services
) -> None:
    sign_in(client, LEADER)
    page = client.get(BASIS.format(cid=sent)).text
    answer = client.post(BASIS.format(cid=sent) + "/godkjenn", data={"csrf": csrf_of(page)})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/leder/godkjenninger"
    assert _state(services, sent) == "approved"
    again = client.get(BASIS.format(cid=sent)).text
    assert "Trekk godkjenningen" in again  # the goal page's withdraw form, reused
    assert "Godkjenn " + GOAL not in again


def test_rejecting_without_a_reason_is_refused_beside_the_field(
    client: TestClient, sent: UUID, services: Services
) -> None:
    sign_in(client, LEADER)
    page = client.get(BASIS.format(cid=sent)).text
    answer = client.post(
        BASIS.format(cid=sent) + "/avvis", data={"csrf": csrf_of(page), "reason": "  "}
    )
    assert answer.status_code == 422
    assert 'id="feiloppsummering"' in answer.text
    assert 'id="avvis-mal-reason-feil"' in answer.text
    assert _state(services, sent) == "sent_for_approval"


def test_the_leader_rejects_with_a_reason_and_the_candidate_sees_it(
    client: TestClient, sent: UUID, services: Services
) -> None:
    sign_in(client, LEADER)
    page = client.get(BASIS.format(cid=sent)).text
    answer = client.post(
        BASIS.format(cid=sent) + "/avvis",
        data={"csrf": csrf_of(page), "reason": "Mangler kursbevis"},
    )
    assert answer.status_code == 303
    assert _state(services, sent) == "rejected"
    sign_in(client, CANDIDATE)
    assert "Mangler kursbevis" in client.get(f"/kandidater/{sent}/mal/{GOAL}").text


def test_the_candidate_cannot_approve_their_own_goal_from_the_page(
    client: TestClient, sent: UUID, services: Services
) -> None:
    sign_in(client, CANDIDATE)
    page = client.get(BASIS.format(cid=sent))
    assert page.status_code == 200
    assert "Godkjenn " + GOAL not in page.text  # no form offered
    answer = client.post(BASIS.format(cid=sent) + "/godkjenn", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 422
    assert 'id="feiloppsummering"' in answer.text
    assert _state(services, sent) == "sent_for_approval"


def test_the_approval_page_of_an_unrelated_candidate_is_a_404(
    client: TestClient, sent: UUID, services: Services
) -> None:
    sign_in(client, STRANGER)
    assert client.get(BASIS.format(cid=sent)).status_code == 404
    home = client.get("/").text
    assert (
        client.post(BASIS.format(cid=sent) + "/godkjenn", data={"csrf": csrf_of(home)}).status_code
        == 404
    )
    assert _state(services, sent) == "sent_for_approval"


def test_approving_without_the_csrf_token_is_refused(
    client: TestClient, sent: UUID, services: Services
) -> None:
    sign_in(client, LEADER)
    assert client.post(BASIS.format(cid=sent) + "/godkjenn", data={}).status_code == 403
    assert _state(services, sent) == "sent_for_approval"


def test_days_waiting_counts_whole_days_since_it_was_sent() -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert days_waiting(now - timedelta(days=3, hours=1), now) == 3
    assert days_waiting(now, now) == 0
    assert days_waiting(None, now) is None
