"""404 problems that tell nobody whether a candidate, meeting or invitation exists.

API.md: a person with no role for a candidate learns nothing about it. Candidate ids
are derived from the `sub`, so a 404 that differed between "no such candidate" and
"a candidate you are not related to" would tell anyone who is registered. The domain
raises different errors for the two (it needs to know which); here every error that
may stand for either becomes one problem per kind of resource, with the same type,
title and detail, and no ids in it (issue 22, finding 6).

Other 404s (a goal code not in the plans, an activity not on the goal, a plan not
assigned) are only given to people related to the candidate, who may know.
"""

from __future__ import annotations

from kompetanse_domain.application.service import CandidateNotFoundError, MeetingNotFoundError
from kompetanse_domain.errors import DomainError
from kompetanse_domain.model.candidate import (
    ATTACHMENT_HIDDEN,
    AttachmentNotFoundError,
    InvitationNotFoundError,
)
from kompetanse_domain.model.guards import NotRelatedError

TITLE = "Not found"
CANDIDATE = "Candidate not found, or you have no role for this candidate"
MEETING = "Supervision meeting not found, or you have no role for its candidate"
INVITATION = "Invitation not found; check the link, or ask the candidate for a new one"

# (errors that may hide existence, problem type slug, detail)
HIDDEN: tuple[tuple[tuple[type[DomainError], ...], str, str], ...] = (
    ((MeetingNotFoundError,), "meeting-not-found", MEETING),
    ((NotRelatedError, CandidateNotFoundError), "candidate-not-found", CANDIDATE),
    ((InvitationNotFoundError,), "invitation-not-found", INVITATION),
    ((AttachmentNotFoundError,), "attachment-not-found", ATTACHMENT_HIDDEN),  # R27
)


def hidden_not_found(error: DomainError) -> tuple[str, str, str] | None:
    """(type slug, title, detail) of the one 404 for `error`'s kind; None if it is not
    one that may stand for something unknown or hidden."""
    for families, slug, detail in HIDDEN:
        if isinstance(error, families):
            return slug, TITLE, detail
    return None
