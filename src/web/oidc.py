"""The pages' OIDC sign-in: the authorization-code flow with PKCE, HelseID style (ADR 0023).

`OidcSignIn.start` makes the authorization request (`state`, `nonce` and the PKCE
verifier are new each time and kept in the signed session cookie, for
`PENDING_SECONDS`); `finish` takes the provider's answer: the `state` must be the
session's, the code is exchanged at the token endpoint with the verifier and the client's
authentication (`client_secret_basic`, or `private_key_jwt` with a key file, as HelseID
requires), and the ID token is checked as the API checks a bearer token (RS256/ES256 only,
a key of the provider's JWKS, `iss`, `aud` = our client id, `exp`) and its `nonce`. The
identity is built from its claims by `api.auth.principal_from_claims`, so the same claims
give the same person as a bearer token.

The provider's endpoints come from its discovery document
(`<issuer>/.well-known/openid-configuration`), fetched when first needed and kept for
`DISCOVERY_SECONDS`. Every address must be https; plain http only on loopback (a test
provider, a provider on the same machine).

authlib provides the protocol pieces (the state, nonce and verifier, the S256 challenge,
the client assertion); httpx makes the two requests (discovery, token) and PyJWT checks
the ID token with the API's key source.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.oauth2.rfc7523 import private_key_jwt_sign
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey, import_key

from api.auth import ALGORITHMS, LEEWAY_SECONDS, AuthenticationError, Principal
from api.auth import principal_from_claims as claims_to_principal
from api.jwks import KeyUnavailableError, UnknownKeyError, UrlKeySource
from api.settings import Settings, SettingsError

LOG = logging.getLogger("web.oidc")
DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_SECONDS = 3600.0
PENDING_SECONDS = 600  # a sign-in left at the provider for longer must start again
TIMEOUT_SECONDS = 10.0
ASSERTION_SECONDS = 60
LOOPBACK_NAMES = ("localhost",)


class SignInRefused(Exception):
    """The provider's answer cannot sign anyone in; `text` is for the person (Norwegian),
    `reason` for the log."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(reason)
        self.text = text
        self.reason = reason


class ProviderUnavailable(Exception):
    """The identity provider cannot be reached, or answered with something unusable."""


@dataclass(frozen=True)
class Pending:
    """A started sign-in, kept in the session until the provider sends the person back."""

    state: str
    nonce: str
    verifier: str
    started: int

    def data(self) -> dict[str, Any]:
        return {"s": self.state, "n": self.nonce, "v": self.verifier, "t": self.started}

    @classmethod
    def from_data(cls, data: object) -> Pending | None:
        if not isinstance(data, dict):
            return None
        state, nonce, verifier, started = (data.get(k) for k in ("s", "n", "v", "t"))
        if not (isinstance(state, str) and isinstance(nonce, str) and isinstance(verifier, str)):
            return None
        return cls(state, nonce, verifier, started) if isinstance(started, int) else None


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    id_token: str


@dataclass(frozen=True)
class Provider:
    """The endpoints of the provider's discovery document."""

    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


def allowed_url(url: str) -> bool:
    """https, or http to a loopback address."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def load_client_key(path: Path) -> RSAKey | ECKey:
    """The client's private key for private_key_jwt: a JWK (JSON, as HelseID hands it out)
    or a PEM file; RSA or EC."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = f"KOMPETANSE_OIDC_CLIENT_KEY_FILE {path}: cannot read it ({error})"
        raise SettingsError(problem) from None
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text)
            kind = data.get("kty") if isinstance(data, dict) else None
            if kind not in ("RSA", "EC"):
                raise ValueError("not an RSA or EC JWK")
            key: RSAKey | ECKey = (
                import_key(data, "RSA") if kind == "RSA" else import_key(data, "EC")
            )
        else:
            try:
                key = import_key(text.encode(), "RSA")
            except (JoseError, ValueError):
                key = import_key(text.encode(), "EC")
        if key.is_private:
            return key
    except (JoseError, ValueError, TypeError):
        pass
    raise SettingsError(
        f"KOMPETANSE_OIDC_CLIENT_KEY_FILE {path}: not a private RSA or EC key (JWK or PEM)"
    )


class OidcSignIn:
    """The web pages' OIDC client of one identity provider."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        *,
        client_secret: str | None = None,
        client_key: RSAKey | ECKey | None = None,
        scope: str = "openid profile",
    ) -> None:
        if not allowed_url(issuer):
            raise SettingsError(
                f"KOMPETANSE_OIDC_ISSUER {issuer!r}: must be an https address "
                "(plain http only on loopback)"
            )
        if (client_secret is None) == (client_key is None):
            raise SettingsError(
                "Set exactly one of KOMPETANSE_OIDC_CLIENT_SECRET and "
                "KOMPETANSE_OIDC_CLIENT_KEY_FILE"
            )
        self.issuer = issuer
        self.client_id = client_id
        self.scope = scope
        self._secret = client_secret
        self._key = client_key
        self._lock = threading.Lock()
        self._provider: tuple[Provider, UrlKeySource, float] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcSignIn | None:
        """The client the settings describe; None in dev mode. A misconfiguration is a
        `SettingsError` naming the setting."""
        if settings.dev_mode:
            return None
        problem = settings.sign_in_problem()
        if problem is not None:
            raise SettingsError(problem)
        assert settings.oidc_issuer is not None and settings.oidc_client_id is not None
        key = None
        if settings.oidc_client_key_file is not None:
            key = load_client_key(settings.oidc_client_key_file)
        return cls(
            settings.oidc_issuer,
            settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            client_key=key,
            scope=settings.oidc_scope,
        )

    # -- the provider ----------------------------------------------------------------

    def provider(self) -> tuple[Provider, UrlKeySource]:
        with self._lock:
            if self._provider is None or self._provider[2] < time.monotonic():
                found = self._discover()
                keys = UrlKeySource(found.jwks_uri)
                self._provider = (found, keys, time.monotonic() + DISCOVERY_SECONDS)
            return self._provider[0], self._provider[1]

    def _discover(self) -> Provider:
        url = self.issuer.rstrip("/") + DISCOVERY_PATH
        try:
            answer = httpx.get(url, timeout=TIMEOUT_SECONDS, follow_redirects=False)
            answer.raise_for_status()
            document = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnavailable(f"discovery {url}: {error}") from None
        if not isinstance(document, dict) or document.get("issuer") != self.issuer:
            raise ProviderUnavailable(f"discovery {url}: the issuer is not {self.issuer!r}")
        endpoints = {}
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            value = document.get(name)
            if not isinstance(value, str) or not allowed_url(value):
                raise ProviderUnavailable(f"discovery {url}: {name} missing or not https")
            endpoints[name] = value
        end_session = document.get("end_session_endpoint")
        if not isinstance(end_session, str) or not allowed_url(end_session):
            end_session = None
        return Provider(end_session_endpoint=end_session, **endpoints)

    # -- the flow --------------------------------------------------------------------

    def start(self, redirect_uri: str) -> tuple[str, Pending]:
        """The provider's authorization address, and what to keep until the answer."""
        provider, _keys = self.provider()
        pending = Pending(
            state=generate_token(32),
            nonce=generate_token(32),
            verifier=generate_token(64),
            started=int(time.time()),
        )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": self.scope,
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": create_s256_code_challenge(pending.verifier),
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if "?" in provider.authorization_endpoint else "?"
        return f"{provider.authorization_endpoint}{separator}{query}", pending

    def finish(
        self, pending: Pending | None, answer: dict[str, str], redirect_uri: str
    ) -> SignedIn:
        """The signed-in person from the provider's answer, or `SignInRefused`."""
        if pending is None or int(time.time()) - pending.started > PENDING_SECONDS:
            raise SignInRefused(
                "Innloggingen ble ikke startet her, eller det tok for lang tid.",
                "no sign-in pending in this session (or started too long ago)",
            )
        state = answer.get("state", "")
        if not state or not _same(state, pending.state):
            raise SignInRefused(
                "Svaret fra innloggingen hørte ikke til denne nettleseren.",
                "state does not match the session's",
            )
        if answer.get("error"):
            raise SignInRefused(
                "Innloggingen ble avbrutt eller avvist hos ID-leverandøren.",
                f"provider answered {answer.get('error')!r}: {answer.get('error_description')}",
            )
        code = answer.get("code", "")
        if not code:
            raise SignInRefused("Svaret fra innloggingen manglet koden.", "no code")
        provider, keys = self.provider()
        tokens = self._exchange(provider, code, pending.verifier, redirect_uri)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise SignInRefused("ID-leverandøren sendte ikke ID-token.", "no id_token")
        claims = self._check_id_token(id_token, keys)
        if not _same(str(claims.get("nonce", "")), pending.nonce):
            raise SignInRefused(
                "ID-tokenet hørte ikke til denne innloggingen.", "nonce does not match"
            )
        try:
            principal = claims_to_principal(claims)
        except AuthenticationError as error:
            raise SignInRefused(
                "ID-tokenet har opplysninger vi ikke kan bruke.", error.detail
            ) from None
        return SignedIn(principal, id_token)

    def _exchange(
        self, provider: Provider, code: str, verifier: str, redirect_uri: str
    ) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        auth: tuple[str, str] | None = None
        if self._key is not None:
            form["client_id"] = self.client_id
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            form["client_assertion"] = self.client_assertion()
        else:
            assert self._secret is not None
            # client_secret_basic: both form-encoded first (RFC 6749, section 2.3.1)
            auth = (quote(self.client_id, safe=""), quote(self._secret, safe=""))
        try:
            answer = httpx.post(
                provider.token_endpoint, data=form, auth=auth, timeout=TIMEOUT_SECONDS
            )
        except httpx.HTTPError as error:
            raise ProviderUnavailable(f"token endpoint: {error}") from None
        try:
            tokens = answer.json()
        except ValueError:
            tokens = None
        if answer.status_code != 200 or not isinstance(tokens, dict):
            code_of_error = tokens.get("error") if isinstance(tokens, dict) else None
            if answer.status_code >= 500:
                raise ProviderUnavailable(f"token endpoint answered {answer.status_code}")
            raise SignInRefused(
                "ID-leverandøren godtok ikke innloggingen.",
                f"token endpoint answered {answer.status_code} {code_of_error!r}",
            )
        return tokens

    def client_assertion(self) -> str:
        """private_key_jwt: a short-lived JWT signed with the client's key, `aud` the issuer
        (as HelseID and FAPI 2.0 ask)."""
        assert self._key is not None
        header = {"kid": self._key.kid} if self._key.kid else None
        algorithm = "ES256" if isinstance(self._key, ECKey) else "RS256"
        token = private_key_jwt_sign(
            self._key,
            self.client_id,
            self.issuer,
            alg=algorithm,
            header=header,
            expires_in=ASSERTION_SECONDS,
        )
        return token.decode() if isinstance(token, bytes) else str(token)

    def _check_id_token(self, id_token: str, keys: UrlKeySource) -> dict[str, Any]:
        refused = "ID-tokenet fra ID-leverandøren kunne ikke godkjennes."
        try:
            header = jwt.get_unverified_header(id_token)
            if header.get("alg") not in ALGORITHMS:
                raise SignInRefused(refused, f"id_token alg {header.get('alg')!r}")
            claims: dict[str, Any] = jwt.decode(
                id_token,
                keys.key_for(id_token, header),
                algorithms=list(ALGORITHMS),
                audience=self.client_id,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except KeyUnavailableError as error:
            raise ProviderUnavailable(str(error)) from None
        except (UnknownKeyError, jwt.PyJWTError, ValueError, TypeError) as error:
            raise SignInRefused(refused, f"id_token refused: {error}") from None
        return claims

    def end_session_url(self, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        """Where to sign out at the provider too, when it says where (else None)."""
        try:
            provider, _keys = self.provider()
        except ProviderUnavailable:
            return None
        if provider.end_session_endpoint is None or not id_token:
            return None
        query = urlencode(
            {"id_token_hint": id_token, "post_logout_redirect_uri": post_logout_redirect_uri}
        )
        separator = "&" if "?" in provider.end_session_endpoint else "?"
        return f"{provider.end_session_endpoint}{separator}{query}"


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())
