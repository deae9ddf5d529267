"""Finding candidates (API.md v1.1 "Finding things"): who may search, and with what.

A search spans every candidate, so no relation to a candidate can grant it: only
auditors search (others 403, never 404: there is no one candidate whose existence
a refusal could leak). A name is matched on its search key, `casefold()` of its NFC
form, so "øde" and "ØDE" find "Åse Ødegård" on SQLite and PostgreSQL alike (SQL's
LOWER() folds ASCII only there).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from kompetanse_domain.errors import ForbiddenError, InvalidInputError
from kompetanse_domain.model import values
from kompetanse_domain.model.candidate_state import HPR_PATTERN
from kompetanse_domain.model.identity import Identity

SEARCH_LIMIT = 50  # at most this many candidates per answer, ordered by name
Q_MIN = 2
Q_MAX = 100
SEARCH_REFUSAL = (
    "Only auditors search candidates (platform role auditor); open a candidate you have "
    "a role for by its id"
)


def name_search_key(name: str) -> str:
    """The form a name is stored and matched in: NFC, then `casefold()`."""
    return unicodedata.normalize("NFC", name).casefold()


@dataclass(frozen=True)
class CandidateSearch:
    """A checked search: an HPR number, a name fragment's search key, or both (AND)."""

    hpr_number: str | None
    name_key: str | None
    limit: int = SEARCH_LIMIT


def check_candidate_search(
    identity: Identity, hpr_number: str | None, q: str | None
) -> CandidateSearch:
    """Auditors only (403); then `hpr_number` (4-9 ASCII digits) and/or `q` (a part of
    the name, 2-100 characters after trimming), else 422."""
    if not identity.is_auditor:
        raise ForbiddenError(SEARCH_REFUSAL)
    if hpr_number is None and q is None:
        raise InvalidInputError(
            "give hpr_number (4 to 9 digits) or q (a part of the name, at least "
            f"{Q_MIN} characters)"
        )
    if hpr_number is not None and not HPR_PATTERN.fullmatch(hpr_number):
        raise InvalidInputError("hpr_number must be 4 to 9 digits (0-9)")
    key = None
    if q is not None:
        text = values.line(q, "q", limit=Q_MAX)
        if len(text) < Q_MIN:
            raise InvalidInputError(
                f"q must hold at least {Q_MIN} characters of the name; write more of it"
            )
        key = name_search_key(text)
    return CandidateSearch(hpr_number, key)
