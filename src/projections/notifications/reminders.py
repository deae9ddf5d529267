"""Reminders driven by time, not by events (R31, ADR 0025).

An activity waiting for a signature, or a goal waiting for approval, longer than
`reminder_days` gives the one who must act a `reminder`, then one more every
`reminder_days` while it waits. What was decided, withdrawn or sent elsewhere no
longer waits (the follower clears `waiting_since`), so nothing more is sent; nor does an
activity wait for a signer whose role on the candidate was revoked.

A reminder's id is made from (item, the send it waits since, due number, recipient):
`remind` may run in two processes at once or again after a crash; the second insert of
the same id fails on the primary key and is skipped, so each is written, and mailed,
once. After a pause of several periods only the newest due reminder is written.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from kompetanse_domain.model import notifying
from kompetanse_domain.model.notifying import Kind
from projections.engine.db import ViewDatabase
from projections.notifications.config import NotificationSettings
from projections.notifications.store import notification_tables
from projections.notifications.view import Links, approvers_on, write_notification

log = logging.getLogger("notifications")


def remind(db: ViewDatabase, settings: NotificationSettings, now: datetime) -> int:
    """Write the reminders due at `now`; returns how many this call wrote."""
    t = notification_tables()
    links = Links(settings.public_url)
    due: list[dict[str, Any]] = []
    with db.read() as conn:
        names = dict(conn.execute(select(t.candidate.c.candidate_id, t.candidate.c.name)).all())
        activities = (
            conn.execute(
                select(
                    t.activity.c.activity_id,
                    t.activity.c.signer_sub,
                    t.activity.c.waiting_since,
                    t.goal.c.candidate_id,
                    t.goal.c.code,
                )
                .join(t.goal, t.goal.c.goal_id == t.activity.c.goal_id)
                .where(t.activity.c.waiting_since.is_not(None), t.goal.c.withdrawn.is_(False))
            )
            .mappings()
            .all()
        )
        for row in activities:
            due.append({
                "item": row["activity_id"], "since": row["waiting_since"],
                "recipients": [row["signer_sub"]], "candidate_id": row["candidate_id"],
                "what": f"signering av en aktivitet i læringsmål {row['code']}",
                "link": links.url("/v1/supervisors/me/signing-requests"),
            })  # fmt: skip
        goals = (
            conn.execute(
                select(t.goal).where(
                    t.goal.c.waiting_since.is_not(None), t.goal.c.withdrawn.is_(False)
                )
            )
            .mappings()
            .all()
        )
        roles = conn.execute(select(t.role)).mappings().all()
        for row in goals:
            cid = row["candidate_id"]
            held = [r for r in roles if r["candidate_id"] == cid]
            due.append({
                "item": row["goal_id"], "since": row["waiting_since"],
                "recipients": approvers_on(held, notifying.oslo_date(now)), "candidate_id": cid,
                "what": f"godkjenning av læringsmål {row['code']}",
                "link": links.url("/v1/leaders/me/approvals"),
            })  # fmt: skip
    written = 0
    for item in due:
        number = notifying.reminders_due(item["since"], now, settings.reminder_days)
        if number < 1:
            continue
        source = f"reminder|{item['item']}|{item['since'].isoformat()}|{number}"
        for recipient in item["recipients"]:
            written += _write_once(db, t, settings, item, names, source, recipient, now)
    if written:
        log.info("%d reminder(s) written", written)
    return written


def _write_once(
    db: ViewDatabase,
    t: Any,
    settings: NotificationSettings,
    item: dict[str, Any],
    names: dict[str, str],
    source: str,
    recipient: str,
    now: datetime,
) -> int:
    nid = notifying.notification_id(source, recipient, Kind.REMINDER)
    n = t.notification
    try:
        with db.write() as conn:
            if conn.execute(
                select(n.c.notification_id).where(and_(n.c.notification_id == nid))
            ).first():
                return 0

            def insert(table: Any, **values: Any) -> None:
                conn.execute(table.insert().values(**values))

            write_notification(
                insert,
                t,
                settings.public_url,
                notification_id=nid,
                kind=Kind.REMINDER,
                candidate_id=item["candidate_id"],
                subject=notifying.subject(
                    Kind.REMINDER,
                    waiting=item["what"],
                    candidate_name=names.get(item["candidate_id"], ""),
                ),
                link=item["link"],
                created_at=now,
                recipient_sub=recipient,
            )
    except IntegrityError:
        return 0  # another scheduler wrote it first
    return 1
