"""R30: a plan two versions behind (mappings 1.0 -> 2.0 -> 3.0, none 1.0 -> 3.0).

Moving it straight to 3.0 is refused (409, nothing recorded) with what to do: move it
to 2.0 and then to 3.0, which carries an approval all the way. Without any route the
refusal says to import the mapping, as before. Through `KompetanseApplication` on the
in-memory store.
"""

from __future__ import annotations

import pytest

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.application.migrations import NoMappingError
from kompetanse_domain.catalogue import Catalogue, PlanDefinition, shipped_plans
from kompetanse_domain.catalogue.model import GoalLink, PlanMapping
from support.domain import TODAY, context, register_team, versioned_plan


def plan(version: str, numbers: list[int]) -> PlanDefinition:
    return versioned_plan(version, numbers, "Written for the R30 route tests.")


def mapping(from_version: str, to_version: str, *links: tuple[int, int]) -> PlanMapping:
    return PlanMapping(
        plan_code="VER",
        from_version=from_version,
        to_version=to_version,
        sample=True,
        source="Written for the R30 route tests.",
        links=tuple(GoalLink(source=f"VER-{s:03d}", target=f"VER-{t:03d}") for s, t in links),
    )


CATALOGUE = Catalogue(
    plans=(*shipped_plans(), plan("3.0", [1, 3])),
    versions=(plan("1.0", [1]), plan("2.0", [1, 2])),
    mappings=(mapping("1.0", "2.0", (1, 2)), mapping("2.0", "3.0", (2, 3))),
)


def test_the_fewest_steps_along_published_mappings() -> None:
    assert CATALOGUE.mapping_route("VER", "1.0", "3.0") == ("2.0", "3.0")
    assert CATALOGUE.mapping_route("VER", "1.0", "2.0") == ("2.0",)
    assert CATALOGUE.mapping_route("VER", "3.0", "1.0") == ()  # mappings go one way
    assert CATALOGUE.mapping_route("VER", "1.0", "4.0") == ()
    assert CATALOGUE.mapping_route("SAM", "1.0", "3.0") == ()


def test_a_plan_two_versions_behind_is_told_to_move_one_version_at_a_time() -> None:
    app = KompetanseApplication(catalogue=CATALOGUE)
    try:
        team = register_team(app)
        leader, cid = context(team.people.leader), team.candidate_id
        app.assign_plan(leader, cid, plan_code="VER", version="1.0")
        app.send_goal_for_approval(
            context(team.people.candidate), cid, "VER-001", completed_on=TODAY
        )
        app.approve_goal(leader, cid, "VER-001")
        position = app.recorder.max_notification_id()

        with pytest.raises(NoMappingError) as refused:
            app.migrate_plan(leader, cid, plan_code="VER", to_version="3.0")

        assert "through 2.0" in str(refused.value)
        assert "to 2.0 and then to 3.0" in str(refused.value)
        assert app.recorder.max_notification_id() == position  # nothing recorded
        first = app.migrate_plan(leader, cid, plan_code="VER", to_version="2.0").value
        second = app.migrate_plan(leader, cid, plan_code="VER", to_version="3.0").value
        assert first["carried_over"] == [{"from": "VER-001", "to": "VER-002"}]
        assert second["carried_over"] == [{"from": "VER-002", "to": "VER-003"}]
        assert app.get_goal(cid, "VER-003").state == "approved"

        with pytest.raises(NoMappingError, match="import the new version with its mapping"):
            app.migrate_plan(leader, cid, plan_code="VER", to_version="4.0")
    finally:
        app.close()
