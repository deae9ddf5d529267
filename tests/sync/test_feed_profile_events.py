"""The feed and the sync job with the events of v1.1's profile and invitations (R28,
issue 24 point 4): the feed serves them (dates as ISO text, `schema` 2 for a bound
invitation) and the sync job reads past them without posting anything, on both stores.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from sync_support import FeedWorld, follow, register

from kompetanse.sync import SyncJob
from kompetanse.sync_position import SyncPositionStore
from kompetanse_domain.application import CommandContext
from kompetanse_domain.model.identity import Identity

NEW_TYPES = {
    "Candidate.ProfileEdited",
    "Candidate.SpecialtyChanged",
    "Candidate.InvitationIssued",
}


def test_r28_the_feed_serves_profile_events_and_the_sync_job_reads_past_them(
    feed_world: FeedWorld, tmp_path: Path
) -> None:
    app = feed_world.app
    lis = Identity("lis-feed", "Lege lis-feed")
    cid = register(app, lis.sub, hpr="1234567")
    app.edit_profile(CommandContext(identity=lis), UUID(cid), name="Lise Ny")
    today = CommandContext(identity=lis).today
    app.change_specialty(CommandContext(identity=lis), UUID(cid), specialty="ALM", from_date=today)
    app.invite(
        CommandContext(identity=lis),
        UUID(cid),
        role="supervisor",
        name="Siri",
        email="siri@example.no",
        hpr_number="7654321",
    )
    feed_world.caught_up()

    items = follow(lambda after: feed_world.page(after=after, limit=50))

    by_type = {item["type"]: item for item in items}
    assert by_type.keys() >= NEW_TYPES
    changed = by_type["Candidate.SpecialtyChanged"]["data"]
    assert (changed["specialty"], changed["previous"]) == ("ALM", "LIS1")
    assert date.fromisoformat(changed["from_date"]) == today
    assert by_type["Candidate.ProfileEdited"]["data"]["name"] == "Lise Ny"
    issued = by_type["Candidate.InvitationIssued"]
    assert (issued["schema"], issued["data"]["hpr_number"], issued["data"]["until"]) == (
        2,
        "7654321",
        None,
    )

    posted: list[Any] = []

    def source(request: httpx.Request) -> httpx.Response:
        after = int(request.url.params["after"])
        page = [item for item in items if item["position"] > after][:50]
        next_after = page[-1]["position"] if page else after
        return httpx.Response(
            200, json={"portal": "hospital", "items": page, "next_after": next_after}
        )

    def target(request: httpx.Request) -> httpx.Response:
        posted.append(request.content)
        return httpx.Response(500)

    positions = SyncPositionStore(f"sqlite:///{tmp_path / 'positions.db'}")
    try:
        job = SyncJob(
            source=httpx.Client(
                base_url="http://source.test", transport=httpx.MockTransport(source)
            ),
            target=httpx.Client(
                base_url="http://target.test", transport=httpx.MockTransport(target)
            ),
            positions=positions,
            source_key="http://source.test",
            batch=50,
            sleep=lambda _: None,
        )
        job.run(once=True)
        assert posted == []
        assert job.stats.events_seen == len(items)
        assert positions.load("http://source.test") == items[-1]["position"]
    finally:
        positions.close()
