"""GET /v1/candidates?hpr_number=&q=: candidates by HPR number or a part of the name."""

from __future__ import annotations

from sqlalchemy import select

from kompetanse_domain.model.finding import CandidateSearch
from projections.queries.port import CandidateMatchRow
from projections.queries.read import ReadTx
from projections.views.finder import FinderTables

_ESCAPE = "\\"


def like_fragment(key: str) -> str:
    """`%key%` with `%`, `_` and the escape character itself taken literally."""
    escaped = (
        key.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    )
    return f"%{escaped}%"


def search_candidates(r: ReadTx, search: CandidateSearch) -> list[CandidateMatchRow]:
    t: FinderTables = r.t("finder")
    c = t.candidate.c
    query = select(t.candidate)
    if search.hpr_number is not None:
        query = query.where(c.hpr_number == search.hpr_number)
    if search.name_key is not None:
        query = query.where(c.name_key.like(like_fragment(search.name_key), escape=_ESCAPE))
    rows = r.conn.execute(query.order_by(c.name_key, c.candidate_id).limit(search.limit)).all()
    return [
        {
            "candidate_id": row.candidate_id,
            "name": row.name,
            "hpr_number": row.hpr_number,
            "specialty": row.specialty,
            "organisation": {"id": row.organisation_id, "name": row.organisation_name},
        }
        for row in rows
    ]
