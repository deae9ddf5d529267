"""Start-up check that the configured cipher key reads the stored events (ADR 0010).

A wrong `KOMPETANSE_CIPHER_KEY` must fail loudly at start-up, never half-way through a
request or inside the projections. AES-GCM authenticates every payload, so a wrong key
can never decode garbage; it fails on the first read. `check_store_readable` decodes
the first and the last stored event and names what is wrong:

- a key is set but does not decrypt (wrong key, or the key of another deployment);
- a key is set but the stored events are plain (encryption cannot be switched on for
  an existing store: the library would write encrypted events after plain ones);
- no key is set but the stored events are encrypted.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import MapperDeserialisationError, Notification

KEY_SETTING = "KOMPETANSE_CIPHER_KEY"


class StoreUnreadableError(RuntimeError):
    """Raised when the stored events cannot be decoded with the configured cipher key."""


def check_store_readable(application: Application[Any]) -> int:
    """Decode the first and the last stored event; returns how many were checked.

    Raises `StoreUnreadableError` with a message an operator can act on.
    """
    recorder = application.recorder
    last = recorder.max_notification_id() or 0
    if last <= 0:
        return 0
    first = recorder.select_notifications(start=None, limit=1)
    newest = recorder.select_notifications(start=last, limit=1)
    checked = {n.id: n for n in (*first, *newest)}
    for notification in checked.values():
        _decode(application, notification)
    return len(checked)


def _decode(application: Application[Any], notification: Notification) -> None:
    mapper = application.mapper
    try:
        mapper.to_domain_event(notification)
    except MapperDeserialisationError:
        position = notification.id
        if mapper.cipher is None:
            raise StoreUnreadableError(
                f"The stored events are encrypted but no key is set (position {position}): "
                f"set {KEY_SETTING} to the key they were written with"
            ) from None
        if _is_plain(application, notification):
            raise StoreUnreadableError(
                f"{KEY_SETTING} is set but the stored events are not encrypted "
                f"(position {position}): encryption cannot be switched on for an existing "
                f"store; unset {KEY_SETTING} or start from an empty store"
            ) from None
        raise StoreUnreadableError(
            f"{KEY_SETTING} does not decrypt the stored events (position {position}): wrong key?"
        ) from None


def _is_plain(application: Application[Any], notification: Notification) -> bool:
    """Whether the stored state decodes without the cipher (plain JSON)."""
    try:
        application.mapper.transcoder.decode(notification.state)
    except Exception:  # any failure means "not plain JSON"
        return False
    return True
