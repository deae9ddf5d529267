"""A rebuild split over two processes, and in bulk, gives the rows the follower gives.

`rebuild_views(..., workers=2)` applies one group of views in a forked worker that is
sent each batch; on PostgreSQL a rebuild writes new rows by COPY. Whatever the path,
the views must equal the incrementally applied ones, and a failing view must still
name the failing event (ADR 0004).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import singledispatchmethod
from pathlib import Path

import pytest
from projection_world import YESTERDAY, World, dump
from sqlalchemy import BigInteger, Column, MetaData, Table

from kompetanse_domain.model.learning_goal import LearningGoal
from projections.engine.applying import EventFailedError
from projections.engine.base import ViewProjection, ViewTx
from projections.engine.rebuild import rebuild_views, split_views
from projections.engine.tables import table
from projections.views import all_views
from projections.views.candidates import CandidatesView


def _history(world: World, teams: int = 3) -> None:
    for _ in range(teams):
        crew = world.team(plans=("FKM", "TEST-A"))
        cid, app = crew.candidate_id, crew.app
        for code in ("FKM-001", "FKM-002", "TEST-A-001"):
            app.send_goal_for_approval(crew.ctx("candidate"), cid, code, completed_on=YESTERDAY)
        app.approve_goal(crew.ctx("leader"), cid, "FKM-001")
        for code in ("FKM-003", "FKM-004"):
            aid = crew.activity(code)
            app.send_activity_for_signing(
                crew.ctx("candidate"), cid, code, aid, signer_sub=crew.sub("supervisor")
            )


@pytest.mark.parametrize("batch_size", [7, 1000])
def test_a_rebuild_in_two_processes_equals_the_follower(world: World, batch_size: int) -> None:
    _history(world)
    world.service.catch_up()
    followed = dump(world.service)
    service = world.service
    positions = rebuild_views(
        list(service.schema.views.values()),
        db=service.db,
        schema=service.schema,
        reader=service.reader,
        batch_size=batch_size,
        workers=2,
    )
    assert set(positions.values()) == {world.max_position()}
    assert dump(service) == followed
    if service.db.is_sqlite:  # the worker's own file is gone
        views_file = Path(service.db.url.split("///", 1)[1])
        assert not list(views_file.parent.glob("*rebuild-worker*"))
    assert followed["audit"]["view_audit_event"], "the audit view was rebuilt too"


def test_views_are_split_in_two_groups_of_about_equal_cost() -> None:
    views = all_views()
    groups = split_views(views, 2)
    assert sorted(view.name for group in groups for view in group) == sorted(
        view.name for view in views
    )
    assert [view.name for view in groups[1]] == ["audit"]  # the heaviest, alone
    assert split_views(views, 1) == [views]


@dataclass(frozen=True)
class _Tables:
    row: Table


def _define(md: MetaData, g: int) -> _Tables:
    return _Tables(table(md, "failing", g, Column("n", BigInteger, primary_key=True)))


class FailingView(ViewProjection[_Tables]):
    """Inserts a row per goal event keyed by its position; the event at `fail_at` reuses
    the key `reused`, which an earlier batch inserted: only writing the batch finds out."""

    name = "failing"
    define = staticmethod(_define)
    fail_at = 0
    reused = 0

    @singledispatchmethod
    def process_event(self, domain_event: object, tx: ViewTx[_Tables]) -> None:
        """Other events do not change this view."""

    @process_event.register
    def goal_event(self, event: LearningGoal.Event, tx: ViewTx[_Tables]) -> None:
        assert tx.notification is not None
        position = tx.notification.id
        tx.insert(tx.t.row, n=self.reused if position == self.fail_at else position)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_view_failing_in_a_bulk_write_still_names_the_event(world: World, workers: int) -> None:
    _history(world, teams=6)
    failing = FailingView()
    service = world.new_service(views=[CandidatesView(), failing])
    try:
        goal_positions = [
            n.id
            for n in service.reader.read(0, 100_000)
            if n.topic.startswith(LearningGoal.__module__)
        ]
        failing.reused = goal_positions[0]  # in the first batch
        failing.fail_at = goal_positions[-1]  # late: its batch holds many new rows before it
        start = (failing.fail_at - 1) // 100 * 100  # its batch: (start, start + 100]
        assert start >= failing.reused
        assert sum(1 for p in goal_positions if start < p <= failing.fail_at) >= 64  # COPY
        with pytest.raises(EventFailedError) as raised:
            rebuild_views(
                [CandidatesView(), failing],
                db=service.db,
                schema=service.schema,
                reader=service.reader,
                batch_size=100,
                workers=workers,
            )
        assert raised.value.view == "failing"
        assert raised.value.notification.id == failing.fail_at
        assert f"position {failing.fail_at} " in str(raised.value)
    finally:
        service.close()
