"""KompetanseApplication: one method per command of API.md (STYLE 4, ADR 0002, ADR 0007).

The use cases live by concern, each a mixin of this one application class:

- `candidates`: registering, invitations, roles, attachments (R1-R3, R9);
- `plans`: assigning, archiving and removing plans (R4, R5);
- `goals`: learning goals and their activities (R6-R11, R13);
- `corrections`: editing and withdrawing activities, recalls, withdrawn approvals (R29);
- `meetings`: supervision meetings (R15-R18, R25);
- `concerns`: the mentor's concerns, answered by the leader (R26);
- `sync`: approvals imported from the other portal version (R23);
- `audit` (`AuditService`): reads over the stored events (R24).

Each use case loads what it needs (`loads`), calls one command on an aggregate (the
rules live there), and returns the changes; `unit_of_work` saves them in one atomic
`save()` and is the one place for idempotency, If-Match and retries. This module
holds what makes it one application: its name, event store, mapper and settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Mapper
from eventsourcing.utils import Environment, EnvType

from kompetanse_domain.application.candidates import AlreadyRegisteredError, CandidateUseCases
from kompetanse_domain.application.concerns import ConcernUseCases
from kompetanse_domain.application.corrections import CorrectionUseCases
from kompetanse_domain.application.event_store import PrefetchableEventStore
from kompetanse_domain.application.goals import GoalUseCases
from kompetanse_domain.application.loads import (
    CandidateNotFoundError,
    GoalNotFoundError,
    MeetingNotFoundError,
)
from kompetanse_domain.application.meetings import MeetingUseCases
from kompetanse_domain.application.migrations import PlanMigrationUseCases
from kompetanse_domain.application.plans import PlanUseCases
from kompetanse_domain.application.profile import ProfileUseCases
from kompetanse_domain.application.repairs import RepairingMapper
from kompetanse_domain.application.sync import SyncUseCases
from kompetanse_domain.application.transcodings import DateAsISO
from kompetanse_domain.catalogue import Catalogue, load_catalogue
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.meeting import SupervisionMeeting

__all__ = [
    "AlreadyRegisteredError",
    "CandidateNotFoundError",
    "GoalNotFoundError",
    "KompetanseApplication",
    "MeetingNotFoundError",
]


class KompetanseApplication(
    CandidateUseCases,
    ProfileUseCases,
    PlanUseCases,
    PlanMigrationUseCases,
    GoalUseCases,
    CorrectionUseCases,
    MeetingUseCases,
    SyncUseCases,
    ConcernUseCases,
):
    """The use cases of the portal."""

    name = "Kompetanse"
    events: PrefetchableEventStore
    snapshotting_intervals = {Candidate: 100, LearningGoal: 100, SupervisionMeeting: 100}

    def __init__(
        self, env: dict[str, str] | None = None, *, catalogue: Catalogue | None = None
    ) -> None:
        super().__init__(env=env)
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        part3 = sorted({plan.specialty for plan in self.catalogue.plans if plan.specialty})
        self.specialties = ("LIS1", *part3)

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the settings passed in (ADR 0002): the process environment never leaks in.

        The library would merge `os.environ`, so a stray `KOMPETANSE_CIPHER_KEY` or
        `PERSISTENCE_MODULE` in a shell could silently change where and how events go.
        """
        settings = dict(type(self).env)
        if type(self).snapshotting_intervals:
            settings["IS_SNAPSHOTTING_ENABLED"] = "y"
        settings.update(env or {})
        return Environment(name, settings)

    def construct_event_store(self) -> PrefetchableEventStore:
        """The persistence factory's event store (ours prefetch, ADR 0002), else one that
        reads each load on its own (the library's factories, as in unit tests)."""
        events = self.factory.event_store(mapper=self.mapper, recorder=self.recorder)
        if isinstance(events, PrefetchableEventStore):
            return events
        return PrefetchableEventStore(mapper=self.mapper, recorder=self.recorder)

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, reading declared repairs of stored events (ADR 0019)."""
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=RepairingMapper
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def _prefetched(self, ids: Iterable[UUID]) -> AbstractContextManager[None]:
        """Loads of a candidate and its goal share one read of the store."""
        return self.events.prefetched(self.repository, ids)
