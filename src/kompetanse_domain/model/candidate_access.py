"""Who may read what of a candidate (R14, R17, R24): the checks a query makes first.

Mixed into `Candidate`; they depend on the actor's roles towards the candidate only.
"""

from __future__ import annotations

from kompetanse_domain.model.guards import NotRelatedError, RoleNotPermittedError
from kompetanse_domain.model.identity import Actor, Role


class ReadChecks:
    """The read checks of `Candidate` (an unrelated person learns nothing: 404)."""

    def check_can_read(self, actor: Actor) -> None:
        """R14, R17, R24: related people and auditors may read; others learn nothing."""
        if not actor.is_related and not actor.identity.is_auditor:
            raise NotRelatedError("Candidate not found, or you have no role for this candidate")

    def check_can_read_meetings(self, actor: Actor) -> None:
        """R17: the candidate and the veileder read meetings; auditors too (R24)."""
        self.check_can_read(actor)
        if not actor.holds(Role.CANDIDATE, Role.VEILEDER) and not actor.identity.is_auditor:
            raise RoleNotPermittedError(
                "R17: only the candidate and the veileder read supervision meetings"
            )

    def check_can_read_history(self, actor: Actor) -> None:
        """R24: the candidate and auditors read the full history."""
        self.check_can_read(actor)
        if not actor.holds(Role.CANDIDATE) and not actor.identity.is_auditor:
            raise RoleNotPermittedError("R24: only the candidate and auditors read the history")

    def check_can_verify_history(self, actor: Actor) -> None:
        """R24: only auditors verify the history's hash chain (others related 403,
        unrelated 404)."""
        self.check_can_read(actor)
        if not actor.identity.is_auditor:
            raise RoleNotPermittedError("R24: only auditors verify the history")
