"""Bearer tokens (ADR 0008): only RS256/ES256 tokens from the trusted key, issuer and
audience are accepted; every other token, or none, is a 401 problem with a Bearer
challenge. Refusals happen before any storage is touched, so these run on SQLite.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from api_world import Api, problem_of, registration
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from api.auth import (
    LEEWAY_SECONDS,
    REMEMBER_SECONDS,
    AuthenticationError,
    TokenVerifier,
    VerifiedTokens,
    principal_from_claims,
)
from api.jwks import UnknownKeyError, key_source
from api.settings import DEV_AUDIENCE, DEV_ISSUER, TokenSettings
from kompetanse.devkeys import PRIVATE_KEY, keys_dir
from kompetanse_domain.model.identity import PlatformRole


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "sub": "lis-sub", "name": "Lise Lege"}
    claims |= {"iat": now, "exp": now + 600}
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


@pytest.fixture
def dev_signed(data_dir: Path) -> Callable[..., str]:
    key = (keys_dir(data_dir) / PRIVATE_KEY).read_bytes()
    kid = json.loads((keys_dir(data_dir) / "jwks.json").read_text())["keys"][0]["kid"]

    def sign(claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid, **header})

    return sign


def _hs256_with_public_key(data_dir: Path) -> str:
    secret = (keys_dir(data_dir) / "jwks.json").read_bytes()
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT"}, _claims())
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _other_key_token(data_dir: Path) -> str:
    kid = json.loads((keys_dir(data_dir) / "jwks.json").read_text())["keys"][0]["kid"]
    other = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(), other, algorithm="ES256", headers={"kid": kid})


REFUSED: dict[str, Callable[[Callable[..., str], Path], str | None]] = {
    "expired": lambda sign, _: sign(_claims(exp=int(time.time()) - 3600)),
    "wrong_issuer": lambda sign, _: sign(_claims(iss="https://evil.example")),
    "wrong_audience": lambda sign, _: sign(_claims(aud="someone-else")),
    "missing_sub": lambda sign, _: sign(_claims(sub=None)),
    "empty_sub": lambda sign, _: sign(_claims(sub="")),
    "missing_exp": lambda sign, _: sign(_claims(exp=None)),
    "bad_signature": lambda _, folder: _other_key_token(folder),
    "alg_none": lambda *_: _unsigned({"alg": "none", "typ": "JWT"}, _claims()) + ".",
    "hs256_with_public_key": lambda _, folder: _hs256_with_public_key(folder),
    "unknown_kid": lambda sign, _: sign(_claims(), kid="nobody"),
    "garbage": lambda *_: "this.is-not-a.jwt",
    "missing": lambda *_: None,
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_untrusted_or_missing_token_is_401_problem_with_bearer_challenge(
    api: Api, dev_signed: Callable[..., str], data_dir: Path, case: str
) -> None:
    token = REFUSED[case](dev_signed, data_dir)
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = api.client.post("/v1/candidates", json=registration(), headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem_of(response)


def test_non_bearer_scheme_is_401(api: Api) -> None:
    response = api.client.post(
        "/v1/candidates", json=registration(), headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_dev_token_is_accepted_and_its_sub_becomes_the_candidate(
    api: Api, dev_signed: Callable[..., str]
) -> None:
    token = dev_signed(_claims(sub="new-lis", kompetanse_roles=["auditor", "unknown"]))
    response = api.client.post(
        "/v1/candidates", json=registration(), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text


def test_rs256_tokens_from_a_jwks_file_are_verified(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [{**jwk, "kid": "k1"}]}))
    settings = TokenSettings(
        "https://helseid.example", "kompetanse", str(tmp_path / "jwks.json"), False
    )
    verifier = TokenVerifier(settings)
    claims = _claims(
        iss="https://helseid.example",
        aud="kompetanse",
        kompetanse_roles=["sync", "bogus"],
        email="a@example.no",
        hpr_number="1234567",
    )
    principal = verifier.verify(jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"}))
    assert principal.identity.sub == "lis-sub"
    assert principal.identity.platform_roles == frozenset({PlatformRole.SYNC})
    assert (principal.email, principal.hpr_number) == ("a@example.no", "1234567")
    es_header = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    tampered = _unsigned({"alg": "ES256", "kid": "k1"}, claims) + "." + es_header.split(".")[2]
    with pytest.raises(AuthenticationError):
        verifier.verify(tampered)


def test_jwks_must_be_fetched_over_https() -> None:
    with pytest.raises(ValueError, match="https"):
        key_source("http://idp.example/jwks")


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class _WithdrawableKey:
    """A key set from which the key can be withdrawn (the identity provider rotated it)."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self.jwk = jwt.PyJWK(json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())))
        self.withdrawn = False
        self.lookups = 0

    def key_for(self, token: str, header: dict[str, Any]) -> jwt.PyJWK:
        self.lookups += 1
        if self.withdrawn:
            raise UnknownKeyError("no key with kid 'k1'")
        return self.jwk


def _rotation(clock: _Clock) -> tuple[TokenVerifier, _WithdrawableKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys = _WithdrawableKey(key)
    settings = TokenSettings("https://helseid.example", "kompetanse", "unused", False)
    verifier = TokenVerifier(settings, keys, remembered=VerifiedTokens(clock=clock))
    claims = _claims(iss="https://helseid.example", aud="kompetanse")
    return verifier, keys, jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def test_a_token_is_verified_once_and_then_remembered() -> None:
    verifier, keys, token = _rotation(_Clock())

    first = verifier.verify(token)
    again = [verifier.verify(token) for _ in range(5)]

    assert keys.lookups == 1
    assert {p.identity.sub for p in again} == {first.identity.sub} == {"lis-sub"}


def test_a_withdrawn_key_stops_being_trusted_within_the_remembering_time() -> None:
    clock = _Clock()
    verifier, keys, token = _rotation(clock)
    verifier.verify(token)
    keys.withdrawn = True

    clock.now += REMEMBER_SECONDS - 1
    assert verifier.verify(token).identity.sub == "lis-sub"  # remembered, not looked up
    clock.now += 2
    with pytest.raises(AuthenticationError, match="not signed by a trusted key"):
        verifier.verify(token)


def test_a_remembered_token_is_forgotten_when_it_expires() -> None:
    clock = _Clock()
    remembered = VerifiedTokens(clock=clock)
    principal = principal_from_claims(_claims())
    remembered.put("token", principal, expires_at=clock.now + 60)

    clock.now += 60 + LEEWAY_SECONDS - 1
    assert remembered.get("token") == principal
    clock.now += 2
    assert remembered.get("token") is None  # verified again, and refused as expired
