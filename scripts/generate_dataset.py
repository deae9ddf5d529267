#!/usr/bin/env python3
"""Generate a realistic training history for N candidates (issue 7).

Every event comes from the real domain commands (Candidate, LearningGoal,
SupervisionMeeting) under a simulated clock, so the stored events are the very same
ones the API would record; only the save is batched (one transaction per candidate).

    .venv/bin/python scripts/generate_dataset.py --candidates 1000 \
        --database-url postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from eventsourcing.domain import Aggregate
from tqdm import tqdm

from kompetanse.simulated_clock import SimulatedClock, simulated_clock
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.catalogue import Catalogue, PlanDefinition
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import Identity
from kompetanse_domain.model.learning_goal import LearningGoal
from kompetanse_domain.model.meeting import SupervisionMeeting
from kompetanse_store.urls import default_database_url, event_store_env

CANDIDATES_PER_LEADER = 40  # a leader (e.g. a municipality's chief physician) leads ~40 doctors


class CandidateHistory:
    """One candidate's training, from registration to (mostly) approved goals."""

    def __init__(
        self,
        index: int,
        rng: random.Random,
        catalogue: Catalogue,
        per_leader: int = CANDIDATES_PER_LEADER,
    ) -> None:
        self.rng = rng
        self.catalogue = catalogue
        self.lis = Identity(f"lis-{index:06d}", f"LIS nr. {index}")
        # Consecutive candidates share a leader and the leader's deputy, `per_leader` each.
        group = index // per_leader
        self.leader = Identity(f"leader-{group:03d}", f"Leder {group}")
        self.deputy = Identity(f"deputy-{group:03d}", f"Stedfortreder {group}")
        self.veileder = Identity(f"veileder-{index % 211:03d}", f"Veileder {index % 211}")
        self.supervisors = [
            Identity(f"sup-{(index * 3 + k) % 401:03d}", f"Supervisør {(index * 3 + k) % 401}")
            for k in range(3)
        ]
        self.specialty = rng.choice(["ALM", "ALM", "SAM", "ARB", "LIS1"])
        self.hpr = f"{9_000_000 + index}"
        self.clock = SimulatedClock(
            datetime(2019, 1, 1, 8, tzinfo=UTC) + timedelta(days=rng.randint(0, 5 * 365))
        )
        self.changed: list[Aggregate] = []

    def build(self) -> list[Aggregate]:
        with simulated_clock(self.clock):
            candidate = Candidate.register(
                self.lis,
                name=self.lis.name,
                email=f"{self.lis.sub}@example.no",
                specialty=self.specialty,
                organisation_id=f"{self.rng.randint(301, 5444):04d}",
                organisation_name="Eksempel kommune",
                hpr_number=self.hpr,
            )
            self._staff(candidate)
            self.changed.append(candidate)
            # About 200 goals over a full training: part 1, then FKM and the specialty.
            plans = ["LIS1-KLK", "LIS1-FKM"]
            if self.specialty != "LIS1":
                plans += ["FKM", self.specialty]
            for code in plans:
                self._train(candidate, self.catalogue.plan(code))
            self._meetings(candidate)
        return self.changed

    def _staff(self, candidate: Candidate) -> None:
        people = [
            (self.lis, self.leader, "leader"),
            (self.leader, self.deputy, "deputy"),
            (self.lis, self.veileder, "veileder"),
        ]
        people += [(self.lis, s, "supervisor") for s in self.supervisors]
        for inviter, invitee, role in people:
            self.clock.advance(self.rng, 48)
            invitation_id = str(uuid.uuid4())
            candidate.invite(
                candidate.actor(inviter),
                invitation_id=invitation_id,
                role=role,
                name=invitee.name,
                email=f"{invitee.sub}@example.no",
                secret="s",
                expires_at=self.clock.now + timedelta(days=30),
            )
            self.clock.advance(self.rng, 24)
            candidate.accept_invitation(
                invitee, invitation_id=invitation_id, secret="s", now=self.clock.now
            )

    def _train(self, candidate: Candidate, plan: PlanDefinition) -> None:
        leader = candidate.actor(self.leader)
        candidate.assign_plan(
            leader,
            plan_code=plan.code,
            catalogue_version=plan.version,
            goal_codes=[g.code for g in plan.goals],
        )
        for definition in plan.goals:
            goal = LearningGoal.open(
                leader,
                candidate_id=candidate.id,
                code=definition.code,
                plan_code=plan.code,
                version=plan.version,
            )
            self.changed.append(goal)
            if self.rng.random() < 0.1:
                continue  # not started yet
            self._activities(candidate, goal, len(definition.recommended_activities))
            self._approval(candidate, goal)

    def _activities(self, candidate: Candidate, goal: LearningGoal, recommended: int) -> None:
        lis = candidate.actor(self.lis)
        for _ in range(self.rng.randint(1, max(2, recommended) + 4)):
            self.clock.advance(self.rng, 96)
            activity_id = str(uuid.uuid4())
            kind = self.rng.choice(["course", "procedure", "e_learning", "group_supervision"])
            goal.register_activity(
                lis,
                activity_id=activity_id,
                title=f"{kind} for {goal.code}",
                kind=kind,
                fulfilled_on=self.clock.now.date(),
                today=self.clock.now.date(),
                count=self.rng.randint(1, 5) if kind == "procedure" else None,
            )
            for attempt in range(2):
                signer = self.rng.choice([*self.supervisors, self.veileder])
                goal.send_activity_for_signing(
                    lis, activity_id=activity_id, signer_sub=signer.sub, signer_name=signer.name
                )
                self.clock.advance(self.rng, 72)
                if attempt == 0 and self.rng.random() < 0.1:
                    goal.reject_activity(
                        candidate.actor(signer),
                        activity_id=activity_id,
                        reason="Mangler dokumentasjon",
                    )
                    continue
                goal.sign_activity(candidate.actor(signer), activity_id=activity_id)
                break

    def _approval(self, candidate: Candidate, goal: LearningGoal) -> None:
        lis = candidate.actor(self.lis)
        if self.rng.random() < 0.2:
            goal.comment(
                candidate.actor(self.veileder),
                comment_id=str(uuid.uuid4()),
                text="Progresjon som forventet",
            )
        for attempt in range(2):
            self.clock.advance(self.rng, 120)
            goal.send_for_approval(
                lis,
                completed_on=self.clock.now.date(),
                today=self.clock.now.date(),
                approver_sub=self.leader.sub,
                approver_name=self.leader.name,
            )
            if self.rng.random() < 0.1:
                return  # still waiting for the leader
            self.clock.advance(self.rng, 200)
            decider = candidate.actor(self.rng.choice([self.leader, self.leader, self.deputy]))
            if attempt == 0 and self.rng.random() < 0.08:
                goal.reject(decider, reason="Trenger mer erfaring")
                continue
            goal.approve(decider)
            return

    def _meetings(self, candidate: Candidate) -> None:
        veileder = candidate.actor(self.veileder)
        lis = candidate.actor(self.lis)
        known = candidate.goal_codes()
        day = self.clock.now - timedelta(days=5 * 365)
        for _ in range(self.rng.randint(40, 72)):
            day += timedelta(days=self.rng.randint(20, 40))
            self.clock.now = max(self.clock.now, day)
            meeting = SupervisionMeeting.create(
                veileder,
                meeting_id=uuid.uuid4(),
                candidate_id=candidate.id,
                scheduled_for=day.date(),
                planned_minutes=60,
            )
            meeting.write_preparation(lis, text="Tema: vaktarbeid og læringsmål")
            meeting.write_preparation(veileder, text="Gå gjennom framdrift")
            meeting.revise_summary(
                lis,
                text="Vi snakket om framdrift.",
                goals_discussed=self.rng.sample(sorted(known), k=min(2, len(known))),
                known_goals=known,
            )
            meeting.finalise(
                veileder,
                held_on=day.date(),
                duration_minutes=self.rng.randint(45, 120),
                today=day.date(),
            )
            self.changed.append(meeting)


def generate(
    app: KompetanseApplication,
    candidates: int,
    *,
    seed: int = 1,
    start: int = 0,
    progress: bool = True,
    per_leader: int = CANDIDATES_PER_LEADER,
) -> int:
    """Generate and save `candidates` histories; returns the number of events stored.

    Candidates `start + k` are grouped `per_leader` to a leader: `leader-000` leads
    candidates 0 to `per_leader - 1`, `leader-001` the next ones, and so on.
    """
    rng = random.Random(seed)
    stored = 0
    bar = tqdm(total=candidates, unit="candidate", disable=not progress, file=sys.stderr)
    for index in range(start, start + candidates):
        aggregates = CandidateHistory(index, rng, app.catalogue, per_leader).build()
        recordings = app.save(*aggregates)
        stored += len(recordings)
        bar.update(1)
        bar.set_postfix(events=stored)
    bar.close()
    return stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first candidate number")
    parser.add_argument(
        "--per-leader",
        type=int,
        default=CANDIDATES_PER_LEADER,
        help="candidates led by each leader (consecutive candidates share one)",
    )
    args = parser.parse_args()
    url = args.database_url or default_database_url()
    app = KompetanseApplication(env=event_store_env(url))
    began = time.perf_counter()
    events = generate(
        app, args.candidates, seed=args.seed, start=args.start, per_leader=args.per_leader
    )
    seconds = time.perf_counter() - began
    print(
        f"{args.candidates} candidates, {events} events in {seconds:.1f} s "
        f"({events / seconds:,.0f} events/s) into {url}"
    )


if __name__ == "__main__":
    main()
