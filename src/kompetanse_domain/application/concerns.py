"""Use cases of the mentor's concerns about a candidate (R26)."""

from __future__ import annotations

import uuid
from functools import partial
from uuid import UUID

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import Loads
from kompetanse_domain.application.unit_of_work import Answer
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Actor


class ConcernUseCases(Loads):
    """Mixed into `KompetanseApplication`."""

    def raise_concern(self, ctx: CommandContext, candidate_id: UUID, *, text: str) -> Outcome:
        """R26: the veileder tells the leader that progress is not as expected."""
        concern_id = uuid.uuid4()

        def raise_(candidate: Candidate, actor: Actor) -> Answer:
            candidate.raise_concern(actor, concern_id=str(concern_id), text=text)
            return {"concern_id": str(concern_id)}

        return self._change_candidate(ctx, candidate_id, raise_)

    def resolve_concern(
        self, ctx: CommandContext, candidate_id: UUID, concern_id: str, *, note: str
    ) -> Outcome:
        """R26: the leader or a deputy answers a concern with a note."""
        resolve = partial(Candidate.resolve_concern, concern_id=concern_id, note=note)
        return self._change_candidate(ctx, candidate_id, resolve)
