"""R31, API.md v1.1 "Notifications": who is told of what, by e-mail, exactly once.

A real SMTP server on loopback (aiosmtpd) receives the mails; the notification process
(follower, reminders, sender) is run step by step with a settable clock. Both stores.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from api_world import YESTERDAY, Api, build_team
from notification_world import PUBLIC_URL, Clock, Inbox, notification_settings, receiving

from api.deps import Services
from kompetanse.devkeys import mint_dev_token
from kompetanse_store.urls import views_database_url
from projections.notifications.sender import CLAIM_LEASE, Sender
from projections.notifications.service import NotificationService

CANARIES = ("KANARI-kommentar", "KANARI-begrunnelse", "KANARI-tittel", "KANARI-referat")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with receiving(Inbox()) as received:
        yield received


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def notifications(
    services: Services, store_url: str, data_dir: Path, inbox: Inbox, clock: Clock
) -> Iterator[NotificationService]:
    settings = notification_settings(data_dir, inbox.port)  # type: ignore[attr-defined]
    services.application.invitation_key = settings.invitation_key()
    service = NotificationService(
        services.application, views_database_url(store_url), settings, clock=clock
    )
    try:
        yield service
    finally:
        service.close()


@pytest.fixture
def services(services: Services, request: pytest.FixtureRequest) -> Services:
    """The shared services with the notification process (its parts run by the test)."""
    service = request.getfixturevalue("notifications")
    return dataclasses.replace(services, notifications=service)


def deliver(service: NotificationService) -> int:
    service.catch_up()
    return service.send()


def address(api: Api, who: str) -> str:
    return f"{api.person(who).sub}@example.no"


def goal_with_activity(api: Api, cid: str) -> tuple[str, str]:
    api.ok("POST", f"/v1/candidates/{cid}/plans", "leader", {"plan_code": "TEST-A"}, 201)
    goal = f"/v1/candidates/{cid}/goals/TEST-A-001"
    activity = api.ok(
        "POST",
        goal + "/activities",
        "candidate",
        {"title": "KANARI-tittel", "kind": "course", "fulfilled_on": YESTERDAY},
        201,
    )
    return goal, f"{goal}/activities/{activity['activity_id']}"


def test_a_journey_mails_exactly_the_people_who_must_act_with_a_working_accept_link(
    api: Api, notifications: NotificationService, inbox: Inbox
) -> None:
    cid = build_team(api)  # leader, veileder, 2 supervisors by the candidate; deputy by leader
    deliver(notifications)
    invited = {address(api, who) for who in ("leader", "veileder", "supervisor", "supervisor_2")}
    invited.add(address(api, "deputy"))
    assert inbox.pairs() == sorted((to, "invitation") for to in invited)
    inbox.mails.clear()

    # an invitation followed from the e-mail alone
    newcomer = api.person("supervisor_3")
    issued = api.ok(
        "POST",
        f"/v1/candidates/{cid}/invitations",
        "candidate",
        {"role": "supervisor", "name": newcomer.name, "email": "ny.supervisor@example.no"},
        201,
    )
    assert deliver(notifications) == 1
    (mail,) = inbox.mails
    assert mail.to == ["ny.supervisor@example.no"]
    link = next(
        word for text in mail.texts()[1:2] for word in text.split() if word.startswith("http")
    )
    assert link == f"{PUBLIC_URL}/v1/invitations/{issued['token']}/accept"
    assert "Lise Lege" in mail.texts()[0]  # who: the candidate, by name
    assert mail.message.get_content_type() == "multipart/alternative"
    accepted = api.ok("POST", link.removeprefix(PUBLIC_URL), "supervisor_3", {})
    assert accepted == {"candidate_id": cid, "role": "supervisor"}
    inbox.mails.clear()

    goal, signing = goal_with_activity(api, cid)
    signer = api.person("supervisor").sub
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": signer})
    deliver(notifications)
    assert inbox.pairs() == [(address(api, "supervisor"), "signing_requested")]
    inbox.mails.clear()

    api.ok("POST", signing + "/reject", "supervisor", {"reason": "KANARI-begrunnelse"})
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": signer})
    api.ok("POST", signing + "/sign", "supervisor", {"comment": "KANARI-kommentar"})
    api.ok("POST", goal + "/comments", "veileder", {"text": "KANARI-kommentar"}, 201)
    api.ok(
        "POST",
        goal + "/send-for-approval",
        "candidate",
        {"completed_on": YESTERDAY, "comment": "KANARI-kommentar"},
    )
    api.ok("POST", goal + "/approve", "leader", {"comment": "KANARI-kommentar"})
    meeting = api.ok(
        "POST",
        f"/v1/candidates/{cid}/meetings",
        "veileder",
        {"scheduled_for": YESTERDAY, "planned_minutes": 60},
        201,
    )["meeting_id"]
    api.ok("PUT", f"/v1/meetings/{meeting}/summary", "veileder", {"text": "KANARI-referat"})
    deliver(notifications)
    candidate = "lise.lege@example.no"
    assert inbox.pairs() == sorted(
        [
            (candidate, "activity_rejected"),
            (address(api, "supervisor"), "signing_requested"),
            (candidate, "activity_signed"),
            (address(api, "leader"), "approval_requested"),
            (address(api, "deputy"), "approval_requested"),
            (candidate, "goal_approved"),
            (candidate, "meeting_scheduled"),
        ]
    )
    assert deliver(notifications) == 0  # nothing twice
    assert_no_canary(inbox.every)


def assert_no_canary(mails: list[Any]) -> None:
    for mail in mails:
        seen = "\n".join(mail.texts()) + mail.raw.decode("utf-8", "replace")
        for canary in CANARIES:
            assert canary not in seen, (mail.kind, canary)


def test_no_text_a_user_wrote_reaches_an_email_or_a_notification(
    api: Api, notifications: NotificationService, inbox: Inbox
) -> None:
    cid = build_team(api)
    goal, signing = goal_with_activity(api, cid)
    signer = api.person("supervisor").sub
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": signer})
    api.ok("POST", signing + "/reject", "supervisor", {"reason": "KANARI-begrunnelse"})
    api.ok("POST", signing + "/send-for-signing", "candidate", {"signer_sub": signer})
    api.ok("POST", signing + "/sign", "supervisor", {"comment": "KANARI-kommentar"})
    send = {"completed_on": YESTERDAY, "comment": "KANARI-kommentar"}
    api.ok("POST", goal + "/send-for-approval", "candidate", send)
    api.ok("POST", goal + "/reject", "leader", {"reason": "KANARI-begrunnelse"})
    api.ok("POST", goal + "/send-for-approval", "candidate", send)
    api.ok("POST", goal + "/approve", "leader", {"comment": "KANARI-kommentar"})
    deliver(notifications)
    assert len(inbox.mails) >= 12
    assert_no_canary(inbox.mails)
    for who in ("candidate", "leader", "supervisor"):
        listed = api.ok("GET", "/v1/me/notifications", who)
        assert listed["count"] >= 1
        assert not any(canary in str(listed) for canary in CANARIES)


def test_the_api_lists_a_persons_notifications_and_only_they_mark_them_read(
    api: Api, notifications: NotificationService
) -> None:
    cid = build_team(api)
    goal, signing = goal_with_activity(api, cid)
    api.ok(
        "POST",
        signing + "/send-for-signing",
        "candidate",
        {"signer_sub": api.person("supervisor").sub},
    )
    api.ok("POST", signing + "/sign", "supervisor", {})
    api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    api.ok("POST", goal + "/approve", "leader", {})
    notifications.catch_up()

    mine = api.ok("GET", "/v1/me/notifications", "candidate")
    assert [item["kind"] for item in mine["data"]] == ["goal_approved", "activity_signed"]
    assert mine["count"] == 2
    first = mine["data"][0]
    assert set(first) == {
        "notification_id", "kind", "candidate_id", "subject", "created_at", "read_at", "link",
    }  # fmt: skip
    assert first["candidate_id"] == cid and first["read_at"] is None
    assert first["link"] == f"{PUBLIC_URL}/v1/candidates/{cid}/goals/TEST-A-001"
    assert "godkjent" in first["subject"] and "Leif Leder" in first["subject"]

    path = f"/v1/me/notifications/{first['notification_id']}/read"
    for stranger in ("leader", "deputy", "veileder", "supervisor", "unrelated", "auditor"):
        refused = api.call("POST", path, stranger, {})
        assert refused.status_code == 404, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (
        api.call("POST", "/v1/me/notifications/no-such-id/read", "candidate", {}).status_code == 404
    )
    read = api.ok("POST", path, "candidate", {})
    assert read["read_at"] is not None
    unread = api.ok("GET", "/v1/me/notifications?unread=true", "candidate")
    assert [item["kind"] for item in unread["data"]] == ["activity_signed"]
    assert (
        api.ok("GET", "/v1/me/notifications", "leader")["data"][0]["kind"] == "approval_requested"
    )
    assert api.ok("GET", "/v1/me/notifications", "unrelated") == {"data": [], "count": 0}


class Killed(BaseException):
    """The sender process dies here (as by kill -9: nothing after it runs)."""


def test_a_sender_killed_after_smtp_accepted_resends_only_that_mail_with_its_message_id(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    build_team(api)
    notifications.catch_up()
    settings = notifications.settings

    dying = Sender(notifications.db, settings, clock=clock)
    delivered: list[str] = []

    def die_on_the_third(notification_id: str) -> None:
        delivered.append(notification_id)
        if len(delivered) == 3:
            raise Killed

    dying.after_delivery = die_on_the_third
    with pytest.raises(Killed):
        dying.step()
    assert len(inbox.mails) == 3  # SMTP accepted three; the third was never marked sent

    # a restarted sender, at once: the others go; the claim in flight waits for its lease
    assert Sender(notifications.db, settings, clock=clock).step() == 2
    assert len(inbox.mails) == 5
    assert notifications.status()["outbox"]["waiting"] == 1
    # after the claim's lease: the one mail in flight goes again, with its Message-ID
    clock.fixed = clock() + CLAIM_LEASE + timedelta(seconds=1)
    assert Sender(notifications.db, settings, clock=clock).step() == 1
    assert Sender(notifications.db, settings, clock=clock).step() == 0

    ids = [mail.message_id for mail in inbox.mails]
    assert len(set(ids)) == 5  # one per (event, recipient)
    duplicates = len(ids) - len(set(ids))
    assert duplicates == 1  # the one SMTP accepted before the kill: same Message-ID
    assert ids.count(inbox.mails[2].message_id) == 2
    assert notifications.status()["outbox"]["waiting"] == 0


def test_a_follower_killed_mid_batch_decides_each_event_once_after_restart(
    api: Api, notifications: NotificationService, inbox: Inbox, store_url: str, clock: Clock
) -> None:
    build_team(api)
    follower = notifications.follower
    follower.batch_size = 4  # the team's events take several batches

    def die_before_the_second_commit(name: str, position: int) -> None:
        if position > 4:
            raise Killed

    follower.follower.before_commit = die_before_the_second_commit
    with pytest.raises(Killed):
        follower.catch_up()
    again = NotificationService(
        follower.application, views_database_url(store_url), notifications.settings, clock=clock
    )
    try:
        again.catch_up()
        assert again.send() == 5
        assert again.catch_up() == 0 and again.send() == 0
    finally:
        again.close()
    assert len({mail.message_id for mail in inbox.mails}) == len(inbox.mails) == 5
    assert inbox.pairs() == sorted(
        (address(api, who), "invitation")
        for who in ("leader", "veileder", "supervisor", "supervisor_2", "deputy")
    )


def test_two_senders_at_once_and_a_restarted_follower_mail_nothing_twice(
    api: Api, notifications: NotificationService, inbox: Inbox, store_url: str, clock: Clock
) -> None:
    build_team(api)
    notifications.catch_up()
    senders = [Sender(notifications.db, notifications.settings, clock=clock) for _ in range(2)]
    threads = [threading.Thread(target=sender.step) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(inbox.mails) == 5
    again = NotificationService(
        notifications.follower.application,
        views_database_url(store_url),
        notifications.settings,
        clock=clock,
    )
    try:
        assert again.catch_up() == 0  # the follower's position was kept with its rows
        assert again.send() == 0
    finally:
        again.close()
    assert len({mail.message_id for mail in inbox.mails}) == len(inbox.mails) == 5


def test_mails_wait_while_smtp_refuses_and_go_out_when_it_is_back(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    build_team(api)
    inbox.refuse = True
    assert deliver(notifications) == 0
    status = notifications.status()["outbox"]
    assert status["waiting"] == 5 and status["failures"] == 5
    assert api.ok("GET", "/v1/me/notifications", "leader")["count"] == 0  # the API answers
    ready = api.client.get("/readyz").json()
    assert ready["notifications"]["outbox"]["waiting"] == 5
    metrics = api.client.get("/metrics").text
    assert "kompetanse_notification_outbox_waiting 5.0" in metrics
    assert "kompetanse_notification_outbox_failures 5.0" in metrics

    inbox.refuse = False
    assert notifications.send() == 0  # backing off: not yet
    clock.fixed = clock() + timedelta(minutes=1)
    assert notifications.send() == 5
    assert len(inbox.mails) == 5
    assert notifications.status()["outbox"]["waiting"] == 0


def _reminders(inbox: Inbox) -> list[tuple[str, str]]:
    return [pair for pair in inbox.pairs() if pair[1] == "reminder"]


def test_reminders_at_day_14_and_28_while_a_signature_waits_and_none_after_it_is_signed(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    cid = build_team(api)
    _, signing = goal_with_activity(api, cid)
    api.ok(
        "POST",
        signing + "/send-for-signing",
        "candidate",
        {"signer_sub": api.person("supervisor").sub},
    )
    deliver(notifications)
    sent = clock()
    signer = address(api, "supervisor")

    assert notifications.remind(sent + timedelta(days=13, hours=23)) == 0
    day_14 = sent + timedelta(days=14, minutes=1)
    results: list[int] = []
    both = [
        threading.Thread(target=lambda: results.append(notifications.remind(day_14)))
        for _ in range(2)
    ]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    assert sum(results) == 1  # two schedulers at once: one reminder
    assert notifications.remind(day_14) == 0  # and again after a crash: none
    clock.fixed = day_14
    notifications.send()
    assert _reminders(inbox) == [(signer, "reminder")]
    assert notifications.remind(sent + timedelta(days=27)) == 0
    clock.fixed = sent + timedelta(days=28, minutes=1)
    assert notifications.remind() == 1
    notifications.send()
    assert _reminders(inbox) == [(signer, "reminder")] * 2

    api.ok("POST", signing + "/sign", "supervisor", {})
    notifications.catch_up()
    assert notifications.remind(sent + timedelta(days=60)) == 0
    reminder = api.ok("GET", "/v1/me/notifications", "supervisor")["data"][0]
    assert reminder["kind"] == "reminder" and "Påminnelse" in reminder["subject"]


def test_a_goal_waiting_for_approval_reminds_leader_and_deputy_until_it_is_decided(
    api: Api, notifications: NotificationService, inbox: Inbox, clock: Clock
) -> None:
    cid = build_team(api)
    goal, _ = goal_with_activity(api, cid)
    api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    notifications.catch_up()
    sent = clock()
    clock.fixed = sent + timedelta(days=15)
    assert notifications.remind() == 2
    notifications.send()
    assert _reminders(inbox) == sorted(
        [(address(api, "leader"), "reminder"), (address(api, "deputy"), "reminder")]
    )
    api.ok("POST", goal + "/reject", "leader", {"reason": "KANARI-begrunnelse"})
    notifications.catch_up()
    assert notifications.remind(sent + timedelta(days=30)) == 0


def test_without_an_smtp_host_each_mail_is_an_eml_file_in_the_outbox_folder(
    api: Api, notifications: NotificationService, data_dir: Path
) -> None:
    settings = dataclasses.replace(notifications.settings, smtp_host=None)
    build_team(api)
    notifications.catch_up()
    assert Sender(notifications.db, settings).step() == 5
    files = sorted((data_dir / "outbox").glob("*.eml"))
    assert len(files) == 5
    assert all(oct(path.stat().st_mode & 0o777) == "0o600" for path in files)
    assert all(b"Message-ID: <" in path.read_bytes() for path in files)
    assert Sender(notifications.db, settings).step() == 0


def test_a_persons_mail_goes_to_the_email_claim_last_seen_in_their_token(
    api: Api, notifications: NotificationService, inbox: Inbox, data_dir: Path
) -> None:
    cid = build_team(api)
    goal, _ = goal_with_activity(api, cid)
    leader = api.person("leader")
    for email in ("leif@gammel.example.no", "leif.leder@sykehus.example.no"):
        token = mint_dev_token(data_dir, sub=leader.sub, name=leader.name, email=email)
        seen = api.client.get("/v1/me/notifications", headers={"Authorization": f"Bearer {token}"})
        assert seen.status_code == 200
    api.ok("POST", goal + "/send-for-approval", "candidate", {"completed_on": YESTERDAY})
    inbox.mails.clear()
    deliver(notifications)
    assert ("leif.leder@sykehus.example.no", "approval_requested") in inbox.pairs()
    assert (address(api, "deputy"), "approval_requested") in inbox.pairs()  # no claim: events'
