"""Canonical event serialisation (RFC 8785, JSON Canonicalization Scheme), event digests and block roots.

Payloads hold facts, not prose: strings, whole numbers, booleans, null, lists and objects with ASCII keys. For those
values RFC 8785 output is exactly Python's JSON encoder with sorted keys, no whitespace and no ASCII escaping, which
runs in C; floats are refused (RFC 8785 needs ECMAScript number formatting, and a return's figures never need one).
tests/audit/test_canonical.py checks the equivalence against the reference implementation (the rfc8785 package).
"""

import hashlib
import json
import re
from datetime import UTC, datetime

# What an identifier field of an event (action, actor, object, request id) may hold: characters that JSON never
# escapes, so an event's canonical text is the same whether built here or by the database (audit/verify.py).
IDENTIFIER = re.compile(r"[A-Za-z0-9_.:@+/=-]*")

_encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
_string = json.encoder.encode_basestring  # C: escapes only ", \ and control characters, as RFC 8785 does


class NotCanonical(ValueError):
    """A payload value that has no canonical JSON form (a float, a non-string key, a lone surrogate…)."""


def check_payload(value, path="payload") -> None:
    """Refuse what RFC 8785 output of this module would not reproduce exactly."""
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:
            raise NotCanonical(f"{path}: whole numbers beyond ±2^53 are not exact in JSON")
        return
    if isinstance(value, float):
        raise NotCanonical(f"{path}: use a whole number or a string, not a float")
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_payload(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise NotCanonical(f"{path}: keys must be ASCII strings")
            check_payload(item, f"{path}.{key}")
        return
    raise NotCanonical(f"{path}: {type(value).__name__} is not a JSON value")


def dumps(value) -> str:
    """RFC 8785 text of a checked value."""
    return _encoder.encode(value)


def timestamp(moment: datetime) -> str:
    """UTC, microseconds, 'Z': the one text form of an instant in the ledger."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_text(
    *,
    occurred_at: str,
    hub_id,
    actor_type: str,
    actor_id: str,
    actor_agency_id,
    action: str,
    object_type: str,
    object_id: str,
    payload: str,
    request_id: str,
    client_ip,
) -> str:
    """The canonical text of one event: an RFC 8785 object with its keys in sorted order. `occurred_at` is the
    timestamp() text and `payload` the payload's canonical text, as stored.

    The event's id and transaction id are assigned by the database after this is hashed: the block binds the id
    into each leaf and the transaction id decides which block holds the event, so changing either still breaks the
    block's root.
    """
    return event_text_of(
        action, actor_agency_id, actor_id, actor_type, client_ip, hub_id, object_id, object_type, occurred_at,
        payload, request_id,
    )  # fmt: skip


def event_text_of(action, agency, actor_id, actor_type, ip, hub, object_id, object_type, occurred, payload, request):
    """event_text() with the fields in key order, positionally: built by hand in the order RFC 8785 sorts the keys,
    identical to dumps() of the same dict (tested) and several times faster, which verification needs."""
    return (
        f'{{"action":{_string(action)},"actor_agency_id":{"null" if agency is None else _string(agency)},'
        f'"actor_id":{_string(actor_id)},"actor_type":{_string(actor_type)},'
        f'"client_ip":{"null" if ip is None else _string(ip)},"hub_id":{"null" if hub is None else _string(hub)},'
        f'"object_id":{_string(object_id)},"object_type":{_string(object_type)},"occurred_at":"{occurred}",'
        f'"payload":{payload},"request_id":{_string(request)}}}'
    )


def event_digest(**fields) -> bytes:
    return hashlib.sha256(event_text(**fields).encode()).digest()


def leaf(event_id: int, digest: bytes) -> bytes:
    """RFC 6962 leaf over the event's id and digest: moving or renumbering an event changes the root."""
    return hashlib.sha256(b"\x00" + event_id.to_bytes(8, "big") + digest).digest()


def merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 (Certificate Transparency) tree hash over the events' leaves, in event order (by id).

    `leaves` are leaf() hashes; inner nodes are SHA-256(0x01 ‖ left ‖ right); the empty tree is SHA-256("").
    The split is the largest power of two below n, so an inclusion proof for any event can be given later.
    """
    sha = hashlib.sha256
    if not leaves:
        return sha(b"").digest()
    level = list(leaves)
    # Bottom-up pairing equals RFC 6962's split for every n: an unpaired last node is carried up unchanged.
    while len(level) > 1:
        paired = [sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def block_hash(previous: bytes, root: bytes) -> bytes:
    """SHA-256(previous block hash ‖ root over the block's events)."""
    return hashlib.sha256(previous + root).digest()


GENESIS = bytes(32)
