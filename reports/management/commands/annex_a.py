"""python manage.py annex_a --hub SLUG --from YYYY-MM-DD --to YYYY-MM-DD OUT.xlsx

Writes the hub's Ofsted Annex A workbook (lists 1, 3 and 5, reports/annex_a_workbook.py) for the dates (inclusive, no
more than twelve months) to OUT.xlsx, and records the export in the audit trail as the page does (by the system)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.annex_a_workbook import annex_a_export
from reports.forms import range_problem
from reports.management.hubs import hub_by_slug


def _day(text: str, which: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--{which} must be a date as YYYY-MM-DD, not {text!r}") from None


class Command(BaseCommand):
    help = "Write a hub's Ofsted Annex A workbook (lists 1, 3 and 5) for a range of dates."

    def add_arguments(self, parser):
        parser.add_argument("--hub", required=True, help="the hub's slug")
        parser.add_argument("--from", dest="since", required=True, help="the first date, YYYY-MM-DD")
        parser.add_argument("--to", dest="until", required=True, help="the last date (inclusive), YYYY-MM-DD")
        parser.add_argument("out", help="the workbook to write, e.g. annex-a.xlsx")

    def handle(self, *args, hub, since, until, out, **options):
        since, until = _day(since, "from"), _day(until, "to")
        problem = range_problem(since, until)
        if problem:
            raise CommandError(problem)
        path = Path(out)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"{out} must end in .xlsx: it is an Excel workbook")
        if not path.parent.is_dir():
            raise CommandError(f"There is no folder {path.parent} to write {path.name} into")
        hub = hub_by_slug(hub)
        export = annex_a_export(hub=hub, since=since, until=until)
        try:
            path.write_bytes(export.content)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}") from None
        self.stdout.write(f"Wrote {out}: {export.rows} rows (lists 1, 3 and 5) for {hub.name}, {since} to {until}")
