"""Who may read what of a candidate (R14, R17, R24, R27): the checks a query makes first.

Mixed into `Candidate`; they depend on the actor's roles towards the candidate only.
"""

from __future__ import annotations

from collections.abc import Callable

from kompetanse_domain.model.candidate_state import AttachmentNotFoundError, AttachmentState
from kompetanse_domain.model.guards import NotRelatedError, RoleNotPermittedError
from kompetanse_domain.model.identity import Actor, Role

ATTACHMENT_READERS = (Role.CANDIDATE, Role.LEADER, Role.DEPUTY, Role.VEILEDER)
ATTACHMENT_HIDDEN = "Attachment not found, or you may not open it"


class ReadChecks:
    """The read checks of `Candidate` (an unrelated person learns nothing: 404)."""

    attachments: dict[str, AttachmentState]

    def check_can_read(self, actor: Actor) -> None:
        """R14, R17, R24: related people and auditors may read; others learn nothing."""
        if not actor.is_related and not actor.identity.is_auditor:
            raise NotRelatedError("Candidate not found, or you have no role for this candidate")
        if not actor.roles and not actor.identity.is_auditor:  # R7: a deputy past `until`
            raise RoleNotPermittedError(
                "R7: your time as deputy for this candidate has ended; ask the leader for a "
                "new invitation"
            )

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

    def check_can_download_attachment(
        self, actor: Actor, attachment_id: str, *, sent_to_actor: Callable[[], bool]
    ) -> AttachmentState:
        """R27: the stored file, for those who may open it; AttachmentNotFoundError else.

        The candidate, leader, deputy, veileder and auditors open every file of the
        candidate; a supervisor only a file carried by an activity that was sent to
        them for signing. `sent_to_actor()` answers that; it is asked only of a
        supervisor who holds no other role. The candidate aggregate does not know
        what was sent (that is in the goals), so the caller reads it from where it is
        kept for all goals together (the read side), instead of loading every goal.
        """
        found = self.attachments.get(attachment_id)
        if found is None:
            raise AttachmentNotFoundError(ATTACHMENT_HIDDEN)
        if actor.identity.is_auditor or actor.holds(*ATTACHMENT_READERS):
            return found
        if actor.holds(Role.SUPERVISOR) and sent_to_actor():
            return found
        raise AttachmentNotFoundError(ATTACHMENT_HIDDEN)
