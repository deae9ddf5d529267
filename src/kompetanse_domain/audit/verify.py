"""Compare the chain recomputed from stored events with the recorded chain (ADR 0011)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from uuid import UUID

from kompetanse_domain.audit.chain import ChainLink
from kompetanse_domain.audit.recompute import UnattributedEventError


@dataclass(frozen=True)
class RecordedLink:
    position: int
    candidate_id: UUID
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    first_bad_position: int | None = None
    reason: str | None = None


def verify_links(
    recomputed: Iterable[ChainLink | UnattributedEventError],
    recorded: Iterable[RecordedLink],
    *,
    candidate_id: UUID | None = None,
    upto: int | None = None,
) -> VerifyResult:
    """Merge both chains by position; the first difference is where tampering starts.

    A stored event with no recorded link was inserted; a recorded link with no stored
    event was deleted; a different hash was changed or moved. Events after `upto` (not
    yet recorded by the audit view) are not judged.
    """
    stored = _in_scope(recomputed, candidate_id, upto)
    kept = iter(recorded)
    mine = next(stored, None)
    theirs = next(kept, None)
    events = 0
    while mine is not None or theirs is not None:
        if isinstance(mine, UnattributedEventError):
            return VerifyResult(False, events, mine.position, str(mine))
        if mine is None or (theirs is not None and theirs.position < mine.position):
            assert theirs is not None  # the loop runs while one of the two is left
            return VerifyResult(
                False, events, theirs.position, "recorded event is missing from the store"
            )
        if theirs is None or mine.position < theirs.position:
            return VerifyResult(False, events, mine.position, "stored event has no recorded link")
        if mine.hash != theirs.hash or mine.candidate_id != theirs.candidate_id:
            return VerifyResult(False, events, mine.position, "stored event does not match")
        events += 1
        mine, theirs = next(stored, None), next(kept, None)
    return VerifyResult(True, events)


def _in_scope(
    links: Iterable[ChainLink | UnattributedEventError], candidate_id: UUID | None, upto: int | None
) -> Iterator[ChainLink | UnattributedEventError]:
    for link in links:
        if upto is not None and link.position > upto:
            return
        if isinstance(link, UnattributedEventError) or candidate_id in (None, link.candidate_id):
            yield link
