"""The return as an A4 PDF drawn by WeasyPrint from `templates/reports/return_pdf.html`.

WeasyPrint fetches whatever a document names (stylesheets, images, fonts). Its fetcher here serves only the
project's own static files, under the `mash-static:` scheme, and refuses every other URL: no network, no file
outside the static folders. Everything the template prints comes through Django's escaping, so text from users
(hub, agency and threshold names, the lead's commentary) can never add an element that would fetch anything.

The PDF is tagged PDF/UA-1 (`PDF_VARIANT`); tests/reports/test_return_pdf.py reads it back with poppler's tools.
"""

import logging
import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from mash.memory import collector_paused
from reports.charts import return_charts
from reports.suppression import RULE, for_viewer

SCHEME = "mash-static:"
# Tagged PDF for assistive technology (ISO 14289-1): WeasyPrint writes the structure tree (headings, tables with
# their header cells, figures with the SVG's <title> as alternative text), the language from <html lang>, the title
# from <title> shown as the window's title, and pdfuaid:part 1 in the XMP metadata.
PDF_VARIANT = "pdf/ua-1"
log = logging.getLogger(__name__)


class StaticOnlyFetcher(URLFetcher):
    """Serve `mash-static:/path` from the static folders; refuse anything else (and log it)."""

    def __init__(self):
        super().__init__(allowed_protocols=[], fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path = static_path(url)
        if path is None:
            self.refused.append(url)
            log.warning("PDF fetcher refused %s", url[:200])
            raise ValueError(f"Only the project's static files may be fetched, not {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def static_path(url: str) -> Path | None:
    """The file a `mash-static:` URL names, if it lies inside a static folder; None for anything else."""
    if not url.startswith(SCHEME):
        return None
    relative = url[len(SCHEME) :].split("?")[0].split("#")[0].lstrip("/")
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if not found:
        return None
    path = Path(found).resolve()
    roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
    if not any(path.is_relative_to(root) for root in roots) or not path.is_file():
        return None
    return path


def page_numbers() -> str:
    """The footer's "Page 3 of 14" in the active language, as CSS content: the text quoted, the numbers counters."""
    parts = re.split(r"(%\((?:page|pages)\)s)", gettext("Page %(page)s of %(pages)s"))
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    quoted = (counters.get(part) or '"{}"'.format(re.sub(r'["\\<>\n]', "", part)) for part in parts if part)
    return " ".join(quoted)


def html(row, *, charts=None, exact: bool = True) -> str:
    """The return's HTML for the PDF: exact figures (the build's PDF, a manager's) or suppressed (a lead's)."""
    figures = for_viewer(row.figures, exact)
    return render_to_string(
        "reports/return_pdf.html",
        {
            "row": row,
            "figures": figures,
            "charts": charts or return_charts(figures),
            "static": SCHEME + "/",
            "suppressed": not exact,
            "rule": RULE,
            "procedures": row.hub.procedures,  # the outcomes' words, as the hub follows them when it is built
        },  # fmt: skip
    )


def render(row, fetcher: StaticOnlyFetcher | None = None, *, exact: bool = True) -> bytes:
    """The return's PDF in its language (whoever downloads it): the same figures in English or Welsh."""
    fetcher = fetcher or StaticOnlyFetcher()
    with collector_paused(), translation.override(row.language or settings.LANGUAGE_CODE):  # WeasyPrint's boxes
        document = HTML(string=html(row, exact=exact), base_url=SCHEME + "/", url_fetcher=fetcher)
        footer = CSS(
            string=f"@page {{ @bottom-right {{ content: {page_numbers()}; }} }}"
        )  # a user sheet: the print CSS's blank first page wins
        return document.write_pdf(pdf_variant=PDF_VARIANT, stylesheets=[footer])
