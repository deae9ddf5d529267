"""`profile`: what the profile that follows the doctor adds to GET /v1/candidates/{cid}
(R28, ADR 0022; R7 a deputy's end, API.md v1.1 "Mentor and leader").

- `profile_specialty`: each specialty of the candidate, numbered in the order they
  began: the one registered with (from the registration's day in Oslo), then each
  `SpecialtyChanged` (from its `from_date`); a specialty's `until` is the day the next
  one began, None for the current one.
- `profile_invitation`: `until` of each deputy invitation that has one, until accepted;
  `profile_deputy`: the last day of each deputy (None: no end), from the invitation
  they accepted.

A view of its own, so adding it needed no rebuild of `candidates`: a new view is filled
from position 0 at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Table

from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_invitations import InvitationIssued
from kompetanse_domain.model.candidate_profile import SpecialtyChanged
from kompetanse_domain.model.identity import Role
from kompetanse_domain.model.values import in_zone
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.views.columns import TableGroup, spec

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class ProfileTables(TableGroup):
    head: Table = spec("profile_head", "candidate_id specialties")  # specialties had
    specialty: Table = spec(
        "profile_specialty", "candidate_id ordinal specialty from_date until?", key=2
    )
    invitation: Table = spec("profile_invitation", "candidate_id invitation_id until", key=2)
    deputy: Table = spec("profile_deputy", "candidate_id sub until?", key=2)


Tx = ViewTx[ProfileTables]


class ProfileView(ViewProjection[ProfileTables], name="profile"):
    define = staticmethod(ProfileTables.define)

    process_event = event_handlers()

    @process_event.register
    def candidate_registered(self, event: Candidate.Registered, tx: Tx) -> None:
        cid = aggregate_id(event)
        tx.insert(tx.t.head, candidate_id=cid, specialties=1)
        tx.insert(
            tx.t.specialty,
            candidate_id=cid,
            ordinal=1,
            specialty=event.specialty,
            from_date=in_zone(event.timestamp, OSLO).date(),
            until=None,
        )

    @process_event.register
    def specialty_changed(self, event: SpecialtyChanged, tx: Tx) -> None:
        cid = aggregate_id(event)
        count = int(tx.value(tx.t.head, "specialties", {"candidate_id": cid}) or 0)
        if count:
            tx.update(
                tx.t.specialty, {"candidate_id": cid, "ordinal": count}, until=event.from_date
            )
        tx.update(tx.t.head, {"candidate_id": cid}, specialties=count + 1)
        tx.insert(
            tx.t.specialty,
            candidate_id=cid,
            ordinal=count + 1,
            specialty=event.specialty,
            from_date=event.from_date,
            until=None,
        )

    @process_event.register
    def invitation_issued(self, event: InvitationIssued, tx: Tx) -> None:
        if event.role == Role.DEPUTY and event.until is not None:
            tx.insert(
                tx.t.invitation,
                candidate_id=aggregate_id(event),
                invitation_id=event.invitation_id,
                until=event.until,
            )

    @process_event.register
    def invitation_accepted(self, event: Candidate.InvitationAccepted, tx: Tx) -> None:
        if event.role != Role.DEPUTY:
            return
        cid = aggregate_id(event)
        invitation = {"candidate_id": cid, "invitation_id": event.invitation_id}
        until = tx.value(tx.t.invitation, "until", invitation)
        tx.delete(tx.t.invitation, invitation)
        tx.replace(tx.t.deputy, {"candidate_id": cid, "sub": event.actor}, until=until)

    @process_event.register
    def role_revoked(self, event: Candidate.RoleRevoked, tx: Tx) -> None:
        if event.role == Role.DEPUTY:
            tx.delete(tx.t.deputy, {"candidate_id": aggregate_id(event), "sub": event.sub})
