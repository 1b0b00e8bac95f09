"""Verification of the sealed ledger: every block recomputed from its events' content, the chain checked link by
link, every event below the seal horizon in exactly one block, and published head hashes matched.

One pass reads the events in id order and hands each to the block its chain and key place it in; on PostgreSQL a
large ledger is read in id ranges by one worker process per core, and this process merges their leaves in id order
before computing each block's root.
"""

import hashlib
import os
import uuid
from array import array
from bisect import bisect_right
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import current_process, get_context

from django.db import connection, connections

from audit import canonical
from audit.models import NIL_CHAIN, AuditBlock, seal_key_field
from mash.forked import forget_inherited_connections

FETCH = 5_000
PARALLEL_FROM = 100_000  # events: below this, forking workers costs more than it saves


@dataclass(order=True)
class Problem:
    chain: str
    block: int | None
    event: int | None
    message: str = field(compare=False)

    def __str__(self):
        where = f"chain {self.chain}" + (f", block {self.block}" if self.block else "")
        return f"{where}" + (f", event {self.event}" if self.event else "") + f": {self.message}"


@dataclass
class Report:
    events: int = 0  # recomputed
    blocks: int = 0
    recomputed: int = 0  # blocks recomputed from their events (all of them unless `since` or `after` was given)
    chain_events: dict[str, int] = field(default_factory=dict)  # recomputed, per chain
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    problem: Problem | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.problem:
            return f"audit ledger NOT intact: {self.problem}"
        heads = ", ".join(f"{chain} #{n} {h}" for chain, (n, h) in sorted(self.heads.items())) or "none"
        if self.recomputed == self.blocks:
            return f"audit ledger intact: {self.events} events in {self.blocks} blocks; head hashes: {heads}"
        return (
            f"audit ledger intact: {self.events} events in the {self.recomputed} newest of {self.blocks} blocks "
            f"recomputed, every block's link checked; head hashes: {heads}"
        )


class Broken(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _quoted(column: str) -> str:
    """A JSON string of an identifier column, NULL as null. `record` admits only identifiers that need no escaping
    (audit.canonical.IDENTIFIER), so plain quoting is the canonical form; a tampered value that would need escaping
    simply yields different text, and its digest no longer matches."""
    return f"""COALESCE('"' || {column} || '"', 'null')"""


# PostgreSQL assembles each event's canonical text, so a row crosses the wire as five columns instead of thirteen
# and the server does its part while this process hashes; this process still computes every digest.
_PG_TEXT = (
    "'{\"action\":' || "
    + _quoted("action")
    + " || ',\"actor_agency_id\":' || "
    + _quoted("actor_agency_id::text")
    + " || ',\"actor_id\":' || "
    + _quoted("actor_id")
    + " || ',\"actor_type\":' || "
    + _quoted("actor_type")
    + " || ',\"client_ip\":' || "
    + _quoted("client_ip")
    + " || ',\"hub_id\":' || "
    + _quoted("hub_id::text")
    + " || ',\"object_id\":' || "
    + _quoted("object_id")
    + " || ',\"object_type\":' || "
    + _quoted("object_type")
    + " || ',\"occurred_at\":\"' || pg_catalog.to_char(occurred_at AT TIME ZONE 'UTC', "
    '\'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') || \'","payload":\' || payload || \',"request_id":\' || '
    + _quoted("request_id")
    + " || '}'"
)


def _event_sql(key: str, where: str) -> str:
    """Each event as (id, block key, hub id text, canonical text or its fields, recorded digest)."""
    if connection.vendor == "postgresql":
        columns = f"id, {key}, hub_id::text, {_PG_TEXT}, digest"
    else:
        columns = (
            f"id, {key}, hub_id, action, actor_agency_id, actor_id, actor_type, client_ip, hub_id, object_id, "
            "object_type, occurred_at, payload, request_id, digest"
        )
    # No ORDER BY: sorting a million wide rows spills to disk on the server; rows arrive nearly in id order anyway,
    # and each block's leaves are sorted here (Timsort is close to linear on nearly sorted input).
    return f"SELECT {columns} FROM audit_auditevent WHERE {where}"  # noqa: S608 - fixed column names


def _sqlite_row(row):
    """SQLite: the canonical text is built here. Instants come back as naive UTC datetimes (Django's converter) and
    UUIDs as 32 hex digits."""
    event_id, key, hub, action, agency, actor_id, actor_type, ip, _, object_id, object_type, occurred, *rest = row
    agency = str(uuid.UUID(agency)) if agency else None
    hub = str(uuid.UUID(hub)) if hub else None
    occurred = occurred.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload, request_id, digest = rest
    text = canonical.event_text_of(
        action, agency, actor_id, actor_type, ip, hub, object_id, object_type, occurred, payload, request_id
    )
    return event_id, key, hub, text, digest


def _rows(sql: str, params: list):
    """(id, key, hub id text, canonical text, digest) in id order. PostgreSQL streams them in chunks, so the server
    reads ahead while this process hashes."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        yield from connection.connection.cursor().stream(sql, params, size=FETCH)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH):
            yield from map(_sqlite_row, batch)


@dataclass
class Layout:
    """Where each event belongs: per chain, its blocks to recompute sorted by lower bound."""

    lowers: dict[str, list[int]]
    blocks: dict[str, list[tuple[int, int, int]]]  # (lower, upper, number)


def _scan(sql: str, params: list, layout: Layout) -> tuple[dict, Problem | None]:
    """Recompute each event's digest and leaf: ({(chain, block number): [(id, leaf), …]}, the lowest bad event)."""
    sha = hashlib.sha256
    found: dict[tuple[str, int], list] = {}
    worst: Problem | None = None
    for event_id, key, hub, text, stored in _rows(sql, params):
        chain = hub or NIL_CHAIN
        lowers = layout.lowers.get(chain)
        if lowers is None:
            continue  # a chain with nothing to recompute; _check_all_sealed counts strays
        index = bisect_right(lowers, key) - 1
        if index < 0:
            continue
        lower, upper, number = layout.blocks[chain][index]
        if key >= upper:
            continue  # not sealed yet, or in a gap between blocks (strays are counted separately)
        digest = sha(text.encode()).digest()
        if digest != stored:
            problem = Problem(chain, number, event_id, "content does not match its recorded digest")
            worst = problem if worst is None or problem < worst else worst
            continue
        entries = found.get((chain, number))
        if entries is None:
            entries = found[(chain, number)] = []
        entries.append((event_id, sha(b"\x00" + event_id.to_bytes(8, "big") + digest).digest()))  # canonical.leaf
    return found, worst


def _packed(found: dict) -> dict:
    """Each block's entries sorted by id, as (array of ids, leaves joined): cheap to send between processes."""
    packed = {}
    for block_key, entries in found.items():
        entries.sort()
        packed[block_key] = (array("q", [i for i, _ in entries]), b"".join(leaf for _, leaf in entries))
    return packed


def _summaries(found: dict) -> dict:
    """Each block's (event count, first id, last id, root), from its complete entries."""
    summaries = {}
    for block_key, entries in found.items():
        entries.sort()
        root = canonical.merkle_root([leaf for _, leaf in entries])
        summaries[block_key] = (len(entries), entries[0][0], entries[-1][0], root)
    return summaries


def _scan_in_worker(args) -> tuple[dict, Problem | None]:
    """Whole chains: the worker computes their roots. An id range: it returns leaves for the parent to join."""
    whole_chains, *scan_args = args
    try:
        found, problem = _scan(*scan_args)
        return (_summaries(found) if whole_chains else _packed(found)), problem
    finally:
        connection.close()


def _hub_param(chain) -> str:
    return str(chain) if connection.vendor == "postgresql" else uuid.UUID(str(chain)).hex


def _chain_groups(layout: Layout, counts: dict[str, int], workers: int) -> list[list[str]]:
    """Chains shared among workers so that each reads about as many events (largest first, to the lightest)."""
    groups: list[list[str]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for chain in sorted(layout.blocks, key=lambda c: -counts[c]):
        lightest = loads.index(min(loads))
        groups[lightest].append(chain)
        loads[lightest] += counts[chain]
    return [g for g in groups if g]


def _where_chains(chains: list[str]) -> tuple[str, list]:
    hubs = [c for c in chains if c != NIL_CHAIN]
    parts, params = [], []
    if hubs:
        parts.append(f"hub_id IN ({', '.join(['%s'] * len(hubs))})")
        params += [_hub_param(c) for c in hubs]
    if NIL_CHAIN in chains:
        parts.append("hub_id IS NULL")
    return "(" + " OR ".join(parts) + ")", params


def _scan_all(key: str, layout: Layout, hub, workers: int, counts: dict[str, int]) -> dict:
    """Every recomputed block's (event count, first id, last id, root), read in one pass over the events; on
    PostgreSQL a large ledger is shared among worker processes, by chain when there are enough chains, else by
    id range."""
    low = min(lower for blocks in layout.blocks.values() for lower, _, _ in blocks)
    high = max(upper for blocks in layout.blocks.values() for _, upper, _ in blocks)
    where, params = f"{key} >= %s AND {key} < %s", [low, high]
    if hub is not None:
        where += " AND hub_id = %s"
        params.append(_hub_param(hub))
    # multiprocessing starts no process from a daemonic one (a Celery prefork worker): there, one process reads all.
    parallel = workers > 1 and not current_process().daemon and sum(counts.values()) >= PARALLEL_FROM
    if not (connection.vendor == "postgresql" and parallel):
        found, problem = _scan(_event_sql(key, where), params, layout)
        if problem:
            raise Broken(problem)
        return _summaries(found)
    whole_chains = len(layout.blocks) >= workers
    if whole_chains:
        jobs = []
        for chains in _chain_groups(layout, counts, workers):
            chain_where, chain_params = _where_chains(chains)
            jobs.append((True, _event_sql(key, f"{where} AND {chain_where}"), [*params, *chain_params], layout))
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM audit_auditevent WHERE {where}", params)  # noqa: S608
            first, last = cursor.fetchone()
        step = (last - first) // workers + 1
        jobs = [
            (False, _event_sql(key, where + " AND id >= %s AND id < %s"), [*params, start, start + step], layout)
            for start in range(first, last + 1, step)
        ]
    connections.close_all()  # each forked worker opens its own connection
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("fork"), initializer=forget_inherited_connections
    ) as pool:
        parts = list(pool.map(_scan_in_worker, jobs))
    problems = sorted(problem for _, problem in parts if problem is not None)
    if problems:
        raise Broken(problems[0])
    if whole_chains:
        return {block_key: summary for part, _ in parts for block_key, summary in part.items()}
    # Id ranges ascend and each part is sorted: joined in order, every block's leaves are in id order.
    ids: dict[tuple[str, int], list] = {}
    blobs: dict[tuple[str, int], list] = {}
    for packed, _ in parts:
        for block_key, (part_ids, leaves) in packed.items():
            ids.setdefault(block_key, []).append(part_ids)
            blobs.setdefault(block_key, []).append(leaves)
    result = {}
    for block_key, blob_parts in blobs.items():
        blob = b"".join(blob_parts)
        leaves = [blob[i : i + 32] for i in range(0, len(blob), 32)]
        count = sum(len(part) for part in ids[block_key])
        result[block_key] = (count, ids[block_key][0][0], ids[block_key][-1][-1], canonical.merkle_root(leaves))
    return result


def _check_block(block: AuditBlock, previous: bytes, summary: tuple | None) -> None:
    chain = str(block.chain)
    count, first, last, root = summary or (0, None, None, canonical.merkle_root([]))
    if count != block.event_count:
        missing = block.event_count - count
        what = f"{missing} event(s) missing" if missing > 0 else f"{-missing} event(s) added"
        raise Broken(
            Problem(chain, block.number, None, f"{what} between ids {block.first_event_id} and {block.last_event_id}")
        )
    if (first, last) != (block.first_event_id, block.last_event_id):
        raise Broken(Problem(chain, block.number, first, "the block's first or last event has changed"))
    if root != bytes(block.root):
        raise Broken(Problem(chain, block.number, None, "events were changed, reordered or renumbered"))
    if canonical.block_hash(previous, root) != bytes(block.hash):
        raise Broken(Problem(chain, block.number, None, "block hash does not match its previous hash and root"))


def _check_links(chain: str, blocks: list[AuditBlock]) -> None:
    previous, upper = canonical.GENESIS, None
    for expected, block in enumerate(blocks, start=1):
        if block.number != expected:
            raise Broken(Problem(chain, expected, None, "block is missing from the chain"))
        if bytes(block.previous_hash) != previous:
            raise Broken(Problem(chain, block.number, None, "previous hash does not match the block before"))
        if canonical.block_hash(previous, bytes(block.root)) != bytes(block.hash):
            raise Broken(Problem(chain, block.number, None, "block hash does not match its previous hash and root"))
        if upper is not None and block.lower_bound < upper:
            raise Broken(Problem(chain, block.number, None, "block overlaps the block before"))
        previous, upper = bytes(block.hash), block.upper_bound


def verify(
    *,
    hub=None,
    since: datetime | None = None,
    after: dict[str, int] | None = None,
    published: list[tuple[str, int, str]] = (),
    workers: int | None = None,
) -> Report:
    """Recompute the ledger. `hub` limits it to that hub's chain. With `since` or `after`, only the blocks sealed
    since `since` or numbered above the one `after` gives for their chain (audit/ledger_checks.py: the last verified,
    signed head) are recomputed, the others' links still checked. `published` is (chain, block number, hex hash) to match.
    On PostgreSQL a large ledger is read by `workers` processes (default: one per core)."""
    key = seal_key_field()
    blocks = AuditBlock.objects.order_by("chain", "number")
    if hub is not None:
        hub = getattr(hub, "pk", hub)
        blocks = blocks.filter(chain=hub)
    by_chain: dict[str, list[AuditBlock]] = {}
    for block in blocks:
        by_chain.setdefault(str(block.chain), []).append(block)
    report = Report(blocks=sum(len(b) for b in by_chain.values()))
    try:
        for chain, chain_blocks in by_chain.items():
            _check_links(chain, chain_blocks)
        recompute = {
            chain: [
                b
                for b in chain_blocks
                if (since is None and after is None)
                or (since is not None and b.sealed_at >= since)
                or (after is not None and b.number > after.get(chain, 0))
            ]
            for chain, chain_blocks in by_chain.items()
        }
        recompute = {chain: chain_blocks for chain, chain_blocks in recompute.items() if chain_blocks}
        if recompute:
            layout = Layout(
                lowers={c: [b.lower_bound for b in bs] for c, bs in recompute.items()},
                blocks={c: [(b.lower_bound, b.upper_bound, b.number) for b in bs] for c, bs in recompute.items()},
            )
            counts = {c: sum(b.event_count for b in bs) for c, bs in recompute.items()}
            found = _scan_all(key, layout, hub, workers or os.cpu_count() or 1, counts)
            for chain, chain_blocks in recompute.items():
                for block in chain_blocks:
                    _check_block(block, bytes(block.previous_hash), found.get((chain, block.number)))
                    report.events += block.event_count
                    report.recomputed += 1
                    report.chain_events[chain] = report.chain_events.get(chain, 0) + block.event_count
        if by_chain:
            _check_all_sealed(by_chain, key, hub)
        for chain, chain_blocks in by_chain.items():
            report.heads[chain] = (chain_blocks[-1].number, bytes(chain_blocks[-1].hash).hex())
        _check_published(by_chain, published)
    except Broken as broken:
        report.problem = broken.problem
    return report


def _check_all_sealed(by_chain: dict[str, list[AuditBlock]], key: str, hub) -> None:
    """Every event below the newest block's upper bound lies in a block of its chain: sealing covers every chain up
    to the same horizon, so a chain's events below it must all be sealed. One grouped count catches deleted blocks,
    a chain whose blocks were all removed, and events given a key inside a sealed range."""
    horizon = max(blocks[-1].upper_bound for blocks in by_chain.values())
    where, params = f"{key} < %s", [horizon]
    if hub is not None:
        where += " AND hub_id = %s"
        params.append(_hub_param(hub))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT hub_id, COUNT(*) FROM audit_auditevent WHERE {where} GROUP BY hub_id", params)  # noqa: S608
        counts = {NIL_CHAIN if h is None else str(uuid.UUID(str(h))): n for h, n in cursor.fetchall()}
    for chain in sorted(set(counts) | set(by_chain)):
        stray = counts.get(chain, 0) - sum(b.event_count for b in by_chain.get(chain, []))
        if stray:
            raise Broken(Problem(chain, None, None, f"{stray} event(s) below the seal horizon lie in no block"))


def _check_published(by_chain: dict[str, list[AuditBlock]], published) -> None:
    for chain, number, hex_hash in published:
        blocks = by_chain.get(chain, [])
        block = blocks[number - 1] if 0 < number <= len(blocks) else None
        if block is None:
            raise Broken(Problem(chain, number, None, "a published head hash names a block the ledger does not have"))
        if bytes(block.hash).hex() != hex_hash.lower():
            raise Broken(Problem(chain, number, None, f"published hash {hex_hash[:16]}… differs from the ledger's"))
