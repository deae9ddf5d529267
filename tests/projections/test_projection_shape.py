"""A release that changes a view's tables: the old generation is known stale, never used.

Each tracking row records the fingerprint of the tables that built its generation. A
view built with other tables (an older release) refuses to be followed or served
until `rebuild` makes a generation of the current shape; the other views carry on.
"""

from __future__ import annotations

import pytest
from projection_world import World
from sqlalchemy import update

from projections.engine import tracking
from projections.service import StaleViewsError


def _pretend_an_older_release_built(world: World, name: str) -> None:
    with world.service.db.write() as conn:
        conn.execute(
            update(tracking.projection_tracking)
            .where(tracking.projection_tracking.c.name == name)
            .values(shape="built-by-an-older-release")
        )


def test_a_view_built_with_other_tables_is_refused_until_rebuilt(world: World) -> None:
    crew = world.team(plans=("FKM",))
    world.service.catch_up()
    history = world.q.list_history(crew.candidate_id)
    _pretend_an_older_release_built(world, "audit")

    restarted = world.new_service()
    try:
        assert restarted.stale == {"audit"}
        with pytest.raises(StaleViewsError, match=r"audit.*kompetanse projections rebuild"):
            restarted.start()
        with pytest.raises(StaleViewsError):
            restarted.catch_up()
        restarted.rebuild("audit")
        assert restarted.stale == set()
        restarted.catch_up()
        assert restarted.queries.list_history(crew.candidate_id) == history
    finally:
        restarted.close()
    again = world.new_service()
    try:
        assert again.stale == set()  # the rebuilt generation carries the current shape
    finally:
        again.close()


def test_a_tracking_table_of_an_older_release_gets_its_shape_column(world: World) -> None:
    world.team(plans=("FKM",))
    world.service.catch_up()
    with world.service.db.write() as conn:
        conn.exec_driver_sql("ALTER TABLE projection_tracking DROP COLUMN shape")
    restarted = world.new_service()
    try:  # nothing recorded which tables built the views: all are rebuilt before use
        assert restarted.stale == set(restarted.schema.views)
        restarted.rebuild()
        assert restarted.stale == set()
    finally:
        restarted.close()
