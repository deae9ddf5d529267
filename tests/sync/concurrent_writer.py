"""One writer process of test_feed_concurrent_writers (ADR 0013); not a test module.

Registers its own candidate, lets a leader assign LIS1-KLK (21 events in one
transaction), then sends invitations (one event each) through KompetanseApplication.
The recorder's `_fetch_ids_after_insert_events` runs inside the insert transaction,
after the rows got their positions and while the table lock is held; it is wrapped so
that some transactions sleep there before committing (a slow commit) and about 10 %
raise a BaseException there (the library catches `Exception` only), so the whole
transaction rolls back and leaves a hole in the positions. Prints its counts as JSON.

    python concurrent_writer.py URL WRITER_INDEX COMMANDS SEED
"""

from __future__ import annotations

import json
import random
import sys
import time
from typing import Any
from uuid import UUID

from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.model.identity import Identity
from kompetanse_store.urls import event_store_env

ROLLBACK_SHARE = 0.10
DELAY_SHARE = 0.30
MAX_DELAY = 0.04


class InjectedRollbackError(BaseException):
    """Raised inside the insert transaction after the insert: the commit never happens."""


class Fates:
    """What happens to the next insert transaction: commit, delayed commit or rollback."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.next = "commit"
        self.counts = {"committed": 0, "delayed": 0, "rolled_back": 0, "events_rolled_back": 0}

    def draw(self) -> None:
        roll = self.random.random()
        if roll < ROLLBACK_SHARE:
            self.next = "rollback"
        elif roll < ROLLBACK_SHARE + DELAY_SHARE:
            self.next = "delay"
        else:
            self.next = "commit"

    def wrap(self, app: KompetanseApplication) -> None:
        recorder: Any = app.recorder
        fetch_ids = recorder._fetch_ids_after_insert_events

        def fetch_ids_then_fate(curs: Any, stored_events: Any, **kwargs: Any) -> Any:
            ids = fetch_ids(curs, stored_events, **kwargs)
            if self.next == "delay":
                time.sleep(self.random.uniform(0.005, MAX_DELAY))
            elif self.next == "rollback":
                self.counts["events_rolled_back"] += len(stored_events)
                raise InjectedRollbackError
            return ids

        recorder._fetch_ids_after_insert_events = fetch_ids_then_fate


def main(url: str, index: int, commands: int, seed: int) -> dict[str, int]:
    # The server made the tables; eight processes creating them at once trip PostgreSQL.
    app = KompetanseApplication(env={**event_store_env(url), "CREATE_TABLE": "n"})
    fates = Fates(seed)
    fates.wrap(app)
    candidate = Identity(f"writer-{index}", f"Skriver {index}")
    leader = Identity(f"leader-{index}", f"Leder {index}")
    try:
        cid = app.register_candidate(
            CommandContext(identity=candidate),
            name=candidate.name,
            email=f"writer-{index}@example.no",
            specialty="LIS1",
            organisation_id="974589095",
            organisation_name="Helse Sør-Øst",
        ).value["candidate_id"]
        token = app.invite(
            CommandContext(identity=candidate),
            UUID(cid),
            role="leader",
            name=leader.name,
            email="leder@example.no",
        ).value["token"]
        app.accept_invitation(CommandContext(identity=leader), token)
        fates.counts["committed"] += 3
        for number in range(commands):
            fates.draw()
            try:
                if number == commands // 2:
                    app.assign_plan(
                        CommandContext(identity=leader), UUID(cid), plan_code="LIS1-KLK"
                    )
                else:
                    app.invite(
                        CommandContext(identity=candidate),
                        UUID(cid),
                        role="supervisor",
                        name=f"Supervisør {number}",
                        email=f"sup-{index}-{number}@example.no",
                    )
            except InjectedRollbackError:
                fates.counts["rolled_back"] += 1
            else:
                fates.counts["committed"] += 1
                fates.counts["delayed"] += fates.next == "delay"
        return fates.counts
    finally:
        app.close()


if __name__ == "__main__":
    url, index, commands, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(main(url, index, commands, seed)))
