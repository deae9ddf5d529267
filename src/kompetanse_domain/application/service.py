"""KompetanseApplication: one method per command of API.md (STYLE 4, ADR 0002, ADR 0007).

Each use case loads what it needs, calls one command on an aggregate (the rules
live there), and saves everything it changed in one atomic `save()`.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    JSONTranscoder,
    Mapper,
    OperationalError,
)
from eventsourcing.utils import Environment, EnvType

from kompetanse_domain.application.context import CommandContext, Outcome
from kompetanse_domain.application.loading import PrefetchingEventStore
from kompetanse_domain.application.receipts import CommandReceipt, PersonIndex, receipt_id
from kompetanse_domain.application.repairs import RepairingMapper
from kompetanse_domain.application.transcodings import DateAsISO
from kompetanse_domain.catalogue import Catalogue, load_catalogue
from kompetanse_domain.errors import (
    ConflictError,
    IdempotencyKeyReusedError,
    NotFoundError,
    UnavailableError,
    VersionMismatchError,
)
from kompetanse_domain.model import values
from kompetanse_domain.model.candidate import Candidate, InvitationNotFoundError
from kompetanse_domain.model.guards import check_sync_job
from kompetanse_domain.model.identity import Actor, Identity, Role, candidate_id_for, goal_id_for
from kompetanse_domain.model.learning_goal import GoalState, LearningGoal
from kompetanse_domain.model.meeting import SupervisionMeeting

INVITATION_LIFETIME = timedelta(days=30)
ATTEMPTS = 5

A = TypeVar("A", bound=Aggregate)
Decision = tuple[Sequence[Aggregate], Aggregate | None, dict[str, Any]]

_LOADED: ContextVar[list[int] | None] = ContextVar("loaded_versions", default=None)
"""The versions the aggregates one decision changes were loaded at (checked with If-Match)."""


class CandidateNotFoundError(NotFoundError):
    """Raised when no candidate has the id (or the actor may not know it exists)."""


class GoalNotFoundError(NotFoundError):
    """Raised when the candidate has no goal with the code."""


class MeetingNotFoundError(NotFoundError):
    """Raised when no supervision meeting has the id."""


class AlreadyRegisteredError(ConflictError):
    """Raised when a person registers as candidate twice (R1), or an HPR number is taken."""


class KompetanseApplication(Application[UUID]):
    """The use cases of the portal."""

    name = "Kompetanse"
    events: PrefetchingEventStore
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

    def construct_event_store(self) -> PrefetchingEventStore:
        return PrefetchingEventStore(mapper=self.mapper, recorder=self.recorder)

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, reading declared repairs of stored events (ADR 0019)."""
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=RepairingMapper
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- candidates and roles (R1-R3) ------------------------------------------------

    def register_candidate(
        self,
        ctx: CommandContext,
        *,
        name: str,
        email: str,
        specialty: str,
        organisation_id: str,
        organisation_name: str,
        hpr_number: str | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            candidate_id = candidate_id_for(ctx.identity.sub)
            if self._exists(candidate_id):
                raise AlreadyRegisteredError("R1: you are already registered as a candidate")
            candidate = Candidate.register(
                ctx.identity,
                name=name,
                email=email,
                specialty=specialty,
                organisation_id=organisation_id,
                organisation_name=organisation_name,
                hpr_number=hpr_number,
                specialties=self.specialties,
            )
            changed: list[Aggregate] = [candidate]
            if hpr_number is not None:
                index_id = PersonIndex.create_id(hpr_number)
                if self._exists(index_id):
                    raise AlreadyRegisteredError(
                        f"R1: HPR number {hpr_number} is already registered to a candidate"
                    )
                changed.append(PersonIndex(hpr_number=hpr_number, candidate_id=candidate.id))
            return changed, candidate, {"candidate_id": str(candidate.id)}

        return self._execute(ctx, decide)

    def invite(
        self, ctx: CommandContext, candidate_id: UUID, *, role: str, name: str, email: str
    ) -> Outcome:
        def decide() -> Decision:
            candidate = self._target(self.get_candidate(candidate_id, for_change=True), ctx)
            candidate.check_can_read(candidate.actor(ctx.identity))  # not found before the role
            invitation_id = uuid.uuid4()
            secret = secrets.token_urlsafe(24)
            candidate.invite(
                candidate.actor(ctx.identity),
                invitation_id=str(invitation_id),
                role=role,
                name=name,
                email=email,
                secret=secret,
                expires_at=ctx.now + INVITATION_LIFETIME,
            )
            token = f"{candidate.id.hex}.{invitation_id.hex}.{secret}"
            value = {"invitation_id": str(invitation_id), "token": token}
            return [candidate], candidate, value

        return self._execute(ctx, decide)

    def accept_invitation(self, ctx: CommandContext, token: str) -> Outcome:
        candidate_id, invitation_id, secret = _parse_token(token)

        def decide() -> Decision:
            try:
                candidate = self.get_candidate(candidate_id, for_change=True)
            except CandidateNotFoundError:
                raise InvitationNotFoundError("Invitation not found") from None
            role = candidate.accept_invitation(
                ctx.identity, invitation_id=invitation_id, secret=secret, now=ctx.now
            )
            return [candidate], candidate, {"candidate_id": str(candidate.id), "role": role.value}

        return self._execute(ctx, decide)

    def revoke_invitation(
        self, ctx: CommandContext, candidate_id: UUID, invitation_id: str, *, reason: str = ""
    ) -> Outcome:
        return self._on_candidate(
            ctx,
            candidate_id,
            lambda c, actor: c.revoke_invitation(actor, invitation_id=invitation_id, reason=reason),
        )

    def revoke_role(
        self, ctx: CommandContext, candidate_id: UUID, *, role: str, sub: str, reason: str = ""
    ) -> Outcome:
        return self._on_candidate(
            ctx,
            candidate_id,
            lambda c, actor: c.revoke_role(actor, role=role, sub=sub, reason=reason),
        )

    def upload_attachment(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        *,
        sha256: str,
        size: int,
        media_type: str,
        filename: str,
    ) -> Outcome:
        attachment_id = str(uuid.uuid4())
        return self._on_candidate(
            ctx,
            candidate_id,
            lambda c, actor: c.record_attachment(
                actor,
                attachment_id=attachment_id,
                sha256=sha256,
                size=size,
                media_type=media_type,
                filename=filename,
            ),
            value={"attachment_id": attachment_id, "sha256": sha256, "size": size},
        )

    def check_can_attach(self, identity: Identity, candidate_id: UUID) -> None:
        """R9: refuses as `upload_attachment` would (not found, not permitted), before
        the uploaded file is stored; the command checks again when it records it."""
        candidate = self.get_candidate(candidate_id)
        candidate.check_can_attach(candidate.actor(identity))

    # -- plans (R4, R5) --------------------------------------------------------------

    def assign_plan(self, ctx: CommandContext, candidate_id: UUID, *, plan_code: str) -> Outcome:
        def decide() -> Decision:
            candidate = self._target(self.get_candidate(candidate_id, for_change=True), ctx)
            actor = candidate.actor(ctx.identity)
            candidate.check_can_read(actor)  # unrelated: not found, before the plan code
            plan = self.catalogue.plan(plan_code)
            codes = [goal.code for goal in plan.goals]
            candidate.assign_plan(
                actor, plan_code=plan.code, catalogue_version=plan.version, goal_codes=codes
            )
            changed: list[Aggregate] = [candidate]
            for code in codes:
                existing = self._find(goal_id_for(candidate.id, code), LearningGoal)
                if existing is None:
                    changed.append(
                        LearningGoal.open(
                            actor,
                            candidate_id=candidate.id,
                            code=code,
                            plan_code=plan.code,
                            version=plan.version,
                        )
                    )
                else:
                    existing.reopen(actor, plan_code=plan.code, version=plan.version)
                    changed.append(existing)
            return changed, candidate, {"plan_code": plan.code, "goals": len(codes)}

        return self._execute(ctx, decide)

    def archive_plan(self, ctx: CommandContext, candidate_id: UUID, *, plan_code: str) -> Outcome:
        def decide() -> Decision:
            candidate = self._target(self.get_candidate(candidate_id, for_change=True), ctx)
            actor = candidate.actor(ctx.identity)
            plan = candidate.active_plan(plan_code) if actor.holds(Role.LEADER) else None
            unapproved = [
                code
                for code in (plan["goal_codes"] if plan else [])
                if self.get_goal(candidate.id, code).state != GoalState.APPROVED
            ]
            candidate.archive_plan(actor, plan_code=plan_code, unapproved_goals=unapproved)
            return [candidate], candidate, {}

        return self._execute(ctx, decide)

    def remove_plan(
        self, ctx: CommandContext, candidate_id: UUID, *, plan_code: str, reason: str
    ) -> Outcome:
        def decide() -> Decision:
            candidate = self._target(self.get_candidate(candidate_id, for_change=True), ctx)
            actor = candidate.actor(ctx.identity)
            candidate.remove_plan(actor, plan_code=plan_code, reason=reason)
            changed: list[Aggregate] = [candidate]
            for code in candidate.plans[plan_code]["goal_codes"]:
                goal = self.get_goal(candidate.id, code)
                goal.withdraw(actor, reason=f"plan {plan_code} removed: {reason.strip()}")
                changed.append(goal)
            return changed, candidate, {}

        return self._execute(ctx, decide)

    # -- activities (R9, R10) --------------------------------------------------------

    def register_activity(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        *,
        title: str,
        kind: str,
        fulfilled_on: date,
        activity_code: str | None = None,
        count: int | None = None,
        note: str | None = None,
        attachment_id: str | None = None,
    ) -> Outcome:
        activity_id = str(uuid.uuid4())

        def command(goal: LearningGoal, actor: Actor, candidate: Candidate) -> None:
            if actor.holds(Role.CANDIDATE):
                candidate.check_attachment(attachment_id)
            goal.register_activity(
                actor,
                activity_id=activity_id,
                title=title,
                kind=kind,
                fulfilled_on=fulfilled_on,
                today=ctx.today,
                activity_code=activity_code,
                count=count,
                note=note,
                attachment_id=attachment_id,
            )

        return self._on_goal(ctx, candidate_id, goal_code, command, {"activity_id": activity_id})

    def send_activity_for_signing(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        activity_id: str,
        *,
        signer_sub: str,
    ) -> Outcome:
        def command(goal: LearningGoal, actor: Actor, candidate: Candidate) -> None:
            goal.activity(activity_id)
            signer = candidate.signer(signer_sub) if actor.holds(Role.CANDIDATE) else None
            goal.send_activity_for_signing(
                actor,
                activity_id=activity_id,
                signer_sub=signer_sub,
                signer_name=signer["name"] if signer else "",
            )

        return self._on_goal(ctx, candidate_id, goal_code, command)

    def sign_activity(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        activity_id: str,
        *,
        comment: str | None = None,
    ) -> Outcome:
        return self._on_goal(
            ctx,
            candidate_id,
            goal_code,
            lambda goal, actor, _: goal.sign_activity(
                actor, activity_id=activity_id, comment=comment
            ),
        )

    def reject_activity(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        activity_id: str,
        *,
        reason: str,
    ) -> Outcome:
        return self._on_goal(
            ctx,
            candidate_id,
            goal_code,
            lambda goal, actor, _: goal.reject_activity(
                actor, activity_id=activity_id, reason=reason
            ),
        )

    # -- goals (R6-R8, R11, R13) -----------------------------------------------------

    def comment_goal(
        self, ctx: CommandContext, candidate_id: UUID, goal_code: str, *, text: str
    ) -> Outcome:
        comment_id = str(uuid.uuid4())
        return self._on_goal(
            ctx,
            candidate_id,
            goal_code,
            lambda goal, actor, _: goal.comment(actor, comment_id=comment_id, text=text),
            {"comment_id": comment_id},
        )

    def send_goal_for_approval(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        *,
        completed_on: date,
        comment: str | None = None,
    ) -> Outcome:
        def command(goal: LearningGoal, actor: Actor, candidate: Candidate) -> None:
            approver = candidate.approver() if actor.holds(Role.CANDIDATE) else None
            goal.send_for_approval(
                actor,
                completed_on=completed_on,
                today=ctx.today,
                approver_sub=approver["sub"] if approver else "",
                approver_name=approver["name"] if approver else "",
                comment=comment,
            )

        return self._on_goal(ctx, candidate_id, goal_code, command)

    def approve_goal(
        self, ctx: CommandContext, candidate_id: UUID, goal_code: str, *, comment: str | None = None
    ) -> Outcome:
        return self._on_goal(
            ctx,
            candidate_id,
            goal_code,
            lambda goal, actor, _: goal.approve(actor, comment=comment),
        )

    def reject_goal(
        self, ctx: CommandContext, candidate_id: UUID, goal_code: str, *, reason: str
    ) -> Outcome:
        return self._on_goal(
            ctx, candidate_id, goal_code, lambda goal, actor, _: goal.reject(actor, reason=reason)
        )

    def import_approval(
        self,
        ctx: CommandContext,
        *,
        hpr_number: str | None,
        sub: str | None,
        goal_code: str,
        source_portal: str,
        source_event_id: str,
        approved_at: datetime,
        approver_name: str,
    ) -> Outcome:
        """R23: an approval made in the other portal version, applied at most once."""

        check_sync_job(ctx.identity)

        def decide() -> Decision:
            candidate = self.find_candidate_for_person(hpr_number=hpr_number, sub=sub)
            goal = self._target(self.get_goal(candidate.id, goal_code), ctx)
            applied = goal.import_approval(
                ctx.identity,
                source_portal=source_portal,
                source_event_id=source_event_id,
                approved_at=approved_at,
                approver_name=approver_name,
            )
            return [goal], goal, {"candidate_id": str(candidate.id), "applied": applied}

        return self._execute(ctx, decide)

    # -- supervision meetings (R15-R18) ----------------------------------------------

    def create_meeting(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        *,
        scheduled_for: date | datetime,
        planned_minutes: int,
    ) -> Outcome:
        meeting_id = uuid.uuid4()

        def decide() -> Decision:
            candidate = self.get_candidate(candidate_id)
            meeting = SupervisionMeeting.create(
                candidate.actor(ctx.identity),
                meeting_id=meeting_id,
                candidate_id=candidate.id,
                scheduled_for=scheduled_for,
                planned_minutes=planned_minutes,
            )
            return [meeting], meeting, {"meeting_id": str(meeting_id)}

        return self._execute(ctx, decide)

    def write_preparation(self, ctx: CommandContext, meeting_id: UUID, *, text: str) -> Outcome:
        return self._on_meeting(
            ctx, meeting_id, lambda m, actor, _: m.write_preparation(actor, text=text)
        )

    def revise_summary(
        self, ctx: CommandContext, meeting_id: UUID, *, text: str, goals_discussed: list[str]
    ) -> Outcome:
        return self._on_meeting(
            ctx,
            meeting_id,
            lambda m, actor, candidate: m.revise_summary(
                actor,
                text=text,
                goals_discussed=goals_discussed,
                known_goals=candidate.goal_codes(),
            ),
        )

    def finalise_meeting(
        self, ctx: CommandContext, meeting_id: UUID, *, held_on: date, duration_minutes: int
    ) -> Outcome:
        return self._on_meeting(
            ctx,
            meeting_id,
            lambda m, actor, _: m.finalise(
                actor, held_on=held_on, duration_minutes=duration_minutes, today=ctx.today
            ),
        )

    # -- loading ---------------------------------------------------------------------

    def get_candidate(self, candidate_id: UUID, *, for_change: bool = False) -> Candidate:
        """The candidate; without `for_change` a shared read-only copy from the cache."""
        candidate = self._find(candidate_id, Candidate, copy=for_change)
        if candidate is None:
            raise CandidateNotFoundError(
                "Candidate not found, or you have no role for this candidate"
            )
        return candidate

    def get_goal(self, candidate_id: UUID, goal_code: str) -> LearningGoal:
        return self._goal(goal_id_for(candidate_id, goal_code), goal_code)

    def _goal(self, goal_id: UUID, goal_code: str) -> LearningGoal:
        goal = self._find(goal_id, LearningGoal)
        if goal is None:
            raise GoalNotFoundError(f"Goal {goal_code} is not in this candidate's plans")
        return goal

    def get_meeting(self, meeting_id: UUID) -> SupervisionMeeting:
        meeting = self._find(meeting_id, SupervisionMeeting)
        if meeting is None:
            raise MeetingNotFoundError(f"Supervision meeting {meeting_id} not found")
        return meeting

    def actor_for(self, identity: Identity, candidate_id: UUID) -> Actor:
        """The identity's relation to a candidate; unrelated non-auditors get not-found."""
        candidate = self.get_candidate(candidate_id)
        actor = candidate.actor(identity)
        candidate.check_can_read(actor)
        return actor

    def find_candidate_for_person(self, *, hpr_number: str | None, sub: str | None) -> Candidate:
        """R23: the candidate of a person known by HPR number or by `sub`."""
        if hpr_number:
            index = self._find(PersonIndex.create_id(hpr_number), PersonIndex)
            if index is not None:
                return self.get_candidate(index.candidate_id)
        if sub:
            return self.get_candidate(candidate_id_for(sub))
        raise CandidateNotFoundError("No candidate matches that HPR number or sub")

    def _find(self, aggregate_id: UUID, kind: type[A], *, copy: bool = True) -> A | None:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id, deepcopy_from_cache=copy)
        except AggregateNotFoundError:
            return None
        except (OperationalError, InterfaceError) as error:
            raise UnavailableError(f"The event store is unavailable: {error}") from None
        return aggregate if isinstance(aggregate, kind) else None

    def _find_receipt(self, receipt: UUID) -> CommandReceipt | None:
        """A receipt is one event and never snapshotted: read it from the event store
        alone, not the snapshots first as the repository does (a round trip less for
        every command sent with an Idempotency-Key, which is nearly all of them)."""
        try:
            found = project_aggregate(None, self.events.get(receipt, limit=1))
        except (OperationalError, InterfaceError) as error:
            raise UnavailableError(f"The event store is unavailable: {error}") from None
        return found if isinstance(found, CommandReceipt) else None

    def _exists(self, aggregate_id: UUID) -> bool:
        return self._find(aggregate_id, Aggregate) is not None

    # -- executing commands ----------------------------------------------------------

    def _on_candidate(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        command: Callable[[Candidate, Actor], None],
        value: dict[str, Any] | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            candidate = self._target(self.get_candidate(candidate_id, for_change=True), ctx)
            command(candidate, candidate.actor(ctx.identity))
            return [candidate], candidate, dict(value or {})

        return self._execute(ctx, decide)

    def _on_goal(
        self,
        ctx: CommandContext,
        candidate_id: UUID,
        goal_code: str,
        command: Callable[[LearningGoal, Actor, Candidate], None],
        value: dict[str, Any] | None = None,
    ) -> Outcome:
        def decide() -> Decision:
            goal_id = goal_id_for(candidate_id, goal_code)
            with self.events.prefetched(self.repository, (candidate_id, goal_id)):
                candidate = self.get_candidate(candidate_id)
                actor = candidate.actor(ctx.identity)
                candidate.check_can_read(actor)
                goal = self._target(self._goal(goal_id, goal_code), ctx)
            command(goal, actor, candidate)
            return [goal], goal, dict(value or {})

        return self._execute(ctx, decide)

    def _on_meeting(
        self,
        ctx: CommandContext,
        meeting_id: UUID,
        command: Callable[[SupervisionMeeting, Actor, Candidate], None],
    ) -> Outcome:
        def decide() -> Decision:
            meeting = self.get_meeting(meeting_id)
            candidate = self.get_candidate(meeting.candidate_id)
            actor = candidate.actor(ctx.identity)
            if not actor.is_related and not ctx.identity.is_auditor:
                raise MeetingNotFoundError(f"Supervision meeting {meeting_id} not found")
            self._target(meeting, ctx)
            command(meeting, actor, candidate)
            return [meeting], meeting, {}

        return self._execute(ctx, decide)

    @staticmethod
    def _target(aggregate: A, ctx: CommandContext) -> A:
        """The aggregate a command changes; `If-Match` is checked against the version it
        was loaded at, but only once the command itself has run: a refusal (404, 403,
        409) wins over a failed precondition (RFC 9110 13.2.1)."""
        loaded = _LOADED.get()
        if loaded is None:  # outside `_execute`: check at once
            KompetanseApplication._check_preconditions(ctx, [aggregate.version])
        elif ctx.expected_version is not None:
            loaded.append(aggregate.version)
        return aggregate

    @staticmethod
    def _check_preconditions(ctx: CommandContext, loaded_versions: list[int]) -> None:
        for loaded in loaded_versions:
            if ctx.expected_version is not None and loaded != ctx.expected_version:
                if ctx.expected_version < 0:
                    raise VersionMismatchError(
                        'If-Match is not one ETag such as "3"; send the ETag you read'
                    )
                raise VersionMismatchError(
                    f"The resource is at version {loaded}, not {ctx.expected_version}; "
                    "reload it and try again"
                )

    def _execute(self, ctx: CommandContext, decide: Callable[[], Decision]) -> Outcome:
        """Run a decision and save it atomically, with idempotency and retry on races."""
        values.check_person(ctx.identity.sub, ctx.identity.name)
        try:
            for _ in range(ATTEMPTS):
                prior = self._prior_outcome(ctx)
                if prior is not None:
                    return prior
                loaded: list[int] = []
                reset = _LOADED.set(loaded)
                try:
                    changed, target, value = decide()
                finally:
                    _LOADED.reset(reset)
                self._check_preconditions(ctx, loaded)  # after the domain's own refusals
                version = target.version if target is not None else None
                to_save = list(changed)
                if ctx.idempotency_key:
                    to_save.append(
                        CommandReceipt(
                            actor=ctx.identity.sub,
                            key=ctx.idempotency_key,
                            fingerprint=ctx.fingerprint,
                            value=value,
                            version=version,
                        )
                    )
                try:
                    recordings = self.save(*to_save)
                except IntegrityError:
                    if ctx.expected_version is not None and not ctx.idempotency_key:
                        raise VersionMismatchError(
                            "The resource was changed meanwhile; reload it and try again"
                        ) from None
                    continue
                position = max((r.notification.id for r in recordings), default=0)
                return Outcome(value=value, position=position, version=version)
        except (OperationalError, InterfaceError) as error:
            raise UnavailableError(f"The event store is unavailable: {error}") from None
        raise ConflictError("The resource is being changed by others right now; try again")

    def _prior_outcome(self, ctx: CommandContext) -> Outcome | None:
        if not ctx.idempotency_key:
            return None
        receipt = self._find_receipt(receipt_id(ctx.identity.sub, ctx.idempotency_key))
        if receipt is None:
            return None
        if receipt.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyReusedError(
                "This Idempotency-Key was used for a different request; use a new key"
            )
        return Outcome(
            value=dict(receipt.value),
            position=self.recorder.max_notification_id() or 0,
            version=receipt.result_version,
            replayed=True,
        )


def _parse_token(token: str) -> tuple[UUID, str, str]:
    parts = token.split(".")
    try:
        candidate_hex, invitation_hex, secret = parts
        return UUID(hex=candidate_hex), str(UUID(hex=invitation_hex)), secret
    except ValueError:
        raise InvitationNotFoundError("Invitation not found; check the link") from None
