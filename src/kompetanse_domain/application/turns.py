"""Commands on one aggregate take turns within a process (ADR 0007).

`Turns` hands out one lock per aggregate id, made when the first command asks for it
and dropped when the last one holding or waiting for it is done, so the table holds
only the aggregates being changed right now and never grows beyond that.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable


class Turns:
    """A lock per key, for as long as someone holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Hashable, tuple[threading.Lock, int]] = {}

    def take(self, key: Hashable, timeout: float) -> bool:
        """Wait (at most `timeout` seconds) for the key's turn; True if it was taken,
        in which case the caller must `give_back` the key."""
        with self._guard:
            lock, users = self._locks.get(key) or (threading.Lock(), 0)
            self._locks[key] = (lock, users + 1)
        if lock.acquire(timeout=timeout):
            return True
        self._leave(key)
        return False

    def give_back(self, key: Hashable) -> None:
        with self._guard:
            lock, _ = self._locks[key]
        lock.release()
        self._leave(key)

    def _leave(self, key: Hashable) -> None:
        with self._guard:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        """How many keys are held or waited for now."""
        with self._guard:
            return len(self._locks)
