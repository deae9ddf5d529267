"""Idempotency receipts, saved atomically with the command's own events (ADR 0007).

A receipt's id is derived from the actor and the idempotency key, so a retry
that races the first attempt fails on the unique (id, version) constraint
instead of recording the command twice.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from kompetanse_domain.model.identity import NAMESPACE


def receipt_id(actor_sub: str, key: str) -> UUID:
    return uuid.uuid5(NAMESPACE, f"receipt:{actor_sub}:{key}")


class CommandReceipt(Aggregate):
    """Proof that a command with an idempotency key was carried out, and what it answered."""

    class Recorded(Aggregate.Created):
        actor: str
        key: str
        fingerprint: str
        value: dict[str, Any]
        version: int | None

    @staticmethod
    def create_id(actor: str, key: str) -> UUID:
        return receipt_id(actor, key)

    def __init__(
        self, *, actor: str, key: str, fingerprint: str, value: dict[str, Any], version: int | None
    ) -> None:
        self.actor = actor
        self.key = key
        self.fingerprint = fingerprint
        self.value = value
        self.result_version = version


class PersonIndex(Aggregate):
    """Finds a candidate by HPR number (sync, R23): one entry per number."""

    class Indexed(Aggregate.Created):
        hpr_number: str
        candidate_id: UUID

    @staticmethod
    def create_id(hpr_number: str) -> UUID:
        return uuid.uuid5(NAMESPACE, f"hpr:{hpr_number}")

    def __init__(self, *, hpr_number: str, candidate_id: UUID) -> None:
        self.hpr_number = hpr_number
        self.candidate_id = candidate_id
