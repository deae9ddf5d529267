"""`GET /v1/feed` on both stores: order, paging, long poll, refusals (R23, ADR 0013).

The portal's services are wired as `kompetanse serve` wires them (projections following
the store in a background thread); events are written through the application.
Tests that only read share one world per store and module: `approved` (a LIS1 with three
approved goals) and `sqlite_world` (refusals, validation, the OpenAPI text).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sync_support import APPROVED, FeedWorld, check_increasing, follow, register, registered
from sync_support import feed_world_on as _world

from api.routes import queries as query_routes
from kompetanse_domain.audit.recompute import is_chained_topic
from support.domain import TODAY, context, register_team

GOALS = ("LIS1-KLK-001", "LIS1-KLK-002", "LIS1-KLK-003")
ITEM_FIELDS = {
    "position",
    "event_id",
    "type",
    "aggregate",
    "aggregate_id",
    "version",
    "occurred_at",
    "actor",
    "candidate",
    "data",
    "schema",
    "goal_code",
}


def _approved_goals(world: FeedWorld) -> str:
    team = register_team(world.app, hpr_number="1234567", plans=("LIS1-KLK",))
    people = team.people
    for code in GOALS:
        world.app.send_goal_for_approval(
            context(people.candidate), team.candidate_id, code, completed_on=TODAY
        )
        world.app.approve_goal(context(people.leader), team.candidate_id, code)
    return str(team.candidate_id)


@pytest.fixture(scope="module")
def approved(
    module_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FeedWorld, str]]:
    """One world per store with `_approved_goals`, caught up; its tests only read it."""
    with _world(module_database_url, tmp_path_factory.mktemp("approved")) as world:
        cid = _approved_goals(world)
        world.caught_up()
        yield world, cid


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedWorld]:
    """For checks the store cannot affect, and that write nothing."""
    folder = tmp_path_factory.mktemp("sqlite-world")
    with _world(f"sqlite:///{folder}/kompetanse.db", folder) as world:
        yield world


def _stored_chained(world: FeedWorld) -> list[tuple[int, str, int]]:
    notifications = world.app.recorder.select_notifications(start=1, limit=100_000)
    return [
        (n.id, str(n.originator_id), n.originator_version)
        for n in notifications
        if is_chained_topic(n.topic)
    ]


def test_feed_lists_every_event_of_the_store_in_position_order(
    approved: tuple[FeedWorld, str],
) -> None:
    feed_world, cid = approved
    page = feed_world.page(after=0, limit=1000)
    items = page["items"]
    assert page["portal"] == "hospital-hso"
    check_increasing(items, 0)
    assert page["next_after"] == items[-1]["position"]
    assert [(i["position"], i["aggregate_id"], i["version"]) for i in items] == _stored_chained(
        feed_world
    )
    assert all(item.keys() >= ITEM_FIELDS for item in items)
    assert all(isinstance(item["schema"], int) and item["schema"] >= 1 for item in items)
    assert len({item["event_id"] for item in items}) == len(items)

    approvals = [item for item in items if item["type"] == APPROVED]
    assert [item["goal_code"] for item in approvals] == list(GOALS)
    for item in approvals:
        assert item["aggregate"] == "LearningGoal"
        assert item["candidate"] == {"candidate_id": cid, "hpr_number": "1234567", "sub": "lis-sub"}
        assert item["actor"] == {"sub": "leader-sub", "name": "Leif Leder"}


def test_pages_after_a_position_and_limit(approved: tuple[FeedWorld, str]) -> None:
    feed_world, _ = approved
    everything = feed_world.page(limit=1000)["items"]
    positions = [item["position"] for item in everything]

    paged = follow(lambda after: feed_world.page(after=after, limit=7))
    assert paged == everything

    middle = positions[len(positions) // 2]
    page = feed_world.page(after=middle, limit=5)
    assert [item["position"] for item in page["items"]] == [p for p in positions if p > middle][:5]
    assert page["next_after"] == page["items"][-1]["position"]

    last = feed_world.page(after=positions[-1], limit=5)
    assert last["items"] == [] and last["next_after"] == positions[-1]
    beyond = feed_world.page(after=positions[-1] + 1000)
    assert beyond["items"] == [] and beyond["next_after"] == positions[-1] + 1000


def test_default_page_is_100_items(feed_world: FeedWorld) -> None:
    team = register_team(feed_world.app, plans=("ALM",))  # 100 goals and more
    assert team.candidate_id
    feed_world.caught_up()
    assert len(feed_world.page()["items"]) == 100


def test_header_carries_the_views_position(feed_world: FeedWorld) -> None:
    register(feed_world.app, "lege-a")
    position = feed_world.caught_up()
    response = feed_world.feed(after=0)
    assert int(response.headers["X-Projection-Position"]) == position


def test_a_page_asked_with_x_min_position_holds_the_event_at_that_position(
    feed_world: FeedWorld,
) -> None:
    """As every query: the sync job (or a test) reads the feed up to its own write."""
    position = registered(feed_world.app, "lege-c").position
    response = feed_world.feed(min_position=position)
    assert response.status_code == 200, response.text
    assert [item["position"] for item in response.json()["items"]][-1] == position


def test_a_position_the_views_do_not_reach_is_503_with_retry_after(
    sqlite_world: FeedWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_routes, "MIN_POSITION_WAIT", 0.2)
    response = sqlite_world.feed(min_position=99999)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    assert "99999" in response.json()["detail"]


def test_long_poll_answers_when_an_event_arrives(feed_world: FeedWorld) -> None:
    register(feed_world.app, "lege-a")
    after = feed_world.caught_up()
    written: list[int] = []

    def later() -> None:
        time.sleep(0.5)
        written.append(registered(feed_world.app, "lege-b").position)

    writer = threading.Thread(target=later)
    started = time.monotonic()
    writer.start()
    try:
        page = feed_world.page(after=after, wait=10)
    finally:
        writer.join()
    elapsed = time.monotonic() - started
    assert 0.4 <= elapsed < 5, elapsed
    assert [item["type"] for item in page["items"]] == ["Candidate.Registered"]
    assert page["items"][0]["position"] == written[0]
    assert page["next_after"] == written[0]


def test_long_poll_answers_empty_after_wait(feed_world: FeedWorld) -> None:
    register(feed_world.app, "lege-a")
    after = feed_world.caught_up()
    started = time.monotonic()
    page = feed_world.page(after=after, wait=1)
    elapsed = time.monotonic() - started
    # after the wait, not at once, and not held to the 30 s maximum (the slack is for a
    # request on a loaded machine: timings are benchmarks' business, not tests')
    assert 1.0 <= elapsed < 6, elapsed
    assert page == {"portal": "hospital-hso", "items": [], "next_after": after}


def test_long_poll_passes_positions_that_are_not_in_the_feed(feed_world: FeedWorld) -> None:
    """An event that is not about a candidate moves the view, not the feed: keep waiting."""
    register(feed_world.app, "lege-a", hpr="7654321")  # Registered + a PersonIndex event
    feed_world.caught_up()
    last_item = feed_world.page(limit=1000)["items"][-1]["position"]
    started = time.monotonic()
    page = feed_world.page(after=last_item, wait=1)
    assert page["items"] == [] and page["next_after"] == last_item
    assert time.monotonic() - started >= 1.0


ROLES_AND_STATUS = (
    ("lis-sub", (), 403),
    ("auditor-sub", ("auditor",), 403),
    ("admin-sub", ("admin",), 403),
    ("sync-sub", ("sync",), 200),
)
BAD_PARAMETERS = (
    {"after": -1},
    {"after": "abc"},
    {"after": 2**63},
    {"limit": 0},
    {"limit": 1001},
    {"limit": "x"},
    {"wait": -1},
    {"wait": 31},
    {"wait": "nan"},
    {"wait": "inf"},
)
GOOD_EDGES = ({"limit": 1}, {"limit": 1000}, {"wait": 0}, {"wait": 0.01}, {"after": 2**63 - 1})


def test_only_the_sync_role_reads_the_feed(sqlite_world: FeedWorld) -> None:
    for sub, roles, status in ROLES_AND_STATUS:
        response = sqlite_world.feed(sub=sub, roles=roles)
        assert response.status_code == status, (sub, response.text)
        if status != 200:
            assert response.headers["content-type"].startswith("application/problem+json")
    assert sqlite_world.client.get("/v1/feed").status_code == 401


def test_bad_parameters_are_422_and_edges_are_accepted(sqlite_world: FeedWorld) -> None:
    for params in BAD_PARAMETERS:
        response = sqlite_world.feed(**params)
        assert response.status_code == 422, (params, response.text)
        body = response.json()
        assert body["status"] == 422 and body["errors"], params
    for params in GOOD_EDGES:
        assert sqlite_world.feed(**params).status_code == 200, params


def test_openapi_tells_consumers_to_skip_unknown_types(sqlite_world: FeedWorld) -> None:
    schema = sqlite_world.client.get("/openapi.json").json()
    operation = schema["paths"]["/v1/feed"]["get"]
    assert "skips item types it does not know" in operation["description"]
    item = schema["components"]["schemas"]["FeedItem"]
    assert "schema" in item["properties"]


def test_positions_are_unique_across_pages(approved: tuple[FeedWorld, str]) -> None:
    feed_world, _ = approved
    items = follow(lambda after: feed_world.page(after=after, limit=3))
    counts = Counter(item["position"] for item in items)
    assert max(counts.values()) == 1
