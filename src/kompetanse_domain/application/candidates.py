"""Use cases of candidates and their roles: registering, invitations, attachments (R1-R3, R9)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from uuid import UUID

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import CandidateNotFoundError, Loads
from kompetanse_domain.application.receipts import PersonIndex
from kompetanse_domain.application.unit_of_work import Answer, Decision, changes
from kompetanse_domain.errors import ConflictError
from kompetanse_domain.model.candidate import (
    ATTACHMENT_HIDDEN,
    AttachmentNotFoundError,
    Candidate,
    InvitationNotFoundError,
)
from kompetanse_domain.model.candidate_state import AttachmentState
from kompetanse_domain.model.identity import Actor, Identity, candidate_id_for
from kompetanse_domain.model.notifying import invitation_secret

INVITATION_LIFETIME = timedelta(days=30)


class AlreadyRegisteredError(ConflictError):
    """Raised when a person registers as candidate twice (R1), or an HPR number is taken."""


class CandidateUseCases(Loads):
    invitation_key: bytes | None = None  # set by the wiring (ADR 0025); None: random secrets

    """Mixed into `KompetanseApplication`."""

    specialties: tuple[str, ...]

    def register_candidate(
        self,
        ctx: CommandContext,
        *,
        name: str,
        email: str,
        specialty: str,
        organisation_id: str,
        organisation_name: str,
        hpr_number: str | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            if self._exists(candidate_id_for(ctx.identity.sub)):
                raise AlreadyRegisteredError("R1: you are already registered as a candidate")
            candidate = Candidate.register(
                ctx.identity,
                name=name,
                email=email,
                specialty=specialty,
                organisation_id=organisation_id,
                organisation_name=organisation_name,
                hpr_number=hpr_number,
                specialties=self.specialties,
            )
            value = {"candidate_id": str(candidate.id)}
            if hpr_number is None:
                return changes(candidate, value=value)
            if self._exists(PersonIndex.create_id(hpr_number)):
                raise AlreadyRegisteredError(
                    f"R1: HPR number {hpr_number} is already registered to a candidate"
                )
            index = PersonIndex(hpr_number=hpr_number, candidate_id=candidate.id)
            return changes(candidate, index, value=value)

        return self._execute(ctx, decide)

    def invite(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        *,
        role: str,
        name: str,
        email: str,
        hpr_number: str | None = None,
        until: date | None = None,
    ) -> Outcome:
        def invite(candidate: Candidate, actor: Actor) -> Answer:
            candidate.check_can_read(actor)  # not found before the role
            invitation_id = uuid.uuid4()
            secret = (  # derived: the notification process can mail the link (R31)
                secrets.token_urlsafe(24)
                if self.invitation_key is None
                else invitation_secret(self.invitation_key, str(invitation_id))
            )
            expires_at = ctx.now + INVITATION_LIFETIME
            candidate.invite(
                actor,
                invitation_id=str(invitation_id),
                role=role,
                name=name,
                email=email,
                secret=secret,
                expires_at=expires_at,
                hpr_number=hpr_number,
                until=until,
                today=ctx.today,
            )
            token = f"{candidate.id.hex}.{invitation_id.hex}.{secret}"
            value = {"invitation_id": str(invitation_id), "token": token}
            return {**value, "expires_at": expires_at.isoformat()}

        return self._change_candidate(ctx, candidate_id, invite)

    def accept_invitation(
        self, ctx: CommandContext, token: str, *, hpr_number: str | None = None
    ) -> Outcome:
        """R3; an invitation bound to an HPR number only with that `hpr_number` claim."""
        candidate_id, invitation_id, secret = _parse_token(token)

        def decide() -> Decision:
            try:
                candidate = self.get_candidate(candidate_id, for_change=True)
            except CandidateNotFoundError:
                raise InvitationNotFoundError("Invitation not found") from None
            role = candidate.accept_invitation(
                ctx.identity,
                invitation_id=invitation_id,
                secret=secret,
                now=ctx.now,
                hpr_number=hpr_number,
            )
            return changes(candidate, value={"candidate_id": str(candidate.id), "role": role.value})

        return self._execute(ctx, decide)

    def revoke_invitation(
        self, ctx: CommandContext, candidate_id: UUID, invitation_id: str, *, reason: str = ""
    ) -> Outcome:
        revoke = partial(Candidate.revoke_invitation, invitation_id=invitation_id, reason=reason)
        return self._change_candidate(ctx, candidate_id, revoke)

    def revoke_role(
        self, ctx: CommandContext, candidate_id: UUID, *, role: str, sub: str, reason: str = ""
    ) -> Outcome:
        revoke = partial(Candidate.revoke_role, role=role, sub=sub, reason=reason)
        return self._change_candidate(ctx, candidate_id, revoke)

    def upload_attachment(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        *,
        sha256: str,
        size: int,
        media_type: str,
        filename: str,
    ) -> Outcome:
        attachment_id = str(uuid.uuid4())

        def record(candidate: Candidate, actor: Actor) -> Answer:
            candidate.record_attachment(
                actor,
                attachment_id=attachment_id,
                sha256=sha256,
                size=size,
                media_type=media_type,
                filename=filename,
            )
            return {"attachment_id": attachment_id, "sha256": sha256, "size": size}

        return self._change_candidate(ctx, candidate_id, record)

    def check_can_attach(self, identity: Identity, candidate_id: UUID) -> None:
        """R9: refuses as `upload_attachment` would (not found, not permitted), before
        the uploaded file is stored; the command checks again when it records it."""
        candidate = self.get_candidate(candidate_id)
        candidate.check_can_attach(candidate.actor(identity))

    def attachment_to_download(
        self,
        identity: Identity,
        candidate_id: UUID,
        attachment_id: str,
        *,
        sent_to: Callable[[str], bool],
    ) -> AttachmentState:
        """R27: the stored file's description if `identity` may download it.

        `sent_to(sub)` says whether an activity carrying the file was ever sent to
        `sub` for signing (the read side's `goals` view keeps that for all of the
        candidate's goals; the route passes its lookup). An unknown candidate is
        refused as an unknown file is: one answer for all who may not see it.
        """
        try:
            candidate = self.get_candidate(candidate_id)
        except CandidateNotFoundError:
            raise AttachmentNotFoundError(ATTACHMENT_HIDDEN) from None
        return candidate.check_can_download_attachment(
            candidate.actor(identity),
            attachment_id,
            sent_to_actor=lambda: sent_to(identity.sub),
        )


def _parse_token(token: str) -> tuple[UUID, str, str]:
    parts = token.split(".")
    try:
        candidate_hex, invitation_hex, secret = parts
        return UUID(hex=candidate_hex), str(UUID(hex=invitation_hex)), secret
    except ValueError:
        raise InvitationNotFoundError("Invitation not found; check the link") from None
