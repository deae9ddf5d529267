"""A small OpenID Connect provider on loopback, for the sign-in tests, with its own keys.

It has what the pages' sign-in uses: discovery, an authorize endpoint that signs the
configured user in at once and sends the browser back with a code, a token endpoint that
checks the client's authentication (client_secret_basic, or private_key_jwt against the
client's public key) and the PKCE verifier (S256) before it hands out an ID token, the
JWKS, and an end-session endpoint. A test makes its answers wrong on purpose with the
knobs (`answer_state`, `id_token_changes`, `forget_challenge`).

Imported as a top-level module (tests/web has no `__init__.py`).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from api.deps import Services

KID = "test-provider-key"


def with_provider(
    services: Services, provider: LoopbackProvider, folder: Path, **more: Any
) -> Services:
    """`services` with the OIDC settings of `provider`: the pages sign in through it as
    client `provider.client_id` with its secret, and the API trusts its key set."""
    changes: dict[str, Any] = {
        "oidc_issuer": provider.issuer,
        "oidc_audience": "kompetanse",
        "oidc_jwks": str(provider.write_jwks(folder / "provider-jwks.json")),
        "oidc_client_id": provider.client_id,
        "oidc_client_secret": provider.client_secret,
    }
    return dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, **{**changes, **more})
    )


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def private_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key))
    return {**jwk, "kid": kid, "alg": "RS256"}


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str


@dataclass
class LoopbackProvider:
    """The provider; `start()` serves it on 127.0.0.1 until `stop()`."""

    client_id: str = "kompetanse-web"
    client_secret: str | None = "hemmelig-klient"
    client_public_jwk: dict[str, Any] | None = None  # private_key_jwt instead of a secret
    user: dict[str, Any] = field(default_factory=dict)
    # knobs that make the provider's answers wrong
    answer_state: str | None = None  # sends the browser back with this state
    id_token_changes: dict[str, Any] = field(default_factory=dict)
    sign_with: rsa.RSAPrivateKey | None = None  # sign ID tokens with another key
    forget_challenge: bool = False  # remembers another code challenge than the one sent
    # what happened
    token_answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    signed_out: list[str] = field(default_factory=list)  # subs signed out at end-session

    def __post_init__(self) -> None:
        self.key = new_rsa_key()
        self.grants: dict[str, Grant] = {}
        self.server: ThreadingHTTPServer | None = None

    @property
    def issuer(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(self.key, KID)]}

    def write_jwks(self, path: Path) -> Path:
        path.write_text(json.dumps(self.jwks()), encoding="utf-8")
        return path

    def start(self) -> LoopbackProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                provider.get(self)

            def do_POST(self) -> None:
                provider.post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # -- endpoints -------------------------------------------------------------------

    def get(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            _json(request, 200, self.discovery())
        elif url.path == "/jwks":
            _json(request, 200, self.jwks())
        elif url.path == "/authorize":
            self.authorize(request, query)
        elif url.path == "/endsession":
            self.end_session(request, query)
        else:
            _json(request, 404, {"error": "not_found"})

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/endsession",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        }

    def authorize(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        """Signs the configured user in at once (no login form) and sends them back."""
        ok = (
            query.get("response_type") == "code"
            and query.get("client_id") == self.client_id
            and query.get("code_challenge_method") == "S256"
            and query.get("code_challenge")
            and query.get("redirect_uri")
            and "openid" in query.get("scope", "").split()
        )
        if not ok:
            _json(request, 400, {"error": "invalid_request", "query": query})
            return
        code = secrets.token_urlsafe(24)
        challenge = query["code_challenge"]
        if self.forget_challenge:
            challenge = _s256("a verifier someone else made up")
        self.grants[code] = Grant(
            self.client_id, query["redirect_uri"], query.get("nonce", ""), challenge
        )
        state = self.answer_state if self.answer_state is not None else query.get("state", "")
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': state})}"
        request.send_response(302)
        request.send_header("Location", back)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def end_session(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        """Signs out the person of the `id_token_hint` (one it issued), then sends the
        browser to `post_logout_redirect_uri`."""
        try:
            claims = jwt.decode(
                query.get("id_token_hint", ""),
                self.key.public_key(),
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
            )
        except jwt.PyJWTError:
            _json(request, 400, {"error": "invalid_request"})
            return
        self.signed_out.append(str(claims["sub"]))
        request.send_response(302)
        request.send_header("Location", query.get("post_logout_redirect_uri", "/"))
        request.send_header("Content-Length", "0")
        request.end_headers()

    def post(self, request: BaseHTTPRequestHandler) -> None:
        if urlsplit(request.path).path != "/token":
            _json(request, 404, {"error": "not_found"})
            return
        length = int(request.headers.get("Content-Length", "0"))
        raw = request.rfile.read(length).decode()
        form = {key: values[0] for key, values in parse_qs(raw).items()}
        status, answer = self.token(form, request.headers.get("Authorization", ""))
        self.token_answers.append((status, answer))
        _json(request, status, answer)

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        if not self.client_authenticated(form, authorization):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        grant = self.grants.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant", "error_description": "unknown code"}
        if _s256(form.get("code_verifier", "")) != grant.challenge:
            return 400, {"error": "invalid_grant", "error_description": "code_verifier"}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            **self.user,
            **self.id_token_changes,
        }
        key = self.sign_with or self.key
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})
        return 200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def client_authenticated(self, form: dict[str, str], authorization: str) -> bool:
        if self.client_public_jwk is not None:
            if form.get("client_assertion_type") != (
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            ):
                return False
            try:
                public = RSAAlgorithm.from_jwk(json.dumps(self.client_public_jwk))
                claims = jwt.decode(
                    form.get("client_assertion", ""),
                    public,  # type: ignore[arg-type]
                    algorithms=["RS256"],
                    audience=self.issuer,
                    issuer=self.client_id,
                    options={"require": ["exp", "iss", "sub", "aud", "jti"]},
                )
            except jwt.PyJWTError:
                return False
            return bool(claims.get("sub") == self.client_id)
        if not authorization.startswith("Basic "):
            return False
        given_id, _, given_secret = base64.b64decode(authorization[6:]).decode().partition(":")
        return (unquote(given_id), unquote(given_secret)) == (self.client_id, self.client_secret)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _json(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)
