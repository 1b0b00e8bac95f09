"""python manage.py verify_audit [--hub ID] [--since DATE] [--published FILE]

Exit 0 with a one-line summary when the ledger is intact; exit 1 naming the first bad block and event when not.
A published file holds one head per line, `<chain> <block number> <hash>`, as `--print-heads` writes them.
"""

import sys
import uuid
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import NIL_CHAIN
from audit.verify import verify


def _published(path: str) -> list[tuple[str, int, str]]:
    heads = []
    try:
        lines = open(path).read().splitlines()  # noqa: SIM115
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, start=1):
        line = line.split("#")[0].strip()
        if not line:
            continue
        parts = line.split()
        try:
            chain, block, hex_hash = parts
            chain = NIL_CHAIN if chain == "global" else str(uuid.UUID(chain))
            heads.append((chain, int(block), hex_hash))
        except ValueError:
            raise CommandError(f"{path} line {number}: expected '<chain> <block number> <hash>'") from None
    return heads


class Command(BaseCommand):
    help = "Recompute every sealed block of the audit ledger and check the chain."

    def add_arguments(self, parser):
        parser.add_argument("--hub", help="Verify only this hub's chain (its id).")
        parser.add_argument("--since", help="Recompute only blocks sealed on or after this date (YYYY-MM-DD).")
        parser.add_argument("--published", help="A file of previously published head hashes to check.")
        parser.add_argument("--print-heads", action="store_true", help="Also print each chain's head for publishing.")

    def handle(self, *args, hub=None, since=None, published=None, print_heads=False, **options):
        if hub:
            try:
                hub = uuid.UUID(hub)
            except ValueError:
                raise CommandError("--hub takes a hub's id (a UUID)") from None
        if since:
            try:
                since = timezone.make_aware(datetime.combine(datetime.strptime(since, "%Y-%m-%d").date(), time()))
            except ValueError:
                raise CommandError("--since takes a date, YYYY-MM-DD") from None
        report = verify(hub=hub, since=since, published=_published(published) if published else ())
        if not report.intact:
            self.stderr.write(report.summary())
            sys.exit(1)
        self.stdout.write(report.summary())
        if print_heads:
            for chain, (number, hex_hash) in sorted(report.heads.items()):
                self.stdout.write(f"{'global' if chain == NIL_CHAIN else chain} {number} {hex_hash}")
