"""What the write side accepts, the read side can always project (issue 22, findings 1
and 2): text the views cannot store is refused with a 422-family error before anything
is recorded, and every view keeps running; instants outside 1900-2200 are refused, and
one recorded before that check no longer stops the views nor the audit export.

On SQLite and PostgreSQL (PostgreSQL text columns cannot hold NUL at all).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from projection_world import YESTERDAY, Crew, World

from kompetanse.audit_export import export_candidate
from kompetanse_domain.application import CommandContext
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.values import InvalidValueError
from support.domain import unique_people

NUL = "\x00"
PLUS_14 = timezone(timedelta(hours=14))
MINUS_14 = timezone(timedelta(hours=-14))
YEAR_1 = datetime(1, 1, 1, tzinfo=PLUS_14)
YEAR_9999 = datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_14)


def assert_every_view_at_the_head(world: World) -> None:
    """Every view applied every stored event, and none stopped."""
    world.service.catch_up()
    stopped = {name: s.error for name, s in world.service.follower.states.items() if s.error}
    assert stopped == {}
    assert world.service.position() == world.max_position()


Command = Callable[[str], Any]


def _register(world: World, crew: Crew) -> Command:
    people = unique_people()
    return lambda text: world.app.register_candidate(
        CommandContext(identity=people.candidate),
        name=f"Lise{text}Lege",
        email="lise@example.no",
        specialty="ALM",
        organisation_id="0301",
        organisation_name="Oslo kommune",
    )


def _activity(world: World, crew: Crew) -> Command:
    return lambda text: crew.activity("FKM-001", title=f"Kurs{text}")


def _send_for_approval(world: World, crew: Crew) -> Command:
    return lambda text: crew.app.send_goal_for_approval(
        crew.ctx("candidate"),
        crew.candidate_id,
        "FKM-001",
        completed_on=YESTERDAY,
        comment=f"Ferdig{text}",
    )


def _preparation(world: World, crew: Crew) -> Command:
    meeting = UUID(
        crew.app.create_meeting(
            crew.ctx("veileder"), crew.candidate_id, scheduled_for=YESTERDAY, planned_minutes=45
        ).value["meeting_id"]
    )
    return lambda text: crew.app.write_preparation(
        crew.ctx("candidate"), meeting, text=f"Forberedelse{text}"
    )


def _goal_comment(world: World, crew: Crew) -> Command:
    return lambda text: crew.app.comment_goal(
        crew.ctx("veileder"), crew.candidate_id, "FKM-001", text=f"Bra{text}"
    )


COMMANDS: dict[str, tuple[Callable[[World, Crew], Command], str]] = {
    "registration name": (_register, "name"),
    "activity title": (_activity, "title"),
    "comment sending for approval": (_send_for_approval, "comment"),
    "meeting preparation": (_preparation, "text"),
    "veileder's comment": (_goal_comment, "text"),
}


@pytest.mark.parametrize("what", list(COMMANDS))
def test_nul_in_free_text_is_refused_and_every_view_keeps_running(world: World, what: str) -> None:
    crew = world.team(plans=("FKM",))
    prepare, field = COMMANDS[what]
    command = prepare(world, crew)
    before = world.max_position()

    with pytest.raises(InvalidValueError) as refused:
        command(NUL)

    assert refused.value.field == field
    assert "control character (U+0000)" in refused.value.message
    assert world.max_position() == before  # nothing half-written
    command(" ")  # the same command with clean text goes through
    assert_every_view_at_the_head(world)
    assert world.q.get_candidate(crew.candidate_id) is not None


@pytest.mark.parametrize("approved_at", [YEAR_1, YEAR_9999], ids=["year-1+14", "year-9999-14"])
def test_approval_dated_outside_the_years_is_refused_and_views_keep_running(
    world: World, approved_at: datetime
) -> None:
    crew = world.team(plans=("FKM",))
    before = world.max_position()

    with pytest.raises(InvalidValueError) as refused:
        _import(crew, approved_at)

    assert refused.value.field == "approved_at"
    assert world.max_position() == before
    _import(crew, datetime(2026, 1, 5, 9, tzinfo=PLUS_14))
    assert_every_view_at_the_head(world)
    goal = world.q.get_goal(crew.candidate_id, "FKM-002")
    assert goal["state"] == "approved"


def _import(crew: Crew, approved_at: datetime) -> Any:
    return crew.app.import_approval(
        crew.ctx("sync"),
        hpr_number=None,
        sub=crew.sub("candidate"),
        goal_code="FKM-002",
        source_portal="hospital-hso",
        source_event_id=f"hso-{approved_at.isoformat()}",
        approved_at=approved_at,
        approver_name="Hanne Sykehusleder",
    )


@pytest.mark.parametrize("approved_at", [YEAR_1, YEAR_9999], ids=["year-1+14", "year-9999-14"])
def test_approval_recorded_before_the_check_still_projects_and_exports(
    world: World, tmp_path: Path, approved_at: datetime
) -> None:
    """An instant stored by an earlier release (the event keeps it as it came) is shown
    as the nearest instant a view can hold; the views and the legal export go on."""
    crew = world.team(plans=("FKM",))
    goal = world.app.get_goal(crew.candidate_id, "FKM-002")
    sync = crew.people.sync
    goal.trigger_event(  # as an earlier release recorded it, with no range check
        LearningGoal.ApprovalImported,
        actor=sync.sub,
        actor_name=sync.name,
        source_portal="hospital-hso",
        source_event_id="hso-old",
        approved_at=approved_at,
        approver_name="Hanne Sykehusleder",
    )
    world.app.save(goal)

    assert_every_view_at_the_head(world)
    assert world.q.get_goal(crew.candidate_id, "FKM-002")["state"] == "approved"
    leader = crew.sub("leader")
    assert [c["candidate_id"] for c in world.q.list_leader_candidates(leader)] == [
        str(crew.candidate_id)
    ]
    assert list(world.q.iter_report_rows(leader))
    assert world.q.get_progress(crew.candidate_id, date.today()) is not None

    exported = export_candidate(world.app, world.q, crew.candidate_id, tmp_path)

    assert exported.verified.ok
    assert exported.approved == 1
    assert "Hanne Sykehusleder" in exported.html.read_text(encoding="utf-8")
    stored = world.app.get_goal(crew.candidate_id, "FKM-002")
    assert stored.decided_at == approved_at  # the record itself is untouched
