"""`candidates`: profile, roles and plans for GET /v1/candidates/{cid} (R1-R5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import MetaData, Table

from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_profile import ProfileEdited, SpecialtyChanged
from kompetanse_domain.model.plan_versions import PlanMigrated
from kompetanse_domain.model.vocabulary import PlanState
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.views import candidate_rows
from projections.views.columns import Tables
from projections.views.rows import per_event, register_calls


@dataclass(frozen=True)
class CandidateTables:
    candidate: Table
    role: Table
    plan: Table


Tx = ViewTx[CandidateTables]


def define_candidate_tables(md: MetaData, g: int) -> CandidateTables:
    t = Tables(md, g)
    candidate = t("candidate", (
        "candidate_id sub name email specialty organisation_id organisation_name hpr_number?"
        " registered_at version"
    ), index_on="sub")  # fmt: skip
    role = t("candidate_role", "candidate_id role sub name granted_at", key=3, index_on="sub")
    plan = t("candidate_plan", (
        "candidate_id plan_code catalogue_version state goal_count assigned_at changed_at"
    ), key=2)  # fmt: skip
    return CandidateTables(candidate, role, plan)


class CandidatesView(ViewProjection[CandidateTables], name="candidates"):
    define = staticmethod(define_candidate_tables)

    process_event = event_handlers()

    @process_event.register
    def candidate_changed(self, event: Candidate.Event, tx: Tx) -> None:
        """Any other change of the candidate (invitations, attachments) moves its version."""
        self._touch(event, tx)

    def _touch(self, event: Candidate.Event | ProfileEdited | SpecialtyChanged, tx: Tx) -> None:
        candidate_rows.update(tx, tx.t.candidate, event, version=event.originator_version)

    @process_event.register
    def candidate_registered(self, event: Candidate.Registered, tx: Tx) -> None:
        shown = "sub name email specialty organisation_id organisation_name hpr_number"
        tx.insert(
            tx.t.candidate,
            **candidate_rows.registered(event, shown),
            registered_at=event.timestamp,
            version=event.originator_version,
        )

    @process_event.register
    def profile_edited(self, event: ProfileEdited, tx: Tx) -> None:
        """R28: the values the candidate changed (None: kept)."""
        candidate_rows.edit(
            tx, tx.t.candidate, event, "name email organisation_id organisation_name"
        )
        self._touch(event, tx)

    @process_event.register
    def specialty_changed(self, event: SpecialtyChanged, tx: Tx) -> None:
        """R28: the current specialty (all of them, with dates: the `profile` view)."""
        candidate_rows.update(tx, tx.t.candidate, event, specialty=event.specialty)
        self._touch(event, tx)

    @process_event.register
    def invitation_accepted(self, event: Candidate.InvitationAccepted, tx: Tx) -> None:
        key = {"candidate_id": aggregate_id(event), "role": event.role, "sub": event.actor}
        tx.replace(tx.t.role, key, name=event.actor_name, granted_at=event.timestamp)
        self._touch(event, tx)

    @process_event.register
    def role_revoked(self, event: Candidate.RoleRevoked, tx: Tx) -> None:
        tx.delete(
            tx.t.role, {"candidate_id": aggregate_id(event), "role": event.role, "sub": event.sub}
        )
        self._touch(event, tx)

    @process_event.register
    def plan_assigned(self, event: Candidate.PlanAssigned, tx: Tx) -> None:
        tx.replace(
            tx.t.plan,
            {"candidate_id": aggregate_id(event), "plan_code": event.plan_code},
            catalogue_version=event.catalogue_version,
            state=PlanState.ACTIVE,
            goal_count=len(event.goal_codes),
            assigned_at=event.timestamp,
            changed_at=event.timestamp,
        )
        self._touch(event, tx)

    register_calls(process_event, "_plan_state", per_event("state", candidate_rows.PLAN_LEFT))

    @process_event.register
    def plan_migrated(self, event: PlanMigrated, tx: Tx) -> None:
        """R30: the plan moved to a new version; its goal count is the new version's."""
        tx.update(
            tx.t.plan,
            {"candidate_id": aggregate_id(event), "plan_code": event.plan_code},
            catalogue_version=event.to_version,
            goal_count=len(event.goal_codes),
            changed_at=event.timestamp,
        )
        self._touch(event, tx)

    def _plan_state(self, event: Any, tx: Tx, state: str) -> None:
        tx.update(
            tx.t.plan,
            {"candidate_id": aggregate_id(event), "plan_code": event.plan_code},
            state=state,
            changed_at=event.timestamp,
        )
        self._touch(event, tx)
