"""Copies of cached aggregates are equal to and independent of the original.

`LearningGoal` copies its containers two levels deep (`FlatRecordsCopy`), which is
only right while its state stays immutable values, or lists and dicts of them or of
flat records. A goal is driven through every kind of event and checked after each.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import pytest

from kompetanse_domain.model.learning_goal import LearningGoal
from unit.domain_builders import LEADER, LIS, SUPERVISOR, SYNC, TODAY, VEILEDER, Team, open_goal
from unit.domain_builders import staffed_candidate as staffed

IMMUTABLE = (str, int, float, bool, date, datetime, UUID, Enum, type(None))


def _is_flat_record(value: Any) -> bool:
    return type(value) is dict and all(isinstance(item, IMMUTABLE) for item in value.values())


def is_flat_container_item(value: Any) -> bool:
    return isinstance(value, IMMUTABLE) or _is_flat_record(value)


def check_copy(goal: LearningGoal) -> None:
    for name, value in vars(goal).items():
        if name == "_pending_events":
            continue
        assert isinstance(value, IMMUTABLE) or (
            type(value) in (list, dict)
            and all(
                is_flat_container_item(item)
                for item in (value.values() if isinstance(value, dict) else value)
            )
        ), f"LearningGoal.{name} is not flat: FlatRecordsCopy would share it ({value!r})"
    before = pickle.dumps(vars(goal))
    copied = copy.deepcopy(goal)
    assert type(copied) is LearningGoal
    assert vars(copied) == vars(goal)
    for value in vars(copied).values():  # scribble over every container of the copy
        items = value.values() if isinstance(value, dict) else value
        if isinstance(value, (list, dict)):
            for item in items:
                if isinstance(item, dict):
                    item.clear()
            value.clear()
    assert pickle.dumps(vars(goal)) == before


def register(team: Team, goal: LearningGoal, activity_id: str) -> None:
    goal.register_activity(
        team.actor(LIS),
        activity_id=activity_id,
        title="Kurs",
        kind="course",
        fulfilled_on=date(2026, 2, 1),
        today=TODAY,
        note="notat",
    )


def send(team: Team, goal: LearningGoal, activity_id: str) -> None:
    goal.send_activity_for_signing(
        team.actor(LIS), activity_id=activity_id, signer_sub="sup1", signer_name="Siri"
    )


def send_goal(team: Team, goal: LearningGoal) -> None:
    leader = team.candidate.approver()
    goal.send_for_approval(
        team.actor(LIS),
        completed_on=date(2026, 2, 20),
        today=TODAY,
        approver_sub=leader["sub"],
        approver_name=leader["name"],
        comment="Ferdig",
    )


Step = Callable[[Team, LearningGoal], None]
STEPS: list[Step] = [
    lambda t, g: register(t, g, "a1"),
    lambda t, g: register(t, g, "a2"),
    lambda t, g: send(t, g, "a1"),
    lambda t, g: g.sign_activity(t.actor(SUPERVISOR), activity_id="a1", comment="Bra"),
    lambda t, g: send(t, g, "a2"),
    lambda t, g: g.reject_activity(t.actor(SUPERVISOR), activity_id="a2", reason="Mangler"),
    lambda t, g: g.comment(t.actor(VEILEDER), comment_id="c1", text="Progresjon"),
    send_goal,
    lambda t, g: g.reject(t.actor(LEADER), reason="Ikke ennå"),
    send_goal,
    lambda t, g: g.approve(t.actor(LEADER), comment="Godkjent"),
    lambda t, g: g.withdraw(t.actor(LEADER), reason="plan fjernet"),
    lambda t, g: g.reopen(t.actor(LEADER), plan_code="ALM", version="2026.2"),
    lambda t, g: g.import_approval(
        SYNC,
        source_portal="old",
        source_event_id="e1",
        approved_at=datetime(2026, 2, 25, tzinfo=UTC),
        approver_name="Leif",
    ),
]


@pytest.mark.parametrize("upto", range(len(STEPS) + 1))
def test_goal_copy_is_equal_and_independent_after_every_kind_of_event(upto: int) -> None:
    team = staffed()
    goal = open_goal(team)
    goal.collect_events()
    for step in STEPS[:upto]:
        step(team, goal)
        goal.collect_events()
    check_copy(goal)
