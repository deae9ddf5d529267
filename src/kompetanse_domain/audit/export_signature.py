"""The applicant's signed export: canonical form, key id, digests, signature (ADR 0024).

An export is a JSON object. Signing adds `key_id` (the RFC 7638 thumbprint of the
portal's public checkpoint key), `digests` (one short SHA-256 per leaf of the document,
keyed by its RFC 6901 JSON pointer) and `signature`: Ed25519 over the RFC 8785
canonical JSON of the whole object without `signature`, base64url without padding.

The signature alone says *that* the document changed; the signed `digests` let a
verifier without the original say *where*: the first leaf (in canonical order) whose
value no longer matches its digest, or a leaf added or removed. They are diagnostics
only: integrity rests on the signature, which covers the digests too.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kompetanse_domain.errors import InvalidInputError

SIGNATURE = "signature"
DIGESTS = "digests"
KEY_ID = "key_id"
DIGEST_BYTES = 12  # 96 bits: enough to locate a change; integrity is the signature's
UNSIGNED = (SIGNATURE, DIGESTS)  # not digested: the signature, and the digests themselves


class ExportSignatureError(InvalidInputError):
    """The export does not verify; `field` is the JSON pointer that changed, if known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url text")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(value: Any) -> bytes:
    """RFC 8785 (JSON Canonicalization Scheme) bytes of a JSON value."""
    return rfc8785.dumps(value)


# -- keys ------------------------------------------------------------------------------------


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of the public key: stable, derived, not chosen."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw_public(key))}
    return b64url(hashlib.sha256(canonical(members)).digest())


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    """RFC 8037: `{kty: "OKP", crv: "Ed25519", kid, x}`."""
    return {"kty": "OKP", "crv": "Ed25519", "kid": key_id(key), "x": b64url(raw_public(key))}


def keys_from_jwks(document: Any) -> dict[str, Ed25519PublicKey]:
    """`{kid: key}` from a JWK set (or one JWK); refuses anything else, naming it."""
    if isinstance(document, Mapping) and "keys" in document:
        entries = document["keys"]
    elif isinstance(document, Mapping) and "kty" in document:
        entries = [document]
    else:
        raise ExportSignatureError('not a JWK set: expected {"keys": [...]}')
    if not isinstance(entries, list):
        raise ExportSignatureError('not a JWK set: "keys" must be a list')
    found: dict[str, Ed25519PublicKey] = {}
    for entry in entries:
        if not (
            isinstance(entry, Mapping)
            and entry.get("kty") == "OKP"
            and entry.get("crv") == "Ed25519"
        ):
            continue  # other kinds of keys may share the set; they sign no export
        try:
            key = Ed25519PublicKey.from_public_bytes(from_b64url(entry["x"]))
        except (KeyError, ValueError, TypeError):
            raise ExportSignatureError('a key in the JWK set has no valid "x"') from None
        kid = entry.get("kid")
        found[kid if isinstance(kid, str) else key_id(key)] = key
    if not found:
        raise ExportSignatureError("the JWK set holds no Ed25519 key")
    return found


# -- digests ---------------------------------------------------------------------------------


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def leaves(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """(RFC 6901 pointer, value) of every leaf: scalars, and empty objects and arrays."""
    if isinstance(value, dict) and value:
        for key in sorted(value, key=lambda k: k.encode("utf-16-be")):  # RFC 8785's order
            yield from leaves(value[key], f"{pointer}/{_escape(key)}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, f"{pointer}/{index}")
    else:
        yield pointer, value


def digest(value: Any) -> str:
    return b64url(hashlib.sha256(canonical(value)).digest()[:DIGEST_BYTES])


def _digest_or(value: Any) -> str | None:
    try:
        return digest(value)
    except (ValueError, TypeError):
        return None


def digests_of(document: Mapping[str, Any]) -> dict[str, str]:
    body = {key: value for key, value in document.items() if key not in UNSIGNED}
    return dict(leaves_digested(body))


def leaves_digested(body: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for pointer, value in leaves(dict(body)):
        yield pointer, digest(value)


# -- signing and verifying --------------------------------------------------------------------


def sign_export(document: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The document with `key_id`, `digests` and `signature` (see the module docstring).
    The document must be plain JSON (strings, numbers, booleans, null, lists, dicts)."""
    signed: dict[str, Any] = {k: v for k, v in document.items() if k not in UNSIGNED}
    signed[KEY_ID] = key_id(key.public_key())
    signed[DIGESTS] = digests_of(signed)
    signed[SIGNATURE] = b64url(key.sign(canonical(signed)))
    return signed


@dataclass(frozen=True)
class Verified:
    key_id: str
    fields: int


def verify_export(document: Any, keys: Mapping[str, Ed25519PublicKey]) -> Verified:
    """Checks a parsed export; `ExportSignatureError` says what is wrong and, when the
    document was altered, which field (`error.field`, a JSON pointer) changed first."""
    if not isinstance(document, dict):
        raise ExportSignatureError("not an export: the file holds no JSON object")
    missing = [name for name in (KEY_ID, DIGESTS, SIGNATURE) if name not in document]
    if missing:
        raise ExportSignatureError(f"not a signed export: no {', '.join(missing)}")
    kid, signature = document[KEY_ID], document[SIGNATURE]
    if not isinstance(kid, str) or kid not in keys:
        listed = document[DIGESTS]
        if isinstance(listed, dict) and listed.get("/" + KEY_ID) not in (None, _digest_or(kid)):
            raise ExportSignatureError(
                f"the signature does not verify: field /{KEY_ID} was changed "
                f"(to {kid!r}, a key this export was not signed with)",
                field="/" + KEY_ID,
            )
        known = ", ".join(sorted(keys)) or "none"
        raise ExportSignatureError(
            f"unknown key_id {kid!r}: not among the portal's keys given ({known}); "
            "fetch the portal's keys (GET /v1/audit/keys) and pass them with --key"
        )
    try:
        raw_signature = from_b64url(signature)
        body = {k: v for k, v in document.items() if k != SIGNATURE}
        signed_bytes = canonical(body)
    except (ValueError, TypeError) as error:
        raise ExportSignatureError(f"not a signed export: {error}") from None
    try:
        keys[kid].verify(raw_signature, signed_bytes)
    except InvalidSignature:
        raise _altered(document) from None
    return Verified(kid, len(document[DIGESTS]))


def _altered(document: dict[str, Any]) -> ExportSignatureError:
    listed = document.get(DIGESTS)
    if not isinstance(listed, dict):
        return ExportSignatureError(
            "the signature does not verify: the digests map was altered", field="/digests"
        )
    now = digests_of(document)
    held = _ancestors(now)
    for pointer, value in now.items():
        if pointer not in listed:
            emptied = next((p for p in listed if p.startswith(pointer + "/")), None)
            if emptied is not None:  # a section emptied: its first item was removed
                gone = _removed_root(emptied, held)
                return ExportSignatureError(
                    f"the signature does not verify: field {gone} was removed", field=gone
                )
            return ExportSignatureError(
                f"the signature does not verify: field {pointer} was added", field=pointer
            )
        if listed[pointer] != value:
            return ExportSignatureError(
                f"the signature does not verify: field {pointer} was changed", field=pointer
            )
    for pointer in listed:
        if pointer not in now:
            gone = _removed_root(pointer, held)
            return ExportSignatureError(
                f"the signature does not verify: field {gone} was removed", field=gone
            )
    return ExportSignatureError(
        "the signature does not verify, yet every field matches its signed digest: the "
        "signature or the digests were changed, or another key signed this export"
    )


def _ancestors(pointers: Mapping[str, str]) -> set[str]:
    """Every pointer and every pointer above it (a field that still holds something)."""
    held: set[str] = set()
    for pointer in pointers:
        while pointer and pointer not in held:
            held.add(pointer)
            pointer = pointer.rsplit("/", 1)[0]
    return held


def _removed_root(pointer: str, held: set[str]) -> str:
    """The highest field above a removed leaf that no longer holds anything."""
    while True:
        parent = pointer.rsplit("/", 1)[0]
        if not parent or parent in held:
            return pointer
        pointer = parent
