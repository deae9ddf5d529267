"""The pages' signed session cookie and its CSRF token (ADR 0023).

The cookie holds who is signed in (`sub`, name, platform roles) and a random CSRF
token, signed with itsdangerous (HMAC-SHA1 over a key kept in the data directory,
0600, or given as `KOMPETANSE_WEB_SECRET`). It is HttpOnly, SameSite=Lax, and Secure
when the page was asked for over https. A signed-in session lasts `MAX_AGE` seconds
from its last page; an older one is refused and the person sees the expired page.

Every form carries the session's CSRF token; a POST without it, or with another, is
refused (`check_csrf`) before anything else is read from the form.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from api.auth import AuthenticationError, Principal, principal_from_claims
from kompetanse_domain.model.identity import Identity

COOKIE = "kompetanse_session"
MAX_AGE = 8 * 3600  # a working day without a page: sign in again
KEY_FILE = "web-session.key"
SALT = "kompetanse-web-session"
MAX_ID_TOKEN = 2500  # characters; a browser keeps a cookie of up to 4096 bytes


@dataclass
class Session:
    """One browser's session: its CSRF token and, once signed in, the identity."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    identity: Identity | None = None
    expired: bool = False  # the cookie was a signed-in session that is too old now
    changed: bool = False
    flash: str | None = None  # shown on the next page only (an invitation's link)
    next_page: str | None = None  # where to go after signing in
    # OIDC (web.oidc): the sign-in under way (state, nonce, PKCE verifier), then the ID
    # token (for the provider's sign-out) and the contact claims a bearer token also gives
    sign_in_pending: dict[str, Any] | None = None
    id_token: str | None = None
    email: str | None = None
    hpr_number: str | None = None
    provider_sign_out: str | None = None  # the provider's sign-out address, shown once

    def show_once(self, text: str) -> None:
        """Show `text` on the next page, after what is already to be shown there."""
        self.flash = text if not self.flash or self.flash == text else f"{self.flash} {text}"
        self.changed = True

    def take_flash(self) -> str | None:
        text, self.flash = self.flash, None
        if text is not None:
            self.changed = True
        return text

    def remember_page(self, path: str) -> None:
        self.next_page = path
        self.changed = True

    def take_next_page(self) -> str:
        page, self.next_page = self.next_page or "/", None
        return page if page.startswith("/") and not page.startswith("//") else "/"

    def sign_in(self, identity: Identity) -> None:
        self.identity = identity
        self.csrf = secrets.token_urlsafe(32)  # a new token for the new identity
        self.changed = True

    def sign_out(self) -> None:
        self.identity = None
        self.id_token = self.email = self.hpr_number = None
        self.csrf = secrets.token_urlsafe(32)
        self.changed = True

    def sign_in_as(self, principal: Principal, id_token: str) -> None:
        """Signed in by the identity provider: the identity with the contact claims, and the
        ID token for signing out there (unless too big for the cookie)."""
        self.sign_in(principal.identity)
        self.email, self.hpr_number = principal.email, principal.hpr_number
        self.id_token = id_token if len(id_token) <= MAX_ID_TOKEN else None

    def start_sign_in(self, pending: dict[str, Any]) -> None:
        self.sign_in_pending = pending
        self.changed = True

    def take_sign_in(self) -> dict[str, Any] | None:
        pending, self.sign_in_pending = self.sign_in_pending, None
        self.changed = True
        return pending

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"csrf": self.csrf}
        if self.flash is not None:
            data["flash"] = self.flash
        if self.next_page is not None:
            data["next"] = self.next_page
        for key, value in (
            ("oidc", self.sign_in_pending),
            ("id_token", self.id_token),
            ("email", self.email),
            ("hpr", self.hpr_number),
            ("bye", self.provider_sign_out),
        ):
            if value is not None:
                data[key] = value
        if self.identity is not None:
            data["sub"] = self.identity.sub
            data["name"] = self.identity.name
            data["roles"] = sorted(role.value for role in self.identity.platform_roles)
        return data


def identity_of(sub: str, name: str, roles: list[str]) -> Identity:
    """The identity the API would build from a token with these claims (same checks)."""
    claims: dict[str, Any] = {"sub": sub, "name": name, "kompetanse_roles": roles}
    return principal_from_claims(claims).identity


class SessionCodec:
    """Reads and writes the signed cookie."""

    def __init__(self, secret: str, *, max_age: int = MAX_AGE) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self.max_age = max_age

    def read(self, request: Request) -> Session:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return Session(changed=True)
        try:
            data = self._serializer.loads(raw, max_age=self.max_age)
        except SignatureExpired:
            return Session(expired=True, changed=True)
        except BadSignature:
            return Session(changed=True)
        return _session_from(data)

    def write(self, request: Request, response: Response, session: Session) -> None:
        """Re-issued with every page of a signed-in session, so the age counts from the last."""
        if not session.changed and session.identity is None:
            return
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(session.data()),
            max_age=self.max_age,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )


def _session_from(data: object) -> Session:
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
        return Session(changed=True)
    session = Session(csrf=data["csrf"])
    if isinstance(data.get("flash"), str):
        session.flash = data["flash"]
    if isinstance(data.get("next"), str):
        session.next_page = data["next"]
    if isinstance(data.get("oidc"), dict):
        session.sign_in_pending = data["oidc"]
    if isinstance(data.get("bye"), str):
        session.provider_sign_out = data["bye"]
    sub, name, roles = data.get("sub"), data.get("name"), data.get("roles", [])
    if isinstance(sub, str) and isinstance(name, str) and isinstance(roles, list):
        try:
            session.identity = identity_of(sub, name, [str(role) for role in roles])
        except AuthenticationError:
            session.changed = True
        else:
            for key in ("id_token", "email", "hpr"):
                if isinstance(data.get(key), str):
                    setattr(session, "hpr_number" if key == "hpr" else key, data[key])
    return session


def check_csrf(session: Session, given: object) -> bool:
    """True when the form's token is the session's."""
    return isinstance(given, str) and secrets.compare_digest(given, session.csrf)


def session_secret(data_dir: Path) -> str:
    """`KOMPETANSE_WEB_SECRET`, or a random key kept in the data directory (0600)."""
    given = os.environ.get("KOMPETANSE_WEB_SECRET", "").strip()
    if given:
        return given
    path = data_dir / KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_urlsafe(48)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(handle, "w", encoding="ascii") as file:
        file.write(key)
    return key
