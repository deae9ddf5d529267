"""The `mentor` view (R25, R26): a rebuild from position 0 gives exactly what following
the store gave (concerns, veileder links, the lists that read them), and a view built
on an existing store (an install that had events before this view existed) fills itself
from the start."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from projection_world import YESTERDAY, Crew, World, dump

from kompetanse_domain.model.meeting import MeetingState


def _meeting(crew: Crew, when: date) -> UUID:
    outcome = crew.app.create_meeting(
        crew.ctx("veileder"), crew.candidate_id, scheduled_for=when, planned_minutes=60
    )
    return UUID(outcome.value["meeting_id"])


def _history(world: World) -> Crew:
    crew = world.team(plans=("TEST-A",))
    app, cid = crew.app, crew.candidate_id
    first = app.raise_concern(crew.ctx("veileder"), cid, text="Sakte fremdrift")
    app.raise_concern(crew.ctx("veileder"), cid, text="Mangler aktiviteter")
    app.resolve_concern(crew.ctx("deputy"), cid, str(first.value["concern_id"]), note="Fulgt opp")
    held = _meeting(crew, YESTERDAY)
    app.revise_summary(crew.ctx("veileder"), held, text="Referat", goals_discussed=[])
    app.finalise_meeting(crew.ctx("veileder"), held, held_on=YESTERDAY, duration_minutes=50)
    cancelled = _meeting(crew, date.today() + timedelta(days=3))
    app.cancel_meeting(crew.ctx("veileder"), cancelled, reason="Ferie")
    _meeting(crew, date.today() + timedelta(days=10))
    return crew


def _answers(world: World, crew: Crew) -> dict[str, object]:
    q = world.q
    return {
        "concerns": q.list_concerns(crew.candidate_id),
        "mine": q.list_veileder_candidates(crew.sub("veileder")),
        "dashboard": q.list_leader_candidates(crew.sub("leader")),
        "meetings": q.list_meetings(crew.candidate_id),
    }


def test_r26_the_mentor_view_rebuilt_equals_the_followed_one(world: World) -> None:
    crew = _history(world)
    world.service.catch_up()
    followed, answers = dump(world.service), _answers(world, crew)

    world.service.rebuild()

    assert dump(world.service) == followed
    assert _answers(world, crew) == answers
    assert [c["state"] for c in world.q.list_concerns(crew.candidate_id)] == ["resolved", "open"]
    [mine] = world.q.list_veileder_candidates(crew.sub("veileder"))
    assert mine["open_concerns"] == 1
    assert mine["last_finalised_meeting"]["held_on"] == YESTERDAY
    assert mine["next_meeting"]["scheduled_for"] == (date.today() + timedelta(days=10)).isoformat()
    states = sorted(m["state"] for m in world.q.list_meetings(crew.candidate_id))
    assert states == sorted([MeetingState.FINALISED, MeetingState.CANCELLED, MeetingState.OPEN])


def test_r26_a_store_with_events_before_the_mentor_view_fills_it_from_the_start(
    world: World,
) -> None:
    crew = _history(world)
    world.service.catch_up()
    expected = _answers(world, crew)

    fresh = world.new_service()  # as at the first start of this version: views from 0
    try:
        fresh.rebuild("mentor")
        assert [c["text"] for c in fresh.queries.list_concerns(crew.candidate_id)] == [
            "Sakte fremdrift",
            "Mangler aktiviteter",
        ]
        assert fresh.queries.list_veileder_candidates(crew.sub("veileder")) == expected["mine"]
    finally:
        fresh.close()
