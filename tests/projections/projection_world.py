"""The read side under test: a KompetanseApplication, its ProjectionService, the people.

`World.team(...)` registers a candidate with every role through the application
(support.domain); `dump(service)` reads every row of every view's live tables, so
an incrementally applied view can be compared with one rebuilt from scratch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select

from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.catalogue import Catalogue, GoalDefinition, PlanDefinition, shipped_plans
from kompetanse_domain.model.identity import Identity
from kompetanse_store.urls import event_store_env, views_database_url
from projections.engine import tracking
from projections.engine.base import ViewProjection
from projections.service import ProjectionService
from support.domain import People, register_team, unique_people

YESTERDAY = date.today() - timedelta(days=1)


def tiny_plan(code: str, goals: int = 3) -> PlanDefinition:
    """A small part-3 plan so random histories stay fast."""
    return PlanDefinition(
        code=code,
        title=f"Testplan {code}",
        version="2026.1",
        part="part3",
        sample_titles=True,
        source="Written for the projection tests.",
        goals=tuple(
            GoalDefinition(
                code=f"{code}-{n:03d}", title="Kunne teste", competence_level="kjenne til"
            )
            for n in range(1, goals + 1)
        ),
    )


def catalogue_with_test_plans() -> Catalogue:
    return Catalogue(plans=(*shipped_plans(), tiny_plan("TEST-A"), tiny_plan("TEST-B", 2)))


class World:
    def __init__(
        self,
        database_url: str,
        *,
        views: Sequence[ViewProjection[Any]] | None = None,
        batch_size: int = 500,
    ) -> None:
        self.url = database_url
        self.app = KompetanseApplication(
            env=event_store_env(database_url), catalogue=catalogue_with_test_plans()
        )
        self.service = self.new_service(views=views, batch_size=batch_size)

    def new_service(self, **kwargs: Any) -> ProjectionService:
        return ProjectionService(self.app, views_database_url(self.url), **kwargs)

    def close(self) -> None:
        self.service.close()
        self.app.close()

    @property
    def q(self) -> Any:
        return self.service.queries

    def ctx(self, who: Identity) -> CommandContext:
        return CommandContext(identity=who)

    def team(self, plans: Sequence[str] = ("FKM",)) -> Crew:
        """A new candidate with every role, each person with a `sub` no other team has."""
        people = unique_people()
        team = register_team(self.app, people, hpr_number=None, plans=plans)
        return Crew(self, people, team.candidate_id)

    def max_position(self) -> int:
        return self.app.recorder.max_notification_id() or 0


@dataclass
class Crew:
    """One candidate and the people around them, acting through the world's application."""

    world: World
    people: People
    candidate_id: UUID

    def sub(self, label: str) -> str:
        return str(getattr(self.people, label).sub)

    def ctx(self, label: str) -> CommandContext:
        return CommandContext(identity=getattr(self.people, label))

    @property
    def app(self) -> KompetanseApplication:
        return self.world.app

    def activity(self, code: str, title: str = "Kurs", **kwargs: Any) -> str:
        kwargs.setdefault("kind", "course")
        kwargs.setdefault("fulfilled_on", YESTERDAY)
        outcome = self.app.register_activity(
            self.ctx("candidate"), self.candidate_id, code, title=title, **kwargs
        )
        return str(outcome.value["activity_id"])


def dump(service: ProjectionService) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Every row of every live view table, sorted; tracking excluded."""
    result: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    with service.db.read() as conn:
        rows = tracking.read_all(conn)
        for name in service.schema.views:
            md = service.schema.metadata(name, rows[name].generation)
            result[name] = {
                table.name.rsplit("_g", 1)[0]: sorted(
                    (tuple(row) for row in conn.execute(select(table))), key=repr
                )
                for table in md.sorted_tables
            }
    return result
