"""Shared `check_*` guards: refusals raised before any event is recorded (STYLE 3)."""

from __future__ import annotations

from datetime import date

from kompetanse_domain.errors import ForbiddenError, InvalidInputError, NotFoundError
from kompetanse_domain.model.identity import Actor, Role


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
    raise RoleNotPermittedError(refusal)


def check_text(value: str, field_name: str, rule: str, *, limit: int = 20_000) -> str:
    """Refuse empty or oversized free text; returns it stripped."""
    text = value.strip()
    if not text:
        raise InvalidInputError(f"{rule}: {field_name} must not be empty")
    if len(text) > limit:
        raise InvalidInputError(f"{field_name} is longer than {limit} characters")
    return text


def check_not_future(day: date, today: date, field_name: str) -> None:
    if day > today:
        raise InvalidInputError(
            f"{field_name} {day.isoformat()} is in the future; give the date it was done"
        )


def optional_text(value: str | None) -> str | None:
    """An optional comment or note: stripped, and None when blank."""
    text = value.strip() if value else ""
    return text or None
