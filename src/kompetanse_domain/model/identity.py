"""Who is acting, and how they relate to a candidate (R1-R3, R7, R10).

An `Actor` is built by the Candidate aggregate from its roles, so the rules that
depend on a person's relation to a candidate are decided in the domain.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

NAMESPACE = uuid.UUID("5b7f1d0e-2c47-4c8e-9a53-6f7c9e2b1a10")

# local@domain.tld without white space, control characters (C0, DEL, C1), line or paragraph
# separators, or bidirectional controls: the text checks (`values.line`) refuse those too, and
# the OpenAPI document publishes this pattern, so clients generate what the server accepts.
_NOT_IN_ADDRESS = r"@\s\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069"
EMAIL_PATTERN = re.compile(rf"^[^{_NOT_IN_ADDRESS}]+@[^{_NOT_IN_ADDRESS}]+\.[^{_NOT_IN_ADDRESS}]+$")


class Role(StrEnum):
    """A person's role towards one candidate."""

    CANDIDATE = "candidate"
    LEADER = "leader"
    DEPUTY = "deputy"
    VEILEDER = "veileder"
    SUPERVISOR = "supervisor"


class PlatformRole(StrEnum):
    """Roles granted by the identity provider (token claim `kompetanse_roles`).

    API.md lets the claim hold `admin` too; it grants nothing yet, so it is not
    declared and, like any unknown role, ignored.
    """

    AUDITOR = "auditor"
    SYNC = "sync"


SINGLE_ROLES = frozenset({Role.LEADER, Role.VEILEDER})
INVITABLE_ROLES = frozenset({Role.LEADER, Role.DEPUTY, Role.VEILEDER, Role.SUPERVISOR})


@dataclass(frozen=True)
class Identity:
    """The authenticated person behind a request (from the token)."""

    sub: str
    name: str
    platform_roles: frozenset[PlatformRole] = frozenset()

    @property
    def is_auditor(self) -> bool:
        return PlatformRole.AUDITOR in self.platform_roles

    @property
    def is_sync(self) -> bool:
        return PlatformRole.SYNC in self.platform_roles


@dataclass(frozen=True)
class Actor:
    """An identity together with its roles towards one candidate."""

    identity: Identity
    roles: frozenset[Role] = field(default_factory=frozenset)
    ended: Mapping[Role, date] = field(default_factory=dict)
    """Roles that ended (a deputy past `until`): still related (403, not 404), no power."""

    @property
    def sub(self) -> str:
        return self.identity.sub

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def is_related(self) -> bool:
        return bool(self.roles or self.ended)

    def holds(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


def candidate_id_for(sub: str) -> uuid.UUID:
    """One candidate profile per person and portal (R1): a deterministic id."""
    return uuid.uuid5(NAMESPACE, f"candidate:{sub}")


def goal_id_for(candidate_id: uuid.UUID, goal_code: str) -> uuid.UUID:
    """One learning goal per candidate and goal code."""
    return uuid.uuid5(NAMESPACE, f"goal:{candidate_id}:{goal_code}")
