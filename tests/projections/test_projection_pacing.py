"""The runner's pacing (ADR 0017): under a stream of commands a step takes the
events of the last moments together; after a quiet spell the first one is applied
at once, not after the pause."""

from __future__ import annotations

import math
import time

from projection_world import World


def _count_steps_that_apply(world: World) -> list[int]:
    sizes: list[int] = []
    step = world.service.follower.step

    def counted() -> int:
        processed = step()
        if processed:
            sizes.append(processed)
        return processed

    world.service.follower.step = counted  # type: ignore[method-assign]
    return sizes


def _write(world: World, crew_count: int) -> None:
    for _ in range(crew_count):
        world.team(plans=())
        world.service.notify()  # as the API does after each command


def test_events_written_in_quick_succession_are_applied_in_few_steps(world: World) -> None:
    world.service.runner.busy_interval = 1.0  # long, so that timing noise cannot matter
    sizes = _count_steps_that_apply(world)
    world.service.start()
    try:
        _write(world, 1)
        assert world.service.wait_for(world.max_position(), timeout=10)
        began = time.monotonic()
        _write(world, 10)  # while the runner pauses after its first step
        writing = time.monotonic() - began
        assert world.service.wait_for(world.max_position(), timeout=10)
    finally:
        world.service.stop()

    assert sum(sizes) == world.max_position()  # nothing skipped, nothing twice
    # Paced, the runner takes at most one step per busy interval while the ten teams
    # are written (on a loaded machine that can take seconds), plus the first and the
    # last; unpaced it would take one step per notify, eleven or more.
    allowed = 2 + math.ceil(writing / world.service.runner.busy_interval)
    assert len(sizes) <= min(allowed, 10), (sizes, writing)


def test_the_first_event_after_a_quiet_spell_is_applied_at_once(world: World) -> None:
    world.service.runner.busy_interval = 1.0
    world.service.start()
    try:
        for _ in range(2):
            first = world.max_position() + 1
            _write(world, 1)  # a team is several events; the runner may catch it half written
            assert world.service.wait_for(first, timeout=0.5)  # not after the 1 s pause
            assert world.service.wait_for(world.max_position(), timeout=10)
            time.sleep(1.2)  # a quiet spell, longer than the pause after the last step
    finally:
        world.service.stop()
