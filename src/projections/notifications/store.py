"""What the API and the operators read and change of the notifications (ADR 0025)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, MetaData, Table, and_, func, select, update

from projections.engine.db import ViewDatabase
from projections.notifications.tables import NotificationTables, define_notification_tables

LIST_LIMIT = 200


class NotificationRow(TypedDict):
    notification_id: str
    kind: str
    candidate_id: str | None
    subject: str
    created_at: datetime
    read_at: datetime | None
    link: str


class OutboxStatus(TypedDict):
    waiting: int  # e-mails not sent yet (undeliverable ones left out)
    oldest_waiting_at: datetime | None
    failures: int  # failed attempts of the e-mails still waiting
    undeliverable: int  # no address known for the recipient
    sent: int


def notification_tables() -> NotificationTables:
    return define_notification_tables(MetaData())


class NotificationStore:
    def __init__(self, db: ViewDatabase) -> None:
        self.db = db
        self.t = notification_tables()
        self.claims_seen: dict[str, str] = {}  # sub -> the claim this process recorded

    def list_for(self, sub: str, *, unread: bool = False) -> list[NotificationRow]:
        """A person's notifications, newest first (the last `LIST_LIMIT`)."""
        n = self.t.notification
        where = [n.c.recipient_sub == sub]
        if unread:
            where.append(n.c.read_at.is_(None))
        stmt = (
            select(*_shown(n))
            .where(and_(*where))
            .order_by(n.c.created_at.desc(), n.c.notification_id.desc())
            .limit(LIST_LIMIT)
        )
        with self.db.read() as conn:
            return [NotificationRow(**row) for row in conn.execute(stmt).mappings()]  # type: ignore[typeddict-item]

    def mark_read(self, sub: str, notification_id: str, now: datetime) -> NotificationRow | None:
        """Mark one of `sub`'s notifications read (the first time only); None when `sub`
        has no notification with that id (whoever else it belongs to)."""
        n = self.t.notification
        mine = and_(n.c.notification_id == notification_id, n.c.recipient_sub == sub)
        with self.db.write() as conn:
            conn.execute(update(n).where(mine, n.c.read_at.is_(None)).values(read_at=now))
            row = conn.execute(select(*_shown(n)).where(mine)).mappings().first()
        return None if row is None else NotificationRow(**row)  # type: ignore[typeddict-item]

    def remember_claim(self, sub: str, email: str) -> None:
        """The `email` claim last seen for `sub` (API.md: the recipient's address)."""
        c = self.t.claim
        with self.db.write() as conn:
            changed = conn.execute(
                update(c).where(c.c.sub == sub, c.c.email != email).values(email=email)
            ).rowcount
            if not changed and conn.execute(select(c.c.sub).where(c.c.sub == sub)).first() is None:
                conn.execute(c.insert().values(sub=sub, email=email))
        if len(self.claims_seen) > 100_000:
            self.claims_seen.clear()
        self.claims_seen[sub] = email

    def address_of(self, conn: Any, sub: str) -> str | None:
        """The claim last seen for `sub`, else the address its events gave."""
        for table in (self.t.claim, self.t.address):
            found = conn.execute(select(table.c.email).where(table.c.sub == sub)).scalar()
            if found:
                return str(found)
        return None

    def outbox_status(self) -> OutboxStatus:
        o = self.t.outbox
        with self.db.read() as conn:
            rows = conn.execute(
                select(
                    o.c.state, func.count(), func.min(o.c.created_at), func.sum(o.c.failures)
                ).group_by(o.c.state)
            ).all()
        by_state = {
            state: (count, oldest, failures or 0) for state, count, oldest, failures in rows
        }
        waiting = [by_state[s] for s in ("waiting", "sending") if s in by_state]
        oldest = min((row[1] for row in waiting if row[1] is not None), default=None)
        return OutboxStatus(
            waiting=sum(row[0] for row in waiting),
            oldest_waiting_at=oldest,
            failures=sum(int(row[2]) for row in waiting),
            undeliverable=by_state.get("undeliverable", (0, None, 0))[0],
            sent=by_state.get("sent", (0, None, 0))[0],
        )

    def resend(self, notification_id: str, now: datetime) -> bool:
        """Queue a notification's e-mail again (an operator's `resend ID`), with the same
        Message-ID; False when there is no such e-mail."""
        o = self.t.outbox
        with self.db.write() as conn:
            return bool(
                conn.execute(
                    update(o)
                    .where(o.c.notification_id == notification_id)
                    .values(state="waiting", next_attempt_at=now, claimed_at=None, sent_at=None)
                ).rowcount
            )


def _shown(n: Table) -> tuple[ColumnElement[Any], ...]:
    """The columns of a notification its reader sees (`NotificationRow`)."""
    c = n.c
    return (c.notification_id, c.kind, c.candidate_id, c.subject, c.created_at, c.read_at, c.link)
