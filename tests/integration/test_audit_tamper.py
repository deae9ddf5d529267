"""Tamper matrix (issue 6): attacks made directly in SQL are caught by verify or checkpoints.

The recorded chain is what the audit view stores as events are projected; here it is
taken once (`recorded`) before each attack. Every attack is also shown to go unnoticed
with the protection off (comparing the store with a chain recomputed from itself).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from base64 import b64encode
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kompetanse_domain.application import CommandContext, KompetanseApplication
from kompetanse_domain.application.audit import AuditService
from kompetanse_domain.audit import ChainLink, RecordedLink
from kompetanse_domain.audit.checkpoint import CheckpointError, read_checkpoint, sign_checkpoint
from kompetanse_domain.model.identity import Identity
from kompetanse_store.urls import event_store_env
from support.tampering import RawStore

LEADER = Identity("leader", "Leif Leder")


def journey(app: KompetanseApplication, sub: str) -> uuid.UUID:
    lis = Identity(sub, f"LIS {sub}")
    ctx = CommandContext
    cid = uuid.UUID(
        app.register_candidate(
            ctx(lis),
            name=lis.name,
            email=f"{sub}@example.no",
            specialty="ALM",
            organisation_id="0301",
            organisation_name="Oslo kommune",
        ).value["candidate_id"]
    )
    token = app.invite(ctx(lis), cid, role="leader", name="Leif", email="l@example.no")
    app.accept_invitation(ctx(LEADER), token.value["token"])
    app.assign_plan(ctx(LEADER), cid, plan_code="LIS1-KLK")
    for code in ("LIS1-KLK-001", "LIS1-KLK-002"):
        app.send_goal_for_approval(ctx(lis), cid, code, completed_on=date(2026, 1, 10))
        app.approve_goal(ctx(LEADER), cid, code)
    return cid


Store = RawStore


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[KompetanseApplication, Store, uuid.UUID, uuid.UUID]]:
    app = KompetanseApplication(env=event_store_env(database_url))
    store = Store(database_url)
    first = journey(app, "lis-a")
    store.open_hole(5)
    second = journey(app, "lis-b")
    store.close_hole()
    yield app, store, first, second
    app.close()


def recorded_chain(app: KompetanseApplication) -> list[RecordedLink]:
    return [
        RecordedLink(link.position, link.candidate_id, link.hash)
        for link in AuditService(app).recompute()
        if isinstance(link, ChainLink)
    ]


def independent_chain(rows: list[tuple[int, str, int, str, bytes]]) -> dict[int, str]:
    """A few lines that recompute the chain without the project's audit code."""
    owner: dict[str, str] = {}
    heads: dict[str, str] = {}
    hashes: dict[int, str] = {}
    for position, raw_id, version, topic, state in rows:
        originator = str(uuid.UUID(raw_id))  # SQLite keeps bare hex, PostgreSQL a uuid
        if ":Candidate." in topic:
            owner[originator] = originator
        elif topic.endswith(("LearningGoal.Opened", "SupervisionMeeting.Created")):
            owner[originator] = str(uuid.UUID(json.loads(state)["candidate_id"]["_data_"]))
        if originator not in owner:
            continue
        cid = owner[originator]
        payload = {
            "position": position,
            "aggregate_id": originator,
            "version": version,
            "topic": topic,
            "state": b64encode(state).decode(),
            "prev_hash": heads.get(cid, "0" * 64),
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        heads[cid] = hashes[position] = hashlib.sha256(canonical).hexdigest()
    return hashes


def test_independent_recomputation_agrees_with_the_chain(world: Any) -> None:
    app, store, _, _ = world
    ours = {link.position: link.hash for link in recorded_chain(app)}
    assert ours == independent_chain(store.rows())
    assert len(ours) > 10


def test_untouched_history_verifies(world: Any) -> None:
    app, _, first, _ = world
    result = AuditService(app).verify(recorded_chain(app))
    assert (result.ok, result.first_bad_position) == (True, None)
    assert result.events == len(recorded_chain(app))
    scoped = AuditService(app).verify(
        [r for r in recorded_chain(app) if r.candidate_id == first], candidate_id=first
    )
    assert scoped.ok and scoped.events < result.events


def _approved_row(store: Store) -> tuple[int, str, int, str, bytes]:
    return next(r for r in store.rows() if r[3].endswith("LearningGoal.Approved"))


def change_payload_byte(store: Store) -> int:
    position, *_, state = _approved_row(store)
    store.set_state(position, state.replace(b"leader", b"leaded", 1))
    return position


def change_type(store: Store) -> int:
    position = _approved_row(store)[0]
    store.run(
        f"UPDATE {store.table} SET topic=replace(topic, 'Approved', 'Rejected') "
        f"WHERE {store.pos}=%s",
        (position,),
    )
    return position


def change_actor(store: Store) -> int:
    position, *_, state = _approved_row(store)
    data = json.loads(state)
    data["actor"] = "deputy"
    store.set_state(position, json.dumps(data).encode())
    return position


def change_time(store: Store) -> int:
    position, *_, state = _approved_row(store)
    data = json.loads(state)
    data["timestamp"]["_data_"] = "2020-01-01T00:00:00+00:00"
    store.set_state(position, json.dumps(data).encode())
    return position


def delete_row(store: Store) -> int:
    position = _approved_row(store)[0]
    store.run(f"DELETE FROM {store.table} WHERE {store.pos}=%s", (position,))
    return position


def swap_rows(store: Store) -> int:
    rows = [r for r in store.rows() if r[3].endswith(("SentForApproval", "Approved"))]
    a, b = rows[0][0], rows[1][0]
    for old, new in ((a, -1), (b, a), (-1, b)):
        store.run(f"UPDATE {store.table} SET {store.pos}=%s WHERE {store.pos}=%s", (new, old))
    return min(a, b)


def insert_forged_row(store: Store) -> int:
    rows = store.rows()
    hole = next(rows[i][0] + 1 for i in range(len(rows) - 1) if rows[i + 1][0] - rows[i][0] > 1)
    _, originator, _, topic, state = _approved_row(store)
    top_version = max(v for _, o, v, _, _ in rows if o == originator)
    store.run(
        f"INSERT INTO {store.table} ({store.pos}, originator_id, originator_version, topic, state)"
        " VALUES (%s, %s, %s, %s, %s)",
        (hole, originator, top_version + 1, topic, state),
    )
    return hole


ATTACKS: dict[str, Callable[[Store], int]] = {
    "payload byte": change_payload_byte,
    "type": change_type,
    "actor": change_actor,
    "time": change_time,
    "deleted row": delete_row,
    "swapped rows": swap_rows,
    "forged row": insert_forged_row,
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_verify_reports_the_attacked_position(world: Any, attack: Callable[[Store], int]) -> None:
    app, store, _, _ = world
    recorded = recorded_chain(app)
    position = attack(store)
    result = AuditService(app).verify(recorded)
    assert (result.ok, result.first_bad_position) == (False, position)


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_attack_goes_unnoticed_with_protection_off(
    world: Any, attack: Callable[[Store], int]
) -> None:
    app, store, _, _ = world
    attack(store)
    # Protection off: no chain kept apart from the store, only one recomputed from it.
    result = AuditService(app).verify(recorded_chain(app))
    assert result.ok


def _checkpoint(app: KompetanseApplication) -> str:
    key = Ed25519PrivateKey.generate()
    signed = sign_checkpoint(AuditService(app).heads(), upto=0, portal="test", key=key)
    return json.dumps(signed)


def test_truncated_tail_is_caught_by_checkpoint(world: Any) -> None:
    app, store, _, second = world
    document = _checkpoint(app)
    tail = store.rows()[-1][0]
    store.run(f"DELETE FROM {store.table} WHERE {store.pos}=%s", (tail,))
    # The attacker truncates the recorded chain too: plain verify is satisfied.
    assert AuditService(app).verify(recorded_chain(app)).ok
    heads = read_checkpoint(document)
    assert AuditService(app).first_break_of_checkpoint(heads) == tail
    assert heads[str(second)].position == tail


def test_rewritten_chain_with_recomputed_hashes_is_caught_by_checkpoint(world: Any) -> None:
    app, store, _, _ = world
    document = _checkpoint(app)
    position = change_actor(store)
    assert AuditService(app).verify(recorded_chain(app)).ok, "rewritten chain fools plain verify"
    broken = AuditService(app).first_break_of_checkpoint(read_checkpoint(document))
    assert broken is not None and broken >= position


def test_untouched_history_extends_its_checkpoint(world: Any) -> None:
    app, _, _, _ = world
    document = _checkpoint(app)
    journey(app, "lis-c")
    assert AuditService(app).first_break_of_checkpoint(read_checkpoint(document)) is None


def test_checkpoint_with_a_forged_signature_is_refused(world: Any) -> None:
    app, _, _, _ = world
    data = json.loads(_checkpoint(app))
    data["checkpoint"]["upto_position"] = 999
    with pytest.raises(CheckpointError, match="signature"):
        read_checkpoint(json.dumps(data))
