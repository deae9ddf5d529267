"""Dev mode's sign-in page offers the people of the demo world `scripts/serve` fills
(`kompetanse.demo`), so a newcomer signs in as the demo leader without reading docs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import Services
from kompetanse.demo import DEMO_USERS, demo_people
from web.app import install


def test_the_sign_in_page_lists_every_demo_person_and_an_auditor(services: Services) -> None:
    app = install(create_app(services), secret="s", demo_users=demo_people())
    with TestClient(app, follow_redirects=False) as client:
        page = client.get("/logg-inn").text
    for user in DEMO_USERS:
        assert f'value="{user.sub}"' in page and user.name in page
    assert "Ingrid Haugen" in page and "demo-revisor" in page
