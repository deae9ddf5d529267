"""Settings of a running portal, read once from the environment (ADR 0008).

A plain dataclass, so tests build one directly. Identity runs in one of two modes:
OIDC (all three `KOMPETANSE_OIDC_*` set) or embedded/dev (none set), where the
server trusts tokens signed by a key pair in `<data dir>/dev-keys/`. With OIDC the web
pages sign people in as an OIDC client (`KOMPETANSE_OIDC_CLIENT_ID` and a secret or a
private key file), checked by `sign_in_problem` when `kompetanse serve` starts.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kompetanse_store.urls import DEFAULT_DATA_DIR, default_database_url

DEV_ISSUER = "kompetanse-dev"
DEV_AUDIENCE = "kompetanse"
DEV_KEYS_DIR = "dev-keys"
DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024
DEFAULT_AGGREGATE_CACHE = 2000  # goals, candidates and meetings (a few KiB each)
DEFAULT_COMMAND_THREADS = 4  # commands of one process at once (ADR 0017)
PROJECTION_MODES = ("inline", "external")
CIPHER_KEY_SIZES = (16, 24, 32)


class SettingsError(ValueError):
    """Raised when an environment setting is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class TokenSettings:
    """Whom to trust: issuer, audience and where the signing keys are (URL or file)."""

    issuer: str
    audience: str
    jwks: str
    dev_mode: bool


@dataclass(frozen=True)
class Settings:
    """Everything the API and its wiring read from the environment."""

    data_dir: Path = field(default_factory=lambda: Path(DEFAULT_DATA_DIR))
    database_url: str = ""
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks: str | None = None
    portal_id: str = "municipal"
    projections: str = "inline"
    max_upload: int = DEFAULT_MAX_UPLOAD
    # AES key (base64) for event payloads and snapshots at rest (ADR 0010); never in repr.
    cipher_key: str | None = field(default=None, repr=False)
    # aggregates kept in memory between commands (LRU, brought up to date from the store
    # on every load, so several processes stay consistent); 0 turns the cache off
    aggregate_cache: int = DEFAULT_AGGREGATE_CACHE
    # commands a process runs at once (ADR 0017); more wait their turn, in order
    command_threads: int = DEFAULT_COMMAND_THREADS
    # the web pages' OIDC client (ADR 0023): its id, and a secret or a private key (JWK or
    # PEM file) for private_key_jwt; never in repr
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    oidc_client_key_file: Path | None = None
    oidc_scope: str = "openid profile"  # HelseID: add its pid and hpr_number scopes

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", default_database_url(self.data_dir))
        if self.projections not in PROJECTION_MODES:
            raise SettingsError(
                f"KOMPETANSE_PROJECTIONS={self.projections!r}: use 'inline' or 'external'"
            )
        if self.max_upload < 1:
            raise SettingsError("KOMPETANSE_MAX_UPLOAD must be a positive number of bytes")
        if self.aggregate_cache < 0:
            raise SettingsError(
                "KOMPETANSE_AGGREGATE_CACHE must be 0 (off) or a number of aggregates"
            )
        if self.command_threads < 1:
            raise SettingsError("KOMPETANSE_COMMAND_THREADS must be 1 or more")
        given = [self.oidc_issuer, self.oidc_audience, self.oidc_jwks]
        if any(given) and not all(given):
            raise SettingsError(
                "Set all of KOMPETANSE_OIDC_ISSUER, KOMPETANSE_OIDC_AUDIENCE and "
                "KOMPETANSE_OIDC_JWKS, or none of them for embedded/dev tokens"
            )
        if self.cipher_key is not None:
            _check_cipher_key(self.cipher_key)
        if self.oidc_client_id and not self.oidc_issuer:
            raise SettingsError(
                "KOMPETANSE_OIDC_CLIENT_ID is set but KOMPETANSE_OIDC_ISSUER is not: "
                "set the OIDC settings, or none of them for dev sign-in"
            )

    def sign_in_problem(self) -> str | None:
        """What keeps the web pages' OIDC sign-in from working, or None (`kompetanse serve`
        refuses to start with it; the API alone needs only issuer, audience and JWKS)."""
        if self.dev_mode:
            return None
        if not self.oidc_client_id:
            return (
                "KOMPETANSE_OIDC_ISSUER is set but KOMPETANSE_OIDC_CLIENT_ID is not: the web "
                "sign-in needs the client id registered at the identity provider"
            )
        if bool(self.oidc_client_secret) == bool(self.oidc_client_key_file):
            return (
                "Set exactly one of KOMPETANSE_OIDC_CLIENT_SECRET and "
                "KOMPETANSE_OIDC_CLIENT_KEY_FILE (private_key_jwt, as HelseID requires)"
            )
        return None

    @property
    def dev_mode(self) -> bool:
        return not self.oidc_issuer

    @property
    def dev_keys_dir(self) -> Path:
        return self.data_dir / DEV_KEYS_DIR

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def catalogue_dir(self) -> Path:
        return self.data_dir / "catalogue"

    def tokens(self) -> TokenSettings:
        """The issuer, audience and JWKS source tokens are checked against."""
        if self.oidc_issuer and self.oidc_audience and self.oidc_jwks:
            return TokenSettings(self.oidc_issuer, self.oidc_audience, self.oidc_jwks, False)
        return TokenSettings(
            DEV_ISSUER, DEV_AUDIENCE, str(self.dev_keys_dir / "jwks.json"), dev_mode=True
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(f"KOMPETANSE_{name}", "").strip()
            return value or None

        upload = _number(get, "MAX_UPLOAD", DEFAULT_MAX_UPLOAD)
        cache = _number(get, "AGGREGATE_CACHE", DEFAULT_AGGREGATE_CACHE)
        command_threads = _number(get, "COMMAND_THREADS", DEFAULT_COMMAND_THREADS)
        return cls(
            data_dir=Path(get("DATA_DIR") or DEFAULT_DATA_DIR),
            database_url=get("DATABASE_URL") or "",
            oidc_issuer=get("OIDC_ISSUER"),
            oidc_audience=get("OIDC_AUDIENCE"),
            oidc_jwks=get("OIDC_JWKS"),
            portal_id=get("PORTAL_ID") or "municipal",
            projections=get("PROJECTIONS") or "inline",
            max_upload=upload,
            cipher_key=get("CIPHER_KEY"),
            aggregate_cache=cache,
            command_threads=command_threads,
            oidc_client_id=get("OIDC_CLIENT_ID"),
            oidc_client_secret=get("OIDC_CLIENT_SECRET"),
            oidc_client_key_file=Path(key) if (key := get("OIDC_CLIENT_KEY_FILE")) else None,
            oidc_scope=get("OIDC_SCOPE") or "openid profile",
        )


def _number(get: Callable[[str], str | None], name: str, default: int) -> int:
    given = get(name)
    try:
        return int(given) if given else default
    except ValueError:
        raise SettingsError(f"KOMPETANSE_{name}={given!r} is not a number") from None


def _check_cipher_key(key: str) -> None:
    """A base64 AES key of 16, 24 or 32 bytes, as `kompetanse keys cipher` prints."""
    try:
        size = len(base64.b64decode(key.encode("ascii"), validate=True))
    except (binascii.Error, UnicodeEncodeError):
        size = -1
    if size not in CIPHER_KEY_SIZES:
        raise SettingsError(
            "KOMPETANSE_CIPHER_KEY is not a base64 AES key of 16, 24 or 32 bytes; "
            "make one with `kompetanse keys cipher`"
        )
