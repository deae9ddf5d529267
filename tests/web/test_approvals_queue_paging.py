"""The leader's approvals queue at national size: 50 goals a page, the longest waiting
first, the queue's length shown, plain page links (?side=N) in a labelled nav, and any
?side= a person can type gives a page, never an error (issue 25, the page benchmark)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from web_world import (
    CANDIDATE,
    LEADER,
    YESTERDAY,
    build_team,
    real_services,
    sign_in,
    wait_for_views,
    web_app,
)

from api.deps import Services
from kompetanse_domain.application import CommandContext

WAITING = 120


def _send(services: Services) -> list[str]:
    """A candidate with `WAITING` goals sent for approval, one after the other: the goal
    codes in the order they were sent (the oldest first)."""
    application = services.application
    cid = build_team(application)
    as_leader, as_candidate = (CommandContext(identity=p.identity) for p in (LEADER, CANDIDATE))
    for plan in ("ALM", "ARB"):
        application.assign_plan(as_leader, cid, plan_code=plan)
    codes = [
        goal.code for plan in ("ALM", "ARB") for goal in application.catalogue.plan(plan).goals
    ]
    sent = codes[:WAITING]
    for code in sent:
        application.send_goal_for_approval(as_candidate, cid, code, completed_on=YESTERDAY)
    wait_for_views(services)
    return sent


@pytest.fixture
def queue(services: Services) -> list[str]:
    """The queue on the test's own services and store: for the tests that decide on it."""
    return _send(services)


# The tests that only read the queue share one, built once per module and store.


@pytest.fixture(scope="module")
def shared(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Services, list[str]]]:
    data_dir = tmp_path_factory.mktemp("queue") / "data"
    with real_services(module_database_url, data_dir) as services:
        yield services, _send(services)


@pytest.fixture
def reader(shared: tuple[Services, list[str]]) -> Iterator[TestClient]:
    """A client of its own (its own session) on the shared queue."""
    with TestClient(web_app(shared[0]), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def shared_queue(shared: tuple[Services, list[str]]) -> list[str]:
    return shared[1]


def shown(html: str) -> list[str]:
    """The goal codes of the queue's cards, in the order shown."""
    return re.findall(r'/mal/([^/"]+)/grunnlag[?"]', html)


def test_the_first_page_shows_the_fifty_longest_waiting_and_the_queue_length(
    reader: TestClient, shared_queue: list[str]
) -> None:
    sign_in(reader, LEADER)
    page = reader.get("/leder/godkjenninger")
    assert page.status_code == 200
    assert shown(page.text) == shared_queue[:50]
    assert "Viser 1\u201350 av 120" in page.text
    nav = re.search(
        r'<nav class="ds-pagination"[^>]* aria-label="([^"]+)">(.*?)</nav>', page.text, re.S
    )
    assert nav is not None and nav.group(1) == "Sider i køen til godkjenning"
    assert 'href="?side=2" rel="next">Neste' in nav.group(2)
    assert re.search(r'href="\?side=1" aria-current="true"', nav.group(2))
    assert 'href="?side=3"' in nav.group(2)


def test_the_third_page_shows_the_last_twenty(reader: TestClient, shared_queue: list[str]) -> None:
    sign_in(reader, LEADER)
    page = reader.get("/leder/godkjenninger?side=3")
    assert page.status_code == 200
    assert shown(page.text) == shared_queue[100:]
    assert "Viser 101\u2013120 av 120" in page.text
    assert 'href="?side=2" rel="prev">Forrige' in page.text
    assert 'rel="next"' not in page.text


@pytest.mark.parametrize(
    ("side", "first"),
    [("0", 0), ("-1", 0), ("abc", 0), ("2.5", 0), ("", 0), ("4", 100), ("99999999999999", 100)],
)
def test_a_page_number_out_of_range_or_not_a_number_shows_the_nearest_page(
    reader: TestClient, shared_queue: list[str], side: str, first: int
) -> None:
    sign_in(reader, LEADER)
    page = reader.get("/leder/godkjenninger", params={"side": side})
    assert page.status_code == 200
    assert shown(page.text)[0] == shared_queue[first]
    assert "Til godkjenning" in page.text


def test_an_empty_queue_says_so_without_page_links(client: TestClient, team: UUID) -> None:
    sign_in(client, LEADER)
    page = client.get("/leder/godkjenninger?side=7")
    assert page.status_code == 200
    assert "Ingen læringsmål venter på godkjenning." in page.text
    assert "ds-pagination" not in page.text


def test_the_dashboard_still_says_how_long_the_oldest_goal_has_waited(
    reader: TestClient, shared_queue: list[str]
) -> None:
    sign_in(reader, LEADER)
    page = reader.get("/leder")
    assert page.status_code == 200
    assert '120<br><span class="app-code">venter i 0 dager</span>' in page.text


def _first_form(html: str, action_ends: str) -> tuple[str, dict[str, str]]:
    """The first form on the page whose action ends with `action_ends`: its action and
    its hidden fields, as a browser would send them."""
    form = re.search(
        rf'<form method="post" action="([^"]*{action_ends})"[^>]*>(.*?)</form>', html, re.S
    )
    assert form is not None, html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
    return form.group(1), fields


def test_approving_on_a_later_page_comes_back_to_that_page(
    client: TestClient, queue: list[str]
) -> None:
    sign_in(client, LEADER)
    action, fields = _first_form(client.get("/leder/godkjenninger?side=2").text, "/godkjenn")
    assert f"/mal/{queue[50]}/godkjenn" in action
    answer = client.post(action, data=fields)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/leder/godkjenninger?side=2"
    again = client.get(answer.headers["location"])
    assert shown(again.text) == queue[51:101]  # approved: the next one moved up to the top


def test_deciding_on_the_first_page_comes_back_to_the_queue_as_it_was(
    client: TestClient, queue: list[str]
) -> None:
    sign_in(client, LEADER)
    action, fields = _first_form(client.get("/leder/godkjenninger").text, "/avvis")
    answer = client.post(action, data={**fields, "reason": "Mangler kursbevis"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/leder/godkjenninger"


def test_deciding_on_the_basis_opened_from_a_later_page_comes_back_to_that_page(
    client: TestClient, queue: list[str]
) -> None:
    sign_in(client, LEADER)
    listed = client.get("/leder/godkjenninger?side=2").text
    basis = re.search(rf'href="([^"]*/mal/{re.escape(queue[50])}/grunnlag[^"]*)"', listed)
    assert basis is not None and basis.group(1).endswith("/grunnlag?side=2")
    action, fields = _first_form(client.get(basis.group(1)).text, "/grunnlag/avvis")
    refused = client.post(action, data={**fields, "reason": " "})
    assert refused.status_code == 422  # a reason is needed; the page still knows the queue page
    action, fields = _first_form(refused.text, "/grunnlag/avvis")
    assert fields["side"] == "2"
    answer = client.post(action, data={**fields, "reason": "Mangler kursbevis"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/leder/godkjenninger?side=2"
    assert shown(client.get(answer.headers["location"]).text) == queue[51:101]
