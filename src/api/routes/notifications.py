"""R31, API.md v1.1 "Notifications": a person's notifications and their read marks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import IdentityDep, ServicesDep
from api.routes.queries import QUERY_PROBLEMS, ListPublic
from kompetanse_domain.errors import NotFoundError
from kompetanse_domain.model.notifying import Kind
from projections.notifications.store import NotificationRow

reads = APIRouter(tags=["notifications"], responses=QUERY_PROBLEMS)

NOT_FOUND = "You have no notification with this id; list yours at GET /v1/me/notifications"


class Notification(BaseModel):
    notification_id: str
    kind: Kind
    candidate_id: str | None
    subject: str
    created_at: datetime
    read_at: datetime | None
    link: str


class NotificationList(ListPublic[Notification]):
    pass


@reads.get("/v1/me/notifications", response_model=NotificationList)
async def my_notifications(
    identity: IdentityDep,
    services: ServicesDep,
    unread: Annotated[bool, Query(description="only those not marked read")] = False,
) -> dict[str, object]:
    """The caller's notifications, newest first (the newest 200)."""
    if services.notifications is None:
        rows: list[NotificationRow] = []
    else:
        rows = await run_in_threadpool(
            services.notifications.store.list_for, identity.sub, unread=unread
        )
    return {"data": rows, "count": len(rows)}


@reads.post("/v1/me/notifications/{notification_id}/read", response_model=Notification)
async def mark_read(notification_id: str, identity: IdentityDep, services: ServicesDep) -> object:
    """Mark one of the caller's notifications read; 404 for anyone else's (and unknown)."""
    if services.notifications is None or len(notification_id) > 64:
        raise NotFoundError(NOT_FOUND)
    row = await run_in_threadpool(
        services.notifications.store.mark_read, identity.sub, notification_id, datetime.now(UTC)
    )
    if row is None:
        raise NotFoundError(NOT_FOUND)
    return row
