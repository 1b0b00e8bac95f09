"""A PDF's text as a reader sees it: pdftotext's words, and a table's row read cell by cell from its layout, however
WeasyPrint wrapped the cells (an agency's name over three lines, "Not recorded" over two); what pdfinfo says of it,
the objects inside it, and how full each page is."""

import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from html import unescape

import pytest

from tests.conftest import ON_CI

# pdftotext -bbox-layout's XHTML, read with patterns (it is our own tool's output; no XML parser needed)
PAGE = re.compile(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', re.S)
LINE = re.compile(r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>', re.S)
WORD = re.compile(r"<word [^>]*>([^<]*)</word>")
CHUNK = re.compile(r"\S+(?: \S+)*")  # words one space apart: a layout line's cells are two or more spaces apart


def pdf_text(pdf: bytes, tmp_path, *, layout: bool = False) -> str:
    """The PDF's text (`layout`: kept where it stands on the page, columns as columns)."""
    if not shutil.which("pdftotext"):
        if ON_CI:
            pytest.fail("CI=true and pdftotext (poppler-utils) is missing")
        pytest.skip("needs pdftotext (apt-get install poppler-utils)")
    path = tmp_path / "return.pdf"
    path.write_bytes(pdf)
    options = ["-layout"] if layout else []
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _chunks(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in CHUNK.finditer(line)]


def table_row(layout: str, name: str, *, after: str) -> list[str]:
    """The cells of the first row headed `name` that follows the text `after`, from `pdftotext -layout` text: a row
    is the lines down to the next blank line; a cell's words on later lines join the cell they stand under."""
    lines = layout[layout.index(after) :].splitlines()
    for i, line in enumerate(lines):
        first = _chunks(line)
        if not first or not name.startswith(first[0][2]):
            continue
        left = first[0][0]
        cells = [[text] for _, _, text in first]
        for more in lines[i + 1 :]:
            if not more.strip():
                break
            for start, end, text in _chunks(more):
                column = 0 if abs(start - left) <= 1 else _under(first, start, end)
                cells[column].append(text)
        if " ".join(cells[0]) == name:
            return [" ".join(words) for words in cells]
    raise AssertionError(f"no row {name!r} after {after!r}")


def _under(first: list[tuple[int, int, str]], start: int, end: int) -> int:
    """The column of the first line a wrapped word stands under: the one it overlaps most, else the nearest."""
    overlap = [min(end, e) - max(start, s) for s, e, _ in first]
    if max(overlap) > 0:
        return overlap.index(max(overlap))
    middle = (start + end) / 2
    return min(range(len(first)), key=lambda c: abs((first[c][0] + first[c][1]) / 2 - middle))


def _poppler(tool: str) -> str:
    if not shutil.which(tool):
        if ON_CI:
            pytest.fail(f"CI=true and {tool} (poppler-utils) is missing")
        pytest.skip(f"needs {tool} (apt-get install poppler-utils)")
    return tool


def pdf_info(pdf: bytes, tmp_path, *options: str) -> str:
    """`pdfinfo`'s answer: "Tagged: yes", the title; with -meta the XMP metadata, with -struct-text the tag tree."""
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    return subprocess.run([_poppler("pdfinfo"), *options, str(path)], capture_output=True, text=True, check=True).stdout


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects as text a test can search: the file, and every compressed stream inflated (WeasyPrint keeps
    the catalog and the structure tree in compressed object streams)."""
    parts = [pdf]
    for start in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[start.end() :]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def pdf_string(raw: bytes) -> str:
    """A PDF string object's text: `(literal)` or `<FEFF…>` (UTF-16, as pydyf writes text that is not ASCII)."""
    if raw.startswith(b"<"):
        return bytes.fromhex(raw[1:-1].decode()).decode("utf-16")
    text = raw[1:-1]
    return re.sub(rb"\\([()\\])", rb"\1", text).decode("latin-1")


@dataclass
class Page:
    number: int
    fill: float  # how far down the page's text area the lowest text reaches, 0 to 1
    first_line: str
    last_line: str


def pdf_pages(pdf: bytes, tmp_path, *, margins_mm: tuple[float, float] = (20, 22)) -> list[Page]:
    """Each page's fill and its first and last lines of text, from `pdftotext -bbox-layout`; the running footer (in
    the bottom margin, `margins_mm` being the print style's top and bottom margins) is not content."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [_poppler("pdftotext"), "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    top, bottom = (mm * 72 / 25.4 for mm in margins_mm)
    pages = []
    for number, (height, body) in enumerate(PAGE.findall(out), start=1):
        height = float(height)
        lines = [
            (float(y_min), float(y_max), " ".join(unescape(w) for w in WORD.findall(words)))
            for y_min, y_max, words in LINE.findall(body)
            if float(y_min) < height - bottom
        ]
        lines.sort()
        fill = (max(y for _, y, _ in lines) - top) / (height - top - bottom) if lines else 0.0
        pages.append(Page(number, round(fill, 3), lines[0][2] if lines else "", lines[-1][2] if lines else ""))
    return pages


STRUCT_LINE = re.compile(r'^( *)(?:(TR|TH|TD)\b|"(.*)"$)')


class Row(list):
    """A table row's cells' text; `kinds` says which are header cells (TH) and which data cells (TD)."""

    kinds: list[str]


def pdf_table_rows(pdf: bytes, tmp_path) -> list[Row]:
    """Every table row as assistive technology reads it from the tag tree (`pdfinfo -struct-text`): each TH and TD's
    text, a cell wrapped over lines joined by spaces (by nothing after a hyphen). (pdftotext's own reading drops the space of "0 %" between
    one-letter words; the tree keeps the text as written.)"""
    rows: list[Row] = []
    row_indent = cell_indent = None
    for line in pdf_info(pdf, tmp_path, "-struct-text").splitlines():
        match = STRUCT_LINE.match(line)
        indent = len(line) - len(line.lstrip())
        if row_indent is not None and indent <= row_indent and not (match and match[2] == "TR"):
            row_indent = cell_indent = None
        if not match:
            continue
        if match[2] == "TR":
            rows.append(Row())
            rows[-1].kinds = []
            row_indent, cell_indent = indent, None
        elif match[2] and row_indent is not None:
            rows[-1].append("")
            rows[-1].kinds.append(match[2])
            cell_indent = indent
        elif match[3] is not None and cell_indent is not None and indent > cell_indent:
            joiner = "" if rows[-1][-1].endswith("-") else " "  # "Co-" / "located": a line broken at its hyphen
            rows[-1][-1] = " ".join(f"{rows[-1][-1]}{joiner}{match[3]}".split())
    return rows
