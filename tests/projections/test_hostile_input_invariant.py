"""Invariant (issue 22): what the write side accepts, the read side can always project.

Hypothesis drives every command of the application with hostile text (anything
`st.text()` makes, NUL, C0/C1 controls, terminal escapes, bidirectional overrides and
isolates, lone surrogates, zero-width and other invisible characters, decomposed
letters, text at and over each field's limit, up to 50,001 characters) and hostile
dates and instants (year 1 to 9999, any offset, naive), as the people of one candidate
and with hostile names in their identities. A command either records its events or is
refused with a domain error and records nothing. Then every view must have applied
every event (none stopped), every query must answer and its answer encode as UTF-8
JSON, every accepted text must be clean (NFC, no control characters but newline and
tab, no bidirectional controls), and the audit export must render and verify.

On SQLite and PostgreSQL, one database per store (`shared_world`), a new candidate per
example; 50 examples per store under the suite's `ci` hypothesis profile (10 under
`dev`), about 0.5 s each.
"""

from __future__ import annotations

import json
import tempfile
import unicodedata
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import hypothesis
from hypothesis import given
from hypothesis import strategies as st
from projection_world import YESTERDAY, World

from kompetanse.audit_export import export_candidate
from kompetanse_domain.application import CommandContext
from kompetanse_domain.errors import DomainError
from kompetanse_domain.model.identity import Identity
from kompetanse_domain.model.values import BIDI_CONTROLS
from support.domain import unique_people

PIECES = (
    *("\x00", "\x1b[31m", "\x1b]0;owned\x07", "\x9b2J", "\x85", "\x7f", "\r", "\n", "\t"),
    *("\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u061c", "\u200b", "\u200d"),
    *("\ufeff", "\u00ad", "\u3164", "\u2800", "\u2028", "\u2029", "\ud800", "\udfff"),
    *("e\u0301", "\u0301", "\U0001f600", "\ufffe", "\U000e0041", " ", "\u00a0"),
    *("Ola", "Nordmann", "'", '"', "<b>", "%s", "\\", "=cmd|' /C calc'!A0"),
)
hostile_text: st.SearchStrategy[str] = st.one_of(
    st.text(),  # any code point but surrogates
    st.text(
        st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn"]),
        max_size=8,
    ),
    st.lists(st.sampled_from(PIECES), max_size=10).map("".join),
    st.sampled_from(["x" * 500, "x" * 501, "y" * 4001, "é" * 50_001, "e\u0301" * 500]),
)


def text_or(clean: str) -> st.SearchStrategy[str]:
    """Half the time the clean value (so the story goes on), else something hostile."""
    return st.one_of(st.just(clean), hostile_text)


optional_text = st.one_of(st.none(), hostile_text)
offsets = st.integers(-1439, 1439).map(lambda minutes: timezone(timedelta(minutes=minutes)))
EDGE_INSTANTS = (
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14))),
    datetime(1900, 1, 1, tzinfo=UTC),
    datetime(2200, 12, 31, 23, 59, 59, tzinfo=UTC),
)
hostile_instant = st.one_of(
    st.datetimes(timezones=offsets),
    st.datetimes(),  # naive
    st.sampled_from(EDGE_INSTANTS),
)
hostile_day = st.one_of(
    st.dates(), st.sampled_from([date(1, 1, 1), date(1899, 12, 31), date(1900, 1, 1)])
)


def day_or(clean: date) -> st.SearchStrategy[date]:
    return st.one_of(st.just(clean), hostile_day)


def instant_or(clean: datetime) -> st.SearchStrategy[datetime]:
    return st.one_of(st.just(clean), hostile_instant)


class Story:
    """One candidate's story through the application; `tried` runs a command that may be
    refused, and checks a refusal recorded nothing."""

    def __init__(self, world: World, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.world = world
        self.app = world.app
        self.draw = draw
        self.people = unique_people()
        self.refused: list[str] = []

    def identity(self, usual: Identity) -> Identity:
        """The person, or the same `sub` with a hostile name in the token."""
        name = self.draw(text_or(usual.name))
        return Identity(usual.sub, name, usual.platform_roles)

    def tried(self, what: str, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        before = self.world.max_position()
        try:
            return command(*args, **kwargs)
        except DomainError as refusal:
            assert self.world.max_position() == before, f"{what} refused but recorded"
            self.refused.append(f"{what}: {type(refusal).__name__}")
            return None


def ctx(identity: Identity) -> CommandContext:
    return CommandContext(identity=identity)


def tell(story: Story) -> UUID:
    """Every command, with hostile values where it takes any; returns the candidate id."""
    app, draw, tried, p = story.app, story.draw, story.tried, story.people

    # R1: registration (a refused one is done again with clean values)
    candidate = story.identity(p.candidate)
    registered = tried(
        "register",
        app.register_candidate,
        ctx(candidate),
        name=draw(text_or("Lise Lege")),
        email=draw(text_or("lise@example.no")),
        specialty="ALM",
        organisation_id=draw(text_or("0301")),
        organisation_name=draw(text_or("Oslo kommune")),
        hpr_number=draw(st.one_of(st.none(), hostile_text)),
    )
    if registered is None:
        candidate = p.candidate
        registered = app.register_candidate(
            ctx(candidate),
            name="Lise Lege",
            email="lise@example.no",
            specialty="ALM",
            organisation_id="0301",
            organisation_name="Oslo kommune",
        )
    cid = UUID(registered.value["candidate_id"])

    # R2, R3: invitations, accepted with hostile names in the tokens
    who: dict[str, Identity] = {}
    for role, usual, inviter in (
        ("leader", p.leader, candidate),
        ("veileder", p.veileder, candidate),
        ("supervisor", p.supervisor, candidate),
        ("deputy", p.deputy, None),
    ):
        by = inviter or who["leader"]
        invited = tried(
            f"invite {role}",
            app.invite,
            ctx(by),
            cid,
            role=role,
            name=draw(text_or(usual.name)),
            email=draw(text_or(f"{role}@example.no")),
        ) or app.invite(ctx(by), cid, role=role, name=usual.name, email=f"{role}@example.no")
        person = story.identity(usual)
        if tried(f"accept {role}", app.accept_invitation, ctx(person), invited.value["token"]):
            who[role] = person
        else:
            app.accept_invitation(ctx(usual), invited.value["token"])
            who[role] = usual
    spare = app.invite(ctx(candidate), cid, role="supervisor", name="Sverre", email="s@example.no")
    tried(
        "revoke invitation",
        app.revoke_invitation,
        ctx(candidate),
        cid,
        spare.value["invitation_id"],
        reason=draw(hostile_text),
    )
    tried("accept a hostile token", app.accept_invitation, ctx(p.stranger), draw(hostile_text))

    # R4, R5: plans, one removed with a hostile reason
    tried(
        "assign a hostile plan",
        app.assign_plan,
        ctx(who["leader"]),
        cid,
        plan_code=draw(hostile_text),
    )
    app.assign_plan(ctx(p.leader), cid, plan_code="TEST-A")
    app.assign_plan(ctx(p.leader), cid, plan_code="TEST-B")
    tried(
        "remove plan",
        app.remove_plan,
        ctx(who["leader"]),
        cid,
        plan_code="TEST-B",
        reason=draw(text_or("feil plan")),
    )

    # R9: an attachment with a hostile file name, activities, signing
    tried(
        "upload",
        app.upload_attachment,
        ctx(candidate),
        cid,
        sha256="0" * 64,
        size=10,
        media_type="application/pdf",
        filename=draw(hostile_text),
    )
    activities = []
    for signer in (who["supervisor"], who["veileder"]):
        done = tried(
            "register activity",
            app.register_activity,
            ctx(candidate),
            cid,
            "TEST-A-001",
            title=draw(text_or("Kurs")),
            kind="course",
            fulfilled_on=draw(day_or(YESTERDAY)),
            activity_code=draw(optional_text),
            note=draw(optional_text),
        ) or app.register_activity(
            ctx(candidate), cid, "TEST-A-001", title="Kurs", kind="course", fulfilled_on=YESTERDAY
        )
        activity = done.value["activity_id"]
        app.send_activity_for_signing(
            ctx(candidate), cid, "TEST-A-001", activity, signer_sub=signer.sub
        )
        activities.append((activity, signer))
    (signed, supervisor), (rejected, veileder) = activities
    tried(
        "sign",
        app.sign_activity,
        ctx(supervisor),
        cid,
        "TEST-A-001",
        signed,
        comment=draw(optional_text),
    )
    tried(
        "reject activity",
        app.reject_activity,
        ctx(veileder),
        cid,
        "TEST-A-001",
        rejected,
        reason=draw(text_or("mangler")),
    )
    tried(
        "send to a hostile signer",
        app.send_activity_for_signing,
        ctx(candidate),
        cid,
        "TEST-A-001",
        rejected,
        signer_sub=draw(hostile_text),
    )

    # R13, R6, R7: a comment, sending for approval, approving or rejecting
    tried(
        "comment",
        app.comment_goal,
        ctx(veileder),
        cid,
        "TEST-A-001",
        text=draw(text_or("god fremdrift")),
    )
    for code in ("TEST-A-001", "TEST-A-003"):
        tried(
            "send for approval",
            app.send_goal_for_approval,
            ctx(candidate),
            cid,
            code,
            completed_on=draw(day_or(YESTERDAY)),
            comment=draw(optional_text),
        ) or app.send_goal_for_approval(ctx(candidate), cid, code, completed_on=YESTERDAY)
    tried(
        "approve",
        app.approve_goal,
        ctx(who["leader"]),
        cid,
        "TEST-A-001",
        comment=draw(optional_text),
    )
    tried(
        "reject goal",
        app.reject_goal,
        ctx(who["deputy"]),
        cid,
        "TEST-A-003",
        reason=draw(text_or("ikke nok")),
    )

    # R23: an approval from the other portal, with a hostile date
    tried(
        "import approval",
        app.import_approval,
        ctx(story.identity(p.sync)),
        hpr_number=None,
        sub=candidate.sub,
        goal_code="TEST-A-002",
        source_portal=draw(text_or("hospital-hso")),
        source_event_id=draw(text_or(str(uuid.uuid4()))),
        approved_at=draw(instant_or(datetime.now(UTC) - timedelta(days=3))),
        approver_name=draw(text_or("Hanne Sykehusleder")),
    )

    # R15-R18: a meeting, preparations, a summary, finalising
    scheduled = draw(st.one_of(day_or(YESTERDAY), hostile_instant))
    created = tried(
        "create meeting",
        app.create_meeting,
        ctx(veileder),
        cid,
        scheduled_for=scheduled,
        planned_minutes=45,
    ) or app.create_meeting(ctx(veileder), cid, scheduled_for=YESTERDAY, planned_minutes=45)
    meeting = UUID(created.value["meeting_id"])
    for author in (candidate, veileder):
        tried("prepare", app.write_preparation, ctx(author), meeting, text=draw(hostile_text))
    tried(
        "summary",
        app.revise_summary,
        ctx(veileder),
        meeting,
        text=draw(hostile_text),
        goals_discussed=draw(st.lists(st.one_of(st.just("TEST-A-001"), hostile_text), max_size=2)),
    )
    tried(
        "finalise",
        app.finalise_meeting,
        ctx(veileder),
        meeting,
        held_on=draw(day_or(YESTERDAY)),
        duration_minutes=50,
    )

    # R2: a role removed with a hostile reason
    tried(
        "revoke role",
        app.revoke_role,
        ctx(candidate),
        cid,
        role="supervisor",
        sub=supervisor.sub,
        reason=draw(hostile_text),
    )
    return cid


def assert_clean(value: Any, where: str) -> None:
    """Every text the views hold is NFC, without controls (but newline and tab), without
    bidirectional controls, and encodes as UTF-8."""
    if isinstance(value, str):
        value.encode("utf-8")
        assert unicodedata.is_normalized("NFC", value), where
        for char in value:
            assert char not in BIDI_CONTROLS, where
            assert char in "\n\t" or unicodedata.category(char) != "Cc", where
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_clean(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for item in value:
            assert_clean(item, where)


def as_json(value: Any) -> str:
    """What an answer would carry: JSON written as UTF-8, as the API writes it."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text.encode("utf-8")
    return text


@given(data=st.data())
def test_whatever_the_commands_accept_every_view_projects_and_the_export_renders(
    shared_world: World, data: st.DataObject
) -> None:
    world = shared_world
    story = Story(world, data.draw)
    cid = tell(story)
    for refusal in story.refused:
        hypothesis.event(refusal)
    p = story.people

    world.service.catch_up()

    stopped = {name: s.error for name, s in world.service.follower.states.items() if s.error}
    assert stopped == {}
    assert world.service.position() == world.max_position()
    q = world.q
    candidate = q.get_candidate(cid)
    assert candidate is not None
    answers: dict[str, Any] = {
        "candidate": candidate,
        "goals": [q.get_goal(cid, code) for code in ("TEST-A-001", "TEST-A-002", "TEST-A-003")],
        "progress": q.get_progress(cid, date.today()),
        "meetings": [q.get_meeting(UUID(m["meeting_id"])) for m in q.list_meetings(cid)],
        "leader": q.list_leader_candidates(p.leader.sub),
        "approvals": q.list_leader_approvals(p.leader.sub),
        "report": list(q.iter_report_rows(p.leader.sub)),
        "inbox": q.list_signing_requests(p.veileder.sub),
        "history": q.list_history(cid),
    }
    for name, answer in answers.items():
        as_json(answer)
        assert_clean(answer, name)
    assert q.history_json(cid)[0] == len(answers["history"])

    with tempfile.TemporaryDirectory() as folder:
        exported = export_candidate(world.app, q, cid, Path(folder))
        assert exported.verified.ok
        assert exported.events == len(answers["history"])
        exported.html.read_text(encoding="utf-8")
        for line in exported.jsonl.read_text(encoding="utf-8").splitlines():
            json.loads(line)
