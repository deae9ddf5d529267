"""Varsler: the signed-in person's notifications (R31, API.md v1.1 "Notifications"), read
from the same store as GET /v1/me/notifications, newest first; mark one read as
POST /v1/me/notifications/{id}/read does. The navigation shows the unread count."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from kompetanse_domain.errors import NotFoundError
from web import texts
from web.pages import WebRoute, form_of, render, see_other, signed_in, web_of

router = APIRouter(route_class=WebRoute, include_in_schema=False)
_GOAL = re.compile(r"^/v1/candidates/([0-9a-f-]{36})/goals/([^/]+)$")
LISTS = {
    "/v1/supervisors/me/signing-requests": "/signering",
    "/v1/leaders/me/approvals": "/leder/godkjenninger",
}
_MEETING = re.compile(r"^/v1/meetings/([0-9a-f-]{36})$")
_INVITATION = re.compile(r"^/v1/invitations/([^/]+)/accept$")


def page_of(link: str, candidate_id: str | None) -> str:
    """The page a notification's link (an API address) is about, on these pages."""
    path = urlsplit(link).path
    goal = _GOAL.match(path)
    if goal:
        return f"/kandidater/{goal.group(1)}/mal/{goal.group(2)}"
    invitation = _INVITATION.match(path)
    if invitation:
        return f"/invitasjon/{invitation.group(1)}"
    if path in LISTS:
        return LISTS[path]
    meeting = _MEETING.match(path)
    if meeting and candidate_id:
        return f"/kandidater/{candidate_id}/moter/{meeting.group(1)}"
    return f"/kandidater/{candidate_id}" if candidate_id else "/"


@router.get("/varsler")
async def notifications(request: Request) -> Response:
    identity = signed_in(request)
    service = web_of(request).services.notifications
    rows = [] if service is None else await run_in_threadpool(service.store.list_for, identity.sub)
    return render(
        request,
        "notifications.html",
        title=texts.NOTIFICATIONS_TITLE,
        rows=[{**row, "page": page_of(row["link"], row["candidate_id"])} for row in rows],
        KINDS=texts.NOTIFICATION_KINDS,
    )


@router.post("/varsler/{notification_id}/lest")
async def mark_read(request: Request, notification_id: str) -> Response:
    await form_of(request)
    identity = signed_in(request)
    service = web_of(request).services.notifications
    if service is None or len(notification_id) > 64:
        raise NotFoundError("No such notification")
    row = await run_in_threadpool(
        service.store.mark_read, identity.sub, notification_id, datetime.now(UTC)
    )
    if row is None:  # someone else's, or none at all: the same 404
        raise NotFoundError("No such notification")
    return see_other("/varsler")
