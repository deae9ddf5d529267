"""The notification settings (API.md "Notifications"), read from the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kompetanse_domain.model.notifying import DEFAULT_REMINDER_DAYS

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
INVITATION_KEY_FILE = "invitation.key"


class NotificationSettingsError(ValueError):
    """A notification setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class NotificationSettings:
    data_dir: Path
    public_url: str = DEFAULT_PUBLIC_URL
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str = "kompetanse@localhost"
    smtp_starttls: bool = True
    reminder_days: int = DEFAULT_REMINDER_DAYS
    invitation_key_text: str | None = field(default=None, repr=False)

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    def invitation_key(self) -> bytes:
        """The key the invitations' secrets are derived from (`KOMPETANSE_INVITATION_KEY`,
        else `<data dir>/invitation.key`, made on first use, 0600). Every process of one
        portal must use the same key."""
        if self.invitation_key_text:
            return self.invitation_key_text.encode()
        path = self.data_dir / INVITATION_KEY_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first
            else:
                with os.fdopen(fd, "w") as file:
                    file.write(secrets.token_urlsafe(32))
        return path.read_text().strip().encode()

    @classmethod
    def from_env(
        cls, data_dir: Path, environ: Mapping[str, str] | None = None
    ) -> NotificationSettings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"KOMPETANSE_{name}")
            return value.strip() if value and value.strip() else None

        def number(name: str, default: int) -> int:
            text = get(name)
            if text is None:
                return default
            if not text.isdigit() or int(text) < 1:
                raise NotificationSettingsError(
                    f"KOMPETANSE_{name}={text!r}: give a whole number of at least 1"
                )
            return int(text)

        starttls = (get("SMTP_STARTTLS") or "true").lower()
        if starttls not in ("true", "false", "1", "0", "yes", "no"):
            raise NotificationSettingsError(
                f"KOMPETANSE_SMTP_STARTTLS={starttls!r}: use true or false"
            )
        return cls(
            data_dir=data_dir,
            public_url=(get("PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
            smtp_host=get("SMTP_HOST"),
            smtp_port=number("SMTP_PORT", 587),
            smtp_user=get("SMTP_USER"),
            smtp_password=get("SMTP_PASSWORD"),
            smtp_from=get("SMTP_FROM") or "kompetanse@localhost",
            smtp_starttls=starttls in ("true", "1", "yes"),
            reminder_days=number("REMINDER_DAYS", DEFAULT_REMINDER_DAYS),
            invitation_key_text=get("INVITATION_KEY"),
        )
