"""Verification of the sealed ledger: every block recomputed from its events' content, the chain checked link by
link, every event below the seal horizon in exactly one block, and published head hashes matched."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from audit import canonical
from audit.models import NIL_CHAIN, AuditBlock
from audit.services import seal_key_field

FETCH = 20_000


@dataclass
class Problem:
    chain: str
    block: int | None
    event: int | None
    message: str

    def __str__(self):
        where = f"chain {self.chain}" + (f", block {self.block}" if self.block else "")
        return f"{where}" + (f", event {self.event}" if self.event else "") + f": {self.message}"


@dataclass
class Report:
    events: int = 0
    blocks: int = 0
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    problem: Problem | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.problem:
            return f"audit ledger NOT intact: {self.problem}"
        heads = ", ".join(f"{chain} #{n} {h}" for chain, (n, h) in sorted(self.heads.items())) or "none"
        return f"audit ledger intact: {self.events} events in {self.blocks} blocks; head hashes: {heads}"


class Broken(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _event_sql(key: str) -> str:
    if connection.vendor == "postgresql":
        columns = (
            "id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), hub_id::text, "
            "actor_type, actor_id, actor_agency_id::text, action, object_type, object_id, payload, request_id, "
            "client_ip, digest"
        )
    else:
        columns = (
            "id, occurred_at, hub_id, actor_type, actor_id, actor_agency_id, action, object_type, object_id, "
            "payload, request_id, client_ip, digest"
        )
    return f"SELECT {columns} FROM audit_auditevent WHERE {{chain}} AND {key} >= %s AND {key} < %s ORDER BY id"  # noqa: S608


def _sqlite_row(row):
    """SQLite gives instants back as naive UTC datetimes (Django's converter) and UUIDs as 32 hex digits."""
    event_id, occurred, hub_id, a_type, a_id, agency, action, o_type, o_id, payload, request_id, ip, digest = row
    occurred = occurred.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    hub_id = str(uuid.UUID(hub_id)) if hub_id else None
    agency = str(uuid.UUID(agency)) if agency else None
    return event_id, occurred, hub_id, a_type, a_id, agency, action, o_type, o_id, payload, request_id, ip, digest


def _chain_filter(chain: str) -> tuple[str, list]:
    if chain == NIL_CHAIN:
        return "hub_id IS NULL", []
    value = chain if connection.vendor == "postgresql" else uuid.UUID(chain).hex
    return "hub_id = %s", [value]


def _verify_block(cursor, block: AuditBlock, previous: bytes, sql: str) -> int:
    chain = str(block.chain)
    where, params = _chain_filter(chain)
    cursor.execute(sql.replace("{chain}", where), [*params, block.lower_bound, block.upper_bound])
    sqlite = connection.vendor != "postgresql"
    text, sha, leaf = canonical.event_text, canonical.hashlib.sha256, canonical.leaf
    leaves, first, last = [], None, None
    while batch := cursor.fetchmany(FETCH):
        for row in batch:
            if sqlite:
                row = _sqlite_row(row)
            event_id, occurred, hub_id, a_type, a_id, agency, action, o_type, o_id, payload, request_id, ip, stored = (
                row
            )
            digest = sha(
                text(
                    occurred_at=occurred,
                    hub_id=hub_id,
                    actor_type=a_type,
                    actor_id=a_id,
                    actor_agency_id=agency,
                    action=action,
                    object_type=o_type,
                    object_id=o_id,
                    payload=payload,
                    request_id=request_id,
                    client_ip=ip,
                ).encode()
            ).digest()
            if digest != bytes(stored):
                raise Broken(Problem(chain, block.number, event_id, "content does not match its recorded digest"))
            leaves.append(leaf(event_id, digest))
            first = first or event_id
            last = event_id
    if len(leaves) != block.event_count:
        missing = block.event_count - len(leaves)
        what = f"{missing} event(s) missing" if missing > 0 else f"{-missing} event(s) added"
        raise Broken(
            Problem(chain, block.number, None, f"{what} between ids {block.first_event_id} and {block.last_event_id}")
        )
    if (first, last) != (block.first_event_id, block.last_event_id):
        raise Broken(Problem(chain, block.number, first, "the block's first or last event has changed"))
    root = canonical.merkle_root(leaves)
    if root != bytes(block.root):
        raise Broken(Problem(chain, block.number, None, "events were changed, reordered or renumbered"))
    if canonical.block_hash(previous, root) != bytes(block.hash):
        raise Broken(Problem(chain, block.number, None, "block hash does not match its previous hash and root"))
    return len(leaves)


def _stray_events(cursor, chain: str, blocks: list[AuditBlock], key: str) -> int:
    """Events of the chain below its last block's upper bound that no block holds (deleted blocks, forged keys)."""
    where, params = _chain_filter(chain)
    cursor.execute(
        f"SELECT COUNT(*) FROM audit_auditevent WHERE {where} AND {key} < %s",  # noqa: S608
        [*params, blocks[-1].upper_bound],
    )
    return cursor.fetchone()[0] - sum(b.event_count for b in blocks)


def verify(*, hub=None, since: datetime | None = None, published: list[tuple[str, int, str]] = ()) -> Report:
    """Recompute the ledger. `hub` limits it to that hub's chain; `since` recomputes only blocks sealed since then
    (older blocks' links are still checked); `published` is (chain, block number, hex hash) to match."""
    key = seal_key_field()
    sql = _event_sql(key)
    blocks = AuditBlock.objects.order_by("chain", "number")
    if hub is not None:
        blocks = blocks.filter(chain=getattr(hub, "pk", hub))
    by_chain: dict[str, list[AuditBlock]] = {}
    for block in blocks:
        by_chain.setdefault(str(block.chain), []).append(block)
    report = Report()
    try:
        with connection.cursor() as cursor:
            for chain, chain_blocks in by_chain.items():
                previous, upper = canonical.GENESIS, None
                for expected, block in enumerate(chain_blocks, start=1):
                    if block.number != expected:
                        raise Broken(Problem(chain, expected, None, "block is missing from the chain"))
                    if bytes(block.previous_hash) != previous:
                        raise Broken(
                            Problem(chain, block.number, None, "previous hash does not match the block before")
                        )
                    if upper is not None and block.lower_bound < upper:
                        raise Broken(Problem(chain, block.number, None, "block overlaps the block before"))
                    if since is None or block.sealed_at >= since:
                        report.events += _verify_block(cursor, block, previous, sql)
                    report.blocks += 1
                    previous, upper = bytes(block.hash), block.upper_bound
                stray = _stray_events(cursor, chain, chain_blocks, key)
                if stray:
                    raise Broken(Problem(chain, None, None, f"{stray} event(s) below the seal horizon lie in no block"))
                report.heads[chain] = (chain_blocks[-1].number, previous.hex())
            if hub is None and by_chain:
                _check_all_sealed(cursor, by_chain, key)
            _check_published(by_chain, published)
    except Broken as broken:
        report.problem = broken.problem
    return report


def _check_all_sealed(cursor, by_chain: dict[str, list[AuditBlock]], key: str) -> None:
    """Every event below the newest block's upper bound lies in a block, whichever chain it belongs to (this also
    catches a chain whose blocks were all removed)."""
    horizon = max(blocks[-1].upper_bound for blocks in by_chain.values())
    cursor.execute(f"SELECT COUNT(*) FROM audit_auditevent WHERE {key} < %s", [horizon])  # noqa: S608
    sealed = sum(b.event_count for blocks in by_chain.values() for b in blocks)
    stray = cursor.fetchone()[0] - sealed
    if stray:
        raise Broken(Problem(NIL_CHAIN, None, None, f"{stray} event(s) below the seal horizon lie in no block"))


def _check_published(by_chain: dict[str, list[AuditBlock]], published) -> None:
    for chain, number, hex_hash in published:
        blocks = by_chain.get(chain, [])
        block = blocks[number - 1] if 0 < number <= len(blocks) else None
        if block is None:
            raise Broken(Problem(chain, number, None, "a published head hash names a block the ledger does not have"))
        if bytes(block.hash).hex() != hex_hash.lower():
            raise Broken(Problem(chain, number, None, f"published hash {hex_hash[:16]}… differs from the ledger's"))
