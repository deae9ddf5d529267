"""Property: for any command history, every view applied incrementally equals its rebuild.

Random sequences of commands (valid and refused) by random people, interleaved
with `catch_up()` in random batch sizes; then the views are compared, row by
row, with views rebuilt from position 0.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection_world import YESTERDAY, World, dump

from kompetanse_domain.application import CommandContext
from kompetanse_domain.errors import DomainError
from kompetanse_domain.model.identity import Identity
from support.domain import make_identities, register_team

PEOPLE: list[Identity] = list(make_identities().by_label().values())
ROLES = ("leader", "veileder", "supervisor", "deputy", "boss")
PLANS = ("TEST-A", "TEST-B")
GOALS = ("TEST-A-001", "TEST-A-002", "TEST-A-003", "TEST-A-001", "TEST-B-001", "FKM-001")
SPECIALTIES = ("ALM", "SAM", "LIS1", "ARB")
COMMANDS = (  # the activity and approval chains more often: they need several steps
    *("register", "invite", "accept", "revoke_role", "assign", "archive", "remove"),
    *("activity", "send_activity", "sign", "reject_activity") * 2,
    *("comment", "send_goal", "approve", "reject_goal", "send_goal", "approve", "import"),
    *("meeting", "prepare", "summary", "finalise", "upload", "catch_up"),
)
Step = tuple[str, bool, int, int, int, int]
steps = st.tuples(
    st.sampled_from(COMMANDS),
    st.booleans() | st.just(True),  # mostly the person the command is for, else anyone
    st.integers(0, len(PEOPLE) - 1),
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(0, 5),
)
TEAM = make_identities()


class History:
    """Runs steps against the application; refusals (DomainError) are part of the game.

    A step acts as the person the command is meant for (the candidate registers
    activities, the leader approves...) or, when `natural` is false, as anyone.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self.app = world.app
        team = register_team(self.app, TEAM, hpr_number=None, plans=("TEST-A",))
        self.candidates: list[UUID] = [team.candidate_id]
        self.tokens: list[tuple[str, Identity]] = []
        self.activities: list[tuple[UUID, str, str]] = []
        self.signers: dict[str, Identity] = {}
        self.meetings: list[UUID] = []
        self.anyone: Identity = TEAM.stranger

    def run(self, step: Step) -> None:
        name, natural, who, i, j, k = step
        self.anyone = PEOPLE[who] if not natural else TEAM.stranger
        self.natural = natural
        with contextlib.suppress(DomainError):
            getattr(self, f"do_{name}")(i, j, k)

    def as_(self, usual: Identity) -> CommandContext:
        return CommandContext(identity=usual if self.natural else self.anyone)

    @staticmethod
    def pick(items: list[Any], index: int) -> Any:
        if not items:
            raise DomainError("nothing to pick yet")
        return items[index % len(items)]

    def cand(self, index: int) -> UUID:
        """Mostly the team's candidate; sometimes one registered later."""
        return self.candidates[0] if index < 4 else self.pick(self.candidates, index)

    def do_register(self, i: int, j: int, k: int) -> None:
        ctx = CommandContext(identity=PEOPLE[(i + j + k) % len(PEOPLE)])
        outcome = self.app.register_candidate(
            ctx,
            name=ctx.identity.name,
            email=f"{ctx.identity.sub}@example.no",
            specialty=SPECIALTIES[i % len(SPECIALTIES)],
            organisation_id="0301",
            organisation_name="Oslo kommune",
        )
        self.candidates.append(UUID(outcome.value["candidate_id"]))

    def do_invite(self, i: int, j: int, k: int) -> None:
        role = ROLES[j % len(ROLES)]
        inviter = TEAM.leader if role == "deputy" else TEAM.candidate
        outcome = self.app.invite(
            self.as_(inviter),
            self.cand(i),
            role=role,
            name=PEOPLE[k].name,
            email="invitee@example.no",
        )
        self.tokens.append((outcome.value["token"], PEOPLE[k]))

    def do_accept(self, i: int, j: int, k: int) -> None:
        token, invitee = self.pick(self.tokens, i)
        self.app.accept_invitation(self.as_(invitee), token)

    def do_revoke_role(self, i: int, j: int, k: int) -> None:
        cid = self.cand(i)
        role, sub = ROLES[j % len(ROLES)], PEOPLE[k].sub
        self.app.revoke_role(self.as_(TEAM.candidate), cid, role=role, sub=sub)

    def do_assign(self, i: int, j: int, k: int) -> None:
        cid = self.cand(i)
        self.app.assign_plan(self.as_(TEAM.leader), cid, plan_code=PLANS[j % 2])

    def do_archive(self, i: int, j: int, k: int) -> None:
        cid = self.cand(i)
        self.app.archive_plan(self.as_(TEAM.leader), cid, plan_code=PLANS[j % 2])

    def do_remove(self, i: int, j: int, k: int) -> None:
        cid = self.cand(i)
        self.app.remove_plan(self.as_(TEAM.leader), cid, plan_code=PLANS[j % 2], reason="feil")

    def do_activity(self, i: int, j: int, k: int) -> None:
        cid, code = self.cand(i), GOALS[j]
        outcome = self.app.register_activity(
            self.as_(TEAM.candidate),
            cid,
            code,
            title=f"Aktivitet {k}",
            kind="procedure" if k % 2 else "course",
            fulfilled_on=YESTERDAY,
            count=k or None,
        )
        self.activities.append((cid, code, outcome.value["activity_id"]))

    def do_send_activity(self, i: int, j: int, k: int) -> None:
        cid, code, aid = self.pick(self.activities, i)
        signer = (TEAM.supervisor, TEAM.supervisor_2, TEAM.veileder, PEOPLE[k])[j % 4]
        self.app.send_activity_for_signing(
            self.as_(TEAM.candidate), cid, code, aid, signer_sub=signer.sub
        )
        self.signers[aid] = signer

    def do_sign(self, i: int, j: int, k: int) -> None:
        cid, code, aid = self.pick(self.activities, i)
        signer = self.signers.get(aid, TEAM.supervisor)
        self.app.sign_activity(self.as_(signer), cid, code, aid, comment=f"ok {j}" if j else None)

    def do_reject_activity(self, i: int, j: int, k: int) -> None:
        cid, code, aid = self.pick(self.activities, i)
        signer = self.signers.get(aid, TEAM.supervisor)
        self.app.reject_activity(self.as_(signer), cid, code, aid, reason="ikke dokumentert")

    def do_comment(self, i: int, j: int, k: int) -> None:
        cid = self.cand(i)
        self.app.comment_goal(self.as_(TEAM.veileder), cid, GOALS[j], text="Fin framgang")

    def do_send_goal(self, i: int, j: int, k: int) -> None:
        cid = self.cand(i)
        self.app.send_goal_for_approval(
            self.as_(TEAM.candidate), cid, GOALS[j], completed_on=YESTERDAY
        )

    def do_approve(self, i: int, j: int, k: int) -> None:
        approver = TEAM.deputy if k % 2 else TEAM.leader
        self.app.approve_goal(self.as_(approver), self.cand(i), GOALS[j])

    def do_reject_goal(self, i: int, j: int, k: int) -> None:
        cid = self.cand(i)
        self.app.reject_goal(self.as_(TEAM.leader), cid, GOALS[j], reason="mangler")

    def do_import(self, i: int, j: int, k: int) -> None:
        self.app.import_approval(
            self.as_(TEAM.sync),
            hpr_number=None,
            sub=(TEAM.candidate, PEOPLE[i])[k % 2].sub,
            goal_code=GOALS[j],
            source_portal="hospital-hso",
            source_event_id=f"e{k}",
            approved_at=datetime(2025, 1, 1 + k, tzinfo=UTC),
            approver_name="Overlege Olsen",
        )

    def do_meeting(self, i: int, j: int, k: int) -> None:
        cid = self.cand(i)
        outcome = self.app.create_meeting(
            self.as_(TEAM.veileder), cid, scheduled_for=YESTERDAY, planned_minutes=45
        )
        self.meetings.append(UUID(outcome.value["meeting_id"]))

    def do_prepare(self, i: int, j: int, k: int) -> None:
        author = TEAM.candidate if j % 2 else TEAM.veileder
        self.app.write_preparation(self.as_(author), self.pick(self.meetings, i), text=f"Plan {k}")

    def do_summary(self, i: int, j: int, k: int) -> None:
        author = TEAM.candidate if k % 2 else TEAM.veileder
        mid = self.pick(self.meetings, i)
        self.app.revise_summary(
            self.as_(author), mid, text=f"Referat {k}", goals_discussed=[GOALS[j]]
        )

    def do_finalise(self, i: int, j: int, k: int) -> None:
        held_on = YESTERDAY - timedelta(days=31 * j)
        self.app.finalise_meeting(
            self.as_(TEAM.veileder),
            self.pick(self.meetings, i),
            held_on=held_on,
            duration_minutes=30 + 15 * k,
        )

    def do_upload(self, i: int, j: int, k: int) -> None:
        self.app.upload_attachment(
            self.as_(TEAM.candidate),
            self.cand(i),
            sha256="0" * 64,
            size=10,
            media_type="application/pdf",
            filename="kursbevis.pdf",
        )

    def do_catch_up(self, i: int, j: int, k: int) -> None:
        self.world.service.batch_size = 1 + i * 7 + j
        self.world.service.catch_up()


def check_incremental_equals_rebuilt(
    new_url: Callable[[], str], history_steps: list[Step], final_batch: int
) -> None:
    world = World(new_url())
    try:
        history = History(world)
        for step in history_steps:
            history.run(step)
        world.service.batch_size = final_batch
        world.service.catch_up()
        incremental = dump(world.service)
        assert world.service.position() == world.max_position()

        world.service.rebuild()

        assert dump(world.service) == incremental
    finally:
        world.close()


def test_every_incremental_view_equals_the_view_rebuilt_from_scratch(
    fresh_url: Callable[[], str],
) -> None:
    @settings(
        max_examples=min(settings.default.max_examples, 20),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(history_steps=st.lists(steps, min_size=1, max_size=40), final_batch=st.integers(1, 60))
    def check(history_steps: list[Step], final_batch: int) -> None:
        check_incremental_equals_rebuilt(fresh_url, history_steps, final_batch)

    check()
