"""`finder`: who each candidate is, keyed for finding them (API.md v1.1 "Finding things").

One row per candidate: the name with its search key (`finding.name_search_key`:
NFC, then `casefold()`, so a match is case-insensitive with æøå on both stores),
the HPR number (indexed), the specialty and the organisation. A view of its own, so
adding it needed no rebuild of `candidates`: a new view is filled from position 0 at
start-up. An event that changes a candidate's name, HPR number, specialty or
organisation must update this view too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.candidate_profile import ProfileEdited, SpecialtyChanged
from kompetanse_domain.model.finding import name_search_key
from projections.engine.base import ViewProjection, ViewTx, event_handlers
from projections.views import candidate_rows
from projections.views.columns import Tables


@dataclass(frozen=True)
class FinderTables:
    candidate: Table


Tx = ViewTx[FinderTables]


def define_finder_tables(md: MetaData, g: int) -> FinderTables:
    # casefold() may lengthen a name (ß -> ss): `name_key` has no length bound, and no
    # index (a LIKE on a part of the name scans; one short row per candidate)
    candidate = Tables(md, g)("finder_candidate", (
        "candidate_id name name_key hpr_number? specialty organisation_id organisation_name"
    ), index_on="hpr_number")  # fmt: skip
    return FinderTables(candidate)


class FinderView(ViewProjection[FinderTables], name="finder"):
    define = staticmethod(define_finder_tables)

    process_event = event_handlers()

    @process_event.register
    def candidate_registered(self, event: Candidate.Registered, tx: Tx) -> None:
        shown = "name hpr_number specialty organisation_id organisation_name"
        row = candidate_rows.registered(event, shown)
        tx.insert(tx.t.candidate, **row, name_key=name_search_key(event.name))

    @process_event.register
    def profile_edited(self, event: ProfileEdited, tx: Tx) -> None:
        """R28: a changed name is found under the new one."""
        candidate_rows.edit(tx, tx.t.candidate, event, "name organisation_id organisation_name")
        if event.name is not None:
            candidate_rows.update(tx, tx.t.candidate, event, name_key=name_search_key(event.name))

    @process_event.register
    def specialty_changed(self, event: SpecialtyChanged, tx: Tx) -> None:
        candidate_rows.update(tx, tx.t.candidate, event, specialty=event.specialty)
