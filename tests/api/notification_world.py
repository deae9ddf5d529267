"""Helpers for the notification tests: an SMTP server on loopback, a settable clock,
services with the notification process (run step by step), and the mails received.

Imported as a top-level module (tests/api has no `__init__.py`, see conftest).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

from aiosmtpd.controller import Controller

from projections.notifications.config import NotificationSettings

PUBLIC_URL = "https://kompetanse.example.no"


@dataclass
class Clock:
    """Now, unless a test moved it."""

    fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed if self.fixed is not None else datetime.now(UTC)


@dataclass
class Mail:
    to: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def kind(self) -> str:
        return str(self.message["X-Kompetanse-Kind"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def texts(self) -> list[str]:
        """Every decoded text part (plain and HTML) with the subject."""
        parts = [str(self.message["Subject"])]
        for part in self.message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return parts


@dataclass
class Inbox:
    """What the SMTP server accepted, in order."""

    mails: list[Mail] = field(default_factory=list)
    every: list[Mail] = field(default_factory=list)  # never cleared by a test
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: bool = False  # answer 451 to every message (the relay is down)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 try again later"
        with self.lock:
            mail = Mail(list(envelope.rcpt_tos), bytes(envelope.content))
            self.mails.append(mail)
            self.every.append(mail)
        return "250 OK"

    def pairs(self) -> list[tuple[str, str]]:
        return sorted((to, mail.kind) for mail in self.mails for to in mail.to)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_server(inbox: Inbox) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


AnInbox = TypeVar("AnInbox", bound=Inbox)


@contextlib.contextmanager
def receiving(inbox: AnInbox) -> Iterator[AnInbox]:
    """An SMTP server on loopback delivering to `inbox` while the block runs; its port
    is `inbox.port`."""
    controller = smtp_server(inbox)
    inbox.port = controller.port  # type: ignore[attr-defined]
    try:
        yield inbox
    finally:
        controller.stop()


def notification_settings(data_dir: Path, smtp_port: int | None) -> NotificationSettings:
    return NotificationSettings(
        data_dir=data_dir,
        public_url=PUBLIC_URL,
        smtp_host=None if smtp_port is None else "127.0.0.1",
        smtp_port=smtp_port or 587,
        smtp_from="Kompetanseportalen <noreply@kompetanse.example.no>",
        smtp_starttls=False,
        reminder_days=14,
        invitation_key_text="a-test-key-of-this-portal",
    )
