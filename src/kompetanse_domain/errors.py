"""Typed domain errors (STYLE 3): each names the rule it enforces and what to do.

The API maps the six families to HTTP in one table (`api.errors.DOMAIN_STATUS`):
NotFoundError -> 404, ForbiddenError -> 403, ConflictError -> 409,
VersionMismatchError -> 412, InvalidInputError -> 422 (IdempotencyKeyReusedError is
one), UnavailableError -> 503.
"""

from __future__ import annotations


class DomainError(Exception):
    """Raised when the domain refuses a command; nothing has been recorded."""

    title = "Refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    """Raised when a resource does not exist, or the actor may not know it exists."""

    title = "Not found"


class ForbiddenError(DomainError):
    """Raised when the actor is related to the candidate but their role may not do this."""

    title = "Forbidden"


class ConflictError(DomainError):
    """Raised when the current state does not allow the transition asked for."""

    title = "Conflict"


class VersionMismatchError(DomainError):
    """Raised when the caller's expected version (If-Match) is not the current one."""

    title = "Version mismatch"


class InvalidInputError(DomainError):
    """Raised when a value is refused by a rule (e.g. an empty rejection reason)."""

    title = "Invalid input"


class IdempotencyKeyReusedError(InvalidInputError):
    """Raised when an idempotency key is reused with a different request."""

    title = "Idempotency key reused"


class UnavailableError(DomainError):
    """Raised when the event store cannot be reached; the caller may retry later."""

    title = "Service unavailable"
