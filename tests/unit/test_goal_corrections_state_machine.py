"""LearningGoal with corrections (R29) as a state machine: `LearningGoalMachine` with four
more rules, by random actors, mixed with every command it already drives.

The candidate edits a registered or rejected activity (a rejected one is registered
again) and withdraws one not signed (`withdrawn`: final; it cannot be sent, signed,
edited or withdrawn again); the candidate recalls a goal sent for approval; the leader
or a deputy withdraws an approval, local or imported (R23). A refusal records nothing;
the recorded events fold, also after a transcoder round trip, into the live aggregate.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from kompetanse_domain.errors import ConflictError, InvalidInputError, NotFoundError
from kompetanse_domain.model.identity import Actor, Role
from kompetanse_domain.model.learning_goal import ActivityState, GoalState, LearningGoal
from support.domain import (
    TODAY,
    first,
    flaws,
    role_refusal,
    text_refusal,
    text_with,
    unrelated_refusal,
    who,
)
from unit.test_goal_state_machine import (
    ACTIVITY_STATES,
    GOAL_STATES,
    PEOPLE,
    SIGNERS,
    LearningGoalMachine,
    identity,
)

EDITABLE = (ActivityState.REGISTERED, ActivityState.REJECTED)


class CorrectingGoalMachine(LearningGoalMachine):
    @initialize(start=st.sampled_from(["not_started", "sent_for_approval", "approved"]))
    def goal_starts_sent_or_approved(self, start: str) -> None:
        """So that recalls and withdrawn approvals are accepted often, not only refused."""
        if start != GoalState.NOT_STARTED:
            self.send_for_approval("candidate", 1, TODAY, None, None)
        if start == GoalState.APPROVED:
            self.decide_goal("leader", "approve", None, None)

    @rule(label=who("candidate"), index=st.integers(0, 7), signer=who(*SIGNERS))
    def send_activity_for_signing(self, label: str, index: int, signer: str) -> None:
        """R29: a withdrawn activity is never sent again; the rest as R9 says."""
        activity_id = self.pick(
            index, ActivityState.REGISTERED, ActivityState.REJECTED, ActivityState.WITHDRAWN
        )
        activity = self.activities.get(activity_id)
        if activity is None or activity.state != ActivityState.WITHDRAWN:
            super().send_activity_for_signing(label, index, signer)
            return
        signer_sub = identity(signer).sub

        def command(actor: Actor) -> None:
            person = self.candidate.signer(signer_sub) if actor.holds(Role.CANDIDATE) else None
            self.goal.send_activity_for_signing(
                actor,
                activity_id=activity_id,
                signer_sub=signer_sub,
                signer_name=person["name"] if person else "",
            )

        refusal = first(
            unrelated_refusal(label),
            ConflictError if label == "candidate" and signer not in SIGNERS else None,
            role_refusal(label, (Role.CANDIDATE,)),
            self.open_refusal(),
            ConflictError,
        )
        self.attempt("send_withdrawn_activity", label, refusal, self.on_goal(label, command))

    @rule(
        label=who("candidate"),
        index=st.integers(0, 7),
        field=st.sampled_from(["title", "kind", "fulfilled_on", "count", "note", "nothing"]),
        same=st.booleans(),
        flaw=flaws("kind", "future", "blank", "none"),
    )
    def edit_activity(
        self, label: str, index: int, field: str, same: bool, flaw: str | None
    ) -> None:
        activity_id = self.pick(index, *EDITABLE)
        activity = self.activities.get(activity_id)
        record = self.goal.activities.get(activity_id)
        new: object = {
            "title": "Kurs i etikk",
            "kind": "e_learning",
            "fulfilled_on": TODAY - timedelta(days=3),
            "count": 7,
            "note": "Rettet",
        }.get(field)
        if same and record is not None and field != "nothing":
            new = record[field]  # type: ignore[literal-required]
        if flaw == "kind" and field == "kind":
            new = "bogus"
        elif flaw == "future" and field == "fulfilled_on":
            new = TODAY + timedelta(days=1)
        elif flaw == "blank" and field == "title":
            new = "   "
        elif flaw == "none" and field in ("title", "kind", "fulfilled_on"):
            new = None
        changes = {} if field == "nothing" else {field: new}
        bad = (
            not changes
            or (field == "kind" and new not in (None, *self._kinds()))
            or (field in ("title", "kind", "fulfilled_on") and new is None)
            or (isinstance(new, date) and new > TODAY)
            or (field == "title" and isinstance(new, str) and text_refusal(new, 500) is not None)
        )
        unchanged = record is not None and not bad and record[field] == new  # type: ignore[literal-required]
        refusal = first(
            unrelated_refusal(label),
            role_refusal(label, (Role.CANDIDATE,)),
            self.open_refusal(),
            NotFoundError if activity is None else None,
            ConflictError if activity and activity.state not in EDITABLE else None,
            InvalidInputError if bad else None,
        )
        edited = self.attempt(
            "edit_activity",
            label,
            refusal,
            self.on_goal(
                label,
                lambda actor: self.goal.edit_activity(
                    actor, activity_id=activity_id, today=TODAY, changes=changes
                ),
            ),
            goal=[] if unchanged else [LearningGoal.ActivityEdited],
        )
        if refusal is None:
            assert activity is not None
            assert edited is (not unchanged)
            if not unchanged and activity.state == ActivityState.REJECTED:
                activity.state, activity.signer = ActivityState.REGISTERED, None

    def _kinds(self) -> tuple[str, ...]:
        from kompetanse_domain.model.learning_goal import ACTIVITY_KINDS

        return ACTIVITY_KINDS

    @rule(
        label=who("candidate"),
        index=st.integers(0, 7),
        flaw=flaws("empty", "blank", "long"),
    )
    def withdraw_activity(self, label: str, index: int, flaw: str | None) -> None:
        activity_id = self.pick(
            index, ActivityState.REGISTERED, ActivityState.SENT_FOR_SIGNING, ActivityState.SIGNED
        )
        activity = self.activities.get(activity_id)
        reason = text_with(flaw, "Registrert to ganger", limit=4000)
        refusal = first(
            unrelated_refusal(label),
            role_refusal(label, (Role.CANDIDATE,)),
            self.open_refusal(),
            NotFoundError if activity is None else None,
            ConflictError
            if activity and activity.state in (ActivityState.SIGNED, ActivityState.WITHDRAWN)
            else None,
            text_refusal(reason, 4000),
        )
        self.attempt(
            "withdraw_activity",
            label,
            refusal,
            self.on_goal(
                label,
                lambda actor: self.goal.withdraw_activity(
                    actor, activity_id=activity_id, reason=reason
                ),
            ),
            goal=[LearningGoal.ActivityWithdrawn],
        )
        if refusal is None:
            assert activity is not None
            activity.state = ActivityState.WITHDRAWN

    @rule(label=who("candidate"), reason=st.sampled_from([None, "", "For tidlig", "x\u202ey"]))
    def recall(self, label: str, reason: str | None) -> None:
        refusal = first(
            unrelated_refusal(label),
            role_refusal(label, (Role.CANDIDATE,)),
            self.open_refusal(),
            ConflictError if self.state != GoalState.SENT_FOR_APPROVAL else None,
            InvalidInputError if reason and "\u202e" in reason else None,
        )
        self.attempt(
            "recall",
            label,
            refusal,
            self.on_goal(label, lambda actor: self.goal.recall(actor, reason=reason)),
            goal=[LearningGoal.Recalled],
        )
        if refusal is None:
            self.state = GoalState.NOT_STARTED
            assert self.goal.completed_on is None

    @rule(label=who("leader", "deputy"), flaw=flaws("empty", "blank", "long"))
    def withdraw_approval(self, label: str, flaw: str | None) -> None:
        reason = text_with(flaw, "Godkjent ved en feil", limit=4000)
        refusal = first(
            unrelated_refusal(label),
            role_refusal(label, (Role.LEADER, Role.DEPUTY)),
            self.open_refusal(),
            ConflictError if self.state != GoalState.APPROVED else None,
            text_refusal(reason, 4000),
        )
        approved_by = self.decided_by
        self.attempt(
            "withdraw_approval",
            label,
            refusal,
            self.on_goal(label, lambda actor: self.goal.withdraw_approval(actor, reason=reason)),
            goal=[LearningGoal.ApprovalWithdrawn],
        )
        if refusal is None:
            event = self.ledger.recorded["goal"][-1]
            assert event.approved_by_sub == approved_by
            imported = approved_by == PEOPLE.sync.sub
            assert (event.source_portal == "hospital-hso") is imported
            self.state, self.decided_by = GoalState.NOT_STARTED, None

    @invariant()
    def state_is_allowed_and_as_modelled(self) -> None:
        """As the base machine's, with `withdrawn` among the activity states."""
        assert self.goal.state in GOAL_STATES
        assert self.goal.state == self.state
        assert self.goal.withdrawn == self.withdrawn
        assert self.goal.decided_by_sub == self.decided_by
        assert set(self.goal.activities) == set(self.activities)
        for activity_id, record in self.goal.activities.items():
            assert record["state"] in ACTIVITY_STATES | {ActivityState.WITHDRAWN}
            assert record["state"] == self.activities[activity_id].state
            if record["state"] != ActivityState.WITHDRAWN:
                assert record["signer_sub"] == self.activities[activity_id].signer


CorrectingGoalMachine.TestCase.settings = settings(stateful_step_count=30)
TestCorrectingGoalStateMachine = CorrectingGoalMachine.TestCase
