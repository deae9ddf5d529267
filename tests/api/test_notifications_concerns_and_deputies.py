"""R26 and R7 in the notification process (R31, API.md v1.1 "Notifications", ADR 0025).

A veileder's concern tells the leader and the deputies who raised it about whom, never
what it says (`concern_raised`); a deputy whose `until` day has passed is no longer told,
nor reminded, of what waits for an approver. The real flow: commands over HTTP, the
notification process run step by step with a settable clock, a real SMTP server on
loopback. Both stores.
"""

from __future__ import annotations

from datetime import date, timedelta

from api_world import YESTERDAY, Api, build_team
from notification_world import PUBLIC_URL, Clock, Inbox
from test_notifications_by_email import (  # the fixtures and helpers of the e-mail tests
    address,
    assert_no_canary,
    clock,
    deliver,
    goal_with_activity,
    inbox,
    notifications,
    services,
)

from projections.notifications.service import NotificationService

__all__ = ["clock", "inbox", "notifications", "services"]  # fixtures used by name below


def test_r26_a_concern_tells_the_leader_and_deputy_who_raised_it_but_not_what_it_says(
    api: Api, notifications: NotificationService, inbox: Inbox
) -> None:
    cid = build_team(api)
    deliver(notifications)
    inbox.mails.clear()

    raised = api.ok(
        "POST", f"/v1/candidates/{cid}/concerns", "veileder", {"text": "KANARI-bekymring"}, 201
    )
    assert deliver(notifications) == 2
    assert inbox.pairs() == sorted(
        [(address(api, "leader"), "concern_raised"), (address(api, "deputy"), "concern_raised")]
    )
    assert_no_canary(inbox.mails)
    for who in ("leader", "deputy"):
        (listed,) = [
            n
            for n in api.ok("GET", "/v1/me/notifications", who)["data"]
            if n["kind"] == "concern_raised"
        ]
        assert listed["candidate_id"] == cid
        assert listed["link"] == f"{PUBLIC_URL}/v1/candidates/{cid}/concerns"
        assert api.person("veileder").name in listed["subject"]
        assert "KANARI" not in str(listed)
    # the veileder and the candidate are not told; resolving it tells nobody either
    for who in ("veileder", "candidate"):
        kinds = [n["kind"] for n in api.ok("GET", "/v1/me/notifications", who)["data"]]
        assert "concern_raised" not in kinds
    api.ok(
        "POST",
        f"/v1/candidates/{cid}/concerns/{raised['concern_id']}/resolve",
        "deputy",
        {"note": "KANARI-notat"},
    )
    assert deliver(notifications) == 0


def test_r7_a_deputy_past_their_until_day_is_no_longer_reminded_of_a_waiting_approval(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    cid = build_team(api)
    # a second deputy, acting up to and including tomorrow only
    until = (date.today() + timedelta(days=1)).isoformat()
    stand_in = api.person("stand_in")
    invitation = api.ok(
        "POST",
        f"/v1/candidates/{cid}/invitations",
        "leader",
        {
            "role": "deputy",
            "name": stand_in.name,
            "email": address(api, "stand_in"),
            "until": until,
        },
        201,
    )
    api.ok("POST", f"/v1/invitations/{invitation['token']}/accept", "stand_in", {})
    goal, _ = goal_with_activity(api, cid)
    api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    deliver(notifications)
    # asked to approve while acting: the leader and both deputies
    requested = [pair for pair in inbox.pairs() if pair[1] == "approval_requested"]
    assert requested == sorted(
        (address(api, who), "approval_requested") for who in ("leader", "deputy", "stand_in")
    )
    inbox.mails.clear()

    clock.fixed = clock() + timedelta(days=15)  # long past the stand-in's last day
    assert notifications.remind() == 2
    notifications.send()
    assert inbox.pairs() == sorted(
        [(address(api, "leader"), "reminder"), (address(api, "deputy"), "reminder")]
    )
