"""The ledger heads a return covers, and the check every build makes that earlier returns' heads still hold.

A return keeps its hub's chain head as signed when it was built (`MonthlyReturn.heads`, audit/anchor.py's form).
Before the next build uses the ledger, every earlier ready return's heads (and its covered block) must still be the
ledger's blocks, and the signed-heads log must verify and match the ledger for the hub's chain: a chain rebuilt by
whoever owns the database differs from both at the first block it changed.
"""

from django.utils import timezone

from audit import anchor
from audit.models import AuditBlock
from audit.verify import Problem
from reports.models import MonthlyReturn, ReturnState


def recorded_heads(row: MonthlyReturn) -> list[tuple[int, str, str]]:
    """(block number, hash, what recorded it) for a return: its covered block and its signed head."""
    what = (
        f"the {row.month:%B %Y} return (built {timezone.localtime(row.built_at):%d %B %Y %H:%M})"
        if row.built_at
        else "a return"
    )
    heads = []
    if row.block_number and row.block_hash:
        heads.append((row.block_number, row.block_hash, what))
    head = (row.heads or {}).get("hub")
    if head:
        heads.append((head["block"], head["hash"], what))
    return heads


def earlier_returns_problem(hub) -> Problem | None:
    """The lowest block that an earlier ready return of the hub recorded and the ledger no longer has as recorded."""
    chain = str(hub.pk)
    recorded = [
        head
        for row in MonthlyReturn.objects.filter(hub=hub, state=ReturnState.READY).only(
            "month", "built_at", "block_number", "block_hash", "heads"
        )
        for head in recorded_heads(row)
    ]
    if not recorded:
        return None
    blocks = dict(
        AuditBlock.objects.filter(chain=hub.pk, number__in={n for n, _, _ in recorded}).values_list("number", "hash")
    )
    for number, hex_hash, what in sorted(recorded):
        have = blocks.get(number)
        if have is None:
            return Problem(chain, number, None, f"{what} recorded this block; the ledger no longer has it")
        if bytes(have).hex() != hex_hash:
            return Problem(
                chain,
                number,
                None,
                f"{what} recorded hash {hex_hash[:16]}…; the ledger's is now {bytes(have).hex()[:16]}…: "
                "the chain was rebuilt at or before this block",
            )
    return None


def anchored_problem(hub) -> str | None:
    """What stops a build: a mismatch with earlier returns or with the signed-heads log (None when both hold)."""
    problems = [earlier_returns_problem(hub)]
    if anchor.signing_key() is not None:
        anchor.publish()  # heads sealed but not yet logged are appended first, if they extend the logged chain
        problems.append(anchor.check(chain=hub.pk).problem)
    problems = [p for p in problems if p is not None]
    return f"audit ledger NOT intact: {min(problems)}" if problems else None  # the first block that differs
