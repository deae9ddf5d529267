"""Waiting for `X-Min-Position` holds no worker thread and is bounded per caller
(issue 22, finding 7), on SQLite and PostgreSQL with the real read side.

Many queries asking for a position the views will not reach in time used to hold a
worker thread each for 5 s; with more of them than the thread pool has threads,
another person's query waited until they timed out. The requests here go through the
ASGI app on one event loop, as a server runs it; the timing asserts leave wide margins
(the other person's answer must come in under half of the 5 s wait).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_world import Person, registration, services_with_views

from api.app import create_app
from api.deps import Services
from api.routes import queries as query_routes
from api.waiting import PER_CALLER

FAR = str(10**15)  # a position the views will not reach
WAITERS = 48  # more than the 40 worker threads of the default pool


@pytest.fixture
def services(database_url: str, data_dir: Path) -> Iterator[Services]:
    """The shared fixture's services, but with the real read side following the store."""
    with services_with_views(database_url, data_dir) as services:
        yield services


def _auth(token_for: Any, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(Person(sub, sub.title()))}"}


async def _settle(app: Any, waiting: Callable[[Any], bool]) -> None:
    """Let the waiting requests get to their wait: until `waiting(app.state.position_waits)`
    holds (the app counts the waits), polled every 10 ms, up to 20 s."""
    waits = app.state.position_waits
    deadline = time.monotonic() + 20
    while not waiting(waits):
        assert time.monotonic() < deadline, "the waiting requests never got to their wait"
        await asyncio.sleep(0.01)


def test_far_waits_of_many_people_do_not_delay_another_persons_query(
    services: Services, token_for: Any
) -> None:
    app = create_app(services)
    tokens = {f"waiter-{n}": _auth(token_for, f"waiter-{n}") for n in range(WAITERS)}
    mine = _auth(token_for, "lis-sub")

    async def scenario() -> tuple[httpx.Response, float, bool, list[httpx.Response]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            created = await client.post("/v1/candidates", json=registration(), headers=mine)
            assert created.status_code == 201, created.text
            cid, position = created.json()["candidate_id"], created.headers["X-Event-Position"]
            far = [
                asyncio.create_task(
                    client.get(
                        "/v1/leaders/me/candidates", headers={**headers, "X-Min-Position": FAR}
                    )
                )
                for headers in tokens.values()
            ]
            await _settle(app, lambda w: sum(w.waiting(sub) for sub in tokens) == WAITERS)
            started = time.monotonic()
            answer = await client.get(
                f"/v1/candidates/{cid}", headers={**mine, "X-Min-Position": position}
            )
            took = time.monotonic() - started
            ended_early = any(task.done() for task in far)
            return answer, took, ended_early, list(await asyncio.gather(*far))

    answer, took, ended_early, far_answers = asyncio.run(scenario())

    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "Lise Lege"
    assert took < query_routes.MIN_POSITION_WAIT / 2, f"the query took {took:.1f} s"
    assert not ended_early, "the far waits ended before the other person's query"
    assert {response.status_code for response in far_answers} == {503}
    assert all(response.headers["Retry-After"] == "1" for response in far_answers)


def test_one_caller_waits_in_a_bounded_number_of_queries_the_rest_are_refused_at_once(
    services: Services, token_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_routes, "MIN_POSITION_WAIT", 3.0)
    app = create_app(services)
    greedy = {**_auth(token_for, "greedy-sub"), "X-Min-Position": FAR}
    extra = 5

    async def scenario() -> tuple[list[httpx.Response], list[httpx.Response], float, bool]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            first = [
                asyncio.create_task(client.get("/v1/leaders/me/candidates", headers=greedy))
                for _ in range(PER_CALLER)
            ]
            await _settle(app, lambda w: w.waiting("greedy-sub") == PER_CALLER)
            started = time.monotonic()
            refused = await asyncio.gather(
                *(client.get("/v1/leaders/me/candidates", headers=greedy) for _ in range(extra))
            )
            took = time.monotonic() - started
            ended_early = any(task.done() for task in first)
            return list(refused), list(await asyncio.gather(*first)), took, ended_early

    refused, admitted, took, ended_early = asyncio.run(scenario())

    assert took < query_routes.MIN_POSITION_WAIT / 2, f"the refusals took {took:.1f} s"
    assert not ended_early, "the admitted waits ended before the refusals"
    for response in refused:
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "1"
        assert "already wait" in response.json()["detail"]
        assert "X-Projection-Position" in response.headers
    for response in admitted:
        assert response.status_code == 503, response.text
        assert "not reached position" in response.json()["detail"]
    assert app.state.position_waits.waiting("greedy-sub") == 0  # every wait was given back


class OperationalError(Exception):
    """Named like a driver's error: the API takes it for a store outage (503)."""


class UnreadableReadSide:
    """A read side whose position cannot be read (its database is down)."""

    queries = None

    def position(self) -> int:
        raise OperationalError("connection refused")

    def wait_for(self, position: int, timeout: float) -> bool:
        raise OperationalError("connection refused")

    def status(self) -> list[Any]:
        return []

    def notify(self) -> None:
        """Nothing to wake."""

    def close(self) -> None:
        """Nothing to release."""


def test_waits_while_the_views_cannot_be_read_answer_503_and_give_their_place_back(
    services: Services, token_for: Any
) -> None:
    app = create_app(dataclasses.replace(services, projections=UnreadableReadSide()))
    headers = {**_auth(token_for, "lis-sub"), "X-Min-Position": "1"}

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return list(
                await asyncio.gather(
                    *(client.get("/v1/leaders/me/candidates", headers=headers) for _ in range(3))
                )
            )

    started = time.monotonic()
    answers = asyncio.run(scenario()) + asyncio.run(scenario())  # and again, on a new loop

    assert time.monotonic() - started < query_routes.MIN_POSITION_WAIT
    for response in answers:
        assert response.status_code == 503, response.text
        assert "Retry-After" in response.headers
    assert app.state.position_waits.waiting("lis-sub") == 0
