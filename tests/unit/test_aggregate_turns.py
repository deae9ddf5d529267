"""The turns on aggregates within a process (ADR 0007): one at a time, nothing kept after."""

from __future__ import annotations

import threading
import time
from uuid import uuid4

from kompetanse_domain.application.turns import Turns


def test_a_second_command_on_one_aggregate_waits_until_the_first_is_done() -> None:
    turns, key, order = Turns(), uuid4(), []
    assert turns.take(key, timeout=1)

    def second() -> None:
        assert turns.take(key, timeout=5)
        order.append("second")
        turns.give_back(key)

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.1)
    order.append("first")
    turns.give_back(key)
    thread.join(5)

    assert order == ["first", "second"]
    assert len(turns) == 0


def test_commands_on_other_aggregates_do_not_wait() -> None:
    turns, key = Turns(), uuid4()
    assert turns.take(key, timeout=1)
    assert turns.take(uuid4(), timeout=0)
    assert len(turns) == 2


def test_a_turn_not_given_in_time_is_not_taken_and_leaves_nothing_behind() -> None:
    turns, key = Turns(), uuid4()
    assert turns.take(key, timeout=1)
    assert not turns.take(key, timeout=0.05)
    turns.give_back(key)
    assert len(turns) == 0
