"""The fast writers of chain links and event ids give exactly the canonical values.

`link_hash` writes its JSON by hand and `event_id_for` formats its uuid5 by hand (a
rebuild computes them for every stored event); a changed byte would break every
recorded chain (ADR 0011) and every event id shared with the other portal (R23).
"""

from __future__ import annotations

import base64
import hashlib
import uuid

from hypothesis import given
from hypothesis import strategies as st

from kompetanse_domain.audit.chain import canonical_json, link_hash
from kompetanse_domain.model.identity import NAMESPACE
from projections.views.audit import event_id_for, event_id_text


def reference_link_hash(
    position: int, aggregate_id: str, version: int, topic: str, state: bytes, prev_hash: str
) -> str:
    payload = {
        "position": position,
        "aggregate_id": aggregate_id,
        "version": version,
        "topic": topic,
        "state": base64.b64encode(state).decode(),
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(payload)).hexdigest()


@given(
    position=st.integers(min_value=0, max_value=2**63 - 1),
    aggregate_id=st.one_of(st.uuids().map(str), st.text()),
    version=st.integers(min_value=-(2**31), max_value=2**31),
    topic=st.text(),
    state=st.binary(max_size=300),
    prev_hash=st.one_of(st.just("0" * 64), st.text()),
)
def test_link_hash_equals_the_hash_of_the_canonical_json(
    position: int, aggregate_id: str, version: int, topic: str, state: bytes, prev_hash: str
) -> None:
    fast = link_hash(
        position=position,
        aggregate_id=aggregate_id,
        version=version,
        topic=topic,
        state=state,
        prev_hash=prev_hash,
    )
    assert fast == reference_link_hash(position, aggregate_id, version, topic, state, prev_hash)


@given(aggregate_id=st.uuids(), version=st.integers(min_value=0, max_value=10**9))
def test_event_id_is_the_uuid5_of_aggregate_and_version(
    aggregate_id: uuid.UUID, version: int
) -> None:
    expected = uuid.uuid5(NAMESPACE, f"event:{aggregate_id}:{version}")
    assert event_id_for(aggregate_id, version) == expected
    assert event_id_for(str(aggregate_id).upper(), version) == expected
    assert event_id_text(aggregate_id, version) == str(expected)
