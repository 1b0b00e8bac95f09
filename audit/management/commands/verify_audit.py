"""python manage.py verify_audit [--hub ID] [--since DATE | --incremental | --record] [--published [FILE]]
                                [--public-key KEY]

Exit 0 with a one-line summary when the ledger is intact; exit 1 naming the first bad block and event when not.
A published file holds one head per line, `<chain> <block number> <hash>`, as `--print-heads` writes them.
`--published` with no file (or `--published-log`) checks the signed-heads log (AUDIT_HEADS_LOG, audit/anchor.py):
every line's signature, with the configured key or `--public-key` (base64 or a PEM file), and every head matched
with the ledger's block; heads the log lacks are appended first when the private key is at hand.

`--incremental` recomputes only the blocks sealed after each chain's last verified, signed head and records the
check; `--record` recomputes every block and records the check (a full check found intact clears an earlier full
check's NOT intact). Both need the signing key (audit/ledger_checks.py).
"""

import sys
import uuid
from datetime import datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit import anchor, ledger_checks
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


LOG = "\0log"  # --published given without a file


def _public_key(value: str | None):
    if not value:
        return None
    path = Path(value)
    data = path.read_bytes() if path.is_file() else value.encode()
    try:
        return anchor.load_public(data)
    except anchor.SigningKeyError as exc:
        raise CommandError(f"--public-key: {exc}") from None


class Command(BaseCommand):
    help = "Recompute every sealed block of the audit ledger and check the chain."

    def add_arguments(self, parser):
        parser.add_argument("--hub", help="Verify only this hub's chain (its id).")
        parser.add_argument("--since", help="Recompute only blocks sealed on or after this date (YYYY-MM-DD).")
        parser.add_argument(
            "--published",
            nargs="?",
            const=LOG,
            help="A file of previously published head hashes to check; with no file, the signed-heads log.",
        )
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Recompute only the blocks after each chain's last verified head, and record the check.",
        )
        parser.add_argument("--record", action="store_true", help="Recompute every block and record the check.")
        parser.add_argument("--published-log", action="store_true", help="Check the signed-heads log.")
        parser.add_argument("--public-key", help="With the log: the public key (base64, or a PEM file) to check with.")
        parser.add_argument("--print-heads", action="store_true", help="Also print each chain's head for publishing.")

    def handle(self, *args, hub=None, since=None, published=None, print_heads=False, **options):
        use_log = published == LOG or options.get("published_log")
        published = None if published == LOG else published
        public = _public_key(options.get("public_key")) if use_log else None
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
        recorded = options.get("incremental") or options.get("record")
        if recorded and (since or published):
            raise CommandError("--incremental and --record check from the recorded heads: not with --since or a file")
        if recorded:
            try:
                anchor.signing_key(required=True)
            except anchor.SigningKeyError as exc:
                raise CommandError(f"a recorded check is signed: {exc}") from None
            report = ledger_checks.check(hub=hub, full=bool(options.get("record")))
        else:
            report = verify(hub=hub, since=since, published=_published(published) if published else ())
        if not report.intact:
            self.stderr.write(report.summary())
            sys.exit(1)
        self.stdout.write(report.summary())
        if use_log:
            try:
                if public is None:
                    anchor.publish()  # heads sealed but not yet logged (a failed append, a process that died)
                logged = anchor.check(chain=hub, public=public)
            except anchor.SigningKeyError as exc:
                raise CommandError(str(exc)) from None
            if logged.problem:
                self.stderr.write(logged.summary())
                sys.exit(1)
            self.stdout.write(logged.summary())
        if print_heads:
            for chain, (number, hex_hash) in sorted(report.heads.items()):
                self.stdout.write(f"{'global' if chain == NIL_CHAIN else chain} {number} {hex_hash}")
