"""What a Candidate holds besides its events: the shapes of its state, its refusals,
and the checks of registration and invitations that need no aggregate (R1-R3).

The `Candidate` aggregate and its nested events stay in `candidate` (events are
stored under their module's topic); this module holds nothing that is stored.
`candidate` re-exports the refusals its callers catch.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime
from typing import NotRequired, TypedDict

from kompetanse_domain.errors import ConflictError, InvalidInputError, NotFoundError
from kompetanse_domain.model import values, vocabulary
from kompetanse_domain.model.identity import INVITABLE_ROLES, Role

HPR_PATTERN = re.compile(r"[0-9]{4,9}")
"""An HPR number: ASCII digits only (`str.isdigit` would let superscripts in)."""

SPECIALTIES = ("LIS1", "ALM", "SAM", "ARB")
"""The portal's specialties when no catalogue says otherwise (the catalogue may add more)."""


class PersonState(TypedDict):
    sub: str
    name: str


class InvitationState(TypedDict):
    role: str
    name: str
    email: str
    secret_sha256: str
    expires_at: datetime
    state: str  # InvitationState
    accepted_by: str | None
    hpr_number: NotRequired[str]  # only that person may accept it (v1.1)
    until: NotRequired[date]  # a deputy's last day (v1.1)


class PlanState(TypedDict):
    code: str
    version: str
    goal_codes: list[str]
    state: str  # PlanState


class AttachmentState(TypedDict):
    sha256: str
    size: int
    media_type: str
    filename: str


class InvitationNotFoundError(NotFoundError):
    """Raised when an invitation token does not match any invitation."""


class AttachmentNotFoundError(NotFoundError):
    """Raised when a file may not be downloaded by the actor or does not exist (R27).

    One error, one answer, for an unknown file, a file of another candidate, a person
    unrelated to the candidate and a supervisor never sent the file: nobody learns
    which files exist from a refusal."""


class InvitationNotUsableError(ConflictError):
    """Raised when an invitation was used, revoked or has expired (R3)."""


class RoleAlreadyHeldError(ConflictError):
    """Raised when a single role (leader, veileder) is already held or invited (R2)."""


class PlanStateError(ConflictError):
    """Raised when a plan cannot be assigned, archived or removed in its state (R4, R5)."""


class SignerNotEligibleError(ConflictError):
    """Raised when an activity is sent to someone who is not a supervisor or veileder (R9)."""


def optional_reason(reason: str) -> str:
    """A reason that may be left out ("" then)."""
    return values.optional_paragraphs(reason, "reason", limit=values.REASON_LIMIT) or ""


def check_specialty(specialty: str, specialties: tuple[str, ...]) -> None:
    """R1: one of the portal's specialties."""
    if specialty not in specialties:
        raise InvalidInputError(
            f"specialty {specialty!r} is unknown; use one of {', '.join(specialties)}"
        )


def check_hpr_number(hpr_number: str | None) -> None:
    """R1: an HPR number, if given, is 4 to 9 ASCII digits."""
    if hpr_number is not None and not HPR_PATTERN.fullmatch(hpr_number):
        raise InvalidInputError("hpr_number must be 4 to 9 digits (0-9)")


def check_plan_assignable(plan_code: str, existing: PlanState | None) -> None:
    """R4: a plan is assigned once, or again after it was removed."""
    if existing is not None and existing["state"] != vocabulary.PlanState.REMOVED:
        raise PlanStateError(f"R4: plan {plan_code} is already {existing['state']}")


def check_plan_archivable(plan: PlanState, unapproved_goals: list[str]) -> None:
    """R5: an active plan whose goals are all approved may be archived."""
    if plan["state"] == vocabulary.PlanState.ARCHIVED:
        raise PlanStateError(f"R5: plan {plan['code']} is already archived")
    if unapproved_goals:
        shown = ", ".join(sorted(unapproved_goals)[:5])
        raise PlanStateError(
            f"R5: plan {plan['code']} is not complete; {len(unapproved_goals)} goal(s) "
            f"are not approved ({shown}{', ...' if len(unapproved_goals) > 5 else ''})"
        )


def attachment_filename(filename: str) -> str:
    """R9: the uploaded file's name, cut to the limit; "" when it shows nothing."""
    limit = values.FILENAME_LIMIT
    return values.optional_line(filename[:limit], "filename", limit=limit) or ""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invitable_role(role: str) -> Role:
    """R2: the role named, if it is one a person can be invited to."""
    try:
        parsed = Role(role)
    except ValueError:
        parsed = None
    if parsed not in INVITABLE_ROLES or parsed is None:
        raise InvalidInputError(
            f"role {role!r} cannot be invited; use leader, veileder, supervisor or deputy"
        )
    return parsed


def check_single_role_free(
    role: Role, holder: PersonState | None, invitations: dict[str, InvitationState]
) -> None:
    """R2: a leader or veileder is neither held (by `holder`) nor invited yet."""
    if holder is not None:
        raise RoleAlreadyHeldError(
            f"R2: {holder['name']} is already your {role.value}; remove that role first"
        )
    for invitation in invitations.values():
        if (
            invitation["role"] == role.value
            and invitation["state"] == vocabulary.InvitationState.PENDING
        ):
            raise RoleAlreadyHeldError(
                f"R2: an invitation for {role.value} to {invitation['name']} is pending; "
                "revoke it first"
            )


def usable_invitation(
    invitation: InvitationState | None, *, secret: str, now: datetime
) -> InvitationState:
    """R3: the invitation the secret opens, if it is still pending and not expired."""
    if invitation is None or not hmac.compare_digest(
        invitation["secret_sha256"], hash_secret(secret)
    ):
        raise InvitationNotFoundError("Invitation not found; ask the candidate for a new one")
    if invitation["state"] != vocabulary.InvitationState.PENDING:
        raise InvitationNotUsableError(
            f"R3: this invitation was already {invitation['state']}; ask for a new one"
        )
    if now >= invitation["expires_at"]:
        raise InvitationNotUsableError(
            "R3: this invitation has expired; ask the candidate for a new one"
        )
    return invitation
