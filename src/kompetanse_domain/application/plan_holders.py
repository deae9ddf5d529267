"""Which candidates hold a plan in another version (R30): what `kompetanse catalogue
migrate` moves in bulk. Read from the event store itself (every `PlanAssigned` ever
saved, in bounded batches), never from a view that might lag or be rebuilding."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from eventsourcing.utils import get_topic

from kompetanse_domain.application.service import KompetanseApplication
from kompetanse_domain.model.candidate import Candidate

BATCH = 2000


def candidates_on_other_version(
    application: KompetanseApplication, plan_code: str, version: str
) -> list[UUID]:
    """Candidates whose active plan `plan_code` is in a version other than `version`,
    in the order their plan was first assigned."""
    topics = (get_topic(Candidate.PlanAssigned),)
    found: dict[UUID, None] = {}
    after = 0
    while True:
        batch = application.recorder.select_notifications(
            start=after, limit=BATCH, topics=topics, inclusive_of_start=False
        )
        if not batch:
            break
        for notification in batch:
            event = cast(Candidate.PlanAssigned, application.mapper.to_domain_event(notification))
            if event.plan_code == plan_code:
                found.setdefault(event.originator_id, None)
        after = batch[-1].id
    waiting = []
    for candidate_id in found:
        plan = application.get_candidate(candidate_id).plans.get(plan_code)
        if plan is not None and plan["state"] == "active" and plan["version"] != version:
            waiting.append(candidate_id)
    return waiting
