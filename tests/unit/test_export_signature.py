"""The export's signature names the field that changed (ADR 0024), for any document.

Hypothesis builds JSON documents (nested objects and arrays, text with æøå, numbers,
booleans, null), signs them, changes one leaf, and checks that verifying fails naming
exactly that leaf's JSON pointer; untouched, every one verifies, and another key fails.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from kompetanse_domain.audit.export_signature import (
    ExportSignatureError,
    key_id,
    leaves,
    sign_export,
    verify_export,
)

KEY = Ed25519PrivateKey.generate()
KEYS = {key_id(KEY.public_key()): KEY.public_key()}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(alphabet="aøåæÅØÆ /~é0", max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(alphabet="abæø/~", min_size=1, max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)
documents = st.dictionaries(
    st.sampled_from(["doctor", "plans", "readiness", "position", "a/b", "ø~"]), values, min_size=1
)


def _through_json(document: dict[str, Any]) -> dict[str, Any]:
    """As a verifier reads it: the served text parsed back."""
    parsed: dict[str, Any] = json.loads(json.dumps(document, ensure_ascii=False))
    return parsed


def _replace(document: Any, pointer: str, value: Any) -> None:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node = document
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    node[int(tokens[-1]) if isinstance(node, list) else tokens[-1]] = value


@settings(max_examples=150, deadline=None)
@given(documents, st.data())
def test_one_changed_leaf_is_the_field_named(document: dict[str, Any], data: st.DataObject) -> None:
    signed = _through_json(sign_export(document, KEY))
    assert verify_export(signed, KEYS).key_id == key_id(KEY.public_key())
    body = {k: v for k, v in signed.items() if k not in ("signature", "digests")}
    pointer, old = data.draw(st.sampled_from(list(leaves(body))))
    new = data.draw(scalars.filter(lambda v: json.dumps(v) != json.dumps(old) and v != old))
    _replace(signed, pointer, new)
    with pytest.raises(ExportSignatureError) as failed:
        verify_export(signed, KEYS)
    assert failed.value.field == pointer
    assert f"field {pointer} was changed" in str(failed.value)


def test_a_signature_by_another_key_under_this_key_id_fails_without_a_field() -> None:
    forged = sign_export({"doctor": {"name": "Åse"}}, Ed25519PrivateKey.generate())
    forged["key_id"] = key_id(KEY.public_key())
    with pytest.raises(ExportSignatureError) as failed:
        verify_export(_through_json(forged), KEYS)
    # key_id was changed after signing: that is the field named
    assert failed.value.field == "/key_id"
    resigned = sign_export({"doctor": {"name": "Åse"}}, KEY)
    other = sign_export(resigned, Ed25519PrivateKey.generate())
    other["key_id"], other["digests"] = resigned["key_id"], resigned["digests"]
    with pytest.raises(ExportSignatureError, match="another key signed"):
        verify_export(_through_json(other), KEYS)


def test_an_unknown_key_id_is_refused_with_the_known_ones() -> None:
    signed = sign_export({"doctor": {"name": "Åse"}}, Ed25519PrivateKey.generate())
    with pytest.raises(ExportSignatureError, match="unknown key_id"):
        verify_export(signed, KEYS)
