"""Writing to the ledger (`record`, `log_read`) and sealing it into hash-chained blocks (`seal`).

Services call `record` inside their own transaction, so the event commits or rolls back with the change it
describes. Views and API endpoints call `log_read` with the ids they showed.
"""

import ipaddress
import uuid
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit import anchor, canonical
from audit.context import Actor, current
from audit.events.actions import READ_SUFFIXES, AuditAction, is_read
from audit.events.payloads import Shown
from audit.events.registry import check
from audit.models import NIL_CHAIN, AuditBlock, AuditEvent, seal_key_field

SEAL_LOCK = 7_340_001  # PostgreSQL advisory lock key: one sealer at a time


def _object_ref(obj, object_type: str, object_id) -> tuple[str, str]:
    if obj is not None:
        return obj._meta.label_lower, str(obj.pk)
    return object_type, "" if object_id is None else str(object_id)


def _normal_ip(address: str | None) -> str | None:
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record(action: AuditAction, **details) -> AuditEvent:
    """Append one event: see `event` for the arguments."""
    entry = event(action, **details)
    if (held := _held.get()) is not None:
        held.append(entry)
    else:
        entry.save(force_insert=True)
    return entry


def record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append events built by `event`, in one insert (a sweep's many breaches, say)."""
    if (held := _held.get()) is not None:
        held.extend(events)
        return events
    return AuditEvent.objects.bulk_create(events)


_held: ContextVar[list | None] = ContextVar("audit_events_held", default=None)


@contextmanager
def together():
    """The events recorded inside the block are written in one insert as it ends, in the order recorded, instead of
    one insert each (a new referral's receipt, deadline and acknowledgement). Inside the caller's transaction, as
    `record` is; if the block raises, none is written. Nested blocks write with the outermost."""
    if _held.get() is not None:
        yield
        return
    held: list[AuditEvent] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    if held:
        AuditEvent.objects.bulk_create(held)


def event(
    action: AuditAction,
    *,
    hub=None,
    obj=None,
    object_type: str = "",
    object_id=None,
    payload: Mapping | None = None,
    actor: Actor | None = None,
    actor_agency=None,
) -> AuditEvent:
    """Build one event, not yet saved. `hub` and `actor_agency` take an object or its id; `obj` a model instance (or give
    `object_type` and `object_id`). The payload holds facts (codes, ratings, outcomes, timestamps), never free text, and
    is the one declared for the action (`audit.events.payloads`): anything else raises `AuditEventError`.
    """
    payload = payload or {}
    action = check(action, payload).value
    canonical.check_payload(payload)
    actor = actor or current()
    object_type, object_id = _object_ref(obj, object_type, object_id)
    hub_id = getattr(hub, "pk", hub)
    agency_id = getattr(actor_agency, "pk", actor_agency)
    occurred_at = timezone.now()
    fields = {
        "hub_id": str(hub_id) if hub_id else None,
        "actor_type": actor.type,
        "actor_id": actor.id,
        "actor_agency_id": str(agency_id) if agency_id else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "payload": canonical.dumps(payload),
        "request_id": actor.request_id,
        "client_ip": _normal_ip(actor.client_ip),
    }
    for name in ("action", "actor_type", "actor_id", "object_type", "object_id", "request_id"):
        if not canonical.IDENTIFIER.fullmatch(fields[name]) or len(fields[name]) > 64:
            raise ValueError(f"audit {name} {fields[name][:70]!r} is not an identifier (letters, digits, _.:@+/=-)")
    digest = canonical.event_digest(occurred_at=canonical.timestamp(occurred_at), **fields)
    return AuditEvent(occurred_at=occurred_at, digest=digest, **fields)


def log_read(
    action: AuditAction, *, hub=None, object_type: str, ids, actor: Actor | None = None, **facts
) -> AuditEvent:
    """Record that the acting person was shown these objects (`*.viewed`, `*.listed`, `*.exported`)."""
    if not is_read(action):
        raise ValueError(f"{action!r} is not a read: reads end in {', '.join(READ_SUFFIXES)}")
    ids = [str(i) for i in ids]
    object_id = ids[0] if len(ids) == 1 else ""
    payload = Shown(ids=ids, count=len(ids), **facts)
    return record(action, hub=hub, object_type=object_type, object_id=object_id, payload=payload, actor=actor)


def _seal_horizon(cursor) -> int:
    """Every event whose key is below this has certainly committed (or certainly never will)."""
    if connection.vendor == "postgresql":
        # The oldest transaction still running: every transaction id below it has finished. Read Committed takes a
        # new snapshot for the next statement, which therefore sees every committed event below the horizon.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK])
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return cursor.fetchone()[0]
    # SQLite: writers take turns (the sealing transaction holds the write lock), so every committed id is visible.
    cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM audit_auditevent")
    return cursor.fetchone()[0]


def _chain_of(hub_id) -> str:
    """The chain an event belongs to; hub_id comes as a UUID (PostgreSQL) or 32 hex digits (SQLite)."""
    return NIL_CHAIN if hub_id is None else str(uuid.UUID(str(hub_id)))


def seal() -> list[AuditBlock]:
    """Seal every event that has certainly committed into one new block per chain that has any.

    Each new head is signed and appended to the heads log after the commit (audit/anchor.py).
    Block membership is a key range [lower, upper) shared by every chain in one run; `lower` is where the last run
    stopped, so an event is in exactly one block, and one whose transaction commits late is sealed by a later run.
    """
    anchor.signing_key()  # with DEBUG off and no key, nothing is sealed (fail closed)
    key = seal_key_field()
    with transaction.atomic(), connection.cursor() as cursor:
        upper = _seal_horizon(cursor)
        lower = AuditBlock.objects.aggregate(m=Max("upper_bound"))["m"] or 0
        if upper <= lower:
            return []
        by_chain: dict[str, list[tuple[int, bytes]]] = {}
        for hub_id, event_id, digest in _unsealed(cursor, key, lower, upper):
            by_chain.setdefault(NIL_CHAIN if hub_id is None else hub_id, []).append((event_id, bytes(digest)))
        if not by_chain:
            return []
        groups = []
        for chain, events in by_chain.items():
            events.sort()  # rows come nearly in id order; a block's leaves are in exact id order
            leaves = [canonical.leaf(event_id, digest) for event_id, digest in events]
            groups.append((_chain_of(chain), leaves, [event_id for event_id, _ in events]))
        heads = _heads([chain for chain, _, _ in groups])
        now = timezone.now()
        blocks = []
        for chain, leaves, event_ids in groups:
            head = heads.get(chain)
            previous = bytes(head.hash) if head else canonical.GENESIS
            root = canonical.merkle_root(leaves)
            blocks.append(
                AuditBlock(
                    chain=chain,
                    number=(head.number + 1) if head else 1,
                    lower_bound=lower,
                    upper_bound=upper,
                    event_count=len(event_ids),
                    first_event_id=event_ids[0],
                    last_event_id=event_ids[-1],
                    root=root,
                    previous_hash=previous,
                    hash=canonical.block_hash(previous, root),
                    sealed_at=now,
                )
            )
        blocks = AuditBlock.objects.bulk_create(blocks)
        # Each head, signed, to the log outside the database once the blocks have certainly committed.
        transaction.on_commit(lambda: anchor.publish_after_seal(blocks))
        return blocks


def _unsealed(cursor, key: str, lower: int, upper: int):
    """(hub id as text or None, event id, digest) of every event in [lower, upper). PostgreSQL streams
    them in chunks so the server reads ahead while this process hashes."""
    # No ORDER BY: a server-side sort of a large backlog spills to disk; the caller sorts each chain's events.
    sql = f"SELECT hub_id{'::text' if connection.vendor == 'postgresql' else ''}, id, digest FROM audit_auditevent WHERE {key} >= %s AND {key} < %s"  # noqa: S608 - key is one of two column names
    if connection.vendor == "postgresql":
        yield from cursor.cursor.connection.cursor().stream(sql, [lower, upper], size=5000)
        return
    cursor.execute(sql, [lower, upper])
    while batch := cursor.fetchmany(5000):
        yield from batch


def _heads(chains: list[str]) -> dict[str, AuditBlock]:
    """The newest block of each chain."""
    numbers = (
        AuditBlock.objects.filter(chain__in=chains).values("chain").annotate(n=Max("number")).values_list("chain", "n")
    )
    wanted = {(str(chain), n) for chain, n in numbers}
    if not wanted:
        return {}
    blocks = AuditBlock.objects.filter(chain__in=chains, number__in={n for _, n in wanted})
    return {str(b.chain): b for b in blocks if (str(b.chain), b.number) in wanted}
