"""Use case of plan versions: moving a candidate's plan to a newer version (R30, ADR 0026)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import Loads
from kompetanse_domain.application.unit_of_work import Decision, changes
from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.catalogue.model import VERSION_PATTERN
from kompetanse_domain.catalogue.versions import resolve
from kompetanse_domain.errors import ConflictError, InvalidInputError
from kompetanse_domain.model import values
from kompetanse_domain.model.goal_records import GoalState
from kompetanse_domain.model.identity import Actor, Role, goal_id_for
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.plan_versions import (
    held_version,
    leave_plan,
    migratable_plan,
    move_goal,
    record_migration,
)

_EARLIEST = datetime.min.replace(tzinfo=UTC)


class NoMappingError(ConflictError):
    """R30: the catalogue publishes no mapping from the plan's version to the one asked."""


class PlanMigrationUseCases(Loads):
    """Mixed into `KompetanseApplication`."""

    catalogue: Catalogue

    def migrate_plan(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        *,
        plan_code: str,
        to_version: str,
        by_operator: bool = False,
    ) -> Outcome:
        """R30: move the plan to `to_version` along the catalogue's mapping. Approved
        goals carry over; repeating it answers the same plan with empty lists.

        `by_operator`: `kompetanse catalogue migrate` (server access, never HTTP) moves
        every candidate in bulk; its events name the operator, not a leader."""
        decide = self._migration(ctx, candidate_id, plan_code, to_version, by_operator)
        return self._execute(ctx, decide)

    def preview_migration(
        self, ctx: CommandContext, candidate_id: UUID, *, plan_code: str, to_version: str
    ) -> dict[str, Any]:
        """What `migrate_plan` by the operator would answer; nothing is saved (--dry-run)."""
        return self._migration(ctx, candidate_id, plan_code, to_version, True)().value

    def _migration(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        plan_code: str,
        to_version: str,
        by_operator: bool,
    ) -> Callable[[], Decision]:
        to_version = values.line(to_version, "to_version", limit=20)
        if not re.fullmatch(VERSION_PATTERN, to_version):
            raise InvalidInputError("to_version must be numbers separated by dots, e.g. 2026.2")

        def decide() -> Decision:
            candidate, actor = self._candidate_for_change(ctx, candidate_id)
            if by_operator:
                actor = Actor(identity=ctx.identity, roles=frozenset({Role.LEADER}))
            candidate.check_can_read(actor)
            plan = migratable_plan(candidate, actor, plan_code)
            current = plan["version"]
            answer: dict[str, Any] = {
                "plan_code": plan_code,
                "from_version": current,
                "to_version": to_version,
                "carried_over": [],
                "open": [],
                "dropped": [],
            }
            if to_version == current:
                return changes(candidate, value=answer)
            mapping = self.catalogue.mapping(plan_code, current, to_version)
            if mapping is None:
                raise NoMappingError(self._no_mapping(plan_code, current, to_version))
            old = held_version(self.catalogue, plan_code, current)
            new = held_version(self.catalogue, plan_code, to_version)
            goals = self._migrate_goals(actor, candidate_id, answer, old.goal_codes, new, mapping)
            answer["goal_codes"] = list(new.goal_codes)
            record_migration(candidate, actor, answer)
            del answer["goal_codes"]
            return changes(candidate, *goals, value=answer)

        return decide

    def _no_mapping(self, plan_code: str, current: str, to_version: str) -> str:
        """Why the plan cannot be moved, and what to do: import the mapping, or move the
        plan one published step at a time when the mappings lead there through others."""
        route = self.catalogue.mapping_route(plan_code, current, to_version)
        if route:
            return (
                f"R30: the catalogue has no mapping of plan {plan_code} from version "
                f"{current} straight to {to_version}, but its mappings lead there through "
                f"{', '.join(route[:-1])}: move the plan one version at a time, to "
                f"{' and then to '.join(route)}"
            )
        return (
            f"R30: the catalogue has no mapping of plan {plan_code} from version "
            f"{current} to {to_version}; import the new version with its mapping "
            "(kompetanse catalogue import PLAN.csv --mapping MAPPING.csv) first"
        )

    def _migrate_goals(
        self,
        actor: Actor,
        candidate_id: UUID,
        answer: dict[str, Any],
        old_codes: tuple[str, ...],
        new: Any,
        mapping: Any,
    ) -> list[LearningGoal]:
        old_plan = held_version(self.catalogue, new.code, answer["from_version"])
        resolved = resolve(mapping, old_plan, new)
        with self._prefetched(goal_id_for(candidate_id, code) for code in old_codes):
            old = {code: self.get_goal(candidate_id, code) for code in old_codes}  # one read
        # as they stood before the migration: a goal may be a source and a target at once
        before = {code: copy.deepcopy(goal) for code, goal in old.items()}
        touched: dict[str, LearningGoal] = {}
        carried_sources: set[str] = set()
        versions = {
            "plan_code": new.code,
            "from_version": answer["from_version"],
            "to_version": new.version,
        }
        for target, sources in resolved.sources.items():
            approved = [
                before[code] for code in sources if before[code].state == GoalState.APPROVED
            ]
            carry = bool(sources) and len(approved) == len(sources)
            goal = old.get(target) or self._goal_to_open(actor, candidate_id, target, new)
            state: str
            if carry:
                latest = max(approved, key=lambda each: each.decided_at or _EARLIEST)
                state = GoalState.APPROVED
                answer["carried_over"].extend({"from": code, "to": target} for code in sources)
                carried_sources.update(sources)
            else:
                latest = None
                kept = sources == (target,)
                # a goal of the old plan keeps a waiting or rejected state; one new to the
                # plan, or approved for less than it covers now, opens
                waiting = target in old and before[target].state != GoalState.APPROVED
                state = goal.state if waiting else GoalState.NOT_STARTED
                if not kept:
                    answer["open"].append(target)
            move_goal(
                goal,
                actor,
                **versions,
                state=state,
                carried_from=latest,
                approved_sources=[]
                if carry
                else [
                    {"version": answer["from_version"], "goal_code": each.code} for each in approved
                ],
            )
            touched[target] = goal
        for code, goal in old.items():
            if code in resolved.sources:
                continue
            left = leave_plan(goal, actor, **versions)
            if code not in carried_sources:
                answer["dropped"].append({"code": code, "state": left})
            touched[code] = goal
        return list(touched.values())

    def _goal_to_open(self, actor: Actor, candidate_id: UUID, code: str, new: Any) -> LearningGoal:
        existing = self._find(goal_id_for(candidate_id, code), LearningGoal)
        if existing is not None:
            return existing
        return LearningGoal.open(
            actor, candidate_id=candidate_id, code=code, plan_code=new.code, version=new.version
        )
