"""A PDF's text as a reader sees it: pdftotext's words, and a table's row read cell by cell from its layout, however
WeasyPrint wrapped the cells (an agency's name over three lines, "Not recorded" over two)."""

import re
import shutil
import subprocess

import pytest

from tests.conftest import ON_CI

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
