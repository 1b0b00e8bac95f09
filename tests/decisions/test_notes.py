"""Case notes: a note of each type on a referral or a household, management oversight the acting manager's only,
bad input field by field, a correction that keeps the original (struck through, "Corrected by …") and no way to
edit a note; notes in the chronology, a household's notes on each child's referral page, outside scope 404, and an
agency's officer neither seeing nor adding notes."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from decisions import services
from decisions.models.notes import CaseNote, NoteKind
from tests.households import household_of
from tests.people import build_mash

pytestmark = pytest.mark.django_db


def _add(client, mash, referral, **values):
    data = {"kind": "phone_call", "text": "Rang the school: attending daily."} | values
    return client.post(reverse("referral-note-new", args=[mash.hub.id, referral.id]), data)


def _errors(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    return page


def test_a_note_of_each_type_is_added_and_shown_on_the_referral_page(client, mash):
    referral = mash.referral()
    client.force_login(mash.manager)  # the acting manager may add every type, management oversight too
    form = client.get(reverse("referral-note-new", args=[mash.hub.id, referral.id])).content.decode()
    assert "Management oversight" in form
    for kind, label in NoteKind.choices:
        response = _add(client, mash, referral, kind=kind, text=f"{label} <b>recorded</b>.")
        assert response.status_code == 302, response.content.decode()
    assert sorted(CaseNote.objects.values_list("kind", flat=True)) == sorted(NoteKind.values)
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Case notes" in page
    for _, label in NoteKind.choices:
        assert f"{label} &lt;b&gt;recorded&lt;/b&gt;." in page  # escaped
    note = CaseNote.objects.first()
    assert note.written_by == mash.manager and note.referral == referral and note.household is None
    assert abs(note.occurred_at - timezone.now()) < timedelta(minutes=1)  # left empty: now
    events = AuditEvent.objects.filter(action="note.added")
    assert events.count() == 4
    payload = json.loads(events.first().payload)
    assert payload["referral_id"] == str(referral.id) and payload["household_id"] is None
    assert "recorded" not in events.first().payload  # facts, never the note's text


def test_the_time_of_what_the_note_records(client, mash):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    yesterday = timezone.localdate() - timedelta(days=1)
    day = {"occurred_on_day": yesterday.day, "occurred_on_month": yesterday.month, "occurred_on_year": yesterday.year}
    assert _add(client, mash, referral, occurred_time="9.05", **day).status_code == 302
    note = CaseNote.objects.get()
    assert timezone.localtime(note.occurred_at).date() == yesterday
    assert timezone.localtime(note.occurred_at).strftime("%H:%M") == "09:05"


def test_a_practitioner_may_not_add_management_oversight(client, mash):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    form = client.get(reverse("referral-note-new", args=[mash.hub.id, referral.id])).content.decode()
    assert "Management oversight" not in form and "Phone call" in form
    page = _errors(_add(client, mash, referral, kind="management_oversight"))
    assert "Only the hub&#x27;s accountable manager" in page and "management oversight note" in page
    assert not CaseNote.objects.exists()


def test_bad_input_is_said_field_by_field(client, mash):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = _errors(_add(client, mash, referral, kind="gossip", text="   ", occurred_time="10:00",
                        occurred_on_day=tomorrow.day, occurred_on_month=tomorrow.month,
                        occurred_on_year=tomorrow.year))  # fmt: skip
    assert "Choose the type of note" in page
    assert "Enter the note" in page
    assert "The time of the note cannot be in the future" in page
    page = _errors(_add(client, mash, referral, occurred_time="25:99"))
    assert "Enter the time as hours and minutes on the 24-hour clock" in page
    page = _errors(_add(client, mash, referral, occurred_on_day="31", occurred_on_month="2", occurred_on_year="2026"))
    assert "must be a real date" in page
    later = timezone.localtime() + timedelta(hours=2)
    if later.date() == timezone.localdate():  # later today: the time is at fault
        page = _errors(_add(client, mash, referral, occurred_time=later.strftime("%H:%M")))
        assert "The time of the note cannot be in the future" in page
    assert not CaseNote.objects.exists()


def test_a_correction_keeps_the_original_and_both_are_shown(client, mash):
    referral = mash.referral()
    note = services.note_add(
        on=referral, by=mash.practitioner, data={"kind": "visit", "text": "Saw the child at home."}
    )
    client.force_login(mash.manager)
    url = reverse("note-correct", args=[mash.hub.id, note.id])
    assert "Saw the child at home." in client.get(url).content.decode()
    assert "Enter the note" in _errors(client.post(url, {"text": ""}))
    response = client.post(url, {"text": "Saw the child at the grandmother's home."})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Saw the child at home."  # kept as it was
    correction = note.correction
    assert correction.kind == "visit" and correction.written_by == mash.manager and correction.referral == referral
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "<del>Saw the child at home.</del>" in page and "Corrected by" in page
    assert "Saw the child at the grandmother&#x27;s home." in page and "Corrects" in page
    assert url not in page  # a corrected note is not corrected twice: its correction may be
    assert reverse("note-correct", args=[mash.hub.id, correction.id]) in page
    again = client.post(url, {"text": "Another go."})
    assert again.status_code == 200 and "already been corrected" in again.content.decode()
    event = AuditEvent.objects.get(action="note.corrected")
    assert json.loads(event.payload)["corrects_id"] == str(note.id)


def test_a_practitioner_does_not_correct_an_oversight_note(client, mash):
    referral = mash.referral()
    note = services.note_add(on=referral, by=mash.manager, data={"kind": "management_oversight", "text": "Review."})
    client.force_login(mash.practitioner)
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Review." in page and reverse("note-correct", args=[mash.hub.id, note.id]) not in page
    assert client.post(reverse("note-correct", args=[mash.hub.id, note.id]), {"text": "No."}).status_code == 403
    assert CaseNote.objects.count() == 1


def test_no_edit_path_exists(client, mash):
    referral = mash.referral()
    note = services.note_add(on=referral, by=mash.practitioner, data={"kind": "research", "text": "Checked records."})
    client.force_login(mash.manager)
    base = f"/hubs/{mash.hub.id}/notes/{note.id}/"
    for url in (base, f"{base}edit/", f"{base}update/"):
        assert client.post(url, {"text": "Changed."}).status_code in (404, 405)
    note.refresh_from_db()
    assert note.text == "Checked records."


def test_notes_are_in_the_chronology(client, mash):
    referral = mash.referral()
    services.note_add(on=referral, by=mash.practitioner, data={"kind": "phone_call", "text": "Called mum."})
    client.force_login(mash.practitioner)
    page = client.get(reverse("chronology", args=[mash.hub.id, referral.id])).content.decode()
    assert "Phone call note" in page and "Called mum." in page


def test_a_household_note_is_shown_on_the_household_and_each_childs_referral(client, mash):
    household = household_of(mash, children=2, adults=1, ratings=["amber", "green"])
    client.force_login(mash.practitioner)
    url = reverse("household-note-new", args=[mash.hub.id, household.id])
    household_page = reverse("household-detail", args=[mash.hub.id, household.id])
    assert url in client.get(household_page).content.decode()
    response = client.post(url, {"kind": "visit", "text": "Home visit: the whole family seen."})
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert note.household == household and note.referral is None
    assert "Home visit: the whole family seen." in client.get(household_page).content.decode()
    for child in household.referrals.all():
        page = client.get(reverse("referral-detail", args=[mash.hub.id, child.id])).content.decode()
        assert "Home visit: the whole family seen." in page and "Household" in page
        chronology = client.get(reverse("chronology", args=[mash.hub.id, child.id])).content.decode()
        assert "Visit note on the household" in chronology


def test_outside_scope_is_not_found(client, mash):
    referral = mash.referral()
    note = services.note_add(on=referral, by=mash.practitioner, data={"kind": "research", "text": "Checked."})
    elsewhere = build_mash("south")
    client.force_login(elsewhere.practitioner)
    for url in (
        reverse("referral-note-new", args=[mash.hub.id, referral.id]),
        reverse("note-correct", args=[mash.hub.id, note.id]),
        reverse("referral-note-new", args=[elsewhere.hub.id, referral.id]),  # another hub's referral under theirs
        reverse("note-correct", args=[elsewhere.hub.id, note.id]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"kind": "visit", "text": "x"}).status_code == 404, url
    assert CaseNote.objects.count() == 1


def test_an_agency_officer_neither_sees_nor_adds_notes(client, mash):
    referral = mash.referral()
    household = household_of(mash, children=1, adults=1, ratings=["amber"])
    note = services.note_add(on=referral, by=mash.practitioner, data={"kind": "visit", "text": "Seen."})
    officer = mash.officers["police"]
    client.force_login(officer)
    for url in (
        reverse("referral-note-new", args=[mash.hub.id, referral.id]),
        reverse("household-note-new", args=[mash.hub.id, household.id]),
        reverse("note-correct", args=[mash.hub.id, note.id]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"kind": "visit", "text": "x"}).status_code == 404, url
    assert CaseNote.objects.count() == 1


def test_the_referral_page_asks_the_same_queries_however_many_notes(client, mash, django_assert_num_queries):
    """The notes are one query (with their authors): a correction, a household's note and more notes add none."""
    household = household_of(mash, children=2, adults=1, ratings=["amber", "green"])
    child = household.referrals.first()
    url = reverse("referral-detail", args=[mash.hub.id, child.id])
    services.note_add(on=child, by=mash.practitioner, data={"kind": "visit", "text": "One."})
    client.force_login(mash.manager)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    note = services.note_add(on=child, by=mash.manager, data={"kind": "management_oversight", "text": "Two."})
    services.note_correct(note=note, by=mash.manager, data={"text": "Two, corrected."})
    services.note_add(on=household, by=mash.practitioner, data={"kind": "research", "text": "Three."})
    with django_assert_num_queries(len(one)):  # the same as with one note
        page = client.get(url).content.decode()
    assert "One." in page and "<del>Two.</del>" in page and "Two, corrected." in page and "Three." in page


def test_every_page_panel_path_imports():
    from django.conf import settings
    from django.utils.module_loading import import_string

    for path in [*settings.REFERRAL_PAGE_PANELS, *settings.HOUSEHOLD_PAGE_PANELS]:
        assert callable(import_string(path)), path
