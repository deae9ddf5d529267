"""The embedded/dev identity provider: one ES256 key pair in the data directory (ADR 0008).

On first start the server writes `<data dir>/dev-keys/private-key.pem` and
`jwks.json` (the public key), both 0600 in a 0700 folder, and trusts tokens signed
by that key with issuer `kompetanse-dev` and audience `kompetanse`. `kompetanse
dev-token` signs with the same key. Never used when the OIDC settings are given.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from api.settings import DEV_AUDIENCE, DEV_ISSUER, DEV_KEYS_DIR

PRIVATE_KEY = "private-key.pem"
JWKS = "jwks.json"


def keys_dir(data_dir: Path) -> Path:
    return data_dir / DEV_KEYS_DIR


def ensure_dev_keys(data_dir: Path) -> Path:
    """Create the key pair once (never overwritten); returns the JWKS file."""
    folder = keys_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    private_path, jwks_path = folder / PRIVATE_KEY, folder / JWKS
    if not private_path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            handle = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first; use theirs
        else:
            with os.fdopen(handle, "wb") as out:
                out.write(pem)
    if not jwks_path.exists():
        _write_jwks(_private_key(data_dir), jwks_path)
    return jwks_path


def _private_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    pem = (keys_dir(data_dir) / PRIVATE_KEY).read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("the dev key is not an EC key; delete the dev-keys folder")
    return key


def _public_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    jwk: dict[str, str] = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=")
    return {**members, "kid": thumbprint.decode(), "alg": "ES256", "use": "sig"}


def _write_jwks(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    temp = path.with_suffix(".tmp")
    text = json.dumps({"keys": [_public_jwk(key)]}, indent=2) + "\n"
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temp, 0o600)  # a left-over temp file of another mode
    os.replace(temp, path)


def mint_dev_token(
    data_dir: Path,
    *,
    sub: str,
    name: str,
    roles: Iterable[str] = (),
    email: str | None = None,
    hpr_number: str | None = None,
    hours: float = 12,
) -> str:
    """A token the dev-mode server trusts, signed with the data directory's key."""
    ensure_dev_keys(data_dir)
    key = _private_key(data_dir)
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": sub,
        "name": name,
        "iat": now,
        "exp": now + int(hours * 3600),
        "kompetanse_roles": list(roles),
    }
    if email:
        claims["email"] = email
    if hpr_number:
        claims["hpr_number"] = hpr_number
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": _public_jwk(key)["kid"]})
