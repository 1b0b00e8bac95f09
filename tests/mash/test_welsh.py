"""Cymraeg (docs/adr/0027): the Welsh catalogue is complete and compiled, the header's switch changes the language and
keeps it for the person, and a page in Welsh shows no English sentence that the catalogue translates."""

import gettext
import re
from html import unescape
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from agencies.models import CoreDocument, LanguagePreference, Role
from tests.factories import HubFactory, member
from tests.journey import build_journey

CATALOGUES = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES"
PO = CATALOGUES / "django.po"
JS_PO = CATALOGUES / "djangojs.po"  # the scripts' texts (static/js), served by /jsi18n/
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%%")
TAG = re.compile(r"</?[a-z]+")
PASSWORD = "correct horse battery staple"


def _entries(po=PO):
    return [e for e in polib.pofile(str(po)) if not e.obsolete]


both_catalogues = pytest.mark.parametrize("po", [PO, JS_PO], ids=["pages", "scripts"])


@both_catalogues
def test_every_text_has_its_welsh(po):
    entries = _entries(po)
    assert len(entries) > (200 if po == PO else 3)  # every page and message; the scripts' status lines and countdown
    untranslated = [e.msgid for e in entries if not (e.translated() and "fuzzy" not in e.flags)]
    assert untranslated == []


@both_catalogues
def test_welsh_keeps_every_placeholder_and_tag(po):
    """A placeholder lost or misspelt in Welsh would raise on render or drop a name from the sentence; a tag lost
    would break a link or an emphasis."""
    wrong = []
    for entry in _entries(po):
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        english = entry.msgid if not entry.msgid_plural else entry.msgid_plural
        for text in texts:
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(english)):
                wrong.append((entry.msgid, text))
            if sorted(TAG.findall(text)) != sorted(TAG.findall(english)):
                wrong.append((entry.msgid, text))
    assert wrong == []


@both_catalogues
def test_the_compiled_catalogue_is_the_current_one(po):
    """`make messages` compiles the .po; a .mo left behind would serve yesterday's Welsh."""
    compiled = gettext.GNUTranslations(po.with_suffix(".mo").open("rb"))
    stale = []
    for entry in _entries(po):
        if entry.msgid_plural:
            for n, form in ((1, 0), (2, 1), (3, 2), (8, 3)):
                if compiled.ngettext(entry.msgid, entry.msgid_plural, n) != entry.msgstr_plural[form]:
                    stale.append(entry.msgid)
        elif compiled.gettext(entry.msgid) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == []


def _welsh(text: str) -> str:
    with translation.override("cy"):
        return translation.gettext(text)


def _lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_english_until_asked_and_welsh_for_a_welsh_browser(client):
    page = client.get("/accounts/login/").content.decode()
    assert _lang(page) == "en-gb" and "Skip to main content" in page
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert _lang(page) == "cy" and _welsh("Skip to main content") in page and "Skip to main content" not in page


@pytest.mark.django_db
def test_the_switch_changes_the_language_and_keeps_it_for_the_person(client):
    user = member(HubFactory(), Role.PRACTITIONER)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    page = client.get("/").content.decode()
    assert _lang(page) == "en-gb"
    assert 'aria-current="true">English</span>' in page and 'value="cy" lang="cy"' in page

    moved = client.post("/language/", {"language": "cy", "next": "/"})
    assert moved.status_code == 302 and moved["Location"] == "/"
    assert moved.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    page = client.get("/").content.decode()
    assert _lang(page) == "cy" and _welsh("Sign out") in page and ">Sign out<" not in page
    assert 'aria-current="true">Cymraeg</span>' in page and 'value="en-gb" lang="en-gb"' in page
    assert '<span aria-hidden="true">English</span>' in page  # each language named in itself, not "Saesneg"
    assert LanguagePreference.objects.get(user=user).language == "cy"

    # Another browser (no cookie), the next day: the service speaks Welsh to this person from the sign-in on.
    client.post("/accounts/logout/")
    client.cookies.clear()
    assert _lang(client.get("/accounts/login/").content.decode()) == "en-gb"
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert _lang(client.get("/").content.decode()) == "cy"

    client.post("/language/", {"language": "en-gb", "next": "/"})
    assert _lang(client.get("/").content.decode()) == "en-gb"
    assert LanguagePreference.objects.get(user=user).language == "en-gb"


@pytest.mark.django_db
def test_the_scripts_texts_come_in_the_pages_language(client):
    """The queue's "updated 10:42" line and the timeout's countdown are written by static/js; each page loads the
    scripts' catalogue in its own language (one address per language, so a browser's copy is never the other's)."""
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    address = re.search(r'<script src="(/jsi18n/\?language=[^"]+)"', page).group(1)
    assert address == "/jsi18n/?language=cy"
    welsh = client.get(address, HTTP_ACCEPT_LANGUAGE="cy")
    assert welsh.status_code == 200 and welsh["Content-Type"].startswith("text/javascript")
    text = welsh.content.decode()
    assert "diweddarwyd am" in text and "funud" in text  # "%(label)s updated %(time)s"; "2 funud"
    assert "(n==1) ? 0 : (n==2) ? 1" in text  # Welsh's four plural forms, for the countdown
    english = client.get("/jsi18n/?language=en-gb").content.decode()
    assert "diweddarwyd" not in english


@pytest.mark.django_db
def test_choosing_before_signing_in_keeps_it_for_the_session_only(client):
    response = client.post("/language/", {"language": "cy", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert _lang(client.get("/accounts/login/").content.decode()) == "cy"
    user = member(HubFactory(), Role.PRACTITIONER)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert _lang(client.get("/").content.decode()) == "cy"
    assert not LanguagePreference.objects.filter(user=user).exists()  # chosen by whoever used the browser


@pytest.mark.django_db
@pytest.mark.parametrize("asked", ["fr", "", "cy<script>", "en"])
def test_a_language_not_offered_is_refused_and_changes_nothing(client, asked):
    user = member(HubFactory(), Role.PRACTITIONER)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    response = client.post("/language/", {"language": asked, "next": "/"})
    page = response.content.decode()
    assert response.status_code == 400 and "in English and in Welsh (Cymraeg) only" in page
    assert "<script>" not in page.split("<main", 1)[1]
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert not LanguagePreference.objects.filter(user=user).exists()
    assert _lang(client.get("/").content.decode()) == "en-gb"


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://elsewhere.example/", "//elsewhere.example/", "javascript:alert(1)"])
def test_the_switch_never_sends_anyone_off_the_site(client, next_url):
    response = client.post("/language/", {"language": "cy", "next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_the_switch_asks_for_a_post(client):
    assert client.get("/language/?language=cy").status_code == 405


def visible_text(page: str) -> str:
    """What a person reads: the page without its scripts, styles and tags, entities decoded, spaces collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def english_left(page: str, data: frozenset = frozenset()) -> list[str]:
    """The catalogue's English sentences (three words or more, with a Welsh text that differs) still on the page;
    `data` are texts people typed (a document's title), shown as typed in either language."""
    # The switch names each language in itself: its English button is English on purpose (lang="en-gb").
    text = visible_text(re.sub(r'<nav class="app-language-select".*?</nav>', " ", page, flags=re.S))
    found = []
    for entry in _entries():
        if entry.msgid_plural or PLACEHOLDER.search(entry.msgid) or TAG.search(entry.msgid):
            continue
        if entry.msgid in data:
            continue
        if len(entry.msgid.split()) >= 3 and entry.msgstr != entry.msgid and entry.msgid in text:
            found.append(entry.msgid)
    return found


def hub_data() -> frozenset:
    """What the hub wrote, shown as written in either language: its documents' titles ("Information sharing
    agreement") and its published thresholds' words (published in the hub's language, from defaults the catalogue
    also holds, and the hub's to reword)."""
    from referrals.models import ThresholdVersion

    words = {
        text
        for levels in ThresholdVersion.objects.values_list("levels", flat=True)
        for level in levels
        for text in (level["name"], *(criterion["text"] for criterion in level["criteria"]))
    }
    return frozenset(CoreDocument.objects.values_list("title", flat=True)) | words


@pytest.mark.django_db
def test_the_sign_in_and_error_pages_in_welsh_show_no_english_from_the_catalogue(client):
    client.post("/language/", {"language": "cy", "next": "/"})
    for path in ("/accounts/login/", "/accounts/password-reset/", "/no-such-page/"):
        page = client.get(path, follow=True).content.decode()
        assert _lang(page) == "cy", path
        assert english_left(page) == [], path


@pytest.mark.django_db
def test_a_full_journey_in_welsh_shows_no_english_from_the_catalogue(client, mash):
    """Every page of tests/journey.py as each person opens it, in Welsh: none of the catalogue's English sentences is
    left on any of them (an English text that Python writes and the catalogue also holds counts too)."""
    journey = build_journey(client, mash)
    typed = hub_data()
    left = []
    for who, pages in journey.pages.items():
        client.force_login(journey.people[who])
        client.post("/language/", {"language": "cy", "next": "/"})
        for name, url in pages:
            page = client.get(url).content.decode()
            assert _lang(page) == "cy", f"{who}: {name}"
            left += [f"{who}: {name}: {sentence}" for sentence in english_left(page, typed)]
    assert left == [], "\n".join(left)
