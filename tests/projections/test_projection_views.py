"""Each view answers its query after commands went through the real application.

Runs on SQLite and PostgreSQL: one database per module and store (`shared_world`),
each test with its own candidate and people (unique `sub`s); commands through
KompetanseApplication, then `catch_up()`, then the query.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from projection_world import YESTERDAY, Crew, World

from kompetanse_domain.model.identity import Identity


@pytest.fixture
def world(shared_world: World) -> World:
    return shared_world


def _meeting(crew: Crew, day: date, planned: int = 60) -> UUID:
    outcome = crew.app.create_meeting(
        crew.ctx("veileder"), crew.candidate_id, scheduled_for=day, planned_minutes=planned
    )
    return UUID(outcome.value["meeting_id"])


def test_candidate_view_shows_profile_roles_and_plan_states(world: World) -> None:
    crew = world.team(plans=("FKM", "TEST-A"))
    crew.app.remove_plan(crew.ctx("leader"), crew.candidate_id, plan_code="TEST-A", reason="feil")
    world.service.catch_up()

    view = world.q.get_candidate(crew.candidate_id)

    assert (view["name"], view["sub"], view["state"]) == (
        "Lise Lege",
        crew.sub("candidate"),
        "registered",
    )
    assert view["organisation"] == {"id": "0301", "name": "Oslo kommune"}
    assert view["version"] == world.app.get_candidate(crew.candidate_id).version
    assert {(r["role"], r["sub"], r["name"]) for r in view["roles"]} == {
        ("leader", crew.sub("leader"), "Leif Leder"),
        ("veileder", crew.sub("veileder"), "Vera Veileder"),
        ("supervisor", crew.sub("supervisor"), "Siri Supervisør"),
        ("supervisor", crew.sub("supervisor_2"), "Sverre Supervisør"),
        ("deputy", crew.sub("deputy"), "Dina Stedfortreder"),
    }
    assert [(p["plan_code"], p["state"], p["goal_count"]) for p in view["plans"]] == [
        ("FKM", "active", 24),
        ("TEST-A", "removed", 3),
    ]


def test_revoked_role_leaves_the_candidate_view(world: World) -> None:
    crew = world.team(plans=())
    crew.app.revoke_role(
        crew.ctx("candidate"), crew.candidate_id, role="supervisor", sub=crew.sub("supervisor_2")
    )
    world.service.catch_up()

    roles = {r["sub"] for r in world.q.get_candidate(crew.candidate_id)["roles"]}

    assert crew.sub("supervisor_2") not in roles
    assert crew.sub("supervisor") in roles


def test_unknown_candidate_goal_and_meeting_are_none(world: World) -> None:
    world.service.catch_up()
    unknown = UUID(int=7)
    assert world.q.get_candidate(unknown) is None
    assert world.q.get_goal(unknown, "FKM-001") is None
    assert world.q.get_meeting(unknown) is None
    assert world.q.get_progress(unknown) is None
    assert world.q.list_meetings(unknown) == []


def test_goal_view_shows_activities_comments_approver_and_decision(world: World) -> None:
    crew = world.team()
    cid, app = crew.candidate_id, crew.app
    aid = crew.activity("FKM-001", title="Etikkurs")
    app.send_activity_for_signing(
        crew.ctx("candidate"), cid, "FKM-001", aid, signer_sub=crew.sub("supervisor")
    )
    app.sign_activity(crew.ctx("supervisor"), cid, "FKM-001", aid, comment="Flott")
    app.comment_goal(crew.ctx("veileder"), cid, "FKM-001", text="God progresjon")
    app.send_goal_for_approval(crew.ctx("candidate"), cid, "FKM-001", completed_on=YESTERDAY)
    app.approve_goal(crew.ctx("deputy"), cid, "FKM-001", comment="Godkjent")
    world.service.catch_up()

    goal = world.q.get_goal(cid, "FKM-001")

    assert goal["state"] == "approved"
    assert goal["version"] == app.get_goal(cid, "FKM-001").version
    assert goal["completed_on"] == YESTERDAY
    assert goal["approver"] == {"sub": crew.sub("leader"), "name": "Leif Leder"}
    assert goal["decided_by"] == {"sub": crew.sub("deputy"), "name": "Dina Stedfortreder"}
    assert goal["decision_comment"] == "Godkjent"
    assert goal["decided_at"] is not None
    [activity] = goal["activities"]
    assert (activity["title"], activity["state"], activity["decision_comment"]) == (
        "Etikkurs",
        "signed",
        "Flott",
    )
    assert activity["signer"] == {"sub": crew.sub("supervisor"), "name": "Siri Supervisør"}
    [comment] = goal["comments"]
    assert comment["author"] == {"sub": crew.sub("veileder"), "name": "Vera Veileder"}
    assert comment["text"] == "God progresjon"


def test_goal_approved_in_the_other_portal_names_its_source(world: World) -> None:
    crew = world.team()
    crew.app.import_approval(
        crew.ctx("sync"),
        hpr_number=None,
        sub=crew.sub("candidate"),
        goal_code="FKM-002",
        source_portal="hospital-hso",
        source_event_id="evt-1",
        approved_at=datetime(2025, 5, 1, 12, 0, tzinfo=UTC),
        approver_name="Overlege Olsen",
    )
    world.service.catch_up()

    goal = world.q.get_goal(crew.candidate_id, "FKM-002")

    assert goal["state"] == "approved"
    assert goal["decided_by"] == {"sub": crew.sub("sync"), "name": "Overlege Olsen"}
    assert goal["decided_at"] == datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    assert goal["imported_from"] == [{"source_portal": "hospital-hso", "source_event_id": "evt-1"}]


def test_progress_counts_goals_per_plan_and_activities_per_goal(world: World) -> None:
    crew = world.team(plans=("FKM", "TEST-A"))
    cid, app, cand = crew.candidate_id, crew.app, crew.ctx("candidate")
    for code in ("FKM-001", "FKM-002", "FKM-003", "TEST-A-001"):
        app.send_goal_for_approval(cand, cid, code, completed_on=YESTERDAY)
    app.approve_goal(crew.ctx("leader"), cid, "FKM-001")
    app.reject_goal(crew.ctx("leader"), cid, "FKM-002", reason="Mangler kurs")
    first, second, _ = (crew.activity("FKM-003") for _ in range(3))
    app.send_activity_for_signing(cand, cid, "FKM-003", first, signer_sub=crew.sub("supervisor"))
    app.send_activity_for_signing(cand, cid, "FKM-003", second, signer_sub=crew.sub("veileder"))
    app.sign_activity(crew.ctx("veileder"), cid, "FKM-003", second)
    world.service.catch_up()

    progress = world.q.get_progress(cid)

    assert progress["totals"] == {
        "total": 27,
        "approved": 1,
        "sent_for_approval": 2,
        "rejected": 1,
        "not_started": 23,
    }
    plans = {plan["plan_code"]: plan for plan in progress["plans"]}
    assert (plans["FKM"]["total"], plans["FKM"]["approved"], plans["FKM"]["rejected"]) == (24, 1, 1)
    assert (plans["TEST-A"]["total"], plans["TEST-A"]["sent_for_approval"]) == (3, 1)
    goal = next(goal for goal in progress["goals"] if goal["code"] == "FKM-003")
    assert (
        goal["registered_activities"],
        goal["pending_activities"],
        goal["signed_activities"],
    ) == (3, 1, 1)
    assert goal["evidence"] == {  # R8: what the leader can lean on
        "mentor_comments": 0,
        "signers": [{"sub": crew.sub("veileder"), "name": "Vera Veileder", "signatures": 1}],
    }


def test_progress_leaves_out_goals_of_a_removed_plan(world: World) -> None:
    crew = world.team(plans=("FKM", "TEST-A"))
    crew.app.remove_plan(crew.ctx("leader"), crew.candidate_id, plan_code="TEST-A", reason="feil")
    world.service.catch_up()

    progress = world.q.get_progress(crew.candidate_id)

    assert [plan["plan_code"] for plan in progress["plans"]] == ["FKM"]
    assert progress["totals"]["total"] == 24


def test_procedures_count_against_the_recommended_minimum_without_blocking(world: World) -> None:
    crew = world.team(plans=("ALM",))
    cid, app, cand = crew.candidate_id, crew.app, crew.ctx("candidate")
    for count in (30, 25):
        crew.activity("ALM-009", title="Legevakt", kind="procedure", count=count)
    rejected = crew.activity("ALM-009", title="Legevakt", kind="procedure", count=99)
    app.send_activity_for_signing(cand, cid, "ALM-009", rejected, signer_sub=crew.sub("supervisor"))
    app.reject_activity(crew.ctx("supervisor"), cid, "ALM-009", rejected, reason="Feil")
    app.send_goal_for_approval(cand, cid, "ALM-009", completed_on=YESTERDAY)
    app.approve_goal(crew.ctx("leader"), cid, "ALM-009")  # R12: never blocked
    world.service.catch_up()

    goal = next(g for g in world.q.get_progress(cid)["goals"] if g["code"] == "ALM-009")

    assert goal["state"] == "approved"
    assert goal["procedures"] == [
        {
            "title": "Legevaktskonsultasjoner",
            "recommended_minimum": 100,
            "count": 55,
            "signed": 0,
            "remaining": 45,
        }
    ]


def test_r19_supervision_hours_per_month_from_finalised_meetings_only(world: World) -> None:
    crew = world.team(plans=())
    today = date.today()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    for held_on, minutes in ((last_month, 90), (last_month, 150), (this_month, 60)):
        mid = _meeting(crew, held_on)
        crew.app.revise_summary(crew.ctx("veileder"), mid, text="Referat", goals_discussed=[])
        crew.app.finalise_meeting(
            crew.ctx("veileder"), mid, held_on=held_on, duration_minutes=minutes
        )
    _meeting(crew, today, planned=600)  # not finalised: not counted
    world.service.catch_up()

    supervision = world.q.get_progress(crew.candidate_id, today=today)["supervision"]

    assert supervision["months"] == [
        {"month": last_month.strftime("%Y-%m"), "hours": 4.0, "meetings": 2},
        {"month": this_month.strftime("%Y-%m"), "hours": 1.0, "meetings": 1},
    ]
    assert supervision["rule"]["hours_per_month"] == 4.0  # ALM (R19)
    assert supervision["rule"]["months_per_year"] == 10.5
    assert supervision["total_hours"] == 5.0
    assert supervision["months_counted"] == 2
    assert supervision["average_hours_per_month"] == 2.5
    assert supervision["months_at_or_above_minimum"] == 1
    assert supervision["on_track"] is False


def test_readiness_lists_missing_plans_and_goals(world: World) -> None:
    crew = world.team(plans=("FKM",))
    cid, app = crew.candidate_id, crew.app
    for code in [f"FKM-{n:03d}" for n in range(1, 25)]:
        app.send_goal_for_approval(crew.ctx("candidate"), cid, code, completed_on=YESTERDAY)
        if code != "FKM-024":
            app.approve_goal(crew.ctx("leader"), cid, code)
    world.service.catch_up()

    readiness = world.q.get_progress(cid)["readiness"]

    assert readiness["target"] == "specialist_approval"
    assert readiness["required_plans"] == ["ALM", "FKM"]
    assert readiness["ready"] is False
    assert readiness["missing"] == [
        {"rule": "R20", "plan_code": "ALM", "goal_code": None, "state": "not_assigned"},
        {"rule": "R20", "plan_code": "FKM", "goal_code": "FKM-024", "state": "sent_for_approval"},
    ]
    assert readiness["minimum_duration"]["met"] is False


def test_a_second_specialty_gets_a_readiness_of_its_own_until_its_plan_is_removed(
    world: World,
) -> None:
    crew = world.team(plans=("FKM", "ALM", "SAM"))  # R22: ALM and SAM in parallel
    cid, app = crew.candidate_id, crew.app
    world.service.catch_up()

    by_specialty = world.q.get_progress(cid)["readiness_by_specialty"]

    assert [each["specialty"] for each in by_specialty] == ["ALM", "SAM"]
    assert sorted(by_specialty[1]["required_plans"]) == ["FKM", "SAM"]
    assert {m["plan_code"] for m in by_specialty[1]["missing"]} == {"FKM", "SAM"}
    assert world.q.get_progress(cid)["readiness"] == by_specialty[0]

    app.remove_plan(crew.ctx("leader"), cid, plan_code="SAM", reason="Tildelt ved en feil")
    world.service.catch_up()

    by_specialty = world.q.get_progress(cid)["readiness_by_specialty"]
    assert [each["specialty"] for each in by_specialty] == ["ALM"]


def test_leader_approvals_are_oldest_first_for_leader_and_deputy_only(world: World) -> None:
    crew = world.team(plans=("FKM",))
    cid, app = crew.candidate_id, crew.app
    for code in ("FKM-005", "FKM-002", "FKM-009"):
        app.send_goal_for_approval(crew.ctx("candidate"), cid, code, completed_on=YESTERDAY)
    app.approve_goal(crew.ctx("leader"), cid, "FKM-002")
    world.service.catch_up()

    for who in ("leader", "deputy"):
        approvals = world.q.list_leader_approvals(crew.sub(who))
        assert [a["goal_code"] for a in approvals] == ["FKM-005", "FKM-009"]
        assert approvals[0]["sent_at"] < approvals[1]["sent_at"]
        assert approvals[0]["candidate"] == {
            "candidate_id": str(cid),
            "sub": crew.sub("candidate"),
            "name": "Lise Lege",
        }
        assert approvals[0]["approver"] == {"sub": crew.sub("leader"), "name": "Leif Leder"}
    assert world.q.list_leader_approvals(crew.sub("veileder")) == []
    assert world.q.list_leader_approvals(crew.sub("stranger")) == []


def test_a_replaced_leader_no_longer_sees_the_candidate(world: World) -> None:
    crew = world.team(plans=("FKM",))
    cid, app = crew.candidate_id, crew.app
    app.send_goal_for_approval(crew.ctx("candidate"), cid, "FKM-001", completed_on=YESTERDAY)
    app.revoke_role(crew.ctx("candidate"), cid, role="leader", sub=crew.sub("leader"))
    world.service.catch_up()

    assert world.q.list_leader_approvals(crew.sub("leader")) == []
    assert world.q.list_leader_candidates(crew.sub("leader")) == []
    assert [a["goal_code"] for a in world.q.list_leader_approvals(crew.sub("deputy"))] == [
        "FKM-001"
    ]


def test_leader_dashboard_totals_and_pending_approvals(world: World) -> None:
    crew = world.team(plans=("FKM",))
    crew.app.send_goal_for_approval(
        crew.ctx("candidate"), crew.candidate_id, "FKM-001", completed_on=YESTERDAY
    )
    world.service.catch_up()

    [row] = world.q.list_leader_candidates(crew.sub("leader"))

    assert row["candidate"] == {
        "candidate_id": str(crew.candidate_id),
        "sub": crew.sub("candidate"),
        "name": "Lise Lege",
    }
    assert row["roles"] == ["leader"]
    assert row["totals"] == {
        "total": 24,
        "approved": 0,
        "sent_for_approval": 1,
        "rejected": 0,
        "not_started": 23,
    }
    assert row["pending_approvals"] == 1


def test_supervisor_inbox_shows_requests_until_signed_or_rejected(world: World) -> None:
    crew = world.team()
    cid, app, cand = crew.candidate_id, crew.app, crew.ctx("candidate")
    signed = crew.activity("FKM-001", title="Prosedyre A")
    rejected = crew.activity("FKM-002", title="Prosedyre B")
    for aid, code in ((signed, "FKM-001"), (rejected, "FKM-002")):
        app.send_activity_for_signing(cand, cid, code, aid, signer_sub=crew.sub("supervisor"))
    world.service.catch_up()

    inbox = world.q.list_signing_requests(crew.sub("supervisor"))
    assert [(r["activity_id"], r["goal_code"], r["state"]) for r in inbox] == [
        (signed, "FKM-001", "sent_for_signing"),
        (rejected, "FKM-002", "sent_for_signing"),
    ]
    assert inbox[0]["candidate"]["name"] == "Lise Lege"
    assert inbox[0]["signer"] == {"sub": crew.sub("supervisor"), "name": "Siri Supervisør"}
    assert world.q.list_signing_requests(crew.sub("supervisor_2")) == []

    app.sign_activity(crew.ctx("supervisor"), cid, "FKM-001", signed)
    app.reject_activity(crew.ctx("supervisor"), cid, "FKM-002", rejected, reason="Nei")
    world.service.catch_up()

    assert world.q.list_signing_requests(crew.sub("supervisor")) == []


def test_inbox_hides_requests_of_a_signer_whose_role_was_revoked(world: World) -> None:
    crew = world.team()
    cid = crew.candidate_id
    aid = crew.activity("FKM-001")
    crew.app.send_activity_for_signing(
        crew.ctx("candidate"), cid, "FKM-001", aid, signer_sub=crew.sub("supervisor_2")
    )
    world.service.catch_up()
    assert len(world.q.list_signing_requests(crew.sub("supervisor_2"))) == 1

    crew.app.revoke_role(
        crew.ctx("candidate"), cid, role="supervisor", sub=crew.sub("supervisor_2")
    )
    world.service.catch_up()

    assert world.q.list_signing_requests(crew.sub("supervisor_2")) == []


def test_meeting_view_keeps_every_change_with_who_and_when(world: World) -> None:
    crew = world.team()
    app, veileder, cand = crew.app, crew.ctx("veileder"), crew.ctx("candidate")
    mid = _meeting(crew, YESTERDAY, planned=45)
    app.write_preparation(cand, mid, text="Mine spørsmål")
    app.write_preparation(veileder, mid, text="Agenda")
    app.revise_summary(veileder, mid, text="Utkast", goals_discussed=["FKM-001"])
    app.revise_summary(cand, mid, text="Endelig", goals_discussed=["FKM-001", "FKM-002"])
    app.finalise_meeting(veileder, mid, held_on=YESTERDAY, duration_minutes=50)
    world.service.catch_up()

    meeting = world.q.get_meeting(mid)

    assert meeting["state"] == "finalised"
    assert (meeting["planned_minutes"], meeting["duration_minutes"]) == (45, 50)
    assert meeting["held_on"] == YESTERDAY
    assert meeting["summary"] == "Endelig"
    assert meeting["goals_discussed"] == ["FKM-001", "FKM-002"]
    assert {p["author_role"]: p["text"] for p in meeting["preparations"]} == {
        "candidate": "Mine spørsmål",
        "veileder": "Agenda",
    }
    assert [(c["what"], c["actor"]["sub"]) for c in meeting["changes"]] == [
        ("created", crew.sub("veileder")),
        ("preparation_written", crew.sub("candidate")),
        ("preparation_written", crew.sub("veileder")),
        ("summary_revised", crew.sub("veileder")),
        ("summary_revised", crew.sub("candidate")),
        ("finalised", crew.sub("veileder")),
    ]
    assert meeting["changes"][3]["detail"] == {"text": "Utkast", "goals_discussed": ["FKM-001"]}
    assert meeting["changes"][1]["actor"]["name"] == "Lise Lege"
    assert all(change["at"] is not None for change in meeting["changes"])
    assert [(m["meeting_id"], m["state"]) for m in world.q.list_meetings(crew.candidate_id)] == [
        (str(mid), "finalised")
    ]


def test_report_rows_one_per_goal_of_the_leaders_candidates(world: World) -> None:
    crew = world.team(plans=("TEST-A",))
    cid, app = crew.candidate_id, crew.app
    app.send_goal_for_approval(crew.ctx("candidate"), cid, "TEST-A-002", completed_on=YESTERDAY)
    app.approve_goal(crew.ctx("leader"), cid, "TEST-A-002")
    other = world.team(plans=("TEST-B",))  # led by someone else
    app.register_candidate(
        world.ctx(Identity(f"{crew.sub('leader')}-as-candidate", "Åse Ærlig")),
        name="Åse Ærlig",
        email="ase@example.no",
        specialty="SAM",
        organisation_id="1",
        organisation_name="Øygarden",
    )
    world.service.catch_up()

    rows = list(world.q.iter_report_rows(crew.sub("leader")))

    assert [(r["candidate_name"], r["plan_code"], r["goal_code"], r["state"]) for r in rows] == [
        ("Lise Lege", "TEST-A", "TEST-A-001", "not_started"),
        ("Lise Lege", "TEST-A", "TEST-A-002", "approved"),
        ("Lise Lege", "TEST-A", "TEST-A-003", "not_started"),
    ]
    assert rows[1]["completed_on"] == YESTERDAY
    assert rows[1]["decided_by"] == "Leif Leder"
    assert rows[1]["decided_at"] is not None
    assert list(world.q.iter_report_rows(crew.sub("stranger"))) == []
    assert len(list(world.q.iter_report_rows(other.sub("leader")))) == 2
