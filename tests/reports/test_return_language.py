"""A return in Welsh (docs/adr/0027): the hub's language, or the one the person asking chose; the same figures and
digest as in English, its PDF's text in Welsh and tagged as Welsh."""

import re
from unicodedata import normalize

import pytest
from django.urls import reverse

from reports import services
from reports.models import MonthlyReturn
from tests.mash.test_welsh import _entries
from tests.reports.pdf_text import pdf_objects, pdf_text
from tests.reports.test_build_return import _run
from tests.reports.test_return_views import SEPTEMBER, _hub

pytestmark = pytest.mark.django_db(transaction=True)


def _catalogue_sentences() -> dict[str, str]:
    """The catalogue's English sentences (four words or more, no placeholder) and their Welsh."""
    return {
        e.msgid: e.msgstr
        for e in _entries()
        if not e.msgid_plural and "%" not in e.msgid and "<" not in e.msgid and len(e.msgid.split()) >= 4
    }


# Each page's footer ("North MASH – Medi 2026", "Tudalen 10 o 14"), which pdftotext puts inside a sentence that runs on.
FURNITURE = re.compile(r"North MASH – \S+ \d{4}|(?:Page|Tudalen) \d+ (?:of|o) \d+")


def _letters(text: str) -> str:
    """The text's letters and punctuation only: the PDF's ligatures ("ﬀ" in "ffeiliau") as letters (NFKC), and no
    spaces, line ends or hyphens, which WeasyPrint adds where it breaks a line (it hyphenates Welsh words too)."""
    return re.sub(r"[\s\-\u00ad\u2010]", "", normalize("NFKC", text))


def test_the_same_month_in_english_and_in_welsh_has_the_same_figures_and_digest(tmp_path):
    north = _hub()
    _run("--hub", "north", "--month", "2026-09", "--out", str(tmp_path / "en"), "--language", "en-gb")
    _run("--hub", "north", "--month", "2026-09", "--out", str(tmp_path / "cy"), "--language", "cy")
    english, welsh = MonthlyReturn.objects.filter(hub=north.hub).order_by("created_at")
    assert (english.language, welsh.language) == ("en-gb", "cy")
    assert welsh.figures == english.figures and welsh.figures_digest == english.figures_digest

    english_text, welsh_text = pdf_text(bytes(english.pdf), tmp_path), pdf_text(bytes(welsh.pdf), tmp_path)
    assert re.search(r"Page 2 of \d+", english_text) and re.search(r"Tudalen 2 o \d+", welsh_text)  # the footers
    in_english, in_welsh = _letters(FURNITURE.sub(" ", english_text)), _letters(FURNITURE.sub(" ", welsh_text))
    sentences = {_letters(en): _letters(cy) for en, cy in _catalogue_sentences().items() if cy != en}
    sentences = {en: cy for en, cy in sentences.items() if en in in_english}
    assert len(sentences) >= 5  # the return's headings and explanations, in the catalogue
    assert [en for en in sentences if en in in_welsh] == []
    assert [cy for cy in sentences.values() if cy not in in_welsh] == []
    assert b"/Lang (cy)" in pdf_objects(bytes(welsh.pdf)) and b"/Lang (en-GB)" in pdf_objects(bytes(english.pdf))


def test_a_welsh_hub_files_in_welsh_unless_the_person_asks_for_english(client):
    north = _hub()
    north.hub.language = "cy"
    north.hub.save(update_fields=["language"])
    assert services.return_request(hub=north.hub, month=SEPTEMBER).language == "cy"  # beat's, on the 1st

    client.force_login(north.lead)
    page = reverse("returns", args=[north.hub.id])
    form = client.get(page).content.decode()
    radios = dict(re.findall(r'<input[^>]*name="language"[^>]*value="([^"]+)"([^>]*)>', form))
    assert set(radios) == {"en-gb", "cy"} and "checked" in radios["cy"] and "checked" not in radios["en-gb"]
    assert client.post(page, {"month": "2026-09-01", "language": "en-gb"}).status_code == 302
    assert MonthlyReturn.objects.order_by("-created_at").first().language == "en-gb"


def test_a_hub_in_wales_files_the_wales_words_and_a_month_rebuilt_keeps_its_digest(client, tmp_path):
    """Issue 22 item 4: the outcomes' words follow the procedures the hub follows when the return is built; the
    figures keep the codes (and England's words), so the month rebuilt after the hub changes them has one digest."""
    north = _hub()
    _run("--hub", "north", "--month", "2026-09", "--out", str(tmp_path / "england"), "--language", "en-gb")
    north.hub.procedures = "wales"
    north.hub.save(update_fields=["procedures"])
    _run("--hub", "north", "--month", "2026-09", "--out", str(tmp_path / "wales"), "--language", "en-gb")
    england, wales = MonthlyReturn.objects.filter(hub=north.hub).order_by("created_at")
    assert wales.figures == england.figures and wales.figures_digest == england.figures_digest

    in_england = _letters(FURNITURE.sub(" ", pdf_text(bytes(england.pdf), tmp_path)))
    in_wales = _letters(FURNITURE.sub(" ", pdf_text(bytes(wales.pdf), tmp_path)))
    assert _letters("Safeguarding enquiry (s42)") in in_england and _letters("(s.126)") not in in_england
    assert (
        _letters("Adult at risk enquiry (s.126)") in in_wales and _letters("Safeguarding enquiry (s42)") not in in_wales
    )
    assert _letters("Care and support assessment (s.21)") in in_wales  # the children's, and in the evidence tables

    client.force_login(north.lead)
    page = client.get(reverse("return-detail", args=[north.hub.id, wales.id])).content.decode()
    assert "Adult at risk enquiry (s.126)" in page and "Safeguarding enquiry (s42)" not in page
