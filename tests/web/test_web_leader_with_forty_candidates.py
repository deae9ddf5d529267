"""A leader with 40 doctors: one table, a row each with progress and what waits, in a
page small enough for a phone (< 150 KB)."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from web_world import LEADER, PLAN, Person, sign_in, wait_for_views

from api.deps import Services
from kompetanse_domain.application import CommandContext


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url


def test_a_leader_sees_forty_candidates_in_one_table(
    client: TestClient, services: Services
) -> None:
    application = services.application
    for n in range(40):
        doctor = Person(f"lis-{n:02d}", f"Lege Nummer {n:02d}")
        as_doctor = CommandContext(identity=doctor.identity)
        cid = UUID(
            application.register_candidate(
                as_doctor,
                name=doctor.name,
                email=f"{doctor.sub}@example.no",
                specialty="ALM",
                organisation_id="kommune-0301",
                organisation_name="Oslo kommune",
            ).value["candidate_id"]
        )
        token = application.invite(
            as_doctor, cid, role="leader", name=LEADER.name, email="leder@example.no"
        ).value["token"]
        application.accept_invitation(CommandContext(identity=LEADER.identity), token)
        if n % 2 == 0:
            application.assign_plan(CommandContext(identity=LEADER.identity), cid, plan_code=PLAN)
    wait_for_views(services)
    sign_in(client, LEADER)
    page = client.get("/leder")
    assert page.status_code == 200
    assert "<caption>40 kandidater</caption>" in page.text
    rows = re.findall(r'<th scope="row"><a class="ds-link" href="/kandidater/', page.text)
    assert len(rows) == 40
    assert "Lege Nummer 00" in page.text and "Lege Nummer 39" in page.text
    assert "0 av 2" in page.text  # progress of those with the plan
    assert len(page.content) < 150_000
