"""The portal's checkpoint key, which signs exports, and the public keys it publishes.

The key is the one `kompetanse audit checkpoint` signs with (ADR 0011):
`<data dir>/audit-keys/checkpoint.pem`, Ed25519, 0600, outside the database; made on
first use if absent (by whichever process comes first). A key that was replaced is kept
as a PEM (public or private) under `<data dir>/audit-keys/retired/`, so exports and
checkpoints it signed still verify: `GET /v1/audit/keys` publishes every one (ADR 0024).
"""

from __future__ import annotations

import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kompetanse_domain.audit.checkpoint import load_or_create_key
from kompetanse_domain.audit.export_signature import public_jwk

KEYS_DIR = "audit-keys"
CHECKPOINT_KEY = "checkpoint.pem"
RETIRED = "retired"


def checkpoint_key_path(data_dir: Path) -> Path:
    return data_dir / KEYS_DIR / CHECKPOINT_KEY


def checkpoint_key(data_dir: Path) -> Ed25519PrivateKey:
    """The portal's signing key; made (0600, in a 0700 folder) when there is none yet."""
    path = checkpoint_key_path(data_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for _ in range(50):
        try:
            return load_or_create_key(path)
        except FileExistsError:  # another process is writing it this moment
            time.sleep(0.02)
        except ValueError:  # read while the other process had not finished writing
            if time.time() - path.stat().st_mtime > 5:
                raise
            time.sleep(0.02)
    return load_or_create_key(path)


def _public_of(path: Path) -> Ed25519PublicKey | None:
    data = path.read_bytes()
    try:
        key: object = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError):
            return None
    return key if isinstance(key, Ed25519PublicKey) else None


def published_keys(data_dir: Path) -> list[dict[str, str]]:
    """The JWKs (RFC 8037) of the current key and of every retired one, current first."""
    keys = [checkpoint_key(data_dir).public_key()]
    retired = data_dir / KEYS_DIR / RETIRED
    if retired.is_dir():
        for path in sorted(retired.glob("*.pem")):
            found = _public_of(path)
            if found is not None:
                keys.append(found)
    seen: set[str] = set()
    jwks = []
    for key in keys:
        jwk = public_jwk(key)
        if jwk["kid"] not in seen:
            seen.add(jwk["kid"])
            jwks.append(jwk)
    return jwks
