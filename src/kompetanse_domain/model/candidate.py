"""The Candidate aggregate: a doctor in specialisation, their roles and plans (R1-R5).

Events are past tense, nested, and name the actor (`actor`, `actor_name`), the
instant (`timestamp`) and the reason where one applies (ADR 0003).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from kompetanse_domain.errors import ConflictError, NotFoundError
from kompetanse_domain.model import candidate_invitations, candidate_profile, values, vocabulary
from kompetanse_domain.model.acting import create_by, trigger_by
from kompetanse_domain.model.candidate_access import ATTACHMENT_HIDDEN, ReadChecks
from kompetanse_domain.model.candidate_concerns import CONCERN_EVENTS, CandidateConcerns
from kompetanse_domain.model.candidate_invitations import CandidateInvitations
from kompetanse_domain.model.candidate_profile import CandidateProfile
from kompetanse_domain.model.candidate_state import (
    SPECIALTIES,
    AttachmentNotFoundError,
    AttachmentState,
    InvitationNotFoundError,
    InvitationNotUsableError,
    InvitationState,
    PersonState,
    PlanState,
    SignerNotEligibleError,
    attachment_filename,
    check_hpr_number,
    check_plan_archivable,
    check_plan_assignable,
    check_specialty,
    invitable_role,
    optional_reason,
)
from kompetanse_domain.model.copying import PickleCopy
from kompetanse_domain.model.guards import (
    check_role,
    check_text,
)
from kompetanse_domain.model.identity import Actor, Identity, Role, candidate_id_for

# R27: who opens every file of the candidate (a supervisor: only what was sent to them)

__all__ = [
    "ATTACHMENT_HIDDEN",
    "AttachmentNotFoundError",
    "Candidate",
    "InvitationNotFoundError",
    "InvitationNotUsableError",
]


class Candidate(
    CandidateConcerns, CandidateProfile, CandidateInvitations, PickleCopy, ReadChecks, Aggregate
):
    """A doctor in specialisation (LIS/ALIS) and the people around their training."""

    class Event(Aggregate.Event):
        actor: str
        actor_name: str

    ConcernRaised, ConcernResolved = CONCERN_EVENTS  # R26, stored as Candidate's

    class Registered(Event, Aggregate.Created):
        """Version 2 added `hpr_number` (ADR 0003): v1 events upcast with None."""

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["hpr_number"] = None

        sub: str
        name: str
        email: str
        specialty: str
        organisation_id: str
        organisation_name: str
        hpr_number: str | None

    ProfileEdited = candidate_profile.ProfileEdited  # R28
    SpecialtyChanged = candidate_profile.SpecialtyChanged  # R28

    @staticmethod
    def create_id(sub: str) -> UUID:
        return candidate_id_for(sub)

    def __init__(
        self,
        *,
        actor: str,
        actor_name: str,
        sub: str,
        name: str,
        email: str,
        specialty: str,
        organisation_id: str,
        organisation_name: str,
        hpr_number: str | None,
    ) -> None:
        self.sub = sub
        self.name = name
        self.email = email
        self.specialty = specialty
        self.organisation_id = organisation_id
        self.organisation_name = organisation_name
        self.hpr_number = hpr_number
        self.leader: PersonState | None = None
        self.veileder: PersonState | None = None
        self.deputies: dict[str, PersonState] = {}
        self.supervisors: dict[str, PersonState] = {}
        self.invitations: dict[str, InvitationState] = {}
        self.plans: dict[str, PlanState] = {}
        self.attachments: dict[str, AttachmentState] = {}
        self.concerns = {}  # R26 (candidate_concerns)

    # -- registration (R1) ---------------------------------------------------------

    @classmethod
    def register(
        cls,
        identity: Identity,
        *,
        name: str,
        email: str,
        specialty: str,
        organisation_id: str,
        organisation_name: str,
        hpr_number: str | None = None,
        specialties: tuple[str, ...] = SPECIALTIES,
    ) -> Candidate:
        """R1: a person registers themself as candidate, with a personal e-mail."""
        name = check_text(name, "name", "R1", limit=values.NAME_LIMIT)
        organisation_id = check_text(
            organisation_id, "organisation.id", "R1", limit=values.ORGANISATION_ID_LIMIT
        )
        organisation_name = check_text(
            organisation_name, "organisation.name", "R1", limit=values.NAME_LIMIT
        )
        email = values.email(email, "email", rule="R1")
        check_specialty(specialty, specialties)
        check_hpr_number(hpr_number)
        return create_by(
            cls,
            identity,
            cls.Registered,
            sub=identity.sub,
            name=name,
            email=email,
            specialty=specialty,
            organisation_id=organisation_id,
            organisation_name=organisation_name,
            hpr_number=hpr_number,
        )

    # -- relations -----------------------------------------------------------------

    def roles_of(self, sub: str) -> frozenset[Role]:
        roles: set[Role] = set()
        if sub == self.sub:
            roles.add(Role.CANDIDATE)
        if self.leader and self.leader["sub"] == sub:
            roles.add(Role.LEADER)
        if self.veileder and self.veileder["sub"] == sub:
            roles.add(Role.VEILEDER)
        if sub in self.deputies:
            roles.add(Role.DEPUTY)
        if sub in self.supervisors:
            roles.add(Role.SUPERVISOR)
        return frozenset(roles)

    def actor(self, identity: Identity, today: date | None = None) -> Actor:
        """The identity with its roles towards this candidate today (R7: a deputy's end)."""
        return self.current_actor(identity, self.roles_of(identity.sub), today)

    def signer(self, sub: str) -> PersonState:
        """R9/R10: an activity may be sent to a supervisor or the veileder of this candidate."""
        if sub in self.supervisors:
            return self.supervisors[sub]
        if self.veileder and self.veileder["sub"] == sub:
            return self.veileder
        raise SignerNotEligibleError(
            "R9: the signer must be one of your supervisors or your veileder; invite them first"
        )

    def approver(self) -> PersonState:
        """R6: the candidate's leader becomes the approver automatically."""
        if self.leader is None:
            raise ConflictError("R6: you have no leader yet; invite your leader before sending")
        return self.leader

    # -- invitations (R2, R3) ------------------------------------------------------

    InvitationIssued = candidate_invitations.InvitationIssued  # v2 (hpr_number, until)

    class InvitationAccepted(Event):
        invitation_id: str
        role: str

        def apply(self, aggregate: Any) -> None:
            candidate = cast(Candidate, aggregate)
            invitation = candidate.invitations[self.invitation_id]
            invitation["state"] = vocabulary.InvitationState.ACCEPTED
            invitation["accepted_by"] = self.actor
            person = PersonState(sub=self.actor, name=self.actor_name)
            candidate._grant(Role(self.role), person)

    def _grant(self, role: Role, person: PersonState) -> None:
        if role is Role.LEADER:
            self.leader = person
        elif role is Role.VEILEDER:
            self.veileder = person
        elif role is Role.DEPUTY:
            self.deputies[person["sub"]] = person
        elif role is Role.SUPERVISOR:
            self.supervisors[person["sub"]] = person

    class InvitationRevoked(Event):
        invitation_id: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            cast(Candidate, aggregate).invitations[self.invitation_id]["state"] = (
                vocabulary.InvitationState.REVOKED
            )

    def revoke_invitation(self, actor: Actor, *, invitation_id: str, reason: str) -> None:
        """R2: the one who issued an invitation may revoke it while it is pending."""
        invitation = self.invitations.get(invitation_id)
        if invitation is None:
            check_role(actor, (Role.CANDIDATE, Role.LEADER), "R2: not your invitation")
            raise InvitationNotFoundError(f"Invitation {invitation_id} not found")
        allowed = (Role.LEADER,) if invitation["role"] == Role.DEPUTY else (Role.CANDIDATE,)
        check_role(actor, allowed, "R2: only the one who invites may revoke the invitation")
        if invitation["state"] != vocabulary.InvitationState.PENDING:
            raise InvitationNotUsableError(f"R3: the invitation was already {invitation['state']}")
        reason = optional_reason(reason)
        trigger_by(self, actor, self.InvitationRevoked, invitation_id=invitation_id, reason=reason)

    class RoleRevoked(Event):
        role: str
        sub: str
        name: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            candidate = cast(Candidate, aggregate)
            role = Role(self.role)
            if role is Role.LEADER:
                candidate.leader = None
            elif role is Role.VEILEDER:
                candidate.veileder = None
            elif role is Role.DEPUTY:
                candidate.deputies.pop(self.sub, None)
            elif role is Role.SUPERVISOR:
                candidate.supervisors.pop(self.sub, None)

    def revoke_role(self, actor: Actor, *, role: str, sub: str, reason: str = "") -> None:
        """R2: the candidate or the leader removes a person from a role (history kept)."""
        check_role(
            actor,
            (Role.CANDIDATE, Role.LEADER),
            "R2: only the candidate or the leader may remove a role",
        )
        parsed = invitable_role(role)
        if parsed not in self.roles_of(sub):
            raise NotFoundError(f"{sub} does not hold the role {parsed.value} for this candidate")
        people = (self.leader, self.veileder, *self.deputies.values(), *self.supervisors.values())
        name = next((p["name"] for p in people if p and p["sub"] == sub), sub)
        trigger_by(
            self,
            actor,
            self.RoleRevoked,
            role=parsed.value,
            sub=sub,
            name=name,
            reason=optional_reason(reason),
        )

    # -- plans (R4, R5) ------------------------------------------------------------

    class PlanAssigned(Event):
        plan_code: str
        catalogue_version: str
        goal_codes: list[str]

        def apply(self, aggregate: Any) -> None:
            cast(Candidate, aggregate).plans[self.plan_code] = PlanState(
                code=self.plan_code,
                version=self.catalogue_version,
                goal_codes=list(self.goal_codes),
                state=vocabulary.PlanState.ACTIVE,
            )

    def assign_plan(
        self, actor: Actor, *, plan_code: str, catalogue_version: str, goal_codes: list[str]
    ) -> None:
        """R4: the leader (or a deputy) assigns a plan of the catalogue to the candidate."""
        check_role(
            actor, (Role.LEADER, Role.DEPUTY), "R4: only the leader or a deputy assigns plans"
        )
        check_plan_assignable(plan_code, self.plans.get(plan_code))
        trigger_by(
            self,
            actor,
            self.PlanAssigned,
            plan_code=plan_code,
            catalogue_version=catalogue_version,
            goal_codes=list(goal_codes),
        )

    def active_plan(self, plan_code: str) -> PlanState:
        plan = self.plans.get(plan_code)
        if plan is None or plan["state"] == vocabulary.PlanState.REMOVED:
            raise NotFoundError(f"Plan {plan_code} is not assigned to this candidate")
        return plan

    def goal_codes(self) -> set[str]:
        """Codes of the goals in the candidate's active and archived plans."""
        return {
            code
            for plan in self.plans.values()
            if plan["state"] != vocabulary.PlanState.REMOVED
            for code in plan["goal_codes"]
        }

    class PlanArchived(Event):
        plan_code: str

        def apply(self, aggregate: Any) -> None:
            cast(Candidate, aggregate).plans[self.plan_code]["state"] = (
                vocabulary.PlanState.ARCHIVED
            )

    def archive_plan(self, actor: Actor, *, plan_code: str, unapproved_goals: list[str]) -> None:
        """R5: the leader archives a completed plan (every goal approved)."""
        check_role(actor, (Role.LEADER,), "R5: only the leader archives plans")
        check_plan_archivable(self.active_plan(plan_code), unapproved_goals)
        trigger_by(self, actor, self.PlanArchived, plan_code=plan_code)

    class PlanRemoved(Event):
        plan_code: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            cast(Candidate, aggregate).plans[self.plan_code]["state"] = vocabulary.PlanState.REMOVED

    def remove_plan(self, actor: Actor, *, plan_code: str, reason: str) -> None:
        """R5: the leader deletes a plan assigned by mistake; its history is kept."""
        check_role(actor, (Role.LEADER,), "R5: only the leader removes plans")
        self.active_plan(plan_code)
        text = check_text(
            reason, "reason", "R5", limit=values.PLAN_REMOVAL_REASON_LIMIT, multiline=True
        )
        trigger_by(self, actor, self.PlanRemoved, plan_code=plan_code, reason=text)

    # -- attachments (R9: course certificates) -------------------------------------

    class AttachmentUploaded(Event):
        attachment_id: str
        sha256: str
        size: int
        media_type: str
        filename: str

        def apply(self, aggregate: Any) -> None:
            cast(Candidate, aggregate).attachments[self.attachment_id] = AttachmentState(
                sha256=self.sha256,
                size=self.size,
                media_type=self.media_type,
                filename=self.filename,
            )

    def record_attachment(
        self,
        actor: Actor,
        *,
        attachment_id: str,
        sha256: str,
        size: int,
        media_type: str,
        filename: str,
    ) -> None:
        """R9: the candidate uploads a course certificate; the event keeps hash and size."""
        self.check_can_attach(actor)
        trigger_by(
            self,
            actor,
            self.AttachmentUploaded,
            attachment_id=attachment_id,
            sha256=sha256,
            size=size,
            media_type=media_type,
            filename=attachment_filename(filename),
        )

    def check_can_attach(self, actor: Actor) -> None:
        """R9: only the candidate attaches files (asked before an upload is stored, too)."""
        check_role(actor, (Role.CANDIDATE,), "R9: only the candidate uploads attachments")

    def check_attachment(self, attachment_id: str | None) -> None:
        if attachment_id is not None and attachment_id not in self.attachments:
            raise NotFoundError(
                f"Attachment {attachment_id} not found; upload it to this candidate first"
            )
