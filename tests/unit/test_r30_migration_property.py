"""R30, as a property (ADR 0026): for random plans, mappings and candidate states, a
migration never loses an approval the mapping carries and never invents one it does
not; replaying the stored events gives the migrated state; migrating twice equals
migrating once. Through `KompetanseApplication` on the in-memory store.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.catalogue import Catalogue, PlanDefinition, shipped_plans
from kompetanse_domain.catalogue.model import GoalLink, PlanMapping
from kompetanse_domain.catalogue.versions import resolve
from kompetanse_domain.model.identity import goal_id_for
from kompetanse_domain.model.plan_versions import carried_over_from
from support.domain import TODAY, context, register_team, replay, versioned_plan

OLD, NEW = "1.0", "2.0"


def plan(version: str, numbers: list[int]) -> PlanDefinition:
    return versioned_plan(version, numbers, "Written for the R30 property.")


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    n_old = draw(st.integers(1, 5))
    old = list(range(1, n_old + 1))
    kept = draw(st.lists(st.sampled_from(old), unique=True))
    added = list(range(n_old + 1, n_old + 1 + draw(st.integers(0 if kept else 1, 3))))
    new = sorted(kept + added)
    links: list[tuple[int | None, int | None]] = []
    for number in old:
        choice = draw(st.sampled_from(("implicit", "map", "remove")))
        if choice == "implicit" and number in kept:
            continue
        if choice == "map" or (choice == "implicit" and number not in kept):
            targets = draw(st.lists(st.sampled_from(new), min_size=1, max_size=2, unique=True))
            links += [(number, target) for target in targets]
        else:
            links.append((number, None))
    states = {n: draw(st.sampled_from(("approved", "sent", "open"))) for n in old}
    return {"old": old, "new": new, "links": links, "states": states}


def code(number: int) -> str:
    return f"VER-{number:03d}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_r30_migration_carries_exactly_what_the_mapping_carries_and_replays(
    scenario: dict[str, Any],
) -> None:
    old, new = plan(OLD, scenario["old"]), plan(NEW, scenario["new"])
    mapping = PlanMapping(
        plan_code="VER",
        from_version=OLD,
        to_version=NEW,
        sample=True,
        source="property",
        links=tuple(
            GoalLink(source=code(s) if s else None, target=code(t) if t else None)
            for s, t in scenario["links"]
        ),
    )
    catalogue = Catalogue(plans=(*shipped_plans(), new), versions=(old,), mappings=(mapping,))
    app = KompetanseApplication(catalogue=catalogue)
    try:
        team = register_team(app)
        leader, cid = context(team.people.leader), team.candidate_id
        app.assign_plan(leader, cid, plan_code="VER", version=OLD)
        for number, state in scenario["states"].items():
            if state != "open":
                sent = dict(completed_on=TODAY)
                app.send_goal_for_approval(
                    context(team.people.candidate), cid, code(number), **sent
                )
            if state == "approved":
                app.approve_goal(leader, cid, code(number))
        approved_before = {code(n) for n, s in scenario["states"].items() if s == "approved"}

        answer = app.migrate_plan(leader, cid, plan_code="VER", to_version=NEW).value

        sources = resolve(mapping, old, new).sources
        carried = {t for t, s in sources.items() if s and set(s) <= approved_before}
        approved_after = {c for c in new.goal_codes if app.get_goal(cid, c).state == "approved"}
        assert approved_after == carried  # none lost, none invented
        assert {pair["to"] for pair in answer["carried_over"]} == carried
        for target in carried:
            source = carried_over_from(app.get_goal(cid, target))
            assert source is not None and source["goal_code"] in sources[target]
        for goal_code in {*old.goal_codes, *new.goal_codes}:
            goal = app.get_goal(cid, goal_code)
            replayed = replay(app.events.get(goal_id_for(cid, goal_code)))
            assert replayed.__dict__ == goal.__dict__
        assert app.get_candidate(cid).plans["VER"]["goal_codes"] == list(new.goal_codes)
        position = app.recorder.max_notification_id()

        again = app.migrate_plan(leader, cid, plan_code="VER", to_version=NEW).value

        assert (again["carried_over"], again["open"], again["dropped"]) == ([], [], [])
        assert app.recorder.max_notification_id() == position
    finally:
        app.close()
