"""The referral form's people: any number of other people with their roles ("Add another person", "Remove"), kept
as typed between the steps, each person's messages by their own fields and linked from the summary."""

import pytest

from audit.models import AuditEvent
from referrals.models import Referral
from tests.dates import typed_date
from tests.referrals.test_views import _form, _login

pytestmark = pytest.mark.django_db


def _url(hub):
    return f"/hubs/{hub.id}/referrals/new/"


def _person(n, role, given, family, age="", born=""):
    return {f"other_{n}_role": role, f"other_{n}_given_name": given, f"other_{n}_family_name": family,
            f"other_{n}_estimated_age": age, **typed_date(f"other_{n}_date_of_birth", born)}  # fmt: skip


def test_add_another_person_keeps_what_was_typed_and_stores_nothing(client, hub, practitioner):
    _login(client, practitioner)
    page = client.get(_url(hub)).content.decode()
    assert "Other person 1" in page and "Other person 2" not in page
    response = client.post(_url(hub), {**_form(narrative="Said there was no food"), "people": "add"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in page
    assert "Other person 2" in page and 'value="Jo"' in page and "Said there was no food" in page
    assert 'id="other-person-2" tabindex="-1" autofocus' in page  # the new person's block takes the focus
    assert 'value="child:neglect" checked' in page and 'name="immediate_risk" type="radio" value="yes" checked' in page
    assert not Referral.objects.exists() and not AuditEvent.objects.filter(action="referral.received").exists()


def test_remove_takes_out_that_person_and_renumbers_the_rest(client, hub, practitioner):
    _login(client, practitioner)
    data = {
        **_form(),
        **_person(1, "sibling", "Ash", "Testcase", age="6"),
        **_person(2, "alleged_source", "Lee", "Harm"),
    }
    page = client.post(_url(hub), {**data, "people": "remove-1"}).content.decode()
    assert 'value="Ash"' not in page and 'value="Lee"' in page and 'value="Jo"' in page
    assert "Other person 3" not in page
    assert 'name="other_1_given_name" value="Lee"' in page  # Lee moved up to the second block


def test_a_persons_date_of_birth_moves_with_them_and_is_kept_as_typed(client, hub, practitioner):
    """Each block's three date boxes are renumbered with the block, and kept as typed (even in part) when a person
    is added or removed; their labels name the boxes of that block."""
    _login(client, practitioner)
    ash = {**_person(1, "sibling", "Ash", "Testcase"), "other_1_date_of_birth_day": "9", "other_1_date_of_birth_month": "Mar",
           "other_1_date_of_birth_year": "2019"}  # fmt: skip
    lee = {
        **_person(2, "alleged_source", "Lee", "Harm"),
        "other_2_date_of_birth_day": "1",
        "other_2_date_of_birth_month": "2",
    }  # fmt: skip  (no year yet)
    page = client.post(_url(hub), {**_form(), **ash, **lee, "people": "remove-1"}).content.decode()
    assert 'value="Ash"' not in page and "Other person 3" not in page  # (a signed-in "Ashley" may be named)
    for part, value in (("day", "1"), ("month", "2")):
        box = f"other_1_date_of_birth_{part}"
        assert f'<label class="govuk-label govuk-date-input__label" for="id_{box}">{part.title()}</label>' in page
        assert f'id="id_{box}" name="{box}" type="text" inputmode="numeric" value="{value}"' in page
    assert (
        'id="id_other_1_date_of_birth_year" name="other_1_date_of_birth_year" type="text" inputmode="numeric">' in page
    )
    page = client.post(_url(hub), {**_form(), **ash, **lee, "people": "add"}).content.decode()
    assert 'name="other_1_date_of_birth_month" type="text" inputmode="numeric" value="Mar"' in page  # as typed
    assert 'name="other_3_date_of_birth_day" type="text" inputmode="numeric">' in page  # the new block's, empty
    assert "There is a problem" not in page


def test_a_persons_date_of_birth_typed_in_part_is_named_by_their_number(client, hub, practitioner):
    _login(client, practitioner)
    lee = {**_person(1, "alleged_source", "Lee", "Harm"), "other_1_date_of_birth_day": "1",
           "other_1_date_of_birth_year": "1990"}  # fmt: skip
    page = client.post(_url(hub), {**_form(), **lee}).content.decode()
    message = "The date of birth of other person 2 must include a month"
    assert f'<a href="#id_other_1_date_of_birth_month">{message}</a>' in page
    assert message in page.split('id="id_other_1_date_of_birth-error"', 1)[1].split("</p>", 1)[0]
    assert page.count(message) == 2  # in the summary and by the field: the schema's own message is not added
    assert not Referral.objects.exists()


def test_a_referral_with_four_people_records_each_with_their_role(client, hub, practitioner):
    _login(client, practitioner)
    data = {
        **_form(),  # the subject, and Jo, a parent (block 0)
        **_person(1, "sibling", "Ash", "Testcase", age="6"),
        **_person(2, "", "", ""),  # an empty block: no one
        **_person(3, "alleged_source", "Lee", "Harm", born="1990-02-01"),
    }
    response = client.post(_url(hub), data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    people = {(p.role, p.given_name, p.estimated_age) for p in referral.persons.all()}
    assert people == {("subject", "Robin", None), ("parent_carer", "Jo", 41), ("sibling", "Ash", 6),
                      ("alleged_source", "Lee", None)}  # fmt: skip
    assert AuditEvent.objects.get(action="referral.received").data["others"] == 3


def test_each_persons_messages_are_by_their_own_fields_and_linked_from_the_summary(client, hub, practitioner):
    _login(client, practitioner)
    data = {
        **_form(),
        **_person(1, "", "", ""),  # empty: no one, and no message
        **_person(2, "", "Lee", "Harm", born="2999-01-01"),
    }
    page = client.post(_url(hub), data).content.decode()
    for field, message in {
        "other_2_role": "Other person 3: Choose how this person is involved",
        "other_2_date_of_birth": "Other person 3: The date of birth must be in the past",
    }.items():
        anchor = f"id_{field}_0" if field.endswith("role") else f"id_{field}_day"  # a date's first box
        assert f'<a href="#{anchor}">{message}' in page, field
        assert message in page.split(f'id="id_{field}-error"', 1)[1].split("</p>", 1)[0], field
    assert "Other person 2:" not in page
    assert not Referral.objects.exists()


def test_no_more_than_the_schemas_limit_of_people_is_offered(client, hub, practitioner):
    _login(client, practitioner)
    data = {**_form(), **{k: v for n in range(1, 20) for k, v in _person(n, "other", f"P{n}", "Many").items()}}
    page = client.post(_url(hub), {**data, "people": "add"}).content.decode()
    assert "Other person 20" in page and "Other person 21" not in page
    assert "Add another person" not in page and "the most people a referral can hold" in page
