"""Bearer-token authentication: who is acting (ADR 0008).

Tokens are JWTs signed with RS256 or ES256 by a trusted key. The header's `alg` is
checked against that list *before* any key is looked up, so `none` and the HS*
family (e.g. HS256 "signed" with the public key as secret) are refused outright.
`exp`, `iss`, `aud` and `sub` are required. Every refusal is an
`AuthenticationError` (401); a key set that cannot be fetched is
`KeyUnavailableError` (503), because the token may well be good.

A verified token is remembered (`VerifiedTokens`) until it expires, for at most
`REMEMBER_SECONDS`: a client sends the same token with every request, and checking
its signature again each time cost about half a millisecond of CPU. A key withdrawn
from the key set stops being trusted for the tokens seen before within that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cachetools import TLRUCache

from api.jwks import KeySource, KeyUnavailableError, UnknownKeyError, key_source
from api.settings import TokenSettings
from kompetanse_domain.model import values
from kompetanse_domain.model.identity import Identity, PlatformRole

ALGORITHMS = ("RS256", "ES256")
LEEWAY_SECONDS = 30
MAX_TOKEN_LENGTH = 16_384
MAX_SUB_LENGTH = 255
REMEMBER_SECONDS = 300.0
REMEMBER_TOKENS = 10_000

__all__ = ["ALGORITHMS", "AuthenticationError", "KeyUnavailableError", "Principal", "TokenVerifier"]


@dataclass(frozen=True)
class Principal:
    """The domain identity of a token, with the optional contact claims."""

    identity: Identity
    email: str | None = None
    hpr_number: str | None = None


class AuthenticationError(Exception):
    """Raised when a request carries no token, or one we do not trust."""

    def __init__(self, detail: str, *, token_given: bool = True) -> None:
        super().__init__(detail)
        self.detail = detail
        self.token_given = token_given


class VerifiedTokens:
    """Tokens verified lately, with their principal, until the earlier of their `exp`
    (with the leeway verification allows) and `seconds` after they were verified."""

    def __init__(
        self,
        size: int = REMEMBER_TOKENS,
        seconds: float = REMEMBER_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._seconds = seconds
        self._cache: TLRUCache[str, tuple[Principal, float]] = TLRUCache(
            maxsize=size, ttu=self._until, timer=clock
        )
        self._lock = threading.Lock()  # the cache is not thread-safe; requests are threads

    def _until(self, _token: str, value: tuple[Principal, float], now: float) -> float:
        return min(value[1] + LEEWAY_SECONDS, now + self._seconds)

    def get(self, token: str) -> Principal | None:
        with self._lock:
            found = self._cache.get(token)
        return None if found is None else found[0]

    def put(self, token: str, principal: Principal, expires_at: float) -> None:
        with self._lock:
            self._cache[token] = (principal, expires_at)


class TokenVerifier:
    """Checks bearer tokens against one issuer, audience and key source."""

    def __init__(
        self,
        settings: TokenSettings,
        keys: KeySource | None = None,
        remembered: VerifiedTokens | None = None,
    ) -> None:
        self.issuer = settings.issuer
        self.audience = settings.audience
        self.keys = keys if keys is not None else key_source(settings.jwks)
        self.remembered = remembered if remembered is not None else VerifiedTokens()

    def remembered_principal(self, token: str) -> Principal | None:
        """The principal of a token verified lately (no signature check, so cheap enough
        for the event loop); None: call `verify`."""
        return self.remembered.get(token.strip())

    def verify(self, token: str) -> Principal:
        """The identity of a valid token; raises AuthenticationError otherwise."""
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise AuthenticationError("The bearer token is empty or too long")
        principal = self.remembered.get(token)
        if principal is None:
            principal, expires_at = self._verify(token)
            self.remembered.put(token, principal, expires_at)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationError("The bearer token is not a JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise AuthenticationError(
                f"Token algorithm {algorithm!r} is not accepted; use {' or '.join(ALGORITHMS)}"
            )
        try:
            key = self.keys.key_for(token, header)
            claims = jwt.decode(
                token,
                key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except UnknownKeyError as error:
            raise AuthenticationError(
                f"The token is not signed by a trusted key: {error}"
            ) from None
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("The token has expired; get a new one") from None
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"The token was refused: {error}") from None
        except (ValueError, TypeError):
            raise AuthenticationError("The token is malformed") from None
        return principal_from_claims(claims), float(claims["exp"])


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """`sub` (required), `name`, `email`, `hpr_number`, and `kompetanse_roles`.

    The claims are text checked as the domain checks every text (`values`, issue 22): a
    claim that could not be recorded or shown safely (a lone surrogate, a control or
    bidirectional control character) refuses the token, 401, on every route alike; it is
    part of the credential, which only the identity provider can correct. A name that
    is blank or only invisible characters falls back to the `sub`, as a missing one does.
    """
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUB_LENGTH:
        raise AuthenticationError("The token's sub claim must be a non-empty string")
    try:
        values.identifier(sub, "sub claim", limit=MAX_SUB_LENGTH)
        name = _claim_text(claims, "name", values.NAME_LIMIT) or sub
        email = _claim_text(claims, "email", values.EMAIL_LIMIT)
        hpr_number = _claim_text(claims, "hpr_number", values.EMAIL_LIMIT)
    except values.InvalidValueError as error:
        raise AuthenticationError(
            f"The token's {error.field} {error.problem.split(';')[0]}; "
            "ask your identity provider for a corrected token"
        ) from None
    identity = Identity(sub=sub, name=name, platform_roles=platform_roles(claims))
    return Principal(identity, email, hpr_number)


def _claim_text(claims: dict[str, Any], name: str, limit: int) -> str | None:
    """A text claim, normalised; None when absent, not a string, blank or invisible."""
    value = claims.get(name)
    if not isinstance(value, str):
        return None
    try:
        text = value.strip(values.ASCII_BLANKS)[:limit]  # a long name is cut, as it always was
        return values.optional_line(text, f"{name} claim", limit=limit)
    except values.InvisibleTextError:
        return None


def platform_roles(claims: dict[str, Any]) -> frozenset[PlatformRole]:
    """Known roles of the `kompetanse_roles` claim; unknown ones are ignored."""
    raw = claims.get("kompetanse_roles")
    values = raw if isinstance(raw, list) else []
    known = {role.value: role for role in PlatformRole}
    return frozenset(known[value] for value in values if isinstance(value, str) and value in known)
