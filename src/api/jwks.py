"""Where the keys that sign bearer tokens come from: a JWKS URL or a JWKS file (ADR 0008).

An https URL is read through PyJWT's `PyJWKClient`, which caches the key set and
refetches it when a token names an unknown `kid` (key rotation). A file (the dev
key pair's `jwks.json`, or a pinned production set) is re-read when it changes.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Protocol

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet


class KeyUnavailableError(Exception):
    """Raised when the key set cannot be fetched or read (not the caller's fault)."""


class UnknownKeyError(Exception):
    """Raised when no trusted key matches the token's header."""


class KeySource(Protocol):
    def key_for(self, token: str, header: dict[str, Any]) -> PyJWK: ...


def key_source(jwks: str) -> KeySource:
    """An https URL becomes a cached remote source, anything else a file path."""
    if jwks.startswith("https://"):
        return UrlKeySource(jwks)
    if jwks.startswith("http://"):
        raise ValueError(f"KOMPETANSE_OIDC_JWKS {jwks!r}: the key set must be fetched over https")
    return FileKeySource(Path(jwks))


def _pick(keys: list[PyJWK], header: dict[str, Any]) -> PyJWK:
    kid = header.get("kid")
    if isinstance(kid, str):
        for key in keys:
            if key.key_id == kid:
                return key
        raise UnknownKeyError(f"no trusted key has kid {kid!r}")
    if kid is None and len(keys) == 1:
        return keys[0]
    raise UnknownKeyError("the token names no key (kid) and more than one key is trusted")


class FileKeySource:
    """A JWKS JSON file, re-read when its modification time changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._keys: list[PyJWK] = []

    def keys(self) -> list[PyJWK]:
        with self._lock:
            try:
                stamp = self.path.stat().st_mtime_ns
                if stamp != self._stamp:
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                    self._keys = list(PyJWKSet.from_dict(data))
                    self._stamp = stamp
            except (OSError, ValueError, jwt.PyJWTError) as error:
                raise KeyUnavailableError(f"cannot read the key set {self.path}: {error}") from None
            return self._keys

    def key_for(self, token: str, header: dict[str, Any]) -> PyJWK:
        return _pick(self.keys(), header)


class UrlKeySource:
    """A JWKS endpoint of an OpenID Connect provider (e.g. HelseID), cached for 5 minutes."""

    def __init__(self, url: str) -> None:
        self.client = PyJWKClient(url, cache_jwk_set=True, lifespan=300, timeout=5)

    def key_for(self, token: str, header: dict[str, Any]) -> PyJWK:
        try:
            keys = self.client.get_signing_keys()
            try:
                return _pick(keys, header)
            except UnknownKeyError:
                return _pick(self.client.get_signing_keys(refresh=True), header)
        except jwt.PyJWKClientConnectionError as error:
            raise KeyUnavailableError(f"cannot fetch the key set: {error}") from None
        except (jwt.PyJWKClientError, jwt.PyJWKSetError) as error:
            raise UnknownKeyError(str(error)) from None
