"""Signing in to the pages through an OpenID Connect provider (authorization code with
PKCE), against a small provider the tests start on loopback with their own keys
(`oidc_provider.py`): the whole code flow through the real app, the refusals (a forged
state, an ID token for another nonce, audience or issuer, a wrong PKCE verifier) as
Norwegian pages, sign-out, the expired session, private_key_jwt, and `kompetanse serve`
refusing a half-done configuration."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from oidc_provider import LoopbackProvider, new_rsa_key, private_jwk, public_jwk, with_provider
from typer.testing import CliRunner
from web_world import (
    CANDIDATE,
    build_team,
    csrf_of,
    real_services,
    wait_for_views,
    web_app,
)

from api.deps import Services
from api.settings import Settings, SettingsError
from kompetanse.cli import app as cli
from kompetanse_domain.application import CommandContext
from web.oidc import load_client_key
from web.session import COOKIE, SALT

SECRET = "secret-of-the-web-tests"  # web_world.web_app's session key
LISE = {
    "sub": CANDIDATE.sub,
    "name": CANDIDATE.name,
    "email": "lise.lege@example.no",
    "hpr_number": "1234567",
}


@pytest.fixture
def provider() -> Iterator[LoopbackProvider]:
    started = LoopbackProvider(user=dict(LISE)).start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def client(services: Services, provider: LoopbackProvider, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(
        web_app(with_provider(services, provider, tmp_path)), follow_redirects=False
    ) as test_client:
        yield test_client


def through_provider(client: TestClient, provider: LoopbackProvider) -> httpx.Response:
    """/logg-inn, the provider's authorize endpoint (the browser's trip), and back."""
    return client.get(answer_from_provider(client, provider))


def answer_from_provider(client: TestClient, provider: LoopbackProvider) -> str:
    """The address the provider sends the browser back to, after /logg-inn."""
    start = client.get("/logg-inn")
    assert start.status_code == 303, start.text
    address = start.headers["location"]
    assert address.startswith(f"{provider.issuer}/authorize?")
    at_provider = httpx.get(address, follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    back = at_provider.headers["location"]
    assert back.startswith("http://testserver/logg-inn/tilbake?")
    return str(back)


def assert_not_signed_in(client: TestClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/logg-inn"


def assert_refused_in_norwegian(answer: httpx.Response) -> None:
    assert answer.status_code == 400, answer.text
    assert "Innloggingen mislyktes" in answer.text and "Logg inn på nytt" in answer.text
    assert "Traceback" not in answer.text and "application/problem" not in answer.text


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    """Sign-in itself does not touch storage; the journey below runs on both stores."""
    return sqlite_url


def test_signing_in_at_the_identity_provider_opens_the_candidates_own_page(
    database_url: str, provider: LoopbackProvider, tmp_path: Path
) -> None:
    """On both stores: the person asked for their plans, signed in at the provider, and
    came back to that page as the sub and name of the ID token."""
    with real_services(database_url, tmp_path / "data") as services:
        team = build_team(services.application)
        wait_for_views(services)
        app = web_app(with_provider(services, provider, tmp_path))
        with TestClient(app, follow_redirects=False) as client:
            asked = client.get(f"/kandidater/{team}")
            assert asked.status_code == 303 and asked.headers["location"] == "/logg-inn"
            back = client.get(answer_from_provider(client, provider))
            assert back.status_code == 303
            assert back.headers["location"] == f"/kandidater/{team}"
            cookie = back.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=lax" in cookie
            page = client.get(f"/kandidater/{team}")
            assert page.status_code == 200
            assert "Lise Lege" in page.text and "Testplan for nettsidene" in page.text
            assert client.get("/kandidat").headers["location"] == f"/kandidater/{team}"


def test_the_authorization_request_carries_state_nonce_and_an_s256_challenge(
    client: TestClient,
) -> None:
    first = parse_qs(urlsplit(client.get("/logg-inn").headers["location"]).query)
    second = parse_qs(urlsplit(client.get("/logg-inn").headers["location"]).query)
    assert first["code_challenge_method"] == ["S256"] and first["response_type"] == ["code"]
    assert first["redirect_uri"] == ["http://testserver/logg-inn/tilbake"]
    for name in ("state", "nonce", "code_challenge"):
        assert len(first[name][0]) >= 32 and first[name] != second[name]


def test_with_oidc_the_dev_sign_in_form_is_gone(client: TestClient) -> None:
    start = client.get("/logg-inn")
    assert start.status_code == 303  # straight to the identity provider
    assert "Demo" not in start.text and 'name="sub"' not in start.text
    assert client.post("/logg-inn", data={"sub": "x", "name": "y"}).status_code in (403, 404)
    assert_not_signed_in(client)


def test_an_answer_with_another_state_is_refused(
    client: TestClient, provider: LoopbackProvider
) -> None:
    provider.answer_state = "a-state-from-someone-else"
    assert_refused_in_norwegian(through_provider(client, provider))
    assert provider.token_answers == []  # the code was never exchanged
    assert_not_signed_in(client)


def test_an_answer_without_a_sign_in_started_here_is_refused(
    client: TestClient, provider: LoopbackProvider
) -> None:
    """A code and state sent to another browser (or used twice) signs no one in."""
    back = answer_from_provider(client, provider)
    assert client.get(back).status_code == 303
    client.post("/logg-ut", data={"csrf": csrf_of(client.get("/").text)})
    assert_refused_in_norwegian(client.get(back))
    assert_not_signed_in(client)


@pytest.mark.parametrize(
    "changes",
    [
        {"nonce": "a-nonce-of-another-sign-in"},
        {"aud": "another-client"},
        {"iss": "https://impostor.example"},
        {"exp": int(time.time()) - 3600},
        {"nonce": ""},
    ],
    ids=["wrong-nonce", "wrong-audience", "wrong-issuer", "expired", "no-nonce"],
)
def test_an_id_token_that_does_not_fit_is_refused_with_a_norwegian_page(
    client: TestClient, provider: LoopbackProvider, changes: dict[str, Any]
) -> None:
    provider.id_token_changes = changes
    assert_refused_in_norwegian(through_provider(client, provider))
    assert provider.token_answers[0][0] == 200  # the provider answered; we refused
    assert_not_signed_in(client)


def test_an_id_token_signed_by_another_key_is_refused(
    client: TestClient, provider: LoopbackProvider
) -> None:
    provider.sign_with = new_rsa_key()
    assert_refused_in_norwegian(through_provider(client, provider))
    assert_not_signed_in(client)


def test_a_wrong_code_verifier_at_the_token_endpoint_is_a_clean_refusal(
    client: TestClient, provider: LoopbackProvider
) -> None:
    provider.forget_challenge = True  # as if the code had been asked for by someone else
    assert_refused_in_norwegian(through_provider(client, provider))
    assert provider.token_answers == [
        (400, {"error": "invalid_grant", "error_description": "code_verifier"})
    ]
    assert_not_signed_in(client)


def test_signing_out_ends_the_session_and_offers_the_providers_sign_out(
    client: TestClient, provider: LoopbackProvider
) -> None:
    assert through_provider(client, provider).status_code == 303
    home = client.get("/")
    assert home.status_code == 200 and "Lise Lege" in home.text
    out = client.post("/logg-ut", data={"csrf": csrf_of(home.text)})
    assert out.status_code == 303 and out.headers["location"] == "/logget-ut"
    page = client.get("/logget-ut")
    assert "Du er logget ut" in page.text and "Logg ut hos ID-leverandøren" in page.text
    link = page.text.split(f'href="{provider.issuer}/endsession?', 1)[1].split('"', 1)[0]
    query = parse_qs(link.replace("&amp;", "&"))
    assert query["post_logout_redirect_uri"] == ["http://testserver/logget-ut"]
    assert query["id_token_hint"][0].count(".") == 2
    assert_not_signed_in(client)
    again = client.get("/logget-ut")  # back from the provider: no link any more
    assert "Logg ut hos ID-leverandøren" not in again.text


def test_an_expired_session_shows_the_expired_page_and_can_sign_in_again(
    client: TestClient, provider: LoopbackProvider
) -> None:
    class NineHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 9 * 3600

    old = {"csrf": "x", "sub": CANDIDATE.sub, "name": CANDIDATE.name, "roles": []}
    client.cookies.set(
        COOKIE, URLSafeTimedSerializer(SECRET, salt=SALT, signer=NineHoursAgo).dumps(old)
    )
    answer = client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/utlopt"
    assert "Logg inn igjen" in client.get("/utlopt").text
    assert through_provider(client, provider).status_code == 303
    assert "Lise Lege" in client.get("/").text


def test_the_auditor_role_claim_opens_the_auditor_page_as_with_a_bearer_token(
    client: TestClient, provider: LoopbackProvider
) -> None:
    provider.user = {"sub": "tilsyn-1", "name": "Tore Tilsyn", "kompetanse_roles": ["auditor"]}
    assert through_provider(client, provider).status_code == 303
    assert client.get("/revisor").status_code == 200


def test_an_unreachable_provider_is_a_norwegian_page_not_a_500(
    services: Services, provider: LoopbackProvider, tmp_path: Path
) -> None:
    settings = with_provider(services, provider, tmp_path)
    provider.stop()
    with TestClient(web_app(settings), follow_redirects=False) as client:
        answer = client.get("/logg-inn")
    assert answer.status_code == 503
    assert "Innloggingen er ikke tilgjengelig" in answer.text


def test_private_key_jwt_signs_in_with_the_clients_key_file(
    services: Services, tmp_path: Path
) -> None:
    """HelseID's client authentication: a JWT signed with the client's private key."""
    client_key = new_rsa_key()
    provider = LoopbackProvider(
        user=dict(LISE), client_secret=None, client_public_jwk=public_jwk(client_key, "k1")
    ).start()
    key_file = tmp_path / "client-key.json"
    key_file.write_text(json.dumps(private_jwk(client_key, "k1")), encoding="utf-8")
    try:
        configured = with_provider(
            services, provider, tmp_path, oidc_client_secret=None, oidc_client_key_file=key_file
        )
        with TestClient(web_app(configured), follow_redirects=False) as client:
            assert through_provider(client, provider).status_code == 303
            assert "Lise Lege" in client.get("/").text
            # another key than the one the provider knows: refused at the token endpoint
            provider.client_public_jwk = public_jwk(new_rsa_key(), "k1")
            client.post("/logg-ut", data={"csrf": csrf_of(client.get("/").text)})
            assert_refused_in_norwegian(through_provider(client, provider))
            assert provider.token_answers[-1] == (401, {"error": "invalid_client"})
    finally:
        provider.stop()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "KOMPETANSE_OIDC_CLIENT_ID"),
        ({"KOMPETANSE_OIDC_CLIENT_ID": "kompetanse-web"}, "KOMPETANSE_OIDC_CLIENT_SECRET"),
        (
            {"KOMPETANSE_OIDC_CLIENT_ID": "x", "KOMPETANSE_OIDC_CLIENT_KEY_FILE": "/nowhere.json"},
            "KOMPETANSE_OIDC_CLIENT_KEY_FILE",
        ),
        (
            {
                "KOMPETANSE_OIDC_ISSUER": "http://helseid-sts.example",
                "KOMPETANSE_OIDC_CLIENT_ID": "x",
                "KOMPETANSE_OIDC_CLIENT_SECRET": "y",
            },
            "KOMPETANSE_OIDC_ISSUER",
        ),
    ],
    ids=["no-client-id", "no-secret-or-key", "unreadable-key-file", "plain-http-issuer"],
)
def test_kompetanse_serve_refuses_a_half_done_oidc_configuration(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    base = {
        "KOMPETANSE_DATA_DIR": str(tmp_path / "var"),
        "KOMPETANSE_OIDC_ISSUER": "https://helseid-sts.example",
        "KOMPETANSE_OIDC_AUDIENCE": "kompetanse",
        "KOMPETANSE_OIDC_JWKS": "https://helseid-sts.example/jwks",
        "KOMPETANSE_OIDC_CLIENT_ID": "",
        "KOMPETANSE_OIDC_CLIENT_SECRET": "",
        "KOMPETANSE_OIDC_CLIENT_KEY_FILE": "",
    }
    # an address of no interface here (TEST-NET-3): a serve that got past the check fails
    # to listen at once instead of serving
    command = ["serve", "--host", "203.0.113.1", "--port", "9"]
    result = CliRunner().invoke(cli, command, env={**base, **env})
    assert result.exit_code == 2, result.output
    assert named in result.output


def test_a_client_id_without_an_issuer_is_a_settings_error_naming_the_issuer() -> None:
    with pytest.raises(SettingsError, match="KOMPETANSE_OIDC_ISSUER"):
        Settings.from_env({"KOMPETANSE_OIDC_CLIENT_ID": "kompetanse-web"})


def test_the_client_key_file_may_be_a_pem_and_must_be_private(tmp_path: Path) -> None:
    key = new_rsa_key()
    pem = tmp_path / "client.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert load_client_key(pem).is_private
    public = tmp_path / "public.json"
    public.write_text(json.dumps(public_jwk(key, "k1")), encoding="utf-8")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key", encoding="utf-8")
    for refused in (public, garbage):
        with pytest.raises(SettingsError, match="KOMPETANSE_OIDC_CLIENT_KEY_FILE"):
            load_client_key(refused)


def test_r26_an_invitation_bound_to_an_hpr_number_is_accepted_on_the_page_only_with_it(
    services: Services, client: TestClient, provider: LoopbackProvider
) -> None:
    """The HPR number of the ID token goes with the acceptance, as a bearer token's does."""
    team = build_team(services.application)
    invitations = {
        number: services.application.invite(
            CommandContext(identity=CANDIDATE.identity),
            team,
            role="supervisor",
            name="Sara Spesialist",
            email="sara@example.no",
            hpr_number=number,
        ).value["token"]
        for number in ("7654321", "1111111")
    }
    wait_for_views(services)
    provider.user = {"sub": "web-sara", "name": "Sara Spesialist", "hpr_number": "7654321"}
    through_provider(client, provider)

    def accept(token: str) -> httpx.Response:
        page = client.get(f"/invitasjon/{token}")
        assert page.status_code == 200, page.text
        return client.post(
            f"/invitasjon/{token}", data={"csrf": csrf_of(page.text), "idem": uuid.uuid4().hex}
        )

    refused = accept(invitations["1111111"])  # bound to another doctor's number
    assert refused.status_code >= 400 and "Traceback" not in refused.text
    assert accept(invitations["7654321"]).status_code == 303
    wait_for_views(services)
    roles = services.application.get_candidate(team).roles_of("web-sara")
    assert {role.value for role in roles} == {"supervisor"}
