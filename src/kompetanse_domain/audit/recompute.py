"""Recompute candidates' chains from the stored events themselves (ADR 0011)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from uuid import UUID

from kompetanse_domain.audit.chain import GENESIS, ChainLink, link_hash

CANDIDATE_MODULE = "kompetanse_domain.model.candidate:Candidate."
GOAL_PREFIX = "kompetanse_domain.model.learning_goal:LearningGoal."
MEETING_PREFIX = "kompetanse_domain.model.meeting:SupervisionMeeting."
CREATED_TOPICS = (GOAL_PREFIX + "Opened", MEETING_PREFIX + "Created")


def is_chained_topic(topic: str) -> bool:
    """Events of a candidate, its goals and its meetings; receipts and indexes are not."""
    return topic.startswith((CANDIDATE_MODULE, GOAL_PREFIX, MEETING_PREFIX))


class UnattributedEventError(ValueError):
    """Raised when a stored event of a goal or meeting has no known candidate."""

    def __init__(self, position: int) -> None:
        super().__init__(f"stored event at position {position} belongs to no known candidate")
        self.position = position


class ChainRecomputer:
    """Folds stored events, in position order, into chain links per candidate.

    `decode_state` turns a created event's stored state into a dict (the application's
    mapper does this, decrypting if needed) so goals and meetings can be attributed.
    """

    def __init__(self, decode_created: Any) -> None:
        self._decode_created = decode_created
        self.owner: dict[UUID, UUID] = {}
        self.heads: dict[UUID, str] = {}
        self.counts: dict[UUID, int] = {}

    def candidate_of(self, notification: Any) -> UUID | None:
        topic: str = notification.topic
        if not is_chained_topic(topic):
            return None
        aggregate_id = UUID(str(notification.originator_id))
        if topic.startswith(CANDIDATE_MODULE):
            return aggregate_id
        if topic in CREATED_TOPICS:
            event = self._decode_created(notification)
            self.owner[aggregate_id] = UUID(str(event.candidate_id))
        owner = self.owner.get(aggregate_id)
        if owner is None:
            raise UnattributedEventError(notification.id)
        return owner

    def link(self, notification: Any) -> ChainLink | None:
        candidate_id = self.candidate_of(notification)
        if candidate_id is None:
            return None
        prev = self.heads.get(candidate_id, GENESIS)
        digest = link_hash(
            position=notification.id,
            aggregate_id=notification.originator_id,
            version=notification.originator_version,
            topic=notification.topic,
            state=notification.state,
            prev_hash=prev,
        )
        self.heads[candidate_id] = digest
        self.counts[candidate_id] = self.counts.get(candidate_id, 0) + 1
        return ChainLink(
            position=notification.id,
            candidate_id=candidate_id,
            aggregate_id=UUID(str(notification.originator_id)),
            version=notification.originator_version,
            topic=notification.topic,
            hash=digest,
            prev_hash=prev,
        )

    def links(self, notifications: Iterable[Any]) -> Iterator[ChainLink | UnattributedEventError]:
        """Links in order; an event that cannot be attributed is yielded as an error."""
        for notification in notifications:
            try:
                link = self.link(notification)
            except UnattributedEventError as error:
                yield error
                continue
            if link is not None:
                yield link
