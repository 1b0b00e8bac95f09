"""The Annex A export: the workbook (one sheet per list, `List 1`, `List 3`, `List 5`) or one list as CSV, for a
hub and a range of dates, with its download recorded in the audit trail (the referrals in it). The inspection-lists
page and `manage.py annex_a` both call `annex_a_export`.

A sheet is the template's headings (bold, the row frozen) and one row per child; dates are date cells shown
dd/mm/yyyy, counts are numbers, and text that a spreadsheet would read as a formula (=, +, -, @ …) starts with an
apostrophe, as in the CSV (mash/csvsafe.py)."""

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from audit.events.actions import AuditAction
from audit.services import log_read
from mash.csvsafe import cell as safe_text
from reports.annex_a import LISTS, AnnexList, list_csv

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
DATE_FORMAT = "dd/mm/yyyy"
WORKBOOK_LISTS = (1, 3, 5)


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str
    rows: int


def _sheet(book: Workbook, annex: AnnexList, rows) -> None:
    sheet = book.create_sheet(annex.sheet)
    sheet.append(annex.headings)
    for heading in sheet[1]:
        heading.font = Font(bold=True)
        heading.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for place, column in enumerate(annex.columns, start=1):
        sheet.column_dimensions[get_column_letter(place)].width = column.width
    for row in rows:
        values = [ILLEGAL_CHARACTERS_RE.sub("", safe_text(v)) if isinstance(v, str) else v for v in annex.values(row)]
        sheet.append(values)
        for cell, value in zip(sheet[sheet.max_row], values, strict=True):
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT


def workbook(tables: list[tuple[AnnexList, list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for annex, rows in tables:
        _sheet(book, annex, rows)
    book.properties.title = "Ofsted inspection lists (Annex A)"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def annex_a_export(*, hub, since: date, until: date, number: int | None = None) -> Export:
    """The workbook of lists 1, 3 and 5 (`number` None), or list `number` as CSV; the download is audited with every
    referral in it (once each), as a read by whoever is acting (the manager, or the system for the command)."""
    numbers = WORKBOOK_LISTS if number is None else (number,)
    tables = [(LISTS[n], LISTS[n].select(hub, since, until)) for n in numbers]
    ids = list(dict.fromkeys(row.referral_id for _, rows in tables for row in rows))
    facts = {"since": since.isoformat(), "until": until.isoformat()}
    name = f"{hub.slug}-{since.isoformat()}-{until.isoformat()}"
    if number is None:
        content, content_type, filename = workbook(tables), XLSX, f"ofsted-annex-a-{name}.xlsx"
        facts["format"] = "xlsx"
    else:
        annex, rows = tables[0]
        content, content_type = list_csv(annex, rows).encode(), CSV
        filename = f"ofsted-list-{number}-{name}.csv"
        facts.update(format="csv", list=number)
    log_read(AuditAction.INSPECTION_LIST_EXPORTED, hub=hub, object_type="referrals.referral", ids=ids, **facts)
    return Export(content, content_type, filename, sum(len(rows) for _, rows in tables))
