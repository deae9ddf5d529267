"""Moving a candidate's plan to a newer version along a published mapping (R30, ADR 0026).

The events are written here, so the aggregates' modules need not grow, and stored
under their aggregate's topics (`Candidate.PlanMigrated`, `LearningGoal.MovedToVersion`,
`LearningGoal.LeftPlan`, see `_nest`); `kompetanse_domain.model` imports this module
so every process that reads events can resolve them. Nothing is rewritten: the candidate records
`PlanMigrated`, each goal of the new version `GoalMovedToVersion` (approved with
`carried_over_from` when its approval carries over), each old goal that is not in the
new version `GoalLeftPlan`; the old goals' history stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict, cast

from kompetanse_domain.errors import ConflictError, NotFoundError
from kompetanse_domain.model.acting import trigger_by
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_state import PlanState
from kompetanse_domain.model.goal_records import GoalState
from kompetanse_domain.model.guards import check_role
from kompetanse_domain.model.identity import Actor, Role
from kompetanse_domain.model.learning_goal import LearningGoal

if TYPE_CHECKING:  # the catalogue's models import the vocabulary of this package
    from kompetanse_domain.catalogue import Catalogue, PlanDefinition


class CarriedFrom(TypedDict):
    version: str
    goal_code: str
    approved_at: str
    approver: str | None


def held_version(catalogue: Catalogue, plan_code: str, version: str | None) -> PlanDefinition:
    """Plan `plan_code` in `version` (newest when None); NotFoundError naming the held ones."""
    plan = catalogue.plan_version(plan_code, version)
    if plan is None:
        held = ", ".join(p.version for p in catalogue.all_versions() if p.code == plan_code)
        raise NotFoundError(
            f"Plan {plan_code} is not held in version {version}; held versions: {held} "
            "(GET /v1/catalogue/plans lists them; leave out version for the newest)"
        )
    return plan


class PlanMigrated(Candidate.Event):
    plan_code: str
    from_version: str
    to_version: str
    goal_codes: list[str]
    carried_over: list[dict[str, str]]
    open: list[str]
    dropped: list[dict[str, str]]

    def apply(self, aggregate: Any) -> None:
        plans = cast(Candidate, aggregate).plans
        plans[self.plan_code] = PlanState(
            code=self.plan_code,
            version=self.to_version,
            goal_codes=list(self.goal_codes),
            state=plans[self.plan_code]["state"],
        )


def migratable_plan(candidate: Candidate, actor: Actor, plan_code: str) -> PlanState:
    """R30: the leader or a deputy moves an active plan to a newer version."""
    check_role(
        actor,
        (Role.LEADER, Role.DEPUTY),
        "R30: only the leader or a deputy moves a plan to a new version",
    )
    plan = candidate.active_plan(plan_code)
    if plan["state"] != "active":
        raise ConflictError(f"R30: plan {plan_code} is {plan['state']}; only an active plan moves")
    return plan


def record_migration(candidate: Candidate, actor: Actor, answer: dict[str, Any]) -> None:
    trigger_by(
        candidate,
        actor,
        PlanMigrated,
        plan_code=answer["plan_code"],
        from_version=answer["from_version"],
        to_version=answer["to_version"],
        goal_codes=list(answer["goal_codes"]),
        carried_over=list(answer["carried_over"]),
        open=list(answer["open"]),
        dropped=list(answer["dropped"]),
    )


class GoalMovedToVersion(LearningGoal.Event):
    """The goal belongs to `to_version` of its plan now, in `state`; `carried_over_from`
    names the approval it carries over, `approved_sources` the approved old goals of a
    many-to-one goal that did not carry over (not all its old goals were approved)."""

    plan_code: str
    from_version: str
    to_version: str
    state: str
    carried_over_from: dict[str, Any] | None
    approved_sources: list[dict[str, Any]]
    decided_by_sub: str | None
    decided_by_name: str | None
    decided_at: datetime | None

    def apply(self, aggregate: Any) -> None:
        goal = cast(LearningGoal, aggregate)
        goal.withdrawn = False
        goal.plan_code = self.plan_code
        goal.catalogue_version = self.to_version
        goal.state = self.state
        goal.__dict__["carried_over_from"] = self.carried_over_from
        if self.carried_over_from is not None and self.decided_at is not None:
            goal._decided(
                self.state, self.decided_by_sub or "", self.decided_by_name or "", self.decided_at
            )


class GoalLeftPlan(LearningGoal.Event):
    """The goal is not in `to_version` of its plan: closed like a removed plan's goal,
    its history kept (`state` is its state when it left)."""

    plan_code: str
    from_version: str
    to_version: str
    state: str

    def apply(self, aggregate: Any) -> None:
        cast(LearningGoal, aggregate).withdrawn = True


def _nest(event: type, owner: type, name: str) -> None:
    """Store `event` under the aggregate's topic (`<module>:<Aggregate>.<name>`), like
    the aggregate's own nested events: the audit chain, the history's `aggregate` and
    `type`, and `resolve_topic` all go by that topic (ADR 0011, ADR 0026)."""
    event.__module__ = owner.__module__
    event.__qualname__ = f"{owner.__qualname__}.{name}"
    event.__name__ = name
    setattr(owner, name, event)


_nest(PlanMigrated, Candidate, "PlanMigrated")
_nest(GoalMovedToVersion, LearningGoal, "MovedToVersion")
_nest(GoalLeftPlan, LearningGoal, "LeftPlan")


def carried_over_from(goal: LearningGoal) -> CarriedFrom | None:
    """Where the goal's approval came from, when it was carried over (R30)."""
    found = goal.__dict__.get("carried_over_from")
    return cast(CarriedFrom, found) if found else None


def state_when_leaving(goal: LearningGoal) -> str:
    """The goal's state, or `sent_for_signing` when an activity waits for a signature."""
    if goal.state in (GoalState.NOT_STARTED, GoalState.REJECTED) and any(
        activity["state"] == "sent_for_signing" for activity in goal.activities.values()
    ):
        return "sent_for_signing"
    return str(goal.state)


def source_of(goal: LearningGoal, version: str) -> dict[str, Any]:
    return {
        "version": version,
        "goal_code": goal.code,
        "approved_at": goal.decided_at.isoformat() if goal.decided_at else "",
        "approver": goal.decided_by_name,
    }


def move_goal(
    goal: LearningGoal,
    actor: Actor,
    *,
    plan_code: str,
    from_version: str,
    to_version: str,
    state: str,
    carried_from: LearningGoal | None,
    approved_sources: list[dict[str, Any]],
) -> None:
    trigger_by(
        goal,
        actor,
        GoalMovedToVersion,
        plan_code=plan_code,
        from_version=from_version,
        to_version=to_version,
        state=state,
        carried_over_from=source_of(carried_from, from_version) if carried_from else None,
        approved_sources=approved_sources,
        decided_by_sub=carried_from.decided_by_sub if carried_from else None,
        decided_by_name=carried_from.decided_by_name if carried_from else None,
        decided_at=carried_from.decided_at if carried_from else None,
    )


def leave_plan(
    goal: LearningGoal, actor: Actor, *, plan_code: str, from_version: str, to_version: str
) -> str:
    state = state_when_leaving(goal)
    trigger_by(
        goal,
        actor,
        GoalLeftPlan,
        plan_code=plan_code,
        from_version=from_version,
        to_version=to_version,
        state=state,
    )
    return state
