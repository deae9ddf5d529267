"""`mentor`: whom a person is veileder for, and the concerns raised about candidates (R26).

A person sees a candidate in `GET /v1/veiledere/me/candidates` while they hold the role
veileder; the candidate's name, specialty and goal totals are read from the `leader`
view and its meetings from `meetings`. Concerns are one row each, `open` until the
leader or a deputy resolves them with a note; `open_concerns` on both lists counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_concerns import (
    ConcernRaised,
    ConcernResolved,
)
from kompetanse_domain.model.identity import Role
from kompetanse_domain.model.vocabulary import ConcernState
from projections.engine.base import ViewProjection, ViewTx, aggregate_id, event_handlers
from projections.views.columns import Tables
from projections.views.rows import actor, fields


@dataclass(frozen=True)
class MentorTables:
    link: Table  # (sub, candidate) for role veileder, while held
    concern: Table  # one row per concern (R26)


Tx = ViewTx[MentorTables]


def define_mentor_tables(md: MetaData, g: int) -> MentorTables:
    t = Tables(md, g)
    link = t("mentor_link", "sub candidate_id since", key=2)
    concern = t("mentor_concern", (
        "concern_id candidate_id text raised_by_sub raised_by_name raised_at state"
        " resolved_by_sub? resolved_by_name? resolved_at? note?"
    ), index_on="candidate_id state")  # fmt: skip
    return MentorTables(link, concern)


class MentorView(ViewProjection[MentorTables], name="mentor"):
    define = staticmethod(define_mentor_tables)

    process_event = event_handlers()

    @process_event.register
    def invitation_accepted(self, event: Candidate.InvitationAccepted, tx: Tx) -> None:
        if event.role == Role.VEILEDER.value:
            key = {"sub": event.actor, "candidate_id": aggregate_id(event)}
            tx.replace(tx.t.link, key, since=event.timestamp)

    @process_event.register
    def role_revoked(self, event: Candidate.RoleRevoked, tx: Tx) -> None:
        if event.role == Role.VEILEDER.value:
            tx.delete(tx.t.link, {"sub": event.sub, "candidate_id": aggregate_id(event)})

    @process_event.register
    def concern_raised(self, event: ConcernRaised, tx: Tx) -> None:
        tx.insert(
            tx.t.concern,
            **fields(event, "concern_id text"),
            **actor(event, "raised_by_sub", "raised_by_name", "raised_at"),
            candidate_id=aggregate_id(event),
            state=ConcernState.OPEN,
        )

    @process_event.register
    def concern_resolved(self, event: ConcernResolved, tx: Tx) -> None:
        tx.update(
            tx.t.concern,
            {"concern_id": event.concern_id},
            **actor(event, "resolved_by_sub", "resolved_by_name", "resolved_at"),
            state=ConcernState.RESOLVED,
            note=event.note,
        )
