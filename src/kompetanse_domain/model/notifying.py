"""R31: who must be told of what, what the message says, when a reminder is due.

Pure functions of the facts a notification process holds (no I/O). A message carries
no text a user wrote: only who (a person's name), what (the kind and the goal's code from
the catalogue) and a link. Activity titles, comments, reasons, summaries and concern texts
never reach these functions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

NAMESPACE = uuid.UUID("3f0f7c1e-9a8b-4d2c-8e61-2b9a0c5d7e31")
DEFAULT_REMINDER_DAYS = 14


class Kind(StrEnum):
    """API.md "Notifications": the kinds of notification."""

    INVITATION = "invitation"
    SIGNING_REQUESTED = "signing_requested"
    ACTIVITY_SIGNED = "activity_signed"
    ACTIVITY_REJECTED = "activity_rejected"
    APPROVAL_REQUESTED = "approval_requested"
    GOAL_APPROVED = "goal_approved"
    GOAL_REJECTED = "goal_rejected"
    APPROVAL_WITHDRAWN = "approval_withdrawn"
    MEETING_SCHEDULED = "meeting_scheduled"
    CONCERN_RAISED = "concern_raised"
    REMINDER = "reminder"


ROLE_NAMES = {
    "leader": "leder",
    "deputy": "stedfortreder",
    "veileder": "veileder",
    "supervisor": "supervisør",
}


def approvers(leader: str | None, deputies: Iterable[str]) -> list[str]:
    """R7, R31: who must act on a goal sent for approval: the leader and every active deputy
    (each once, in a stable order)."""
    people = ([leader] if leader else []) + sorted(set(deputies) - {leader})
    return people


OSLO = ZoneInfo("Europe/Oslo")  # a deputy's last day is a Norwegian calendar date


def oslo_date(instant: datetime) -> date:
    """The Norwegian calendar date of an instant (a deputy's `until` is such a date)."""
    return instant.astimezone(OSLO).date()


def active_deputies(deputies: Iterable[tuple[str, date | None]], on: date) -> list[str]:
    """R7, R26: the deputies who may still act on `on` (a Norwegian calendar date): those
    without an end date and those whose `until` is that day or later."""
    return [sub for sub, until in deputies if until is None or on <= until]


def reminders_due(waiting_since: datetime, now: datetime, days: int) -> int:
    """R31: how many reminders an item waiting since `waiting_since` is owed at `now`:
    one after `days` days, one more every `days` days while it waits (0 before that)."""
    if days <= 0 or now <= waiting_since:
        return 0
    return (now - waiting_since) // timedelta(days=days)


def notification_id(source: str, recipient: str, kind: str) -> str:
    """The stable id of one notification: the same (event or due reminder, recipient,
    kind) always gives the same id, so deciding twice writes it once."""
    return str(uuid.uuid5(NAMESPACE, f"{source}|{recipient}|{kind}"))


def invitation_secret(key: bytes, invitation_id: str) -> str:
    """The secret of an invitation's token, derived from the portal's invitation key, so
    that the notification process can put the accept link into the e-mail while the
    store keeps only the secret's hash (R2)."""
    digest = hmac.new(key, f"invitation|{invitation_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def subject(
    kind: str,
    *,
    actor_name: str = "",
    candidate_name: str = "",
    goal_code: str = "",
    role: str = "",
    waiting: str = "",
) -> str:
    """The Norwegian subject line of a notification: who and what, no user's own text."""
    what = {
        Kind.INVITATION: f"{actor_name} inviterer deg som {ROLE_NAMES.get(role, role)}"
        + ("" if candidate_name in ("", actor_name) else f" for {candidate_name}")
        + " i Kompetanseportalen",
        Kind.SIGNING_REQUESTED: f"{candidate_name} ber deg signere en aktivitet i læringsmål "
        f"{goal_code}",
        Kind.ACTIVITY_SIGNED: f"{actor_name} har signert en aktivitet i læringsmål {goal_code}",
        Kind.ACTIVITY_REJECTED: f"{actor_name} har avvist en aktivitet i læringsmål {goal_code}",
        Kind.APPROVAL_REQUESTED: f"{candidate_name} har sendt læringsmål {goal_code} til "
        f"godkjenning",
        Kind.GOAL_APPROVED: f"{actor_name} har godkjent læringsmål {goal_code}",
        Kind.GOAL_REJECTED: f"{actor_name} har avvist læringsmål {goal_code}",
        Kind.APPROVAL_WITHDRAWN: f"{actor_name} har trukket tilbake godkjenningen av "
        f"læringsmål {goal_code}",
        Kind.MEETING_SCHEDULED: f"{actor_name} har satt opp en veiledningssamtale med deg",
        Kind.CONCERN_RAISED: f"{actor_name} har meldt en bekymring om {candidate_name}",
        Kind.REMINDER: f"Påminnelse: {waiting} for {candidate_name} venter på deg",
    }[Kind(kind)]
    return " ".join(what.split())
