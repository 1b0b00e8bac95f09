"""python manage.py build_return --hub SLUG --month YYYY-MM --out DIR [--language cy|en-gb]

Builds the hub's return for the month as the worker does (reports.services: `return_request` as beat asks, then
`return_build` here, synchronously: seal, verify, compute, draw) and writes its PDF, CSV and JSON into DIR as
`<slug>-<YYYY-MM>.pdf`, `.csv` and `.json` (each recorded in the audit trail as a download). Prints the paths and the
figures' digest. The PDF is in the hub's language unless `--language` names the other (the figures and their digest
are the same in either). A month that has not started, an unknown hub or a folder it cannot write to stop it before anything
is built; a build that fails (the ledger not intact, an error) exits 1 with the reason, and the failed return stays
on the returns page as the worker's would."""

import os
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.events.actions import AuditAction
from audit.services import log_read
from reports import exports, services
from reports.management.hubs import hub_by_slug
from reports.models import ReturnState

SEAL_TRIES = 5  # a month's last events in no block yet (PostgreSQL: a transaction still open): wait and try again
SEAL_WAIT_SECONDS = 3


def _month(text: str) -> date:
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        first = date(int(year), int(month), 1)
    except ValueError:
        raise CommandError(f"--month must be a month as YYYY-MM (2026-09), not {text!r}") from None
    if not services.month_has_started(first):
        raise CommandError(f"{first:%B %Y} has not started: a return cannot cover the future")
    return first


def _folder(text: str) -> Path:
    folder = Path(text)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"Cannot make the folder {text}: {exc.strerror}") from None
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise CommandError(f"Cannot write into {text}: not a folder this user may write to")
    return folder


def _build(row):
    for attempt in range(SEAL_TRIES):
        try:
            services.return_build(return_id=row.pk)
        except services.NotSealedYet:
            if attempt == SEAL_TRIES - 1:
                raise CommandError(
                    "The month's last events are not sealed yet (a transaction was still open); the return stays "
                    "queued for the worker, or run this again in a minute"
                ) from None
            time.sleep(SEAL_WAIT_SECONDS)
            continue
        except Exception as exc:  # noqa: BLE001 - return_build has failed the return and recorded why
            row.refresh_from_db()
            raise CommandError(f"The return could not be built: {row.error or type(exc).__name__}") from None
        break
    row.refresh_from_db()
    return row


class Command(BaseCommand):
    help = "Build a hub's monthly return now and write its PDF, CSV and JSON into a folder."

    def add_arguments(self, parser):
        parser.add_argument("--hub", required=True, help="the hub's slug")
        parser.add_argument("--month", required=True, help="the month, YYYY-MM (one that has started)")
        parser.add_argument("--out", required=True, help="the folder to write into (made if missing)")
        parser.add_argument(
            "--language", default="", choices=[code for code, _ in settings.LANGUAGES],
            help="the PDF's language (default: the hub's)",
        )  # fmt: skip

    def handle(self, *args, hub, month, out, language="", **options):
        month = _month(month)
        hub = hub_by_slug(hub)
        folder = _folder(out)
        row = _build(services.return_request(hub=hub, month=month, language=language))
        if row.state != ReturnState.READY:
            raise CommandError(f"The return could not be built: {row.error or row.get_state_display()}")
        stem = f"{hub.slug}-{month:%Y-%m}"
        bodies = {
            "pdf": bytes(row.pdf),
            "csv": exports.return_csv(row).encode(),
            "json": exports.return_json(row).encode(),
        }
        for fmt, body in bodies.items():
            path = folder / f"{stem}.{fmt}"
            try:
                path.write_bytes(body)
            except OSError as exc:
                raise CommandError(f"Cannot write {path}: {exc.strerror}") from None
            log_read(
                AuditAction.RETURN_EXPORTED, hub=hub, object_type="reports.monthlyreturn", ids=[row.pk],
                month=f"{month:%Y-%m}", format=fmt,
            )  # fmt: skip
            self.stdout.write(str(path))
        provisional = " (provisional: the month has not ended)" if row.figures.get("provisional") else ""
        self.stdout.write(f"Figures digest: {row.figures_digest}{provisional}")
