"""Use cases of the profile that follows the doctor (R28, ADR 0022) and of the
invitations list (API.md v1.1 "Mentor and leader")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import Loads
from kompetanse_domain.application.unit_of_work import Answer
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Actor, Identity


class ProfileUseCases(Loads):
    """Mixed into `KompetanseApplication`."""

    specialties: tuple[str, ...]

    def edit_profile(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        *,
        name: str | None = None,
        email: str | None = None,
        organisation_id: str | None = None,
        organisation_name: str | None = None,
    ) -> Outcome:
        """R28: the candidate changes name, e-mail and/or organisation (nothing recorded
        when every value given is the one already there)."""

        def edit(candidate: Candidate, actor: Actor) -> Answer:
            candidate.edit_profile(
                actor,
                name=name,
                email=email,
                organisation_id=organisation_id,
                organisation_name=organisation_name,
            )
            return {"candidate_id": str(candidate.id)}

        return self._change_candidate(ctx, candidate_id, edit)

    def change_specialty(
        self, ctx: CommandContext, candidate_id: UUID, *, specialty: str, from_date: date
    ) -> Outcome:
        """R28: the doctor goes on in another specialty, in the same profile."""

        def change(candidate: Candidate, actor: Actor) -> Answer:
            candidate.change_specialty(
                actor,
                specialty=specialty,
                from_date=from_date,
                today=ctx.today,
                specialties=self.specialties,
            )
            value = {"candidate_id": str(candidate.id), "specialty": specialty}
            return {**value, "from": from_date.isoformat()}

        return self._change_candidate(ctx, candidate_id, change)

    def invitations_of(
        self, identity: Identity, candidate_id: UUID, now: datetime
    ) -> list[dict[str, Any]]:
        """The candidate's invitations with their state now, for the candidate and the
        leader (others related 403, unrelated 404)."""
        candidate = self.get_candidate(candidate_id)
        actor = candidate.actor(identity)
        candidate.check_can_read(actor)
        candidate.check_can_read_invitations(actor)
        return candidate.invitations_at(now)
