"""What a person reads is words: no template source (a `{# … #}` comment over two lines is text to Django, not a
comment) and no code (`parent_carer`, `own_home`, `early_help`) on any page of a full journey, as each person would
open it; and every template of the service rendered on its own leaks no template source either."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template.loader import get_template

from tests.journey import build_journey

pytestmark = pytest.mark.django_db

TEMPLATE_SOURCE = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def visible_text(page: str) -> str:
    """The words a person sees or hears: tags (with their attributes), scripts and styles removed."""
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    labels = " ".join(re.findall(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"', page))
    return unescape(re.sub(r"<[^>]+>", " ", page) + " " + labels)


def _journey_pages(client, mash):
    journey = build_journey(client, mash)
    for who, pages in journey.pages.items():
        client.force_login(journey.people[who])
        for name, url in pages:
            response = client.get(url)
            assert response.status_code == 200, f"{who}: {name} ({url}) answered {response.status_code}"
            yield who, name, visible_text(response.content.decode())


def test_no_page_of_a_full_journey_shows_template_source_or_a_code(client, mash):
    leaks, codes = [], []
    for who, name, text in _journey_pages(client, mash):
        leaks += [
            f"{who}: {name}: …{text[max(m.start() - 40, 0) : m.end() + 40]!r}…" for m in TEMPLATE_SOURCE.finditer(text)
        ]
        codes += [f"{who}: {name}: {code}" for code in sorted(set(CODE.findall(text)))]
        assert "(optional) (optional)" not in text, f"{who}: {name}"
    assert not leaks, "template source shown:\n" + "\n".join(leaks)
    assert not codes, "codes shown:\n" + "\n".join(codes)


def _templates() -> list[tuple[Path, str]]:
    """Every template of the service (the project's folder and each of its apps'), with its name."""
    base = Path(settings.BASE_DIR)
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [Path(app.path) / "templates" for app in apps.get_app_configs() if base in Path(app.path).parents]
    return sorted(
        (path, str(path.relative_to(root)))
        for root in roots
        if root.is_dir()
        for path in root.rglob("*")
        if path.suffix in {".html", ".txt", ".svg"}
    )


def test_every_comment_in_a_template_is_a_real_comment():
    """Django's `{# #}` ends on its own line; a comment over several lines must be `{% comment %}`."""
    wrong = [
        f"{name}:{number}"
        for path, name in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.count("{#") != line.count("#}")
    ]
    assert not wrong, "a {# comment #} over several lines shows as text: " + ", ".join(wrong)


def test_every_template_rendered_on_its_own_leaks_no_template_source():
    """Each template (the partials and includes too) rendered with an empty context: what renders shows no source.
    A template that needs its view's context to render at all is read by the journey test above."""
    rendered, leaks = 0, []
    for _, name in _templates():
        try:
            text = get_template(name).render({})
        except Exception:  # noqa: BLE001, S112 - needs its view's context
            continue
        rendered += 1
        if TEMPLATE_SOURCE.search(visible_text(text)):
            leaks.append(name)
    assert rendered > 30, f"only {rendered} templates rendered on their own"
    assert not leaks, leaks
