"""CSV that spreadsheets cannot turn into formulas: a cell starting with =, +, -, @, tab or carriage return is
prefixed with an apostrophe (OWASP's advice for CSV injection)."""

import csv
import io

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def rows_to_csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()
