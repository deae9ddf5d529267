"""LearningGoal as a state machine: random commands by random actors (R5-R13, R23).

Hypothesis drives a goal with commands from everyone around the candidate, an
unrelated person, an auditor and the sync job, at random dates. A small model
says what each command must do; a refusal must raise the typed error family and
record nothing. After every step the recorded events are checked (versions,
actors, who approved, who signed) and folded, directly and after a round trip
through the application's transcoder, into an aggregate equal to the live one.
No I/O: the mapper comes from an application on the in-memory (popo) store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from kompetanse_domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Actor, Identity, Role
from kompetanse_domain.model.learning_goal import (
    ACTIVITY_KINDS,
    ActivityState,
    GoalState,
    LearningGoal,
)
from support.domain import (
    TODAY,
    Ledger,
    Refusal,
    anyone,
    build_candidate,
    first,
    flaws,
    make_identities,
    replay,
    role_refusal,
    round_trip,
    text_refusal,
    text_with,
    unrelated_refusal,
    who,
)

PEOPLE = make_identities()
SIGNERS = ("supervisor", "supervisor_2", "veileder")
NAMED_SIGNER = "the named signer"
OTHER_SIGNER = "an eligible signer it was not sent to"
LABEL_OF = {person.sub: label for label, person in PEOPLE.by_label().items()}
DECIDERS = frozenset({PEOPLE.leader.sub, PEOPLE.deputy.sub})
GOAL_STATES = frozenset(
    {GoalState.NOT_STARTED, GoalState.SENT_FOR_APPROVAL, GoalState.APPROVED, GoalState.REJECTED}
)
ACTIVITY_STATES = frozenset(
    {
        ActivityState.REGISTERED,
        ActivityState.SENT_FOR_SIGNING,
        ActivityState.SIGNED,
        ActivityState.REJECTED,
    }
)
PLAN, CODE, VERSION = "ALM", "ALM-001", "2026.1"

days_ago = st.sampled_from([0, 1, 30, 365])
todays = st.integers(min_value=-3, max_value=3).map(lambda n: TODAY + timedelta(days=n))
optional_comments = st.sampled_from([None, "", "  ", "OK, godkjent"])


def identity(label: str) -> Identity:
    person: Identity = getattr(PEOPLE, label)
    return person


@dataclass
class ActivityModel:
    state: str = ActivityState.REGISTERED
    signer: str | None = None


class LearningGoalMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.candidate = build_candidate(PEOPLE)
        self.candidate.assign_plan(
            self.actor("leader"), plan_code=PLAN, catalogue_version=VERSION, goal_codes=[CODE]
        )
        self.goal = LearningGoal.open(
            self.actor("leader"),
            candidate_id=self.candidate.id,
            code=CODE,
            plan_code=PLAN,
            version=VERSION,
        )
        self.ledger = Ledger(goal=self.goal, candidate=self.candidate)
        # The model.
        self.state = GoalState.NOT_STARTED
        self.withdrawn = False
        self.activities: dict[str, ActivityModel] = {}
        self.imported: set[str] = set()
        self.decided_by: str | None = None
        self.next_activity = 0

    # -- helpers -----------------------------------------------------------------------

    def actor(self, label: str) -> Actor:
        return self.candidate.actor(identity(label))

    def attempt(
        self,
        what: str,
        label: str,
        refusal: Refusal,
        command: Callable[[], Any],
        **expected: list[type[Any]],
    ) -> Any:
        return self.ledger.attempt(what, identity(label).sub, refusal, command, **expected)

    def on_goal(self, label: str, command: Callable[[Actor], Any]) -> Callable[[], Any]:
        """As the application does: unrelated people are told the goal does not exist."""

        def run() -> Any:
            actor = self.actor(label)
            self.candidate.check_can_read(actor)
            return command(actor)

        return run

    def pick(self, index: int, *preferred: str) -> str:
        """Mostly an activity in a `preferred` state, else any, now and then an unknown id."""
        ids = sorted(self.activities)
        likely = [i for i in ids if self.activities[i].state in preferred] or ids
        if index < 5 and likely:
            return likely[index % len(likely)]
        return ids[index % len(ids)] if ids and index < 7 else "unknown"

    def resolve(self, label: str, activity_id: str) -> str:
        """Stand-ins: the signer the activity was last sent to, or another eligible one."""
        activity = self.activities.get(activity_id)
        named = LABEL_OF[activity.signer] if activity and activity.signer else "supervisor"
        if label == NAMED_SIGNER:
            return named
        if label == OTHER_SIGNER:
            return next(signer for signer in SIGNERS if signer != named)
        return label

    def open_refusal(self) -> Refusal:
        return ConflictError if self.withdrawn else None

    # -- activities (R9, R10, R12) -------------------------------------------------------

    @initialize(count=st.integers(min_value=1, max_value=3))
    def candidate_has_registered_activities(self, count: int) -> None:
        for _ in range(count):
            self.register_activity("candidate", "course", None, 10, TODAY, None)

    @rule(
        label=who("candidate"),
        kind=st.sampled_from(ACTIVITY_KINDS),
        count=st.sampled_from([None, 1, 12, 10_000]),
        done_ago=days_ago,
        today=todays,
        flaw=flaws("kind", "count<1", "count>10000", "future", "empty", "blank", "long", "reused"),
    )
    def register_activity(
        self,
        label: str,
        kind: str,
        count: int | None,
        done_ago: int,
        today: date,
        flaw: str | None,
    ) -> None:
        reused = flaw == "reused" and bool(self.activities)
        activity_id = sorted(self.activities)[0] if reused else f"act-{self.next_activity}"
        kind = "bogus" if flaw == "kind" else kind
        count = {"count<1": 0, "count>10000": 10_001}.get(flaw or "", count)
        fulfilled_on = today + timedelta(days=1 if flaw == "future" else -done_ago)
        title = text_with(flaw, "Kurs i akuttmedisin", limit=500)
        refusal = first(
            unrelated_refusal(label),
            role_refusal(label, (Role.CANDIDATE,)),
            self.open_refusal(),
            ConflictError if reused else None,
            InvalidInputError if kind not in ACTIVITY_KINDS else None,
            InvalidInputError if count is not None and not 1 <= count <= 10_000 else None,
            InvalidInputError if fulfilled_on > today else None,
            text_refusal(title, 500),
        )
        self.attempt(
            "register_activity",
            label,
            refusal,
            self.on_goal(
                label,
                lambda actor: self.goal.register_activity(
                    actor,
                    activity_id=activity_id,
                    title=title,
                    kind=kind,
                    fulfilled_on=fulfilled_on,
                    today=today,
                    count=count,
                ),
            ),
            goal=[LearningGoal.ActivityRegistered],
        )
        if refusal is None:
            self.activities[activity_id] = ActivityModel()
            self.next_activity += 1
            assert self.goal.activities[activity_id]["fulfilled_on"] == fulfilled_on

    @rule(label=who("candidate"), index=st.integers(0, 7), signer=who(*SIGNERS))
    def send_activity_for_signing(self, label: str, index: int, signer: str) -> None:
        """R9: to a named supervisor or the veileder; anyone else is not eligible."""
        activity_id = self.pick(
            index, ActivityState.REGISTERED, ActivityState.REJECTED, ActivityState.SENT_FOR_SIGNING
        )
        activity = self.activities.get(activity_id)
        signer_sub = identity(signer).sub

        def command(actor: Actor) -> None:
            # Composed as the application does: the signer must be eligible (R9).
            self.goal.activity(activity_id)
            person = self.candidate.signer(signer_sub) if actor.holds(Role.CANDIDATE) else None
            self.goal.send_activity_for_signing(
                actor,
                activity_id=activity_id,
                signer_sub=signer_sub,
                signer_name=person["name"] if person else "",
            )

        refusal = first(
            unrelated_refusal(label),
            NotFoundError if activity is None else None,
            ConflictError if label == "candidate" and signer not in SIGNERS else None,
            role_refusal(label, (Role.CANDIDATE,)),
            self.open_refusal(),
            ConflictError
            if activity
            and (
                activity.state == ActivityState.SIGNED
                or (
                    activity.state == ActivityState.SENT_FOR_SIGNING
                    and activity.signer == signer_sub
                )
            )
            else None,
        )
        self.attempt(
            "send_activity_for_signing",
            label,
            refusal,
            self.on_goal(label, command),
            goal=[LearningGoal.ActivitySentForSigning],
        )
        if refusal is None:
            assert activity is not None
            activity.state, activity.signer = ActivityState.SENT_FOR_SIGNING, signer_sub
            assert self.goal.activities[activity_id]["signer_name"] == identity(signer).name

    @rule(
        label=who(NAMED_SIGNER, NAMED_SIGNER, OTHER_SIGNER),
        index=st.integers(0, 7),
        verdict=st.sampled_from(["sign", "reject"]),
        comment=optional_comments,
        flaw=flaws("empty", "blank", "long"),
    )
    def decide_activity(
        self, label: str, index: int, verdict: str, comment: str | None, flaw: str | None
    ) -> None:
        """R10: only the named signer signs or rejects (with a reason) what was sent to them."""
        activity_id = self.pick(index, ActivityState.SENT_FOR_SIGNING)
        label = self.resolve(label, activity_id)
        activity = self.activities.get(activity_id)
        reason = text_with(flaw, "Mangler kursbevis", limit=4000)
        refusal = first(
            unrelated_refusal(label),
            role_refusal(label, (Role.SUPERVISOR, Role.VEILEDER)),
            self.open_refusal(),
            NotFoundError if activity is None else None,
            ConflictError
            if activity and activity.state != ActivityState.SENT_FOR_SIGNING
            else None,
            ForbiddenError if activity and activity.signer != identity(label).sub else None,
            text_refusal(reason, 4000) if verdict == "reject" else None,
        )
        if verdict == "sign":
            self.attempt(
                "sign_activity",
                label,
                refusal,
                self.on_goal(
                    label,
                    lambda actor: self.goal.sign_activity(
                        actor, activity_id=activity_id, comment=comment
                    ),
                ),
                goal=[LearningGoal.ActivitySigned],
            )
        else:
            self.attempt(
                "reject_activity",
                label,
                refusal,
                self.on_goal(
                    label,
                    lambda actor: self.goal.reject_activity(
                        actor, activity_id=activity_id, reason=reason
                    ),
                ),
                goal=[LearningGoal.ActivityRejected],
            )
        if refusal is None:
            assert activity is not None
            activity.state = ActivityState.SIGNED if verdict == "sign" else ActivityState.REJECTED

    # -- comments (R13) ------------------------------------------------------------------

    @rule(label=who("veileder"), flaw=flaws("empty", "blank", "long"))
    def comment(self, label: str, flaw: str | None) -> None:
        text = text_with(flaw, "God framgang; trenger mer vaktarbeid", limit=4000)
        refusal = first(
            unrelated_refusal(label),
            role_refusal(label, (Role.VEILEDER,)),
            self.open_refusal(),
            text_refusal(text, 4000),
        )
        self.attempt(
            "comment",
            label,
            refusal,
            self.on_goal(
                label,
                lambda actor: self.goal.comment(
                    actor, comment_id=f"c-{len(self.goal.comments)}", text=text
                ),
            ),
            goal=[LearningGoal.MentorCommented],
        )

    # -- approval (R6, R7, R11) ----------------------------------------------------------

    @rule(
        label=who("candidate"),
        done_ago=days_ago,
        today=todays,
        comment=optional_comments,
        flaw=flaws("future"),
    )
    def send_for_approval(
        self, label: str, done_ago: int, today: date, comment: str | None, flaw: str | None
    ) -> None:
        completed_on = today + timedelta(days=1 if flaw == "future" else -done_ago)

        def command(actor: Actor) -> None:
            approver = self.candidate.approver() if actor.holds(Role.CANDIDATE) else None
            self.goal.send_for_approval(
                actor,
                completed_on=completed_on,
                today=today,
                approver_sub=approver["sub"] if approver else "",
                approver_name=approver["name"] if approver else "",
                comment=comment,
            )

        refusal = first(
            unrelated_refusal(label),
            role_refusal(label, (Role.CANDIDATE,)),
            self.open_refusal(),
            ConflictError
            if self.state not in (GoalState.NOT_STARTED, GoalState.REJECTED)
            else None,
            InvalidInputError if completed_on > today else None,
        )
        self.attempt(
            "send_for_approval",
            label,
            refusal,
            self.on_goal(label, command),
            goal=[LearningGoal.SentForApproval],
        )
        if refusal is None:
            self.state = GoalState.SENT_FOR_APPROVAL
            assert self.goal.approver_sub == PEOPLE.leader.sub  # R6: automatically the leader
            assert self.goal.completed_on == completed_on

    @rule(
        label=who("leader", "deputy"),
        verdict=st.sampled_from(["approve", "reject"]),
        comment=optional_comments,
        flaw=flaws("empty", "blank", "long"),
    )
    def decide_goal(self, label: str, verdict: str, comment: str | None, flaw: str | None) -> None:
        """R7: the leader or a deputy decides a goal sent for approval (R11: no activity needed)."""
        reason = text_with(flaw, "Beskriv gjennomføringen bedre", limit=4000)
        refusal = first(
            unrelated_refusal(label),
            role_refusal(label, (Role.LEADER, Role.DEPUTY)),
            self.open_refusal(),
            ConflictError if self.state != GoalState.SENT_FOR_APPROVAL else None,
            text_refusal(reason, 4000) if verdict == "reject" else None,
        )
        if verdict == "approve":
            self.attempt(
                "approve",
                label,
                refusal,
                self.on_goal(label, lambda actor: self.goal.approve(actor, comment=comment)),
                goal=[LearningGoal.Approved],
            )
        else:
            self.attempt(
                "reject",
                label,
                refusal,
                self.on_goal(label, lambda actor: self.goal.reject(actor, reason=reason)),
                goal=[LearningGoal.Rejected],
            )
        if refusal is None:
            self.state = GoalState.APPROVED if verdict == "approve" else GoalState.REJECTED
            self.decided_by = identity(label).sub

    # -- approvals from the other portal (R23) -------------------------------------------

    @rule(
        label=anyone,
        source_event_id=st.sampled_from(["hso-1", "hso-2", ""]),
        approver_name=st.sampled_from(["Leder i HSØ", " "]),
    )
    def import_approval(self, label: str, source_event_id: str, approver_name: str) -> None:
        """R23: only the sync job imports; a repeat or an approved goal records nothing."""
        skipped = source_event_id in self.imported or self.state == GoalState.APPROVED
        refusal = first(
            ForbiddenError if label != "sync" else None,
            None if skipped else self.open_refusal(),
            None if skipped else text_refusal(source_event_id, 200),
            None if skipped else text_refusal(approver_name, 500),
        )
        applied = self.attempt(
            "import_approval",
            label,
            refusal,
            lambda: self.goal.import_approval(
                identity(label),
                source_portal="hospital-hso",
                source_event_id=source_event_id,
                approved_at=self.ledger.recorded["goal"][0].timestamp,
                approver_name=approver_name,
            ),
            goal=[] if skipped else [LearningGoal.ApprovalImported],
        )
        if refusal is None:
            assert applied is (not skipped)
            if not skipped:
                self.state, self.decided_by = GoalState.APPROVED, PEOPLE.sync.sub
                self.imported.add(source_event_id)

    # -- plan removed and assigned again (R4, R5) ----------------------------------------

    @rule(label=anyone, reason=st.sampled_from(["Tildelt ved en feil", ""]))
    def remove_plan(self, label: str, reason: str) -> None:
        """R5: the leader removes the plan; its goal is withdrawn, its history kept."""

        def command() -> None:
            actor = self.actor(label)
            self.candidate.remove_plan(actor, plan_code=PLAN, reason=reason)
            self.goal.withdraw(actor, reason=reason)

        refusal = first(
            role_refusal(label, (Role.LEADER,)),
            NotFoundError if self.withdrawn else None,
            text_refusal(reason, 2000),
        )
        self.attempt(
            "remove_plan",
            label,
            refusal,
            command,
            goal=[LearningGoal.Withdrawn],
            candidate=[Candidate.PlanRemoved],
        )
        if refusal is None:
            self.withdrawn = True

    @rule(label=who("leader", "deputy"))
    def assign_plan_again(self, label: str) -> None:
        """R4: assigning a removed plan again reopens its goal with the history intact."""

        def command() -> None:
            actor = self.actor(label)
            self.candidate.assign_plan(
                actor, plan_code=PLAN, catalogue_version=VERSION, goal_codes=[CODE]
            )
            self.goal.reopen(actor, plan_code=PLAN, version=VERSION)

        refusal = first(
            role_refusal(label, (Role.LEADER, Role.DEPUTY)),
            ConflictError if not self.withdrawn else None,
        )
        self.attempt(
            "assign_plan_again",
            label,
            refusal,
            command,
            goal=[LearningGoal.Reopened],
            candidate=[Candidate.PlanAssigned],
        )
        if refusal is None:
            self.withdrawn = False

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def state_is_allowed_and_as_modelled(self) -> None:
        assert self.goal.state in GOAL_STATES
        assert self.goal.state == self.state
        assert self.goal.withdrawn == self.withdrawn
        assert self.goal.decided_by_sub == self.decided_by
        assert set(self.goal.activities) == set(self.activities)
        for activity_id, record in self.goal.activities.items():
            assert record["state"] in ACTIVITY_STATES
            assert record["state"] == self.activities[activity_id].state
            assert record["signer_sub"] == self.activities[activity_id].signer

    @invariant()
    def only_leader_or_deputy_ever_approved_or_rejected(self) -> None:
        for event in self.ledger.recorded["goal"]:
            if isinstance(event, LearningGoal.Approved | LearningGoal.Rejected):
                assert event.actor in DECIDERS

    @invariant()
    def activities_are_signed_or_rejected_by_the_named_signer(self) -> None:
        sent_to: dict[str, str] = {}
        for event in self.ledger.recorded["goal"]:
            if isinstance(event, LearningGoal.ActivitySentForSigning):
                sent_to[event.activity_id] = event.signer_sub
            elif isinstance(event, LearningGoal.ActivitySigned | LearningGoal.ActivityRejected):
                assert event.actor == sent_to[event.activity_id]

    @invariant()
    def versions_increase_by_one_per_event(self) -> None:
        self.ledger.check_versions()

    @invariant()
    def replaying_the_events_rebuilds_an_equal_aggregate(self) -> None:
        self.ledger.check_replay()


LearningGoalMachine.TestCase.settings = settings(stateful_step_count=30)
TestLearningGoalStateMachine = LearningGoalMachine.TestCase


def test_events_survive_serialisation_with_dates_datetimes_uuids_and_none() -> None:
    candidate = build_candidate(PEOPLE)
    goal = LearningGoal.open(
        candidate.actor(PEOPLE.leader),
        candidate_id=candidate.id,
        code=CODE,
        plan_code=PLAN,
        version=VERSION,
    )
    goal.register_activity(
        candidate.actor(PEOPLE.candidate),
        activity_id="a1",
        title="Kurs",
        kind="course",
        fulfilled_on=TODAY,
        today=TODAY,
    )
    opened, registered = goal.collect_events()
    decoded_opened, decoded_registered = round_trip(opened), round_trip(registered)

    assert decoded_opened.candidate_id == candidate.id
    assert type(decoded_opened.candidate_id) is type(candidate.id)
    assert decoded_registered.fulfilled_on == TODAY
    assert type(decoded_registered.fulfilled_on) is date
    assert decoded_registered.timestamp == registered.timestamp
    assert decoded_registered.timestamp.tzinfo is not None
    assert decoded_registered.count is None
    assert replay([decoded_opened, decoded_registered]) == goal
