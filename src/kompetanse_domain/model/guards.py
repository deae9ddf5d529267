"""Shared `check_*` guards: refusals raised before any event is recorded (STYLE 3)."""

from __future__ import annotations

from datetime import date

from kompetanse_domain.errors import ForbiddenError, InvalidInputError, NotFoundError
from kompetanse_domain.model import values
from kompetanse_domain.model.identity import Actor, Identity, Role

SYNC_IMPORT_REFUSAL = "R23: only the sync job (role sync) imports approvals"
# what the sync job's routes (the feed, importing approvals) answer anyone else
SYNC_ROUTES_REFUSAL = (
    "R23: only the sync job (platform role sync) may read the feed or import approvals"
)


class NotRelatedError(NotFoundError):
    """Raised when the actor has no role for the candidate (reported as not found, no leak)."""


class RoleNotPermittedError(ForbiddenError):
    """Raised when the actor's role towards the candidate may not perform the command."""


def check_role(actor: Actor, allowed: tuple[Role, ...], refusal: str) -> None:
    """Refuse unless the actor holds one of `allowed`; unrelated actors learn nothing."""
    if actor.holds(*allowed):
        return
    if not actor.is_related and not actor.identity.is_auditor:
        raise NotRelatedError("Candidate not found, or you have no role for this candidate")
    if actor.ended and not actor.roles:
        ended = ", ".join(
            f"{role.value} until {day.isoformat()}" for role, day in actor.ended.items()
        )
        refusal = f"{refusal} (your role ended: {ended}; ask the leader for a new invitation)"
    raise RoleNotPermittedError(refusal)


def check_sync_job(identity: Identity, refusal: str = SYNC_IMPORT_REFUSAL) -> None:
    """R23: only the sync job (platform role `sync`) reads the event feed and imports
    approvals made in the other portal version (ADR 0012); anyone else is refused."""
    if not identity.is_sync:
        raise ForbiddenError(refusal)


def check_text(
    value: str, field_name: str, rule: str, *, limit: int, multiline: bool = False
) -> str:
    """Required free text, checked as `values` says (issue 22); returns it normalised."""
    check = values.paragraphs if multiline else values.line
    return check(value, field_name, limit=limit, rule=rule)


def reason_text(value: str, field_name: str, rule: str) -> str:
    """A required reason, comment or note: free text over lines, up to `REASON_LIMIT`."""
    return check_text(value, field_name, rule, limit=values.REASON_LIMIT, multiline=True)


def check_not_future(day: date, today: date, field_name: str) -> None:
    values.day(day, field_name)
    if day > today:
        raise InvalidInputError(
            f"{field_name} {day.isoformat()} is in the future; give the date it was done"
        )


def optional_text(
    value: str | None, field_name: str, *, limit: int = values.REASON_LIMIT
) -> str | None:
    """An optional comment or note: normalised, and None when blank."""
    return values.optional_paragraphs(value, field_name, limit=limit)
