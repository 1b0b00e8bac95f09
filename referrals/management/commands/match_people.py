"""Match the people of a CSV file against each other with the hub's scorer (referrals/person_match.py):

    python manage.py match_people IN.csv OUT.csv

IN.csv has a header with record_id, given_name, family_name, date_of_birth (YYYY-MM-DD or empty), postcode and
nhs_number (address optional). OUT.csv gets record_id_a, record_id_b, score, verdict (match or possible) for each
pair found, highest score first. Bad rows are all reported, each by its line, and nothing is written."""

import csv
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referrals.person_blocking import match_records
from referrals.person_match import PersonRecord

REQUIRED = ("record_id", "given_name", "family_name", "date_of_birth", "postcode", "nhs_number")
OUTPUT = ("record_id_a", "record_id_b", "score", "verdict", "reasons")


def read_records(path: Path) -> list[PersonRecord]:
    """The file's records, or a CommandError naming every bad row."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
        if missing:
            raise CommandError(f"{path}: the header lacks {', '.join(missing)} (it needs {', '.join(REQUIRED)})")
        records, errors, seen = [], [], set()
        try:
            for row in reader:
                line = reader.line_num
                record_id = (row.get("record_id") or "").strip()
                born = (row.get("date_of_birth") or "").strip()
                if not record_id:
                    errors.append(f"row {line}: record_id is empty")
                elif record_id in seen:
                    errors.append(f"row {line}: record_id {record_id} appears more than once")
                seen.add(record_id)
                try:
                    date_of_birth = date.fromisoformat(born) if born else None
                    if born and len(born) != 10:
                        raise ValueError
                except ValueError:
                    errors.append(f"row {line}: date_of_birth is not a date like 2015-03-09 (it is {born!r})")
                    continue
                nhs = "".join((row.get("nhs_number") or "").split())
                if nhs and not nhs.isdigit():
                    errors.append(f"row {line}: nhs_number has characters other than digits and spaces")
                records.append(
                    PersonRecord(
                        record_id=record_id,
                        given_name=(row.get("given_name") or "").strip(),
                        family_name=(row.get("family_name") or "").strip(),
                        date_of_birth=date_of_birth,
                        postcode=(row.get("postcode") or "").strip(),
                        nhs_number=nhs,
                        address=(row.get("address") or "").strip(),
                    )
                )
        except (csv.Error, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: not a readable UTF-8 CSV file near line {reader.line_num} ({error})") from None
    if errors:
        raise CommandError(f"{path}: {len(errors)} bad row(s), nothing written:\n" + "\n".join(errors))
    return records


def match_rows(records: list[PersonRecord]) -> list[tuple[str, str, float, str, str]]:
    rows = []
    for a, b, result in match_records(records):
        first, second = sorted((a.record_id, b.record_id))
        rows.append((first, second, result.score, result.verdict, "; ".join(result.reasons)))
    return sorted(rows, key=lambda row: (-row[2], row[0], row[1]))


class Command(BaseCommand):
    help = "Match the people of a CSV file against each other; write the pairs found (match or possible)."

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path, help="CSV: " + ", ".join(REQUIRED) + " (address optional)")
        parser.add_argument("output", type=Path, help="CSV written: " + ", ".join(OUTPUT))

    def handle(self, *args, input, output, **options):
        records = read_records(input)
        rows = match_rows(records)
        try:
            with output.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(OUTPUT)
                writer.writerows(rows)
        except OSError as error:
            raise CommandError(f"{output}: cannot be written ({error.strerror})") from None
        matches = sum(1 for row in rows if row[3] == "match")
        self.stdout.write(
            f"{len(records)} records: {matches} match(es), {len(rows) - matches} possible, written to {output}"
        )
