"""Signed checkpoints of chain heads, kept by an auditor outside the database (ADR 0011).

A chain stored in the same database can be rewritten whole by anyone with write
access. A checkpoint signs every candidate's head (position, hash, count) with an
Ed25519 key that is not in the database; verifying later proves that the stored history
still extends what was signed: a truncated or rewritten chain no longer reaches the
signed hash at the signed position.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kompetanse_domain.audit.chain import canonical_json
from kompetanse_domain.errors import InvalidInputError


class CheckpointError(InvalidInputError):
    """Raised when a checkpoint file is malformed or its signature does not verify."""


@dataclass(frozen=True)
class Head:
    position: int
    hash: str
    events: int


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The signing key lives in a file outside the database (mode 0600)."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CheckpointError(f"{path} is not an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def public_key_b64(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign_checkpoint(
    heads: dict[str, Head], *, upto: int, portal: str, key: Ed25519PrivateKey
) -> dict[str, Any]:
    body = {
        "portal": portal,
        "created_at": datetime.now(UTC).isoformat(),
        "upto_position": upto,
        "heads": {cid: vars(head) for cid, head in sorted(heads.items())},
    }
    signature = key.sign(canonical_json(body))
    return {
        "checkpoint": body,
        "signature": base64.b64encode(signature).decode(),
        "public_key": public_key_b64(key.public_key()),
    }


def read_checkpoint(document: str, *, public_key: str | None = None) -> dict[str, Head]:
    """The signed heads; refuses a file whose signature does not verify.

    `public_key` (base64, pinned by the auditor) overrides the key inside the file.
    """
    try:
        data = json.loads(document)
        body = data["checkpoint"]
        key_b64 = public_key or data["public_key"]
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64))
        key.verify(base64.b64decode(data["signature"]), canonical_json(body))
        return {cid: Head(**head) for cid, head in body["heads"].items()}
    except InvalidSignature:
        raise CheckpointError("the checkpoint's signature does not verify") from None
    except (ValueError, KeyError, TypeError) as error:
        raise CheckpointError(f"not a checkpoint file: {error}") from None


def check_against_checkpoint(
    heads: dict[str, Head], chain_hash_at: dict[tuple[str, int], str]
) -> int | None:
    """The first signed position that the recomputed chains no longer reach, if any."""
    bad = [
        head.position
        for cid, head in heads.items()
        if chain_hash_at.get((cid, head.position)) != head.hash
    ]
    return min(bad) if bad else None
