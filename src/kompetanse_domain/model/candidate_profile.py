"""R28: the profile follows the doctor (ADR 0022).

The candidate edits their name, e-mail and organisation; the candidate, leader or a
deputy records that the doctor goes on in another specialty from a date (a LIS1
continuing in ALM, in the same record). What depends on the specialty (R19, R20-R22)
follows the current one; the earlier ones stay in the history.

Mixed into `Candidate`. The events here are templates: `Candidate`'s body names each
one (`ProfileEdited = candidate_profile.ProfileEdited`), and eventsourcing redefines
it there as a subclass of `Candidate.Event`, so it is stored, chained (ADR 0011) and
projected under the topic `kompetanse_domain.model.candidate:Candidate.<Name>` like
every other event of a candidate.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from kompetanse_domain.errors import ConflictError, InvalidInputError
from kompetanse_domain.model import values
from kompetanse_domain.model.acting import trigger_by
from kompetanse_domain.model.candidate_state import check_specialty
from kompetanse_domain.model.guards import check_not_future, check_role
from kompetanse_domain.model.identity import Actor, Role

SPECIALTY_CHANGERS = (Role.CANDIDATE, Role.LEADER, Role.DEPUTY)
OSLO = ZoneInfo("Europe/Oslo")  # dates are Norwegian calendar dates


class SpecialtyAlreadyCurrentError(ConflictError):
    """Raised when the specialty recorded is the one the doctor is already in (R28)."""


class ProfileEdited(Aggregate.Event):
    """R28: the candidate changed their name, e-mail and/or organisation (None: kept)."""

    actor: str
    actor_name: str
    name: str | None
    email: str | None
    organisation_id: str | None
    organisation_name: str | None

    def apply(self, aggregate: Any) -> None:
        for field in ("name", "email", "organisation_id", "organisation_name"):
            value = getattr(self, field)
            if value is not None:
                setattr(aggregate, field, value)


class SpecialtyChanged(Aggregate.Event):
    """R28: from `from_date` the doctor trains in `specialty` (was `previous`)."""

    actor: str
    actor_name: str
    specialty: str
    previous: str
    from_date: date

    def apply(self, aggregate: Any) -> None:
        aggregate.specialty = self.specialty
        aggregate.specialty_since = self.from_date


def own_event(aggregate: object, template: type[Any]) -> type[Any]:
    """The aggregate's own redefinition of an event template (`Candidate.<Name>`)."""
    event_class: type[Any] = getattr(type(aggregate), template.__name__)
    return event_class


class CandidateProfile:
    """The profile commands of `Candidate` (R28)."""

    if TYPE_CHECKING:
        name: str
        email: str
        specialty: str
        organisation_id: str
        organisation_name: str
        created_on: datetime

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

    def current_specialty_since(self) -> date:
        """The day the current specialty began: the registration's day for the one the
        candidate registered with (`specialty_since` is absent from older snapshots)."""
        since: date | None = self.__dict__.get("specialty_since")
        return since or values.in_zone(self.created_on, OSLO).date()

    def edit_profile(
        self,
        actor: Actor,
        *,
        name: str | None = None,
        email: str | None = None,
        organisation_id: str | None = None,
        organisation_name: str | None = None,
    ) -> bool:
        """R28: the candidate edits the profile; returns whether anything changed."""
        check_role(actor, (Role.CANDIDATE,), "R28: only the candidate edits their profile")
        if name is None and email is None and organisation_id is None:
            raise InvalidInputError("Give at least one of name, email, organisation to change")
        if (organisation_id is None) != (organisation_name is None):
            raise InvalidInputError("organisation needs both id and name")
        if name is not None:
            name = values.line(name, "name", limit=values.NAME_LIMIT, rule="R28")
        if email is not None:
            email = values.email(email, "email", rule="R28")
        if organisation_id is not None and organisation_name is not None:
            organisation_id = values.line(
                organisation_id, "organisation.id", limit=values.ORGANISATION_ID_LIMIT, rule="R28"
            )
            organisation_name = values.line(
                organisation_name, "organisation.name", limit=values.NAME_LIMIT, rule="R28"
            )
        changed = {
            "name": None if name == self.name else name,
            "email": None if email == self.email else email,
            "organisation_id": None,
            "organisation_name": None,
        }
        if (organisation_id, organisation_name) != (self.organisation_id, self.organisation_name):
            changed["organisation_id"] = organisation_id
            changed["organisation_name"] = organisation_name
        if all(value is None for value in changed.values()):
            return False
        trigger_by(self, actor, own_event(self, ProfileEdited), **changed)
        return True

    def change_specialty(
        self,
        actor: Actor,
        *,
        specialty: str,
        from_date: date,
        today: date,
        specialties: tuple[str, ...],
    ) -> None:
        """R28: the doctor goes on in `specialty` from `from_date` (not in the future, not
        before the current specialty began); 409 when it is already the current one."""
        check_role(
            actor,
            SPECIALTY_CHANGERS,
            "R28: only the candidate, the leader or a deputy records a new specialty",
        )
        check_specialty(specialty, specialties)
        check_not_future(from_date, today, "from")
        since = self.current_specialty_since()
        if from_date < since:
            raise InvalidInputError(
                f"R28: from {from_date.isoformat()} is before {since.isoformat()}, when "
                f"{self.specialty} began; give a later date"
            )
        if specialty == self.specialty:
            raise SpecialtyAlreadyCurrentError(
                f"R28: {specialty} is already the current specialty; nothing to record"
            )
        trigger_by(
            self,
            actor,
            own_event(self, SpecialtyChanged),
            specialty=specialty,
            previous=self.specialty,
            from_date=from_date,
        )
