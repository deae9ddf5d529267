"""A poison event never becomes a permanent outage (issue 22, ADR 0019), on both stores.

An event the views cannot apply is written into the event store by raw SQL, as it
would be found after an older release accepted it: an approval imported from the
other portal dated 0001-01-01T00:00:00+14:00 (which the views now clamp when they
read it) and an approver's name holding a lone surrogate, a text with no UTF-8 form
that no view can store. The views that store the approver stop before it and never
skip it; the others go
on, queries that need only them keep answering (also with X-Min-Position), queries
that need a stopped view answer 503 `view-stopped`, and `/readyz` names the stopped
views and the event without SQL or values. The operator declares a repair of that one
stored event (`kompetanse projections repair`), the stopped views resume and catch up,
the history shows the repair, and the chain still verifies over the stored bytes.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from audit_support import AuditWorld, Http, Journey, journey
from eventsourcing.persistence import StoredEvent
from typer.testing import CliRunner

from kompetanse.audit_export import export_candidate
from kompetanse.cli_projections import EXIT_NOT_ALIVE, projections_app
from kompetanse_domain.application.repairs import declare_repair
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import goal_id_for
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_store.urls import is_sqlite
from support.domain import Team, register_team, unique_people
from support.tampering import RawStore

YEAR_ONE_AT_PLUS_14 = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
STOPPING = {"goals", "leader", "audit"}  # the views that store the approver's name
SQL_WORDS = ("INSERT", "UPDATE", "SELECT", "[SQL", "parameters")


@pytest.fixture
def world(database_url: str) -> Iterator[AuditWorld]:
    built = AuditWorld(database_url)
    built.service.follower.resume_check_interval = 0.0  # look for a repair at every step
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def http(world: AuditWorld, tmp_path: Path) -> Iterator[Http]:
    client = Http(world, tmp_path / "data")
    with client.client:
        yield client


@pytest.fixture
def env(world: AuditWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMPETANSE_DATABASE_URL", world.url)
    monkeypatch.setenv("KOMPETANSE_DATA_DIR", str(tmp_path / "cli"))


def insert_raw(url: str, stored: StoredEvent) -> int:
    """Write a stored event with plain SQL, as an older release left it; its position."""
    raw = RawStore(url)
    originator = stored.originator_id
    assert isinstance(originator, UUID)
    row = (
        originator.hex if raw.sqlite else str(originator),
        stored.originator_version,
        stored.topic,
        stored.state,
    )
    insert = f"INSERT INTO {raw.table} (originator_id, originator_version, topic, state)"
    if raw.sqlite:
        raw.run(f"{insert} VALUES (%s, %s, %s, %s)", row)
        return int(raw.run("SELECT MAX(rowid) FROM stored_events")[0][0])
    return int(raw.run(f"{insert} VALUES (%s, %s, %s, %s) RETURNING notification_id", row)[0][0])


def store_poison_approval(world: AuditWorld, candidate_id: UUID, code: str) -> tuple[int, bytes]:
    """An imported approval dated in year 1 at +14:00 by an approver whose name holds a
    lone surrogate, stored by raw SQL: its position and stored bytes."""
    goal = world.app.repository.get(goal_id_for(candidate_id, code))
    poison = LearningGoal.ApprovalImported(
        originator_id=goal.id,
        originator_version=goal.version + 1,
        timestamp=datetime.now(UTC),
        actor="sync-sub",
        actor_name="Portal-synk",
        source_portal="hospital-hso",
        source_event_id=f"hso-{uuid.uuid4()}",
        approved_at=YEAR_ONE_AT_PLUS_14,
        approver_name="Hanne Sykehusleder",
    )
    stored = world.app.mapper.to_stored_event(poison)
    # A lone surrogate, which no view can store (it has no UTF-8 form); the transcoder
    # cannot write one, so it goes into the stored JSON as an escape.
    name = b'"approver_name":"Hanne Sykehusleder"'
    assert name in stored.state
    stored = dataclasses.replace(
        stored, state=stored.state.replace(name, b'"approver_name":"Hanne Sykehusleder\\ud800"')
    )
    return insert_raw(world.url, stored), stored.state


def statuses(world: AuditWorld) -> dict[str, Any]:
    return {status.name: status for status in world.service.status()}


def readyz(world: AuditWorld, http: Http) -> Any:
    world.service.follower.beat()  # the views that follow are seen alive
    return http.client.get("/readyz")


@dataclass
class Stopped:
    """A projected history, a poison event stored after it, and a team registered later."""

    first: Journey
    later: Team
    position: int  # of the poison event
    state: bytes  # its stored bytes
    newest: int  # the last position in the store

    @property
    def cid(self) -> UUID:
        return self.first.candidate_id

    @property
    def code(self) -> str:
        return self.first.rejected  # the goal the poison approval is for


@pytest.fixture
def stopped(world: AuditWorld) -> Stopped:
    first = journey(world.app, unique_people("a"), hpr_number=None)
    world.service.catch_up()
    position, state = store_poison_approval(world, first.candidate_id, first.rejected)
    later = register_team(world.app, unique_people("b"), plans=("LIS1-KLK",))  # after it
    newest = world.app.recorder.max_notification_id()
    assert newest is not None and newest > position
    world.service.catch_up()
    return Stopped(first, later, position, state, newest)


def test_views_that_cannot_apply_an_event_stop_before_it_and_the_others_go_on(
    world: AuditWorld, stopped: Stopped
) -> None:
    status = statuses(world)
    for name in STOPPING:
        assert status[name].position < stopped.position  # never past it
        assert (status[name].stopped_at, status[name].event_type, status[name].error_type) == (
            stopped.position,
            "LearningGoal.ApprovalImported",
            "UnicodeEncodeError",
        )
        assert not status[name].alive
    for name in set(status) - STOPPING:
        assert (status[name].position, status[name].error) == (stopped.newest, None), name


def test_readyz_names_the_stopped_views_and_the_event_without_sql_or_values(
    world: AuditWorld, http: Http, stopped: Stopped
) -> None:
    ready = readyz(world, http)

    assert ready.status_code == 503
    assert ready.headers["Retry-After"]
    views = {view["name"]: view for view in ready.json()["projections"] if not view["alive"]}
    assert set(views) == STOPPING
    for view in views.values():
        assert view["stopped_at"] == stopped.position
        assert view["event_type"] == "LearningGoal.ApprovalImported"
        assert view["error_type"] == "UnicodeEncodeError"
        assert f"position {stopped.position}" in view["error"]
    assert not any(word in ready.text for word in SQL_WORDS), ready.text
    assert "0001-01-01" not in ready.text and "Hanne" not in ready.text
    assert str(stopped.cid) not in ready.text


def test_queries_on_views_that_go_on_answer_with_x_min_position_while_one_is_stopped(
    http: Http, stopped: Stopped
) -> None:
    wait = {"X-Min-Position": str(stopped.newest)}
    later = stopped.later

    profile = http.get(f"/v1/candidates/{later.candidate_id}", later.people.candidate, **wait)
    meetings = http.get(
        f"/v1/candidates/{stopped.cid}/meetings", stopped.first.people.auditor, **wait
    )

    assert profile.status_code == 200, profile.text
    assert int(profile.headers["X-Projection-Position"]) == stopped.newest
    assert meetings.status_code == 200, meetings.text


def test_a_query_that_needs_a_stopped_view_answers_503_view_stopped_at_once(
    http: Http, stopped: Stopped
) -> None:
    path = f"/v1/candidates/{stopped.cid}/goals/{stopped.code}"
    for wait in ({}, {"X-Min-Position": str(stopped.newest)}):
        goal = http.get(path, stopped.first.people.candidate, **wait)

        assert goal.status_code == 503, goal.text
        assert goal.json()["type"] == "urn:kompetanse:problem:view-stopped"
        assert f"position {stopped.position}" in goal.json()["detail"]
        assert goal.headers["Retry-After"]
        assert goal.elapsed.total_seconds() < 2  # no wait for a view that will not move


def test_a_declared_repair_resumes_the_views_and_shows_in_history_with_the_chain_intact(
    world: AuditWorld, http: Http, env: None, tmp_path: Path, stopped: Stopped
) -> None:
    cid, position, auditor = stopped.cid, stopped.position, stopped.first.people.auditor
    seen = CliRunner().invoke(projections_app, ["status"])
    assert seen.exit_code == EXIT_NOT_ALIVE
    assert f"before the event at position {position}" in seen.output
    reason = "Approval from the old hospital portal: year 1, broken name; clamped (case 4711)"

    repaired = CliRunner().invoke(
        projections_app, ["repair", str(position), "--reason", reason, "--by", "Ola Drift"]
    )
    world.service.catch_up()

    assert repaired.exit_code == 0, repaired.output
    assert "approved_at" in repaired.output and "approver_name" in repaired.output
    assert all(name in repaired.output for name in STOPPING)
    after = world.app.recorder.max_notification_id()  # the declaration is an event too
    assert after is not None and after > stopped.newest
    assert {s.name: (s.position, s.error) for s in statuses(world).values()} == {
        name: (after, None) for name in statuses(world)
    }
    assert readyz(world, http).status_code == 200
    goal = http.get(f"/v1/candidates/{cid}/goals/{stopped.code}", stopped.first.people.candidate)
    assert goal.status_code == 200, goal.text
    assert (goal.json()["state"], goal.json()["decided_at"]) == (
        "approved",
        "0001-01-02T00:00:00Z",  # the earliest instant every view and report can hold
    )
    # the history shows that the event is read repaired, why and by whom; the chain holds
    items = http.get(f"/v1/candidates/{cid}/history", auditor).json()["data"]
    (item,) = (item for item in items if item["position"] == position)
    assert item["repaired"]["reason"] == reason
    assert item["repaired"]["fields"] == ["approved_at", "approver_name"]
    assert item["repaired"]["declared_by"] == "Ola Drift"
    assert not any("repaired" in other for other in items if other is not item)
    verify = http.get(f"/v1/candidates/{cid}/history/verify", auditor)
    assert verify.json() == {"ok": True, "events": len(items)}
    # the record itself is untouched: the stored bytes still say year 1 at +14:00
    (stored,) = world.app.recorder.select_notifications(position, 1)
    assert stored.state == stopped.state
    assert b'"0001-01-01T00:00:00+14:00"' in stored.state
    # and the legal export, which failed on that instant, can be made
    exported = export_candidate(world.app, world.service.queries, cid, tmp_path / "export")
    assert exported.verified.ok


def store_registration_with_nul(world: AuditWorld, people: Any) -> tuple[UUID, int]:
    """A candidate registered with a NUL in the name, as an older release accepted it."""
    (registered,) = Candidate.register(
        people.candidate,
        name="Lise Lege",
        email="lise.lege@example.no",
        specialty="ALM",
        organisation_id="0301",
        organisation_name="Oslo kommune",
    ).collect_events()
    stored = world.app.mapper.to_stored_event(registered)
    state = world.app.mapper.transcoder.decode(stored.state)
    state["name"] = "Lise\x00Lege"
    poisoned = dataclasses.replace(stored, state=world.app.mapper.transcoder.encode(state))
    return registered.originator_id, insert_raw(world.url, poisoned)


def test_a_nul_in_a_stored_name_is_read_as_a_replacement_character_once_repaired(
    world: AuditWorld, http: Http, database_url: str
) -> None:
    """Finding 1: PostgreSQL views cannot store NUL; SQLite stored it verbatim."""
    people = unique_people("nul")
    cid, position = store_registration_with_nul(world, people)
    world.service.catch_up()
    stopped = {s.name: s for s in world.service.status() if s.error is not None}
    if is_sqlite(database_url):
        assert stopped == {}
    else:
        assert stopped["candidates"].stopped_at == position
        assert stopped["candidates"].event_type == "Candidate.Registered"
        assert "NUL" not in (stopped["candidates"].error or "")  # the driver's words: log only

    repair = declare_repair(
        world.app,
        position=position,
        reason="NUL in the name (issue 22)",
        actor="op",
        actor_name="Op",
    )
    world.service.resume()
    world.service.catch_up()
    world.service.rebuild("candidates")  # SQLite: the verbatim name is replaced as well

    assert repair.fields == ("name",)
    assert all(s.error is None for s in world.service.status())
    profile = http.get(f"/v1/candidates/{cid}", people.candidate)
    assert profile.status_code == 200, profile.text
    assert profile.json()["name"] == "Lise\ufffdLege"
    assert world.app.get_candidate(cid).name == "Lise\ufffdLege"  # every reader, one value


def test_a_restarted_follower_reads_the_declared_repairs_before_the_first_event(
    world: AuditWorld, stopped: Stopped
) -> None:
    declare_repair(
        world.app, position=stopped.position, reason="clamped", actor="op", actor_name="Op"
    )
    world.close()  # the process ends without resuming anything

    restarted = AuditWorld(world.url)
    try:
        restarted.service.catch_up()
        after = restarted.app.recorder.max_notification_id()
        assert {s.name: (s.position, s.error) for s in restarted.service.status()} == {
            name: (after, None) for name in restarted.service.schema.views
        }
    finally:
        restarted.close()


def test_a_running_follower_resumes_by_itself_once_the_repair_is_declared(
    world: AuditWorld, stopped: Stopped
) -> None:
    world.service.follower.resume_check_interval = 1.0  # as a server runs it
    world.service.start()
    declare_repair(
        world.app, position=stopped.position, reason="clamped", actor="op", actor_name="Op"
    )
    after = world.app.recorder.max_notification_id()
    assert world.service.resume(sorted(STOPPING)) == sorted(STOPPING)

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and world.service.position() < (after or 0):
        time.sleep(0.1)

    assert {s.name: (s.position, s.error) for s in world.service.status()} == {
        name: (after, None) for name in world.service.schema.views
    }
