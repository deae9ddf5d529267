"""The approval page reads only the goal it shows (the page benchmark, issue 25): its
procedure counts are the same as the goal's row in the whole progress, and of the
candidate's meetings only those that discussed the goal are listed, on both stores."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from test_web_approval_page import BASIS, _as, send_goal_with_its_basis
from web_world import GOAL, LEADER, SECOND_GOAL, VEILEDER, YESTERDAY, sign_in, wait_for_views

from api.deps import Services


@pytest.fixture
def sent(team: UUID, services: Services) -> UUID:
    send_goal_with_its_basis(services, team)
    app = services.application
    other = UUID(
        app.create_meeting(_as(VEILEDER), team, scheduled_for=YESTERDAY, planned_minutes=30).value[
            "meeting_id"
        ]
    )
    app.revise_summary(
        _as(VEILEDER), other, text="Snakket om sepsis", goals_discussed=[SECOND_GOAL]
    )
    wait_for_views(services)
    return team


def test_the_procedure_counts_are_the_goals_row_of_the_progress(
    services: Services, sent: UUID
) -> None:
    queries = services.projections.queries
    progress = queries.get_progress(sent)
    assert progress is not None
    row = next(goal for goal in progress["goals"] if goal["code"] == GOAL)
    procedures = queries.get_goal_procedures(sent, GOAL)
    assert procedures == row["procedures"]
    assert [(p["count"], p["signed"]) for p in procedures] == [(3, 3)]
    assert queries.get_goal_procedures(sent, "NO-SUCH-GOAL") == []


def test_only_the_meetings_that_discussed_the_goal_are_listed(
    client: TestClient, sent: UUID
) -> None:
    sign_in(client, LEADER)
    page = client.get(BASIS.format(cid=sent))
    assert page.status_code == 200
    assert "Gikk gjennom brystsmerter" in page.text
    assert "Snakket om sepsis" not in page.text
    assert page.text.count("<li>Holdt ") + page.text.count("<li>Planlagt ") == 1
