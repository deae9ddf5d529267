"""Invitations (R2, R3) and a deputy's end date (R7, API.md v1.1 "Mentor and leader").

An invitation may be bound to an HPR number: only a person whose token carries that
`hpr_number` claim may accept it. A `deputy` invitation may carry `until`: from the
day after, the deputy may no longer act (403 on every command and query of a deputy),
and the role shows `until`.

Mixed into `Candidate`. `InvitationIssued` is a template that `Candidate`'s body names,
so eventsourcing redefines it as `Candidate.InvitationIssued` (the topic it has always
been stored under). Version 2 added `hpr_number` and `until`; version 1 events, stored
before, upcast with None for both (ADR 0003).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from kompetanse_domain.errors import ForbiddenError, InvalidInputError
from kompetanse_domain.model import values, vocabulary
from kompetanse_domain.model.acting import trigger_by
from kompetanse_domain.model.candidate_profile import own_event
from kompetanse_domain.model.candidate_state import (
    InvitationNotUsableError,
    InvitationState,
    PersonState,
    RoleAlreadyHeldError,
    check_hpr_number,
    check_single_role_free,
    hash_secret,
    invitable_role,
    usable_invitation,
)
from kompetanse_domain.model.guards import check_role, check_text
from kompetanse_domain.model.identity import SINGLE_ROLES, Actor, Identity, Role

OSLO = ZoneInfo("Europe/Oslo")  # a deputy's last day is a Norwegian calendar date
INVITATION_READERS = (Role.CANDIDATE, Role.LEADER)


class InvitationBoundElsewhereError(ForbiddenError):
    """Raised when an invitation bound to an HPR number is accepted by someone else."""


class InvitationIssued(Aggregate.Event):
    """R2: an invitation to a role; v2 (ADR 0003) added `hpr_number` and `until`."""

    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["hpr_number"] = None
        state["until"] = None

    actor: str
    actor_name: str
    invitation_id: str
    role: str
    name: str
    email: str
    secret_sha256: str
    expires_at: datetime
    hpr_number: str | None
    until: date | None

    def apply(self, aggregate: Any) -> None:
        invitation = InvitationState(
            role=self.role,
            name=self.name,
            email=self.email,
            secret_sha256=self.secret_sha256,
            expires_at=self.expires_at,
            state=vocabulary.InvitationState.PENDING,
            accepted_by=None,
        )
        if self.hpr_number is not None:
            invitation["hpr_number"] = self.hpr_number
        if self.until is not None:
            invitation["until"] = self.until
        aggregate.invitations[self.invitation_id] = invitation


def today_in_oslo() -> date:
    return datetime.now(OSLO).date()


class CandidateInvitations:
    """The invitation commands and queries of `Candidate` (R2, R3, R7)."""

    if TYPE_CHECKING:
        sub: str
        leader: PersonState | None
        veileder: PersonState | None
        invitations: dict[str, InvitationState]
        InvitationAccepted: ClassVar[type[Any]]

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...
        def roles_of(self, sub: str) -> frozenset[Role]: ...

    def invite(
        self,
        actor: Actor,
        *,
        invitation_id: str,
        role: str,
        name: str,
        email: str,
        secret: str,
        expires_at: datetime,
        hpr_number: str | None = None,
        until: date | None = None,
        today: date | None = None,
    ) -> None:
        """R2: the candidate invites leader, veileder, supervisors; the leader invites deputies
        (R7), perhaps until a date; bound to an HPR number when one is given."""
        parsed = invitable_role(role)
        if parsed is Role.DEPUTY:
            check_role(actor, (Role.LEADER,), "R7: only the leader may invite a deputy")
        else:
            check_role(
                actor,
                (Role.CANDIDATE,),
                "R2: only the candidate invites leader, veileder and supervisors",
            )
        name = check_text(name, "name", "R2", limit=values.NAME_LIMIT)
        email = values.email(email, "email", rule="R2")
        check_hpr_number(hpr_number)
        if until is not None:
            if parsed is not Role.DEPUTY:
                raise InvalidInputError("until is for a deputy invitation only; leave it out")
            values.day(until, "until")
            if until < (today or today_in_oslo()):
                raise InvalidInputError(
                    f"R7: until {until.isoformat()} is in the past; give the deputy's last "
                    "day, today or later"
                )
        if parsed in SINGLE_ROLES:
            holder = self.leader if parsed is Role.LEADER else self.veileder
            check_single_role_free(parsed, holder, self.invitations)
        trigger_by(
            self,
            actor,
            own_event(self, InvitationIssued),
            invitation_id=invitation_id,
            role=parsed.value,
            name=name,
            email=email,
            secret_sha256=hash_secret(secret),
            expires_at=expires_at,
            hpr_number=hpr_number,
            until=until,
        )

    def accept_invitation(
        self,
        identity: Identity,
        *,
        invitation_id: str,
        secret: str,
        now: datetime,
        hpr_number: str | None = None,
    ) -> Role:
        """R3: the invited person identifies (HelseID) and accepts; returns the role. An
        invitation bound to an HPR number only by a token with that `hpr_number`."""
        invitation = usable_invitation(self.invitations.get(invitation_id), secret=secret, now=now)
        role = Role(invitation["role"])
        bound_to = invitation.get("hpr_number")
        if bound_to is not None and hpr_number != bound_to:
            raise InvitationBoundElsewhereError(
                "R3: this invitation is for the person with another HPR number; sign in with "
                "your own HelseID, or ask for an invitation to you"
            )
        if identity.sub == self.sub:
            raise InvitationNotUsableError(
                "R2: a candidate cannot hold a role in their own training"
            )
        if role in self.roles_of(identity.sub):
            raise RoleAlreadyHeldError(f"R2: you are already {role.value} for this candidate")
        if role in SINGLE_ROLES and (self.leader if role is Role.LEADER else self.veileder):
            raise RoleAlreadyHeldError(f"R2: this candidate already has a {role.value}")
        trigger_by(
            self, identity, self.InvitationAccepted, invitation_id=invitation_id, role=role.value
        )
        return role

    # -- a deputy's end (R7) ---------------------------------------------------------------

    def deputy_until(self, sub: str) -> date | None:
        """The last day `sub` may act as deputy: `until` of the deputy invitation they
        accepted last; None when it has no end."""
        until: date | None = None
        for invitation in self.invitations.values():
            if (
                invitation["role"] == Role.DEPUTY
                and invitation["state"] == vocabulary.InvitationState.ACCEPTED
                and invitation["accepted_by"] == sub
            ):
                until = invitation.get("until")
        return until

    def current_actor(
        self, identity: Identity, roles: frozenset[Role], today: date | None
    ) -> Actor:
        """The identity's roles today: a deputy past `until` holds the role no longer, but
        stays related (refused with 403, not 404)."""
        if Role.DEPUTY in roles:
            until = self.deputy_until(identity.sub)
            if until is not None and (today or today_in_oslo()) > until:
                return Actor(
                    identity=identity, roles=roles - {Role.DEPUTY}, ended={Role.DEPUTY: until}
                )
        return Actor(identity=identity, roles=roles)

    # -- the invitations list (API.md v1.1) ------------------------------------------------

    def check_can_read_invitations(self, actor: Actor) -> None:
        check_role(
            actor, INVITATION_READERS, "R2: only the candidate and the leader list invitations"
        )

    def invitations_at(self, now: datetime) -> list[dict[str, Any]]:
        """Every invitation, oldest first, with its state now (`expired`: pending, past
        `expires_at`)."""
        listed = []
        for invitation_id, invitation in self.invitations.items():
            state = invitation["state"]
            if state == vocabulary.InvitationState.PENDING and now >= invitation["expires_at"]:
                state = vocabulary.InvitationState.EXPIRED
            listed.append(
                {
                    "invitation_id": invitation_id,
                    "role": invitation["role"],
                    "name": invitation["name"],
                    "email": invitation["email"],
                    "expires_at": invitation["expires_at"],
                    "state": state,
                    "hpr_number": invitation.get("hpr_number"),
                    "until": invitation.get("until"),
                }
            )
        return listed
