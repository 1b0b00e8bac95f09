"""What a person reads is words: no template source (a `{# … #}` comment over two lines is text to Django, not a
comment) and no code (`parent_carer`, `own_home`, `early_help`, a threshold level called "Specialist" from its code
where the hub names it otherwise) on any page of a full journey, as each person would open it, nor in any email it
sends; and every template of the service rendered on its own leaks no template source either."""

import csv
import io
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from audit.events.records import RECORD_TYPES
from audit.models import AuditEvent
from referrals.deadlines import deadlines_sweep, notices_deliver
from tests.dates import typed_dates
from tests.journey import CODE_WORDS, build_journey

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


def _codes_in(where: str, text: str) -> list[str]:
    """Each code `text` shows: a snake_case value, or a threshold level named by its code's words ("Specialist")
    where the hub has its own name for it (tests/journey.py)."""
    return [f"{where}: {code}" for code in sorted(set(CODE.findall(text)) | set(CODE_WORDS.findall(text)))]


def _source_in(where: str, text: str) -> list[str]:
    return [f"{where}: …{text[max(m.start() - 40, 0) : m.end() + 40]!r}…" for m in TEMPLATE_SOURCE.finditer(text)]


def test_no_page_of_a_full_journey_shows_template_source_or_a_code(client, mash):
    leaks, codes = [], []
    for who, name, text in _journey_pages(client, mash):
        leaks += _source_in(f"{who}: {name}", text)
        codes += _codes_in(f"{who}: {name}", text)
        assert "(optional) (optional)" not in text, f"{who}: {name}"
    assert not leaks, "template source shown:\n" + "\n".join(leaks)
    assert not codes, "codes shown:\n" + "\n".join(codes)
    # The audit trail names each record's type in words: every type the journey wrote to the ledger has them.
    written = set(AuditEvent.objects.exclude(object_type="").values_list("object_type", flat=True))
    assert written - set(RECORD_TYPES) == set()


def test_every_email_of_a_full_journey_is_in_words(client, mash):
    """The alert of immediate risk, the returned decision, every deadline breached (the hub's, each agency's) and a
    password reset: what each person reads in their inbox."""
    journey = build_journey(client, mash)
    for who, person in journey.people.items():
        person.email = f"{who.replace(' ', '.')}@example.org"
        person.save(update_fields=["email"])
    deadlines_sweep(now=timezone.now() + timedelta(days=60))
    notices_deliver()
    client.logout()
    client.post(reverse("password_reset"), {"email": "practitioner@example.org"})

    subjects = "\n".join(m.subject for m in mail.outbox)
    for news in ("immediate risk", "returned your proposed decision", "deadline breached", "password"):
        assert news in subjects, f"no email says {news!r}:\n{subjects}"
    leaks, codes = [], []
    for email in mail.outbox:
        leaks += _source_in(email.subject, email.subject + "\n" + email.body)
        codes += _codes_in(email.subject, email.subject + "\n" + email.body)
    assert not leaks, "template source sent:\n" + "\n".join(leaks)
    assert not codes, "codes sent:\n" + "\n".join(codes)


def test_the_headings_of_the_csv_files_people_open_are_words(client, mash):
    """The audit trail and Ofsted's inspection lists are opened in a spreadsheet by the manager: their headings are
    words, capitalised. (A monthly return's CSV is for machines, with its JSON: codes and figures as computed.)"""
    client.force_login(mash.manager)
    h = mash.hub.id
    march = typed_dates({"since": "2026-03-01", "until": "2026-03-31"}, "since", "until")
    downloads = {
        "audit trail": client.get(reverse("audit-trail-csv", args=[h])),
        "list 1": client.get(reverse("inspection-lists", args=[h]), {"list": "1", **march}),
        "list 3": client.get(reverse("inspection-lists", args=[h]), {"list": "3", **march}),
    }
    for name, response in downloads.items():
        assert response["Content-Type"].startswith("text/csv"), name
        headings = next(csv.reader(io.StringIO(response.content.decode())))
        codes = [h for h in headings if CODE.search(h) or "." in h or not h[:1].isupper()]
        assert len(headings) > 5 and not codes, f"{name}: {codes}"


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
