"""SupervisionMeeting as a state machine: random writes by random actors (R15-R18).

Hypothesis writes preparations and summaries and finalises a meeting, as anyone
around the candidate, an unrelated person, an auditor or the sync job, at random
dates. A small model says what each command must do; a refusal raises the typed
error family and records nothing. Once finalised, the meeting never changes
again (R17). Every step checks versions and replays the events, directly and
after a round trip through the application's transcoder. No I/O.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from kompetanse_domain.errors import ConflictError, InvalidInputError
from kompetanse_domain.model.identity import Identity, Role
from kompetanse_domain.model.meeting import MAX_MINUTES, MeetingState, SupervisionMeeting
from support.domain import (
    TODAY,
    Ledger,
    Refusal,
    build_candidate,
    first,
    flaws,
    make_identities,
    replay,
    role_refusal,
    round_trip,
    who,
)

PEOPLE = make_identities()
KNOWN_GOALS = frozenset({"ALM-001", "ALM-002", "FKM-001"})
WRITERS = ("candidate", "veileder")
MAX_TEXT = 50_000

todays = st.integers(min_value=-3, max_value=3).map(lambda n: TODAY + timedelta(days=n))
days_ago = st.sampled_from([0, 1, 14])
minutes = st.sampled_from([1, 45, 60, 90, MAX_MINUTES])
texts = st.sampled_from(["", "Mål for samtalen: ALM-001", "Gikk gjennom vaktene, ALM-002"])
goal_lists = st.lists(st.sampled_from([*sorted(KNOWN_GOALS), "ALM-999"]), max_size=4)


def identity(label: str) -> Identity:
    person: Identity = getattr(PEOPLE, label)
    return person


def minutes_with(flaw: str | None, good: int) -> int:
    return {"zero minutes": 0, "too many minutes": MAX_MINUTES + 1}.get(flaw or "", good)


def minutes_refusal(value: int) -> Refusal:
    return None if 1 <= value <= MAX_MINUTES else InvalidInputError


class SupervisionMeetingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.candidate = build_candidate(PEOPLE)
        self.candidate.collect_events()
        self.meeting = SupervisionMeeting.create(
            self.candidate.actor(PEOPLE.veileder),
            meeting_id=uuid4(),
            candidate_id=self.candidate.id,
            scheduled_for=TODAY,
            planned_minutes=60,
        )
        self.ledger = Ledger(meeting=self.meeting)
        # The model.
        self.state = MeetingState.OPEN
        self.preparations: dict[str, str] = {}
        self.summary = ""
        self.goals_discussed: list[str] = []
        self.held_on: date | None = None
        self.duration: int | None = None
        self.finalised_as: dict[str, Any] | None = None

    def attempt(
        self,
        what: str,
        label: str,
        refusal: Refusal,
        command: Callable[[], Any],
        **expected: list[type[Any]],
    ) -> Any:
        return self.ledger.attempt(what, identity(label).sub, refusal, command, **expected)

    def writable_refusal(self, label: str) -> Refusal:
        """R15: candidate and veileder write; R17: nobody writes once it is finalised."""
        return first(
            role_refusal(label, (Role.CANDIDATE, Role.VEILEDER)),
            ConflictError if self.state == MeetingState.FINALISED else None,
        )

    # -- commands ------------------------------------------------------------------------

    @rule(
        label=who("veileder"),
        scheduled=st.sampled_from(["date", "datetime"]),
        planned=minutes,
        flaw=flaws("zero minutes", "too many minutes"),
    )
    def create_another(self, label: str, scheduled: str, planned: int, flaw: str | None) -> None:
        """R15: only the veileder creates meetings; a refusal creates nothing."""
        planned = minutes_with(flaw, planned)
        day = TODAY + timedelta(days=7)
        when: date | datetime = (
            day if scheduled == "date" else datetime.combine(day, time(13, 30), tzinfo=UTC)
        )
        refusal = first(role_refusal(label, (Role.VEILEDER,)), minutes_refusal(planned))
        created: list[SupervisionMeeting] = []

        def command() -> None:
            created.append(
                SupervisionMeeting.create(
                    self.candidate.actor(identity(label)),
                    meeting_id=uuid4(),
                    candidate_id=self.candidate.id,
                    scheduled_for=when,
                    planned_minutes=planned,
                )
            )

        self.attempt("create", label, refusal, command)
        if refusal is None:
            (meeting,) = created
            events = meeting.collect_events()
            assert [type(e) for e in events] == [SupervisionMeeting.Created]
            assert events[0].actor == identity(label).sub
            assert meeting.scheduled_for == when.isoformat()
            assert replay([round_trip(events[0])]) == meeting

    @rule(label=who(*WRITERS), text=texts, flaw=flaws("too long"))
    def write_preparation(self, label: str, text: str, flaw: str | None) -> None:
        """R15: the candidate and the veileder each write their own preparation."""
        text = "x" * (MAX_TEXT + 1) if flaw == "too long" else text
        refusal = first(
            self.writable_refusal(label),
            InvalidInputError if len(text) > MAX_TEXT else None,
        )
        self.attempt(
            "write_preparation",
            label,
            refusal,
            lambda: self.meeting.write_preparation(
                self.candidate.actor(identity(label)), text=text
            ),
            meeting=[SupervisionMeeting.PreparationWritten],
        )
        if refusal is None:
            self.preparations[label] = text

    @rule(label=who(*WRITERS), text=texts, goals=goal_lists, flaw=flaws("too long"))
    def revise_summary(self, label: str, text: str, goals: list[str], flaw: str | None) -> None:
        """R16, R18: each revision is logged; goals discussed must be the candidate's."""
        text = "x" * (MAX_TEXT + 1) if flaw == "too long" else text
        refusal = first(
            self.writable_refusal(label),
            InvalidInputError if set(goals) - KNOWN_GOALS else None,
            InvalidInputError if len(text) > MAX_TEXT else None,
        )
        self.attempt(
            "revise_summary",
            label,
            refusal,
            lambda: self.meeting.revise_summary(
                self.candidate.actor(identity(label)),
                text=text,
                goals_discussed=goals,
                known_goals=set(KNOWN_GOALS),
            ),
            meeting=[SupervisionMeeting.SummaryRevised],
        )
        if refusal is None:
            self.summary = text
            self.goals_discussed = list(dict.fromkeys(goals))

    @rule(
        label=who("veileder"),
        held_ago=days_ago,
        today=todays,
        duration=minutes,
        flaw=flaws("future", "zero minutes", "too many minutes"),
    )
    def finalise(
        self, label: str, held_ago: int, today: date, duration: int, flaw: str | None
    ) -> None:
        """R17: only the veileder finalises, once, with the date it was held; R25: only
        once a summary is written."""
        held_on = today + timedelta(days=1 if flaw == "future" else -held_ago)
        duration = minutes_with(flaw, duration)
        refusal = first(
            role_refusal(label, (Role.VEILEDER,)),
            ConflictError if self.state == MeetingState.FINALISED else None,
            InvalidInputError if held_on > today else None,
            minutes_refusal(duration),
            ConflictError if not self.summary.strip() else None,  # R25: no summary yet
        )
        self.attempt(
            "finalise",
            label,
            refusal,
            lambda: self.meeting.finalise(
                self.candidate.actor(identity(label)),
                held_on=held_on,
                duration_minutes=duration,
                today=today,
            ),
            meeting=[SupervisionMeeting.Finalised],
        )
        if refusal is None:
            self.state, self.held_on, self.duration = MeetingState.FINALISED, held_on, duration
            self.finalised_as = copy.deepcopy(vars(self.meeting))

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def state_is_allowed_and_as_modelled(self) -> None:
        assert self.meeting.state in {MeetingState.OPEN, MeetingState.FINALISED}
        assert self.meeting.state == self.state
        assert self.meeting.preparations == self.preparations
        assert self.meeting.summary == self.summary
        assert self.meeting.goals_discussed == self.goals_discussed
        assert self.meeting.held_on == self.held_on
        assert self.meeting.duration_minutes == self.duration
        assert self.meeting.veileder_sub == PEOPLE.veileder.sub

    @invariant()
    def a_finalised_meeting_never_changes_again(self) -> None:
        if self.finalised_as is not None:
            assert vars(self.meeting) == self.finalised_as
            events = self.ledger.recorded["meeting"]
            finalised_at = next(
                i for i, e in enumerate(events) if isinstance(e, SupervisionMeeting.Finalised)
            )
            assert finalised_at == len(events) - 1

    @invariant()
    def only_the_veileder_finalised_and_only_writers_wrote(self) -> None:
        writers = {PEOPLE.candidate.sub, PEOPLE.veileder.sub}
        for event in self.ledger.recorded["meeting"]:
            if isinstance(event, SupervisionMeeting.Finalised):
                assert event.actor == PEOPLE.veileder.sub
            else:
                assert event.actor in writers

    @invariant()
    def versions_increase_by_one_per_event(self) -> None:
        self.ledger.check_versions()

    @invariant()
    def replaying_the_events_rebuilds_an_equal_meeting(self) -> None:
        self.ledger.check_replay()


SupervisionMeetingMachine.TestCase.settings = settings(stateful_step_count=30)
TestSupervisionMeetingStateMachine = SupervisionMeetingMachine.TestCase
