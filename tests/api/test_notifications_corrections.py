"""R29 corrections in the notification process (R31, API.md v1.1 "Notifications", ADR 0025).

A withdrawn approval tells the candidate (`approval_withdrawn`, without the reason); a
recalled goal and a withdrawn activity wait for nobody any more, so they give no
reminder; an edited activity, sent again, is reminded of from its new send only. The
real flow: commands over HTTP, the notification process run step by step with a settable
clock, a real SMTP server on loopback. Both stores.
"""

from __future__ import annotations

from datetime import timedelta

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

DAYS = 14  # KOMPETANSE_REMINDER_DAYS in the tests' settings


def _reminders(inbox: Inbox) -> list[tuple[str, str]]:
    return [pair for pair in inbox.pairs() if pair[1] == "reminder"]


def _approved_goal(api: Api, cid: str) -> str:
    goal, _ = goal_with_activity(api, cid)
    api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    api.ok("POST", goal + "/approve", "leader", {})
    return goal


def test_a_withdrawn_approval_tells_the_candidate_who_withdrew_it_but_not_why(
    api: Api, notifications: NotificationService, inbox: Inbox
) -> None:
    cid = build_team(api)
    goal = _approved_goal(api, cid)
    deliver(notifications)
    inbox.mails.clear()

    api.ok("POST", goal + "/withdraw-approval", "deputy", {"reason": "KANARI-begrunnelse"})
    assert deliver(notifications) == 1
    candidate = "lise.lege@example.no"
    assert inbox.pairs() == [(candidate, "approval_withdrawn")]
    assert_no_canary(inbox.mails)
    (mail,) = inbox.mails
    assert "trukket tilbake" in mail.texts()[0] and "TEST-A-001" in mail.texts()[0]

    listed = api.ok("GET", "/v1/me/notifications", "candidate")["data"][0]
    assert listed["kind"] == "approval_withdrawn"
    assert listed["candidate_id"] == cid
    assert listed["link"] == f"{PUBLIC_URL}/v1/candidates/{cid}/goals/TEST-A-001"
    assert api.person("deputy").name in listed["subject"]
    assert "KANARI" not in str(listed)
    # told once: the leader and the deputy (who acted) are told nothing
    assert deliver(notifications) == 0
    for who in ("leader", "deputy"):
        kinds = [n["kind"] for n in api.ok("GET", "/v1/me/notifications", who)["data"]]
        assert "approval_withdrawn" not in kinds


def test_a_recalled_goal_gives_its_approvers_no_reminder_and_a_new_send_waits_anew(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    cid = build_team(api)
    goal, _ = goal_with_activity(api, cid)
    api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    deliver(notifications)
    api.ok("POST", goal + "/recall", "candidate", {"reason": "KANARI-begrunnelse"})
    notifications.catch_up()
    recalled = clock()
    assert notifications.remind(recalled + timedelta(days=DAYS + 1)) == 0
    assert notifications.remind(recalled + timedelta(days=3 * DAYS + 1)) == 0

    # sent again: it waits again, and its approvers are reminded of it
    api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    notifications.catch_up()
    resent = clock()
    assert notifications.remind(resent + timedelta(days=DAYS - 1)) == 0
    clock.fixed = resent + timedelta(days=DAYS, minutes=1)
    assert notifications.remind() == 2
    inbox.mails.clear()
    notifications.send()
    assert _reminders(inbox) == sorted(
        [(address(api, "leader"), "reminder"), (address(api, "deputy"), "reminder")]
    )
    assert_no_canary(inbox.every)


def test_a_withdrawn_activity_gives_its_signer_no_reminder(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    cid = build_team(api)
    _, signing = goal_with_activity(api, cid)
    signer = api.person("supervisor").sub
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": signer})
    deliver(notifications)
    sent = clock()
    api.ok("POST", signing + "/withdraw", "candidate", {"reason": "KANARI-begrunnelse"})
    notifications.catch_up()
    assert notifications.remind(sent + timedelta(days=DAYS + 1)) == 0
    assert notifications.remind(sent + timedelta(days=5 * DAYS)) == 0
    kinds = [n["kind"] for n in api.ok("GET", "/v1/me/notifications", "supervisor")["data"]]
    assert kinds.count("signing_requested") == 1 and "reminder" not in kinds
    assert_no_canary(inbox.every)


def test_an_edited_activity_sent_again_reminds_only_its_new_signer_once_per_period(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    cid = build_team(api)
    _, signing = goal_with_activity(api, cid)
    first = api.person("supervisor").sub
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": first})
    api.ok("POST", signing + "/reject", "supervisor", {"reason": "KANARI-begrunnelse"})
    api.ok("PATCH", signing, "candidate", {"title": "KANARI-tittel", "note": "KANARI-kommentar"})
    deliver(notifications)
    edited = clock()
    assert notifications.remind(edited + timedelta(days=DAYS + 1)) == 0  # waits for nobody

    second = api.person("supervisor_2").sub
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": second})
    notifications.catch_up()
    resent = clock()
    assert notifications.remind(resent + timedelta(days=DAYS - 1)) == 0
    clock.fixed = resent + timedelta(days=DAYS, minutes=1)
    assert notifications.remind() == 1
    assert notifications.remind() == 0  # once
    inbox.mails.clear()
    notifications.send()
    assert _reminders(inbox) == [(address(api, "supervisor_2"), "reminder")]
    clock.fixed = resent + timedelta(days=2 * DAYS, minutes=1)
    assert notifications.remind() == 1  # the next period: one more, to the same signer
    signed = api.ok("POST", signing + "/sign", "supervisor_2", {})
    assert signed is not None
    notifications.catch_up()
    assert notifications.remind(resent + timedelta(days=5 * DAYS)) == 0
    assert_no_canary(inbox.every)


def test_an_activity_re_routed_while_waiting_reminds_only_its_new_signer(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    cid = build_team(api)
    _, signing = goal_with_activity(api, cid)
    for who in ("supervisor", "supervisor_2"):  # the first is away: sent to the second
        api.ok(
            "POST", signing + "/send-for-signing", "candidate", {"signer_sub": api.person(who).sub}
        )
    notifications.catch_up()
    clock.fixed = clock() + timedelta(days=DAYS, minutes=1)
    assert notifications.remind() == 1
    notifications.send()
    assert _reminders(inbox) == [(address(api, "supervisor_2"), "reminder")]


def test_a_supervisor_whose_role_was_revoked_is_not_reminded_and_the_next_signer_is(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    """R2, R31: once removed from the role, the supervisor can no longer sign and is no
    longer told of the candidate; the candidate sends the activity to another."""
    cid = build_team(api)
    _, signing = goal_with_activity(api, cid)
    first = api.person("supervisor").sub
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": first})
    deliver(notifications)
    sent = clock()
    response = api.call("DELETE", f"/v1/candidates/{cid}/roles/supervisor/{first}", "candidate")
    assert response.status_code == 204, response.text
    notifications.catch_up()

    assert notifications.remind(sent + timedelta(days=DAYS + 1)) == 0
    assert notifications.remind(sent + timedelta(days=5 * DAYS)) == 0
    kinds = [n["kind"] for n in api.ok("GET", "/v1/me/notifications", "supervisor")["data"]]
    assert "reminder" not in kinds

    second = api.person("supervisor_2").sub
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": second})
    notifications.catch_up()
    resent = clock()
    clock.fixed = resent + timedelta(days=DAYS, minutes=1)
    assert notifications.remind() == 1
    inbox.mails.clear()
    notifications.send()
    assert _reminders(inbox) == [(address(api, "supervisor_2"), "reminder")]
