"""Use cases of the mentor's concerns about a candidate (R26)."""

from __future__ import annotations

import uuid
from uuid import UUID

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loads import Loads
from kompetanse_domain.application.unit_of_work import Decision, changes


class ConcernUseCases(Loads):
    """Mixed into `KompetanseApplication`."""

    def raise_concern(self, ctx: CommandContext, candidate_id: UUID, *, text: str) -> Outcome:
        """R26: the veileder tells the leader that progress is not as expected."""
        concern_id = uuid.uuid4()

        def decide() -> Decision:
            candidate, actor = self._candidate_for_change(ctx, candidate_id)
            candidate.raise_concern(actor, concern_id=str(concern_id), text=text)
            return changes(candidate, value={"concern_id": str(concern_id)})

        return self._execute(ctx, decide)

    def resolve_concern(
        self, ctx: CommandContext, candidate_id: UUID, concern_id: str, *, note: str
    ) -> Outcome:
        """R26: the leader or a deputy answers a concern with a note."""

        def decide() -> Decision:
            candidate, actor = self._candidate_for_change(ctx, candidate_id)
            candidate.resolve_concern(actor, concern_id=concern_id, note=note)
            return changes(candidate)

        return self._execute(ctx, decide)
