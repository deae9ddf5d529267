"""R31 as pure rules: who must act, when a reminder is due, what a subject may say."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kompetanse_domain.model import notifying
from kompetanse_domain.model.notifying import Kind

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_approvers_are_the_leader_and_each_active_deputy_once() -> None:
    assert notifying.approvers("leader", ["d2", "d1", "d2", "leader"]) == ["leader", "d1", "d2"]
    assert notifying.approvers(None, ["d1"]) == ["d1"]


def test_a_deputy_acts_through_their_until_day_and_not_after() -> None:
    day = date(2026, 3, 31)
    deputies = [("open-ended", None), ("through-today", day), ("ended", day - timedelta(days=1))]
    assert notifying.active_deputies(deputies, day) == ["open-ended", "through-today"]
    assert notifying.active_deputies(deputies, day + timedelta(days=1)) == ["open-ended"]
    # the day is Norway's: 23:30 UTC on 31 March is already 1 April in Oslo
    assert notifying.oslo_date(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == date(2026, 4, 1)


def test_a_reminder_is_due_every_period_while_the_item_waits() -> None:
    due = [notifying.reminders_due(T0, T0 + timedelta(days=d), 14) for d in (0, 13, 14, 27, 28, 43)]
    assert due == [0, 0, 1, 1, 2, 3]
    assert notifying.reminders_due(T0, T0 - timedelta(days=30), 14) == 0


def test_a_notification_id_is_the_same_for_the_same_event_and_recipient_only() -> None:
    same = notifying.notification_id("goal:3", "sub-a", Kind.GOAL_APPROVED)
    assert same == notifying.notification_id("goal:3", "sub-a", Kind.GOAL_APPROVED)
    assert same != notifying.notification_id("goal:3", "sub-b", Kind.GOAL_APPROVED)
    assert same != notifying.notification_id("goal:4", "sub-a", Kind.GOAL_APPROVED)


def test_invitation_secrets_follow_from_the_key_and_the_invitation() -> None:
    secret = notifying.invitation_secret(b"key", "inv-1")
    assert secret == notifying.invitation_secret(b"key", "inv-1")
    assert secret != notifying.invitation_secret(b"key", "inv-2")
    assert secret != notifying.invitation_secret(b"other", "inv-1")
    assert len(secret) >= 32


def test_every_kind_has_a_norwegian_subject_naming_who_and_what() -> None:
    for kind in Kind:
        text = notifying.subject(
            kind,
            actor_name="Leif Leder",
            candidate_name="Lise Lege",
            goal_code="ALM-001",
            role="supervisor",
            waiting="godkjenning av læringsmål ALM-001",
        )
        assert "Leif Leder" in text or "Lise Lege" in text, kind
    assert notifying.subject(Kind.GOAL_APPROVED, actor_name="Leif Leder", goal_code="ALM-001") == (
        "Leif Leder har godkjent læringsmål ALM-001"
    )
