"""The whole training journey through KompetanseApplication, on every store.

One shared scenario runs on SQLite and PostgreSQL: registration, roles, plans,
activities, approval, a supervision meeting and an approval synced from the
other portal; a new application on the same database then reads everything
back equal. Then the snapshot of a long-lived goal, and the refusals, named
after the rule they enforce.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from kompetanse_domain.application import KompetanseApplication, Outcome
from kompetanse_domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import goal_id_for
from kompetanse_domain.model.learning_goal import ActivityState, GoalState, LearningGoal
from kompetanse_domain.model.meeting import MeetingState, SupervisionMeeting
from support.domain import (
    HPR_NUMBER,
    NOW,
    TODAY,
    Team,
    application,
    context,
    make_identities,
    register_team,
    replay,
)


@pytest.fixture
def app(database_url: str) -> Iterator[KompetanseApplication]:
    with application(database_url) as app:
        yield app


@pytest.fixture
def team(app: KompetanseApplication) -> Team:
    return register_team(app, plans=("FKM",))


def all_aggregate_ids(app: KompetanseApplication) -> list[UUID]:
    """Every aggregate in the store, in the order of its first event."""
    ids: dict[UUID, None] = {}
    last = 0
    while batch := app.recorder.select_notifications(
        start=last, limit=500, inclusive_of_start=False
    ):
        for notification in batch:
            ids.setdefault(UUID(str(notification.originator_id)), None)
        last = batch[-1].id
    return list(ids)


def event_log(app: KompetanseApplication, aggregate_id: UUID) -> list[tuple[str, str]]:
    """The stored events of one aggregate as (type, actor sub)."""
    return [(type(e).__name__, e.actor) for e in app.events.get(aggregate_id)]


# -- the shared scenario --------------------------------------------------------------


def test_training_journey_is_recorded_and_read_back_by_a_new_application(
    database_url: str,
) -> None:
    people = make_identities()
    outcomes: list[Outcome] = []

    def run(outcome: Outcome) -> Outcome:
        outcomes.append(outcome)
        return outcome

    with application(database_url) as app:
        # R1-R3: registration with HPR number; every role invited and accepted.
        team = register_team(app, people)
        cid = team.candidate_id
        assert team.roles == {
            people.leader.sub: "leader",
            people.veileder.sub: "veileder",
            people.supervisor.sub: "supervisor",
            people.supervisor_2.sub: "supervisor",
            people.deputy.sub: "deputy",
        }
        # R4: the leader assigns FKM, the deputy ALM.
        assert run(app.assign_plan(context(people.leader), cid, plan_code="FKM")).value == {
            "plan_code": "FKM",
            "goals": 24,
        }
        run(app.assign_plan(context(people.deputy), cid, plan_code="ALM"))

        # R9, R10: an activity is rejected by one supervisor, sent again, signed by another.
        activity_id = run(
            app.register_activity(
                context(people.candidate),
                cid,
                "ALM-001",
                title="Kurs i allmennmedisin",
                kind="course",
                fulfilled_on=TODAY - timedelta(days=30),
            )
        ).value["activity_id"]
        run(
            app.send_activity_for_signing(
                context(people.candidate),
                cid,
                "ALM-001",
                activity_id,
                signer_sub=people.supervisor.sub,
            )
        )
        run(
            app.reject_activity(
                context(people.supervisor), cid, "ALM-001", activity_id, reason="Mangler kursbevis"
            )
        )
        run(
            app.send_activity_for_signing(
                context(people.candidate),
                cid,
                "ALM-001",
                activity_id,
                signer_sub=people.supervisor_2.sub,
            )
        )
        run(
            app.sign_activity(
                context(people.supervisor_2), cid, "ALM-001", activity_id, comment="Bekreftet"
            )
        )
        # R13: the veileder's view for the leader.
        run(app.comment_goal(context(people.veileder), cid, "ALM-001", text="God framgang"))
        # R6, R7: sent, rejected by the deputy, sent again, approved by the leader.
        run(
            app.send_goal_for_approval(
                context(people.candidate),
                cid,
                "ALM-001",
                completed_on=TODAY - timedelta(days=1),
                comment="Ferdig med kurset",
            )
        )
        run(
            app.reject_goal(
                context(people.deputy), cid, "ALM-001", reason="Legg ved veileders vurdering"
            )
        )
        run(
            app.send_goal_for_approval(
                context(people.candidate), cid, "ALM-001", completed_on=TODAY
            )
        )
        run(app.approve_goal(context(people.leader), cid, "ALM-001", comment="Godkjent"))

        # R15-R18: a supervision meeting, prepared, summarised twice, finalised.
        meeting_id = UUID(
            run(
                app.create_meeting(
                    context(people.veileder), cid, scheduled_for=TODAY, planned_minutes=60
                )
            ).value["meeting_id"]
        )
        run(app.write_preparation(context(people.candidate), meeting_id, text="Mine spørsmål"))
        run(app.write_preparation(context(people.veileder), meeting_id, text="Tema: vakter"))
        run(
            app.revise_summary(
                context(people.candidate),
                meeting_id,
                text="Vi snakket om ALM-001",
                goals_discussed=["ALM-001"],
            )
        )
        run(
            app.revise_summary(
                context(people.veileder),
                meeting_id,
                text="ALM-001 godkjent; FKM-001 neste",
                goals_discussed=["ALM-001", "FKM-001"],
            )
        )
        run(
            app.finalise_meeting(
                context(people.veileder), meeting_id, held_on=TODAY, duration_minutes=55
            )
        )

        # R23: an approval from the hospital portal, found by HPR number, applied once.
        sync_approval: dict[str, Any] = {
            "hpr_number": HPR_NUMBER,
            "sub": None,
            "goal_code": "FKM-001",
            "source_portal": "hospital-hso",
            "source_event_id": "hso-event-1",
            "approved_at": NOW - timedelta(days=200),
            "approver_name": "Overlege Hansen",
        }
        imported = run(app.import_approval(context(people.sync), **sync_approval))
        assert imported.value == {"candidate_id": str(cid), "applied": True}
        position = app.recorder.max_notification_id()
        repeated = app.import_approval(context(people.sync), **sync_approval)
        assert repeated.value == {"candidate_id": str(cid), "applied": False}
        assert app.recorder.max_notification_id() == position

        positions = [outcome.position for outcome in outcomes]
        assert positions == sorted(set(positions))
        assert positions[-1] == position

        goal = app.get_goal(cid, "ALM-001")
        assert goal.state == GoalState.APPROVED
        assert (goal.approver_sub, goal.decided_by_sub) == (people.leader.sub, people.leader.sub)
        assert goal.activities[activity_id]["state"] == ActivityState.SIGNED
        assert goal.activities[activity_id]["signer_sub"] == people.supervisor_2.sub
        assert [c["text"] for c in goal.comments] == ["God framgang"]
        assert event_log(app, goal.id) == [
            ("Opened", people.deputy.sub),
            ("ActivityRegistered", people.candidate.sub),
            ("ActivitySentForSigning", people.candidate.sub),
            ("ActivityRejected", people.supervisor.sub),
            ("ActivitySentForSigning", people.candidate.sub),
            ("ActivitySigned", people.supervisor_2.sub),
            ("MentorCommented", people.veileder.sub),
            ("SentForApproval", people.candidate.sub),
            ("Rejected", people.deputy.sub),
            ("SentForApproval", people.candidate.sub),
            ("Approved", people.leader.sub),
        ]
        rejected = [e for e in app.events.get(goal.id) if isinstance(e, LearningGoal.Rejected)]
        assert rejected[0].reason == "Legg ved veileders vurdering"

        synced = app.get_goal(cid, "FKM-001")
        assert synced.state == GoalState.APPROVED
        assert synced.imported_from == ["hso-event-1"]
        assert synced.decided_by_name == "Overlege Hansen"
        assert synced.decided_at == NOW - timedelta(days=200)

        meeting = app.get_meeting(meeting_id)
        assert meeting.state == MeetingState.FINALISED
        assert meeting.preparations == {"candidate": "Mine spørsmål", "veileder": "Tema: vakter"}
        assert meeting.goals_discussed == ["ALM-001", "FKM-001"]
        assert (meeting.held_on, meeting.duration_minutes) == (TODAY, 55)
        assert [t for t, _ in event_log(app, meeting_id)] == [
            "Created",
            "PreparationWritten",
            "PreparationWritten",
            "SummaryRevised",
            "SummaryRevised",
            "Finalised",
        ]

        candidate = app.get_candidate(cid)
        assert candidate.hpr_number == HPR_NUMBER
        assert set(candidate.plans) == {"FKM", "ALM"}
        assert len(candidate.goal_codes()) == 124
        ids = all_aggregate_ids(app)
        written = {aggregate_id: app.repository.get(aggregate_id) for aggregate_id in ids}

    # A new application (another process) on the same database replays the same state.
    with application(database_url) as reader:
        assert all_aggregate_ids(reader) == ids
        assert reader.recorder.max_notification_id() == position
        for aggregate_id, aggregate in written.items():
            assert reader.repository.get(aggregate_id) == aggregate
        assert reader.get_candidate(cid) == candidate
        assert reader.get_goal(cid, "ALM-001") == goal
        assert reader.get_goal(cid, "FKM-001") == synced
        assert reader.get_meeting(meeting_id) == meeting
        # R24: any earlier version can be rebuilt, e.g. the goal as it was when rejected.
        as_rejected = reader.repository.get(goal.id, version=9)
        assert as_rejected.state == GoalState.REJECTED
        assert as_rejected.decided_by_sub == people.deputy.sub


def test_goal_past_its_snapshot_interval_loads_from_the_snapshot_equal_to_a_full_replay(
    app: KompetanseApplication, team: Team, database_url: str
) -> None:
    people, cid = team.people, team.candidate_id
    goal_id = goal_id_for(cid, "FKM-001")
    for n in range(5):
        app.register_activity(
            context(people.candidate),
            cid,
            "FKM-001",
            title=f"Prosedyre {n}",
            kind="procedure",
            fulfilled_on=TODAY - timedelta(days=n),
            count=n + 1,
        )
    for n in range(93):
        app.comment_goal(context(people.veileder), cid, "FKM-001", text=f"Kommentar {n}")
    assert app.snapshots is not None
    assert list(app.snapshots.get(goal_id)) == []  # at version 99, before the interval
    app.send_goal_for_approval(context(people.candidate), cid, "FKM-001", completed_on=TODAY)
    app.approve_goal(context(people.leader), cid, "FKM-001")
    app.comment_goal(context(people.veileder), cid, "FKM-001", text="Godkjent, bra jobbet")

    snapshots = list(app.snapshots.get(goal_id))
    assert [s.originator_version for s in snapshots] == [100]
    events = list(app.events.get(goal_id))
    assert len(events) == 102

    reads: list[dict[str, Any]] = []
    get_events = app.repository.event_store.get

    def spy(*args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs)
        return get_events(*args, **kwargs)

    app.repository.event_store.get = spy  # type: ignore[method-assign]
    from_snapshot = app.repository.get(goal_id)
    assert reads[-1]["gt"] == 100  # only the two events after the snapshot were read

    full_replay = replay(events)
    assert from_snapshot == full_replay
    assert from_snapshot.version == 102
    assert from_snapshot.state == GoalState.APPROVED
    assert app.repository.get(goal_id, version=60) == replay(events[:60])
    with application(database_url) as reader:
        assert reader.repository.get(goal_id) == full_replay


# -- refusals ---------------------------------------------------------------------------


def send_fkm_001(app: KompetanseApplication, team: Team) -> None:
    app.send_goal_for_approval(
        context(team.people.candidate), team.candidate_id, "FKM-001", completed_on=TODAY
    )


def register_and_send_activity(app: KompetanseApplication, team: Team, signer_sub: str) -> str:
    people, cid = team.people, team.candidate_id
    activity_id: str = app.register_activity(
        context(people.candidate),
        cid,
        "FKM-001",
        title="Kommunikasjonskurs",
        kind="course",
        fulfilled_on=TODAY,
    ).value["activity_id"]
    app.send_activity_for_signing(
        context(people.candidate), cid, "FKM-001", activity_id, signer_sub=signer_sub
    )
    return activity_id


def create_meeting(app: KompetanseApplication, team: Team) -> UUID:
    outcome = app.create_meeting(
        context(team.people.veileder), team.candidate_id, scheduled_for=TODAY, planned_minutes=60
    )
    return UUID(outcome.value["meeting_id"])


def refused(
    app: KompetanseApplication, error: type[DomainError], command: Callable[[], object]
) -> DomainError:
    """The command raises `error` and the store is left exactly as it was."""
    position = app.recorder.max_notification_id()
    with pytest.raises(error) as raised:
        command()
    assert app.recorder.max_notification_id() == position
    return raised.value


def test_second_leader_invitation_is_refused_R2(app: KompetanseApplication, team: Team) -> None:
    candidate = team.people.candidate
    for role in ("leader", "veileder"):
        error = refused(
            app,
            ConflictError,
            lambda role=role: app.invite(
                context(candidate),
                team.candidate_id,
                role=role,
                name="Enda En",
                email="enda.en@example.no",
            ),
        )
        assert error.message.startswith("R2:")
    # Supervisors are many (R2).
    app.invite(
        context(candidate), team.candidate_id, role="supervisor", name="Tredje", email="t@x.no"
    )


def test_pending_leader_invitation_blocks_a_second_one_R2(app: KompetanseApplication) -> None:
    people = make_identities()
    cid = UUID(
        app.register_candidate(
            context(people.candidate),
            name="Lise Lege",
            email="lise@example.no",
            specialty="SAM",
            organisation_id="4601",
            organisation_name="Bergen kommune",
        ).value["candidate_id"]
    )
    invite = {"role": "leader", "name": "Leif Leder", "email": "leif@example.no"}
    app.invite(context(people.candidate), cid, **invite)
    refused(app, ConflictError, lambda: app.invite(context(people.candidate), cid, **invite))


def test_only_the_leader_invites_a_deputy_R7(app: KompetanseApplication, team: Team) -> None:
    refused(
        app,
        ForbiddenError,
        lambda: app.invite(
            context(team.people.candidate),
            team.candidate_id,
            role="deputy",
            name="Dag Deputy",
            email="dag@example.no",
        ),
    )


def test_registering_twice_is_refused_R1(app: KompetanseApplication, team: Team) -> None:
    refused(
        app,
        ConflictError,
        lambda: app.register_candidate(
            context(team.people.candidate),
            name="Lise Lege",
            email="lise@example.no",
            specialty="ALM",
            organisation_id="0301",
            organisation_name="Oslo kommune",
        ),
    )


def test_veileder_cannot_approve_goal_R7(app: KompetanseApplication, team: Team) -> None:
    send_fkm_001(app, team)
    people = team.people
    for person in (people.veileder, people.supervisor, people.candidate):
        error = refused(
            app,
            ForbiddenError,
            lambda person=person: app.approve_goal(context(person), team.candidate_id, "FKM-001"),
        )
        assert error.message.startswith("R7:")
    assert app.get_goal(team.candidate_id, "FKM-001").state == GoalState.SENT_FOR_APPROVAL


def test_deputy_may_approve_goal_R7(app: KompetanseApplication, team: Team) -> None:
    send_fkm_001(app, team)
    app.approve_goal(context(team.people.deputy), team.candidate_id, "FKM-001")
    assert app.get_goal(team.candidate_id, "FKM-001").decided_by_sub == team.people.deputy.sub


def test_approving_unsent_goal_is_refused_R7(app: KompetanseApplication, team: Team) -> None:
    leader, cid = team.people.leader, team.candidate_id
    refused(app, ConflictError, lambda: app.approve_goal(context(leader), cid, "FKM-001"))
    send_fkm_001(app, team)
    app.approve_goal(context(leader), cid, "FKM-001")
    refused(app, ConflictError, lambda: app.approve_goal(context(leader), cid, "FKM-001"))
    refused(
        app, ConflictError, lambda: app.reject_goal(context(leader), cid, "FKM-001", reason="x")
    )


def test_rejecting_a_goal_needs_a_reason_R7(app: KompetanseApplication, team: Team) -> None:
    send_fkm_001(app, team)
    refused(
        app,
        InvalidInputError,
        lambda: app.reject_goal(
            context(team.people.leader), team.candidate_id, "FKM-001", reason=" "
        ),
    )


def test_goal_can_be_approved_without_signed_activities_R11(
    app: KompetanseApplication, team: Team
) -> None:
    people, cid = team.people, team.candidate_id
    send_fkm_001(app, team)
    app.approve_goal(context(people.leader), cid, "FKM-001", comment="Kompetanse vurdert (§37)")
    assert app.get_goal(cid, "FKM-001").state == GoalState.APPROVED
    assert app.get_goal(cid, "FKM-001").activities == {}
    # An activity still waiting for its signature does not hold the goal back either.
    activity_id = register_and_send_activity(app, team, people.supervisor.sub)
    app.send_goal_for_approval(context(people.candidate), cid, "FKM-002", completed_on=TODAY)
    app.approve_goal(context(people.deputy), cid, "FKM-002")
    assert app.get_goal(cid, "FKM-002").state == GoalState.APPROVED
    assert (
        app.get_goal(cid, "FKM-001").activities[activity_id]["state"]
        == ActivityState.SENT_FOR_SIGNING
    )


def test_supervisor_cannot_sign_activity_sent_to_another_R10(
    app: KompetanseApplication, team: Team
) -> None:
    people, cid = team.people, team.candidate_id
    activity_id = register_and_send_activity(app, team, people.supervisor.sub)
    for person in (people.supervisor_2, people.veileder):
        error = refused(
            app,
            ForbiddenError,
            lambda person=person: app.sign_activity(context(person), cid, "FKM-001", activity_id),
        )
        assert error.message.startswith("R10:")
    refused(
        app,
        ForbiddenError,
        lambda: app.sign_activity(context(people.leader), cid, "FKM-001", activity_id),
    )
    app.sign_activity(context(people.supervisor), cid, "FKM-001", activity_id)
    record = app.get_goal(cid, "FKM-001").activities[activity_id]
    assert (record["state"], record["signer_sub"]) == (ActivityState.SIGNED, people.supervisor.sub)


def test_veileder_may_sign_an_activity_sent_to_them_R10(
    app: KompetanseApplication, team: Team
) -> None:
    people, cid = team.people, team.candidate_id
    activity_id = register_and_send_activity(app, team, people.veileder.sub)
    app.sign_activity(context(people.veileder), cid, "FKM-001", activity_id)
    assert app.get_goal(cid, "FKM-001").activities[activity_id]["state"] == ActivityState.SIGNED


def test_activity_is_sent_only_to_a_supervisor_or_the_veileder_R9(
    app: KompetanseApplication, team: Team
) -> None:
    people, cid = team.people, team.candidate_id
    activity_id = app.register_activity(
        context(people.candidate), cid, "FKM-001", title="Kurs", kind="course", fulfilled_on=TODAY
    ).value["activity_id"]
    for signer in (people.leader, people.stranger, people.candidate):
        refused(
            app,
            ConflictError,
            lambda signer=signer: app.send_activity_for_signing(
                context(people.candidate), cid, "FKM-001", activity_id, signer_sub=signer.sub
            ),
        )


def test_candidate_cannot_finalise_meeting_R17(app: KompetanseApplication, team: Team) -> None:
    meeting_id = create_meeting(app, team)
    error = refused(
        app,
        ForbiddenError,
        lambda: app.finalise_meeting(
            context(team.people.candidate), meeting_id, held_on=TODAY, duration_minutes=60
        ),
    )
    assert error.message.startswith("R17:")
    assert app.get_meeting(meeting_id).state == MeetingState.OPEN


def test_only_the_veileder_creates_meetings_R15(app: KompetanseApplication, team: Team) -> None:
    for person in (team.people.candidate, team.people.leader):
        refused(
            app,
            ForbiddenError,
            lambda person=person: app.create_meeting(
                context(person), team.candidate_id, scheduled_for=TODAY, planned_minutes=60
            ),
        )


def test_edit_after_finalise_is_refused_R17(app: KompetanseApplication, team: Team) -> None:
    people = team.people
    meeting_id = create_meeting(app, team)
    app.revise_summary(
        context(people.veileder), meeting_id, text="Kort referat", goals_discussed=[]
    )
    app.finalise_meeting(context(people.veileder), meeting_id, held_on=TODAY, duration_minutes=50)
    finalised = app.get_meeting(meeting_id)

    edits: list[Callable[[], object]] = [
        lambda: app.write_preparation(context(people.candidate), meeting_id, text="Sent"),
        lambda: app.write_preparation(context(people.veileder), meeting_id, text="Sent"),
        lambda: app.revise_summary(
            context(people.candidate), meeting_id, text="Endret", goals_discussed=[]
        ),
        lambda: app.revise_summary(
            context(people.veileder), meeting_id, text="Endret", goals_discussed=["FKM-001"]
        ),
        lambda: app.finalise_meeting(
            context(people.veileder), meeting_id, held_on=TODAY, duration_minutes=90
        ),
    ]
    for edit in edits:
        assert refused(app, ConflictError, edit).message.startswith("R17:")
    assert app.get_meeting(meeting_id) == finalised


def test_unrelated_person_gets_not_found(app: KompetanseApplication, team: Team) -> None:
    people, cid = team.people, team.candidate_id
    send_fkm_001(app, team)
    activity_id = register_and_send_activity(app, team, people.supervisor.sub)
    meeting_id = create_meeting(app, team)
    stranger = context(people.stranger)
    attempts: list[Callable[[], object]] = [
        lambda: app.actor_for(people.stranger, cid),
        lambda: app.approve_goal(stranger, cid, "FKM-001"),
        lambda: app.reject_goal(stranger, cid, "FKM-001", reason="Nei"),
        lambda: app.sign_activity(stranger, cid, "FKM-001", activity_id),
        lambda: app.comment_goal(stranger, cid, "FKM-001", text="Hei"),
        lambda: app.register_activity(
            stranger, cid, "FKM-002", title="Kurs", kind="course", fulfilled_on=TODAY
        ),
        lambda: app.invite(stranger, cid, role="supervisor", name="Meg", email="meg@example.no"),
        lambda: app.assign_plan(stranger, cid, plan_code="ALM"),
        lambda: app.write_preparation(stranger, meeting_id, text="Hei"),
        lambda: app.finalise_meeting(stranger, meeting_id, held_on=TODAY, duration_minutes=30),
        lambda: app.create_meeting(stranger, cid, scheduled_for=TODAY, planned_minutes=30),
    ]
    for attempt in attempts:
        error = refused(app, NotFoundError, attempt)
        assert not isinstance(error, ForbiddenError)


def test_auditor_may_read_but_not_act_R24(app: KompetanseApplication, team: Team) -> None:
    auditor, cid = team.people.auditor, team.candidate_id
    send_fkm_001(app, team)
    assert not app.actor_for(auditor, cid).is_related
    refused(app, ForbiddenError, lambda: app.approve_goal(context(auditor), cid, "FKM-001"))


def test_sync_approval_for_an_unknown_person_is_not_found_R23(
    app: KompetanseApplication, team: Team
) -> None:
    refused(
        app,
        NotFoundError,
        lambda: app.import_approval(
            context(team.people.sync),
            hpr_number="99999999",
            sub="nobody",
            goal_code="FKM-001",
            source_portal="hospital-hso",
            source_event_id="hso-event-9",
            approved_at=NOW,
            approver_name="Overlege Hansen",
        ),
    )


def test_refused_command_stores_nothing(app: KompetanseApplication, team: Team) -> None:
    people, cid = team.people, team.candidate_id
    meeting_id = create_meeting(app, team)
    versions = {
        "candidate": app.get_candidate(cid).version,
        "goal": app.get_goal(cid, "FKM-001").version,
        "meeting": app.get_meeting(meeting_id).version,
    }
    position = app.recorder.max_notification_id()
    attempts: list[tuple[type[DomainError], Callable[[], object]]] = [
        (ConflictError, lambda: app.approve_goal(context(people.leader), cid, "FKM-001")),
        (
            InvalidInputError,
            lambda: app.send_goal_for_approval(
                context(people.candidate), cid, "FKM-001", completed_on=TODAY + timedelta(days=1)
            ),
        ),
        (
            ConflictError,
            lambda: app.invite(
                context(people.candidate), cid, role="leader", name="Ny", email="ny@example.no"
            ),
        ),
        (NotFoundError, lambda: app.approve_goal(context(people.leader), cid, "FKM-999")),
        (
            ForbiddenError,
            lambda: app.comment_goal(context(people.leader), cid, "FKM-001", text="x"),
        ),
        (
            ForbiddenError,
            lambda: app.finalise_meeting(
                context(people.candidate), meeting_id, held_on=TODAY, duration_minutes=60
            ),
        ),
        (
            InvalidInputError,
            lambda: app.revise_summary(
                context(people.veileder), meeting_id, text="x", goals_discussed=["ALM-001"]
            ),
        ),
    ]
    for error, attempt in attempts:
        with pytest.raises(error):
            attempt()
    assert app.recorder.max_notification_id() == position
    assert {
        "candidate": app.get_candidate(cid).version,
        "goal": app.get_goal(cid, "FKM-001").version,
        "meeting": app.get_meeting(meeting_id).version,
    } == versions
    assert isinstance(app.get_candidate(cid), Candidate)
    assert isinstance(app.get_meeting(meeting_id), SupervisionMeeting)
