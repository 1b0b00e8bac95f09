"""Verification that costs the new events only (docs/adr/0020): each check starts from the chain's last verified,
signed head, and records where it reached, signed.

Recomputing every block of a chain costs all of its events (a month of a busy hub is ~150,000; a national ledger
~60 million a year). Once a check has found a chain intact up to a block, the blocks up to it are fixed by their
hashes: every later check still verifies every block's link to the one before (cheap), matches the heads signed
outside the database (audit/anchor.py), and recomputes only the blocks sealed after that head.

- A check is a `LedgerCheck` row per chain: the head reached, full or incremental, the events recomputed, intact
  or what it found, signed with the ledger's Ed25519 key over `message()`. Whoever owns the database cannot write
  a check that verifies, so a forged "verified up to here" is ignored, as is a check whose block the ledger no
  longer has with the same hash: the next check is then full.
- What an incremental check cannot see, a full one does: an event changed in place inside a block already verified
  (the blocks and their hashes left as they were). A full check runs weekly (beat) and on demand
  (`verify_audit`); a full check that finds a chain NOT intact stands until a later full check finds it intact, and
  every check of that chain meanwhile (a return's build among them) reports it.
- Without a signing key (development only) nothing is recorded and every check is full.
- A return's build recomputes, besides, every block sealed since its month began: whatever it counts from its month
  is recomputed by the build itself, whenever the last check ran (reports/services.py).

Beat runs an incremental check of every chain nightly and a full one weekly (mash/settings.py); a return's build
runs an incremental check of its hub's chain (reports/services.py).
"""

import base64
import binascii
import logging
from contextlib import contextmanager
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from django.db import connection, connections
from django.utils import timezone

from audit import anchor, canonical
from audit.models import AuditBlock, LedgerCheck
from audit.verify import Problem, Report, verify
from mash.forked import Forked

log = logging.getLogger(__name__)
DOMAIN = b"mash audit check v1\n"  # a check's signature can mean nothing else (a head's starts differently)
FACTS = ("block", "chain", "checked_at", "events", "full", "hash", "intact", "problem")


def message(facts: dict) -> bytes:
    return DOMAIN + canonical.dumps({name: facts[name] for name in FACTS}).encode()


def _facts(check: LedgerCheck) -> dict:
    return {
        "block": check.block,
        "chain": str(check.chain),
        "checked_at": canonical.timestamp(check.checked_at),
        "events": check.events,
        "full": check.full,
        "hash": check.hash,
        "intact": check.intact,
        "problem": check.problem,
    }


def signed(check: LedgerCheck) -> bool:
    """The check carries a valid signature by the configured key."""
    key = anchor.signing_key()
    if key is None or check.key_id != anchor.key_id(key.public_key()):
        return False
    try:
        key.public_key().verify(base64.b64decode(check.signature, validate=True), message(_facts(check)))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _record(chain: str, *, head: tuple[int, str], full: bool, events: int, problem: str, key) -> LedgerCheck:
    check = LedgerCheck(
        chain=chain,
        block=head[0],
        hash=head[1],
        full=full,
        events=events,
        intact=not problem,
        problem=problem,
        checked_at=timezone.now().replace(microsecond=0),
        key_id=anchor.key_id(key.public_key()),
    )
    check.signature = base64.b64encode(key.sign(message(_facts(check)))).decode()
    check.save()
    return check


def verified_heads(chains: list[str]) -> dict[str, int]:
    """Each chain's last verified head: the block of its newest intact, signed check that the ledger still has with
    the hash the check recorded. A chain with none is missing (recompute all of it)."""
    heads = {}
    for chain in chains:
        candidates = LedgerCheck.objects.filter(chain=chain, intact=True, block__gt=0).order_by("-block", "-id")[:5]
        for check in candidates:
            block = AuditBlock.objects.filter(chain=chain, number=check.block).values_list("hash", flat=True).first()
            if block is not None and bytes(block).hex() == check.hash and signed(check):
                heads[chain] = check.block
                break
    return heads


def standing_problem(chain: str) -> LedgerCheck | None:
    """The chain's newest signed full check, if it found the chain NOT intact (no full check has found it intact
    since)."""
    for check in LedgerCheck.objects.filter(chain=chain, full=True).order_by("-id")[:5]:
        if signed(check):
            return None if check.intact else check
    return None


def check(*, hub=None, full: bool = False, since: datetime | None = None, workers: int | None = None) -> Report:
    """Verify the hub's chain (every chain without one): with `full`, every block; else the blocks after each chain's
    last verified head, and those sealed since `since` (a return's month: every block that can hold an event of
    it). The outcome is recorded per chain, signed; a full check found NOT intact and not since repaired makes the
    report NOT intact too."""
    key = anchor.signing_key()
    if hub is not None:
        chains = [str(getattr(hub, "pk", hub))]
    else:
        chains = sorted({str(c) for c in AuditBlock.objects.values_list("chain", flat=True).distinct()})
    after = {} if full or key is None else verified_heads(chains)
    report = verify(hub=hub, after=after, since=None if full else since, workers=workers)
    if key is None:
        return report
    if report.problem is not None:
        chain = report.problem.chain or (chains[0] if len(chains) == 1 else "")
        if chain in chains:
            head = report.heads.get(chain) or _head(chain)
            _record(chain, head=head, full=not after.get(chain), events=0, problem=str(report.problem), key=key)
        log.error("audit ledger check: %s", report.summary())
        return report
    for chain in chains:
        head = report.heads.get(chain, (0, ""))
        _record(chain, head=head, full=not after.get(chain), events=report.chain_events.get(chain, 0), problem="",
                key=key)  # fmt: skip
        if not full and (standing := standing_problem(chain)):
            report.problem = Problem(
                chain,
                None,
                None,
                f"the full check of {timezone.localtime(standing.checked_at):%d %B %Y %H:%M} found the chain NOT intact "
                f"({standing.problem}) and no full check has found it intact since",
            )
    return report


def _head(chain: str) -> tuple[int, str]:
    block = AuditBlock.objects.filter(chain=chain).order_by("-number").values_list("number", "hash").first()
    return (block[0], bytes(block[1]).hex()) if block else (0, "")


def _check_in_child(hub_id, since: datetime | None) -> Report:
    try:
        return check(hub=hub_id, since=since, workers=1)  # this process is the second core's work
    finally:
        connection.close()


@contextmanager
def checking_alongside(hub, *, since: datetime | None = None):
    """A check of the hub's chain running beside the caller's work: yields something whose `result()` is the
    Report. On PostgreSQL it runs in a forked process (its own connection; mash/forked.py) while this one goes on
    (a return's figures and PDF: bench/returns); on SQLite, or inside a transaction (whose rows another connection
    could not see), it runs here, when its result is first asked for."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield CheckHere(hub, since)
        return
    connections.close_all()  # the forked process opens its own connection; this one reconnects when next used
    try:
        forked = Forked(_check_in_child, getattr(hub, "pk", hub), since)
    except OSError as exc:  # no process to be had (memory, a process limit): the check runs here instead
        log.warning("audit ledger check: could not fork (%s); checking in this process", exc)
        yield CheckHere(hub, since)
        return
    try:
        yield forked
    finally:
        forked.close()


class CheckHere:
    """The check run in this process, when its result is first asked for."""

    def __init__(self, hub, since):
        self.hub, self.since, self._report = hub, since, None

    def result(self) -> Report:
        if self._report is None:
            self._report = check(hub=self.hub, since=self.since)
        return self._report
