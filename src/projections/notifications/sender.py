"""Delivers the outbox: by SMTP, or as `.eml` files when no SMTP host is set (ADR 0025).

One e-mail per notification, i.e. per (event, recipient), with a stable Message-ID.
A delivery is claimed (`sending`, committed), handed to SMTP, then marked `sent` in one
transaction. A claim lapses after `CLAIM_LEASE`: a sender that died between SMTP's
acceptance and the mark leaves its claim, and the next sender delivers again with the
same Message-ID (the one duplicate an outbox cannot rule out, which receivers fold by
Message-ID). Two senders never deliver the same claim. A failed delivery waits
`backoff(failures)` and is tried again; an e-mail whose recipient has no known address
is `undeliverable` until `kompetanse notifications resend ID`.
"""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select, update

from projections.engine.db import ViewDatabase
from projections.notifications.config import NotificationSettings
from projections.notifications.mail import build_message
from projections.notifications.store import NotificationStore

log = logging.getLogger("notifications")

CLAIM_LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


def backoff(failures: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    wait: timedelta = timedelta(seconds=30) * (2 ** min(max(failures - 1, 0), 16))
    return min(wait, MAX_BACKOFF)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Transport:
    """SMTP (one connection per round) or `.eml` files."""

    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def deliver(self, message: EmailMessage, name: str) -> None:
        host = self.settings.smtp_host
        if host is None:
            self._write_eml(message, name)
            return
        if self._smtp is None:
            s = self.settings
            smtp = smtplib.SMTP(host, s.smtp_port, timeout=15)
            try:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password or "")
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        try:
            self._smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def _write_eml(self, message: EmailMessage, name: str) -> None:
        folder = self.settings.outbox_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.eml"
        temporary = Path(f"{path}.tmp")
        with open(temporary, "wb") as file:
            file.write(message.as_bytes())
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)  # the same name each time: a file per notification

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:  # already gone
                self._smtp.close()
            self._smtp = None


class Sender:
    def __init__(
        self,
        db: ViewDatabase,
        settings: NotificationSettings,
        *,
        clock: Callable[[], datetime] = utc_now,
        batch_size: int = 50,
    ) -> None:
        self.db, self.settings, self.clock = db, settings, clock
        self.store = NotificationStore(db)
        self.t = self.store.t
        self.transport = Transport(settings)
        self.batch_size = batch_size
        self.after_delivery: Callable[[str], None] | None = None  # a test hook (crash here)

    def close(self) -> None:
        self.transport.close()

    def step(self) -> int:
        """Deliver what is due (at most `batch_size`); returns how many were delivered.

        Each e-mail is claimed on its own just before it is handed over, so a sender
        that dies leaves at most the one in flight to its lease."""
        delivered = 0
        try:
            for _ in range(self.batch_size):
                item = self._claim_next(self.clock())
                if item is None:
                    break
                delivered += self._deliver(item)
        finally:
            self.transport.close()
        return delivered

    def _claim_next(self, now: datetime) -> dict[str, Any] | None:
        o, n = self.t.outbox, self.t.notification
        due = or_(
            and_(o.c.state == "waiting", o.c.next_attempt_at <= now),
            and_(o.c.state == "sending", o.c.claimed_at < now - CLAIM_LEASE),
        )
        with self.db.read() as conn:  # an idle sender takes no write lock (SQLite: ADR 0018)
            if conn.execute(select(o.c.notification_id).where(due).limit(1)).first() is None:
                return None
        while True:
            with self.db.write() as conn:
                row = (
                    conn.execute(
                        select(
                            o,
                            n.c.recipient_sub,
                            n.c.recipient_email,
                            n.c.kind,
                            n.c.subject,
                            n.c.link,
                        )
                        .join(n, n.c.notification_id == o.c.notification_id)
                        .where(due)
                        .order_by(o.c.created_at, o.c.notification_id)
                        .limit(1)
                    )
                    .mappings()
                    .first()
                )
                if row is None:
                    return None
                same = and_(
                    o.c.notification_id == row["notification_id"],
                    o.c.state == row["state"],
                    o.c.attempts == row["attempts"],
                )
                address = row["recipient_email"] or self.store.address_of(
                    conn, row["recipient_sub"]
                )
                if address is None:
                    conn.execute(
                        update(o)
                        .where(same)
                        .values(state="undeliverable", last_error="no e-mail address known")
                    )
                    continue
                attempt = row["attempts"] + 1
                taken = conn.execute(
                    update(o).where(same).values(state="sending", claimed_at=now, attempts=attempt)
                ).rowcount
                if taken:
                    return {**row, "address": address, "attempt": attempt}
            # another sender claimed it between our read and our update: look again

    def _deliver(self, item: dict[str, Any]) -> int:
        o = self.t.outbox
        nid = item["notification_id"]
        mine = and_(
            o.c.notification_id == nid, o.c.state == "sending", o.c.attempts == item["attempt"]
        )
        message = build_message(
            kind=item["kind"],
            subject=item["subject"],
            link=item["link"],
            message_id=item["message_id"],
            created_at=item["created_at"],
            sender=self.settings.smtp_from,
            recipient=item["address"],
        )
        try:
            self.transport.deliver(message, nid)
        except Exception as error:
            failures = item["failures"] + 1
            log.warning(
                "e-mail %s not delivered (%s); tried again later", nid, type(error).__name__
            )
            with self.db.write() as conn:
                conn.execute(
                    update(o)
                    .where(mine)
                    .values(
                        state="waiting",
                        failures=failures,
                        next_attempt_at=self.clock() + backoff(failures),
                        last_error=type(error).__name__,
                    )
                )
            return 0
        if self.after_delivery is not None:
            self.after_delivery(nid)
        with self.db.write() as conn:
            conn.execute(
                update(o)
                .where(mine)
                .values(
                    state="sent", sent_at=self.clock(), sent_to=item["address"], last_error=None
                )
            )
        return 1
