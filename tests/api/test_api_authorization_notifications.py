"""Who may read and mark which notification (R31, API.md v1.1 "Notifications"), over HTTP,
for the seven relations of `test_api_authorization` (its `Team`): any user lists their
own notifications and nobody else's; only its recipient marks a notification read, and
for each of the other relations that is 404 (a problem+json), with nothing marked.
The notification process (from `test_notifications_by_email`) decides who is told."""

from __future__ import annotations

import pytest
from api_world import Api, problem_of
from notification_world import Inbox
from test_api_authorization import RELATIONS, Team
from test_notifications_by_email import clock, inbox, notifications, services

from projections.notifications.service import NotificationService

__all__ = ["clock", "inbox", "notifications", "services"]  # fixtures used by name below

OWN_KINDS = {  # what each relation is told by `_told_everyone`, over /v1/me/notifications
    "candidate": ["activity_signed", "goal_approved"],
    "leader": ["approval_requested"],
    "deputy": ["approval_requested"],
    "veileder": [],
    "supervisor": ["signing_requested"],
    "unrelated": [],
    "auditor": [],
}


def _told_everyone(api: Api, notifications: NotificationService) -> dict[str, list[str]]:
    """A signed activity and an approved goal; each relation's notification ids."""
    team = Team(api)
    activity = team.activity(send=True)
    api.ok("POST", activity + "/sign", "supervisor", {})
    goal = team.sent_goal()
    api.ok("POST", goal + "/approve", "leader", {})
    notifications.catch_up()
    ids = {}
    for relation in RELATIONS:
        listed = api.ok("GET", "/v1/me/notifications", relation)
        assert listed["count"] == len(listed["data"])
        assert sorted(item["kind"] for item in listed["data"]) == OWN_KINDS[relation], relation
        ids[relation] = [item["notification_id"] for item in listed["data"]]
    return ids


def test_any_user_lists_only_their_own_notifications(
    api: Api, notifications: NotificationService, inbox: Inbox
) -> None:
    ids = _told_everyone(api, notifications)
    for relation, own in ids.items():
        others = {nid for other, theirs in ids.items() if other != relation for nid in theirs}
        assert not others & set(own), relation
    for relation in RELATIONS:
        unread = api.ok("GET", "/v1/me/notifications?unread=true", relation)
        assert [item["notification_id"] for item in unread["data"]] == ids[relation]


@pytest.mark.parametrize("recipient", ["candidate", "leader", "deputy", "supervisor"])
def test_only_its_recipient_marks_a_notification_read_anyone_else_gets_404(
    api: Api, notifications: NotificationService, inbox: Inbox, recipient: str
) -> None:
    ids = _told_everyone(api, notifications)
    target = ids[recipient][0]
    path = f"/v1/me/notifications/{target}/read"
    expected = {relation: 200 if relation == recipient else 404 for relation in RELATIONS}
    actual = {}
    for relation in (*(r for r in RELATIONS if r != recipient), recipient):  # the owner last
        response = api.call("POST", path, relation, {})
        actual[relation] = response.status_code
        if response.status_code == 404:
            assert "GET /v1/me/notifications" in problem_of(response)["detail"]
        if relation != recipient:  # nothing marked by the refused ones
            mine = api.ok("GET", "/v1/me/notifications?unread=true", recipient)
            assert target in [item["notification_id"] for item in mine["data"]]
    assert actual == expected
    mine = api.ok("GET", "/v1/me/notifications", recipient)["data"]
    assert next(item for item in mine if item["notification_id"] == target)["read_at"]
