"""The start-up check names each wrong-key fault (ADR 0010); in-process, both stores."""

from __future__ import annotations

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import Aggregate

from api.settings import Settings, SettingsError
from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.check import StoreUnreadableError, check_store_readable
from kompetanse_store.urls import event_store_env


def write_events(database_url: str, key: str | None, count: int = 3) -> None:
    app = KompetanseApplication(env=event_store_env(database_url, cipher_key=key))
    try:
        for _ in range(count):
            app.save(Aggregate())
    finally:
        app.close()


def check(database_url: str, key: str | None) -> int:
    app = KompetanseApplication(env=event_store_env(database_url, cipher_key=key))
    try:
        return check_store_readable(app)
    finally:
        app.close()


def test_the_right_key_reads_the_first_and_the_last_event(database_url: str) -> None:
    key = AESCipher.create_key(32)
    assert check(database_url, key) == 0  # an empty store is readable with any key
    write_events(database_url, key)
    assert check(database_url, key) == 2


@pytest.mark.parametrize(
    ("written_with", "read_with", "message"),
    [
        ("key", "other", "KOMPETANSE_CIPHER_KEY does not decrypt the stored events (position 1)"),
        ("key", None, "The stored events are encrypted but no key is set (position 1)"),
        (None, "key", "KOMPETANSE_CIPHER_KEY is set but the stored events are not encrypted"),
    ],
)
def test_a_wrong_or_missing_key_is_named(
    database_url: str, written_with: str | None, read_with: str | None, message: str
) -> None:
    keys = {"key": AESCipher.create_key(32), "other": AESCipher.create_key(32), None: None}
    write_events(database_url, keys[written_with])
    with pytest.raises(StoreUnreadableError) as refused:
        check(database_url, keys[read_with])
    assert message in str(refused.value)


def test_the_last_event_is_checked_too(sqlite_url: str) -> None:
    """A store whose newest events were written with another key is refused."""
    first, second = AESCipher.create_key(32), AESCipher.create_key(32)
    write_events(sqlite_url, first)
    write_events(sqlite_url, second)
    with pytest.raises(StoreUnreadableError, match=r"\(position 6\)"):
        check(sqlite_url, first)


# Not base64; 5 bytes; 33 bytes.
@pytest.mark.parametrize("key", ["not base64!", "c2hvcnQ=", "A" * 44])
def test_a_malformed_key_is_refused_by_the_settings(key: str) -> None:
    with pytest.raises(SettingsError, match="KOMPETANSE_CIPHER_KEY"):
        Settings.from_env({"KOMPETANSE_CIPHER_KEY": key})


def test_the_key_is_read_from_the_environment_and_never_shown() -> None:
    key = AESCipher.create_key(16)
    settings = Settings.from_env({"KOMPETANSE_CIPHER_KEY": f" {key} "})
    assert settings.cipher_key == key
    assert key not in repr(settings)
    assert Settings.from_env({}).cipher_key is None
