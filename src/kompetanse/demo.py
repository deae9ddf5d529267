"""The demo world (issue 25): a small, realistic municipality a newcomer can click around in.

In dev mode (no OIDC configured) `kompetanse serve` fills an empty store with it, unless
`--no-demo`. Every step goes through `KompetanseApplication`, the very use cases the API
calls (registering, invitations and their acceptance, plans, certificates uploaded into
the attachment store, activities, signatures, approvals, comments, meetings), under a
simulated clock (as the dataset generator, `scripts/generate_dataset.py`), so the history
spans a few months and the lists show how long things have waited.

The people are fictional and have fixed `sub`s: `DEMO_USERS` lists them with their roles
in Norwegian, for the printed hint and the dev sign-in page. Filling never runs when OIDC
is configured, and adds nothing to a store that holds any event.
"""

from __future__ import annotations

import heapq
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from uuid import UUID

from api.attachments import AttachmentStore
from api.settings import Settings
from kompetanse.demo_certificates import certificate_pdf, certificate_png
from kompetanse.simulated_clock import SimulatedClock, simulated_clock
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.application.context import OSLO, CommandContext
from kompetanse_domain.model.identity import Identity


@dataclass(frozen=True)
class DemoUser:
    """A person of the demo world: a fixed `sub`, a name, and the roles in Norwegian."""

    sub: str
    name: str
    roles: str

    @property
    def identity(self) -> Identity:
        return Identity(self.sub, self.name)


class Stage(IntEnum):
    """How far a demo candidate has come; each stage includes the ones before it."""

    REGISTERED = 1  # registered, leader and veileder accepted; no plan yet
    ACTIVITIES = 2  # plan assigned, activities registered (one with a certificate)
    SENT_FOR_SIGNING = 3
    SIGNED = 4
    GOAL_SENT = 5  # a goal sent for approval to the leader
    APPROVED = 6  # goals approved by the leader and the deputy


@dataclass(frozen=True)
class DemoCandidate:
    user: DemoUser
    specialty: str
    hpr_number: str
    stage: Stage


LEADER = DemoUser("demo-leder", "Ingrid Haugen", "leder (kommuneoverlege) for alle LIS-ene")
DEPUTY = DemoUser("demo-stedfortreder", "Lars Bakke", "stedfortreder for lederen")
VEILEDER = DemoUser("demo-veileder", "Sigrid Moen", "veileder for alle LIS-ene")
SUPERVISORS = (
    DemoUser("demo-supervisor-1", "Erik Lunde", "supervisør (overlege), signerer aktiviteter"),
    DemoUser("demo-supervisor-2", "Nora Aasen", "supervisør (fastlege), signerer aktiviteter"),
)
CANDIDATES = tuple(  # sub demo-lis-N, HPR number 910000N
    DemoCandidate(DemoUser(f"demo-lis-{n}", name, role), specialty, f"910000{n}", stage)
    for n, (name, role, specialty, stage) in enumerate(
        (
            ("Jonas Berg", "LIS i allmennmedisin, nettopp registrert", "ALM", Stage.REGISTERED),
            ("Thomas Nilsen", "LIS1, har registrert aktiviteter", "LIS1", Stage.ACTIVITIES),
            (
                "Emma Solberg",
                "LIS i allmennmedisin, venter på signatur",
                "ALM",
                Stage.SENT_FOR_SIGNING,
            ),
            ("Henrik Dahl", "LIS i samfunnsmedisin, aktiviteter signert", "SAM", Stage.SIGNED),
            (
                "Sara Lie",
                "LIS i allmennmedisin, læringsmål sendt til godkjenning",
                "ALM",
                Stage.GOAL_SENT,
            ),
            ("Maria Vik", "LIS i allmennmedisin, læringsmål godkjent", "ALM", Stage.APPROVED),
        ),
        start=1,
    )
)
DEMO_USERS: tuple[DemoUser, ...] = (
    LEADER,
    DEPUTY,
    VEILEDER,
    *SUPERVISORS,
    *(candidate.user for candidate in CANDIDATES),
)
ORGANISATION = ("4699", "Fjordvik kommune")
HISTORY_DAYS = 100  # the world's history begins this long before it is filled
STAGGER_DAYS = 9  # each candidate starts this much later than the one before


@dataclass(frozen=True)
class PlannedActivity:
    title: str
    kind: str
    count: int | None = None
    note: str | None = None
    certificate: str | None = None  # the file name of its certificate, if any
    signer: int = 0  # index into SUPERVISORS; -1: the veileder


# Per plan: the goals the demo works on, and what the candidate did for each.
PLAN_OF = {"LIS1": "LIS1-KLK", "ALM": "FKM", "SAM": "FKM"}
WORK: dict[str, list[tuple[str, list[PlannedActivity]]]] = {
    "FKM": [
        (
            "FKM-001",
            [
                PlannedActivity(
                    "Kurs i medisinsk etikk (Legeforeningen)",
                    "course",
                    note="Todagerskurs, 16 timer",
                    certificate="Kursbevis medisinsk etikk.pdf",
                ),
                PlannedActivity(
                    "E-læring: Etiske dilemmaer i allmennpraksis", "e_learning", signer=1
                ),
            ],
        ),
        (
            "FKM-002",
            [
                PlannedActivity(
                    "Etikkrefleksjon i veiledningsgruppe",
                    "group_supervision",
                    note="Tema: samtykkekompetanse hos eldre pasienter",
                    signer=-1,
                ),
            ],
        ),
    ],
    "LIS1-KLK": [
        (
            "LIS1-KLK-001",
            [
                PlannedActivity(
                    "Akuttmedisinkurs for LIS1",
                    "course",
                    certificate="Kursbevis akuttmedisin.png",
                ),
                PlannedActivity("Suturering av kuttskader på legevakt", "procedure", count=6),
            ],
        ),
        (
            "LIS1-KLK-002",
            [
                PlannedActivity(
                    "Internundervisning: triage i akuttmottaket", "internal_teaching", signer=1
                ),
            ],
        ),
    ],
}


Steps = Iterator[timedelta]  # a person's timeline: each yield waits that long before going on


class DemoWorld:
    """Writes the demo world through the application, in simulated time.

    Each candidate's history is a timeline (a generator that yields how long it waits
    before its next step); the timelines run side by side, always the earliest step
    next, so events are stored in the order of their timestamps and the world ends
    before the real now.
    """

    def __init__(
        self, application: KompetanseApplication, attachments: AttachmentStore, settings: Settings
    ) -> None:
        self.app = application
        self.attachments = attachments
        self.settings = settings
        self.clock = SimulatedClock(datetime.now(UTC) - timedelta(days=HISTORY_DAYS))
        self.ids: dict[str, UUID] = {}

    def ctx(self, who: DemoUser) -> CommandContext:
        return CommandContext(identity=who.identity, now=self.clock.now)

    def today(self) -> date:
        return self.clock.now.astimezone(OSLO).date()

    def fill(self) -> None:
        start, latest = self.clock.now, datetime.now(UTC)
        timelines: list[tuple[datetime, int, Steps]] = [
            (start + timedelta(days=STAGGER_DAYS * index), index, self._history(item))
            for index, item in enumerate(CANDIDATES)
        ]
        heapq.heapify(timelines)
        with simulated_clock(self.clock):
            while timelines:
                at, index, steps = heapq.heappop(timelines)
                self.clock.now = min(max(self.clock.now, at), latest)  # never ahead of now
                wait = next(steps, None)
                if wait is not None:
                    heapq.heappush(timelines, (self.clock.now + wait, index, steps))
        # R26: the veileder tells the leader that one doctor's progress has stalled
        self.app.raise_concern(
            self.ctx(VEILEDER),
            self.ids["demo-lis-4"],
            text="Lite progresjon siste tre måneder; foreslår en samtale om veiledningsplan.",
        )

    def _history(self, item: DemoCandidate) -> Steps:
        lis = item.user
        outcome = self.app.register_candidate(
            self.ctx(lis),
            name=lis.name,
            email=_email(lis.name),
            specialty=item.specialty,
            organisation_id=ORGANISATION[0],
            organisation_name=ORGANISATION[1],
            hpr_number=item.hpr_number,
        )
        cid = self.ids[lis.sub] = UUID(outcome.value["candidate_id"])
        yield from self._join(cid, lis, LEADER, "leader")
        yield from self._join(cid, LEADER, DEPUTY, "deputy")
        yield from self._join(cid, lis, VEILEDER, "veileder")
        if item.stage == Stage.REGISTERED:
            return
        for supervisor in SUPERVISORS:
            yield from self._join(cid, lis, supervisor, "supervisor")
        yield timedelta(days=2)
        yield from self._train(cid, item)
        if item.stage == Stage.APPROVED:
            yield from self._finalised_meeting(cid, lis)
        if item.stage == Stage.GOAL_SENT:
            self.app.create_meeting(  # ahead of the real today: still scheduled
                self.ctx(VEILEDER),
                cid,
                scheduled_for=datetime.now(OSLO).date() + timedelta(days=14),
                planned_minutes=60,
            )

    def _join(self, cid: UUID, inviter: DemoUser, invitee: DemoUser, role: str) -> Steps:
        invited = self.app.invite(
            self.ctx(inviter), cid, role=role, name=invitee.name, email=_email(invitee.name)
        )
        yield timedelta(hours=7)
        self.app.accept_invitation(self.ctx(invitee), invited.value["token"])
        yield timedelta(hours=2)

    def _train(self, cid: UUID, item: DemoCandidate) -> Steps:
        lis = item.user
        plan = PLAN_OF[item.specialty]
        self.app.assign_plan(self.ctx(LEADER), cid, plan_code=plan)
        sent_goals: list[str] = []
        for goal_code, planned in WORK[plan]:
            for activity in planned:
                yield timedelta(days=4)
                activity_id = self._activity(cid, lis, goal_code, activity)
                if item.stage < Stage.SENT_FOR_SIGNING:
                    continue
                yield timedelta(hours=1)
                signer = VEILEDER if activity.signer < 0 else SUPERVISORS[activity.signer]
                self.app.send_activity_for_signing(
                    self.ctx(lis), cid, goal_code, activity_id, signer_sub=signer.sub
                )
                if item.stage >= Stage.SIGNED:
                    yield timedelta(days=2)
                    self.app.sign_activity(
                        self.ctx(signer),
                        cid,
                        goal_code,
                        activity_id,
                        comment="Bekreftet gjennomført.",
                    )
            if item.stage >= Stage.GOAL_SENT and (item.stage >= Stage.APPROVED or not sent_goals):
                yield timedelta(days=1)
                self.app.comment_goal(
                    self.ctx(VEILEDER),
                    cid,
                    goal_code,
                    text="God progresjon. Vi har drøftet målet i veiledning; klar for godkjenning.",
                )
                yield timedelta(days=1)
                self.app.send_goal_for_approval(
                    self.ctx(lis),
                    cid,
                    goal_code,
                    completed_on=self.today(),
                    comment="Aktivitetene er signert; ber om godkjenning.",
                )
                sent_goals.append(goal_code)
        if item.stage >= Stage.APPROVED:
            for index, goal_code in enumerate(sent_goals):
                yield timedelta(days=3)
                self.app.approve_goal(
                    self.ctx(LEADER if index == 0 else DEPUTY),
                    cid,
                    goal_code,
                    comment="Godkjent. Godt dokumentert.",
                )

    def _activity(self, cid: UUID, lis: DemoUser, goal_code: str, activity: PlannedActivity) -> str:
        attachment_id = None
        if activity.certificate is not None:
            attachment_id = self._upload(cid, lis, activity.certificate, activity.title)
        outcome = self.app.register_activity(
            self.ctx(lis),
            cid,
            goal_code,
            title=activity.title,
            kind=activity.kind,
            fulfilled_on=self.today() - timedelta(days=1),
            count=activity.count,
            note=activity.note,
            attachment_id=attachment_id,
        )
        return str(outcome.value["activity_id"])

    def _upload(self, cid: UUID, lis: DemoUser, filename: str, title: str) -> str:
        """A certificate, as `POST /v1/candidates/{cid}/attachments` stores it (R9)."""
        self.app.check_can_attach(lis.identity, cid)
        content = (
            certificate_png()
            if filename.endswith(".png")
            else certificate_pdf(lis.name, title, self.today())
        )
        blob = self.attachments.save(io.BytesIO(content), limit=self.settings.max_upload)
        outcome = self.app.upload_attachment(
            self.ctx(lis),
            cid,
            sha256=blob.sha256,
            size=blob.size,
            media_type=blob.media_type,
            filename=filename,
        )
        return str(outcome.value["attachment_id"])

    def _finalised_meeting(self, cid: UUID, lis: DemoUser) -> Steps:
        """A supervision meeting, prepared by both, held, summarised and finalised."""
        yield timedelta(days=1)
        created = self.app.create_meeting(
            self.ctx(VEILEDER),
            cid,
            scheduled_for=self.today() + timedelta(days=7),
            planned_minutes=60,
        )
        meeting_id = UUID(created.value["meeting_id"])
        for days, person, preparation in (  # each writes their own preparation
            (4, lis, "Ønsker å snakke om vaktbelastning og neste læringsmål i FKM."),
            (1, VEILEDER, "Gå gjennom framdriften i FKM og planen for neste halvår."),
        ):
            yield timedelta(days=days)
            self.app.write_preparation(self.ctx(person), meeting_id, text=preparation)
        yield timedelta(days=2)
        self.app.revise_summary(
            self.ctx(VEILEDER),
            meeting_id,
            text=(
                "Vi gikk gjennom FKM-001 og FKM-002, som begge er godkjent. Maria tar "
                "kurset i kommunikasjon i høst. Vaktbelastningen er håndterbar."
            ),
            goals_discussed=["FKM-001", "FKM-002"],
        )
        yield timedelta(hours=1)
        self.app.finalise_meeting(
            self.ctx(VEILEDER), meeting_id, held_on=self.today(), duration_minutes=75
        )


def fill_demo_world(
    application: KompetanseApplication, attachments: AttachmentStore, settings: Settings
) -> bool:
    """Fill the demo world if the store is empty and OIDC is not configured.

    Returns whether it filled anything: never in production (OIDC settings), and never
    on a store that holds an event, so it can run at every start.
    """
    if not settings.dev_mode:
        return False
    if application.recorder.max_notification_id():
        return False
    DemoWorld(application, attachments, settings).fill()
    return True


def fill_demo_store(settings: Settings) -> bool:
    """`fill_demo_world` on the configured store, with an application of its own that is
    closed again before the portal starts (no other thread writes while the simulated
    clock stamps the events)."""
    if not settings.dev_mode:
        return False
    from kompetanse.bootstrap import build_application

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    application = build_application(settings)
    try:
        return fill_demo_world(application, AttachmentStore(settings.attachments_dir), settings)
    finally:
        application.close()


def demo_summary() -> str:
    """One line: who exists, and how to get a dev token for one of them."""
    people = "; ".join(f"{user.sub}: {user.name}, {user.roles}" for user in DEMO_USERS)
    return (
        f"Demo world filled ({len(CANDIDATES)} LIS in {ORGANISATION[1]}). Users: {people}. "
        f"A token: kompetanse dev-token --sub {LEADER.sub} --name '{LEADER.name}' "
        "(any sub and name above)."
    )


def _email(name: str) -> str:
    local = name.lower().replace(" ", ".").translate(str.maketrans("æøå", "eoa"))
    return f"{local}@fjordvik.kommune.example"


def demo_people() -> list[tuple[str, str, str]]:
    """The demo world's people as the pages' dev sign-in offers them: sub, name, roles."""
    return [(user.sub, user.name, user.roles) for user in DEMO_USERS]
