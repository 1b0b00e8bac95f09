"""The canonical form is RFC 8785, and the block root is RFC 6962's tree hash."""

import hashlib
import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from audit import canonical

ascii_keys = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
scalars = st.none() | st.booleans() | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1) | st.text(max_size=30)
payloads = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ascii_keys, inner, max_size=4),
    max_leaves=20,
)


@given(payloads)
def test_dumps_is_rfc_8785(value):
    assert canonical.dumps(value).encode() == rfc8785.dumps(value)


event_fields = st.fixed_dictionaries(
    {
        "occurred_at": st.just("2026-11-25T03:24:43.123456Z"),
        "hub_id": st.none() | st.uuids().map(str),
        "actor_type": st.sampled_from(["user", "client", "system"]),
        "actor_id": st.text(max_size=20),
        "actor_agency_id": st.none() | st.uuids().map(str),
        "action": st.text(max_size=30),
        "object_type": st.text(max_size=30),
        "object_id": st.text(max_size=30),
        "payload": st.dictionaries(ascii_keys, scalars, max_size=5),
        "request_id": st.text(max_size=32),
        "client_ip": st.none() | st.ip_addresses().map(str),
    }
)


@given(event_fields)
def test_event_text_is_rfc_8785_of_the_event(fields):
    text = canonical.event_text(**{**fields, "payload": canonical.dumps(fields["payload"])})
    assert text.encode() == rfc8785.dumps(fields)
    assert json.loads(text) == fields


@pytest.mark.parametrize("bad", [1.5, {"a": float("nan")}, {1: "x"}, {"é": 1}, [2**60], {"when": object()}])
def test_payloads_that_would_not_be_exact_are_refused(bad):
    with pytest.raises(canonical.NotCanonical):
        canonical.check_payload(bad)


def _rfc6962(leaves):
    """RFC 6962 section 2.1, as written: split at the largest power of two below n."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _rfc6962(leaves[:k]) + _rfc6962(leaves[k:])).digest()


@pytest.mark.parametrize("n", list(range(1, 40)) + [64, 100, 1000])
def test_merkle_root_is_rfc_6962_tree_hash(n):
    leaves = [canonical.leaf(i, hashlib.sha256(str(i).encode()).digest()) for i in range(n)]
    assert canonical.merkle_root(leaves) == _rfc6962(leaves)


def test_empty_tree_and_leaf_binding():
    assert canonical.merkle_root([]) == hashlib.sha256(b"").digest()
    digest = hashlib.sha256(b"x").digest()
    assert canonical.leaf(1, digest) != canonical.leaf(2, digest)
    assert canonical.leaf(1, digest) == hashlib.sha256(b"\x00" + (1).to_bytes(8, "big") + digest).digest()
