"""The household contact (referrals/households.py): one contact about a family becomes one referral per child, each
naming the others; every member typed once is one person in the index; nothing is stored when any part is wrong."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from referrals.households import household_create
from referrals.models import Household, LinkKind, Person, PersonLink, PersonRole, Referral
from referrals.selectors import links_of, links_panel
from tests.factories import referral_data

pytestmark = pytest.mark.django_db


def household_data(children=3, adults=2) -> dict:
    """A contact about the Examples: `children` children (Alex, Bo, Cy …) and `adults` adults (Sam, their mother;
    Lee, her partner, who is a household member for all but the youngest, whose father he is)."""
    data = referral_data()
    for key in ("subject", "others"):
        data.pop(key)
    names = ["Alex", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kit"]
    data["children"] = [
        {"given_name": names[i], "family_name": "Example", "date_of_birth": f"201{i % 10}-05-04",
         "postcode": "SW1A 1AA"}
        for i in range(children)
    ]  # fmt: skip
    people = [
        {"given_name": "Sam", "family_name": "Example", "estimated_age": 34, "role": "parent_carer"},
        {"given_name": "Lee", "family_name": "Other", "role": "household",
         "relationships": [{"child": children - 1, "role": "parent_carer"}]},
    ]  # fmt: skip
    data["adults"] = copy.deepcopy(people[:adults])
    return data


def test_three_children_and_two_adults_make_three_referrals_of_one_household(mash):
    household = household_create(hub=mash.hub, data=household_data(), channel="api", referring_agency=mash.police)
    referrals = list(Referral.objects.filter(household=household).order_by("reference"))
    assert len(referrals) == 3 and Household.objects.get() == household
    assert household.reference.startswith("NORTH-") and "-H" in household.reference
    for referral, name in zip(referrals, ["Alex", "Bo", "Cy"], strict=True):
        people = list(referral.persons.all())
        subject = [p for p in people if p.role == PersonRole.SUBJECT]
        assert [p.given_name for p in subject] == [name]
        others = {p.given_name: p.role for p in people if p.role != PersonRole.SUBJECT}
        assert len(others) == 4  # the two other children and the two adults
        assert sum(role == PersonRole.SIBLING for role in others.values()) == 2
        assert others["Sam"] == PersonRole.PARENT_CARER
        assert others["Lee"] == (PersonRole.PARENT_CARER if name == "Cy" else PersonRole.HOUSEHOLD)
    # Every member typed once is one index person: 5 people, however many records.
    assert Person.objects.count() == 15
    assert Person.objects.values("index_person").distinct().count() == 5
    for given in ("Sam", "Lee", "Alex", "Bo", "Cy"):
        assert Person.objects.filter(given_name=given).values("index_person").distinct().count() == 1
    links = PersonLink.objects.filter(undone_at__isnull=True)
    subjects = Person.objects.filter(role=PersonRole.SUBJECT)
    siblings = links.filter(kind=LinkKind.SIBLING)
    assert siblings.count() == 3
    assert set(siblings.values_list("person", flat=True)) <= set(subjects.values_list("pk", flat=True))
    cy = Person.objects.get(role=PersonRole.SUBJECT, given_name="Cy")
    # A link reads "other is person's <kind>": Lee is Cy's parent or carer, and a household member of Alex's.
    assert links.get(person=cy, other__given_name="Lee").kind == LinkKind.PARENT_CARER
    alex = Person.objects.get(role=PersonRole.SUBJECT, given_name="Alex")
    assert links.get(person=alex, other__given_name="Lee").kind == LinkKind.HOUSEHOLD
    # and the child's referral page says so, under related people.
    related = {link.far.given_name: link.far_is for link in links_panel(cy.referral)["related"]}
    assert related["Lee"] == "Parent or carer" and related["Sam"] == "Parent or carer"
    assert related["Alex"] == "Sibling"
    assert set(links.values_list("reason", flat=True)) == {f"Named once in household contact {household.reference}"}
    # One household event; each referral its own referral.received; no event per link.
    [event] = AuditEvent.objects.filter(action="household.received")
    assert json.loads(event.payload) == {
        "reference": household.reference, "referral_ids": [str(r.pk) for r in household.created], "adults": 2,
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="referral.received").count() == 3
    assert not AuditEvent.objects.filter(action="person.linked").exists()


def test_each_childs_page_shows_the_links_the_person_index_holds_with_or_without_an_index_person(mash):
    """The referral page reads its links as one query kept per process (mash/prepared.py), one for each shape: a
    subject with an index person (links of any record of that person) and one without (the record's own links).
    Both give what `links_of`, the plain query, gives, newest first."""
    household = household_create(hub=mash.hub, data=household_data(), channel="api", referring_agency=mash.police)
    referrals = list(Referral.objects.filter(household=household).order_by("reference"))
    alex = referrals[0].persons.get(role=PersonRole.SUBJECT)
    Person.objects.filter(pk=alex.pk).update(index_person=None)  # a record the index has not placed yet
    for referral in referrals:
        referral = Referral.objects.prefetch_related("persons").get(pk=referral.pk)
        panel = links_panel(referral)
        shown = [link.pk for link in panel["links"] + panel["undone_links"]]
        assert shown and sorted(shown) == sorted(link.pk for link in links_of(referral))
        assert [link.decided_at for link in panel["links"]] == sorted(
            (link.decided_at for link in panel["links"]), reverse=True
        )
        for link in panel["links"]:
            assert link.far.given_name and link.far.referral.reference  # the far record and its referral, read


def test_a_practitioner_is_recorded_as_who_decided_the_links(mash):
    household_create(hub=mash.hub, data=household_data(2, 1), channel="phone", recorded_by=mash.practitioner)
    assert set(PersonLink.objects.values_list("decided_by", flat=True)) == {mash.practitioner.pk}
    assert set(Referral.objects.values_list("recorded_by", flat=True)) == {mash.practitioner.pk}


def test_an_error_in_the_second_child_stores_nothing_and_names_them(mash):
    data = household_data()
    data["children"][1]["date_of_birth"] = "2999-01-01"
    data["adults"][0]["relationships"] = [{"child": 7, "role": "household"}]
    data["narrative"] = ""
    with pytest.raises(ValidationError) as error:
        household_create(hub=mash.hub, data=data, channel="api", referring_agency=mash.police)
    assert error.value.message_dict == {
        "children.1.date_of_birth": ["The date of birth must be in the past"],
        "adults.0.relationships.0.child": ["There are 3 children: name one from 0 to 2"],
        "narrative": ["Describe the concern in your own words"],
    }
    assert not Household.objects.exists() and not Referral.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["household.received", "referral.received"]).exists()


def test_shared_fields_are_said_once_and_each_person_by_their_path(mash):
    data = household_data()
    data.pop("source_code")
    data["concerns"] = []
    data["children"][2].pop("date_of_birth")
    data["adults"][1]["role"] = "sibling"
    with pytest.raises(ValidationError) as error:
        household_create(hub=mash.hub, data=data, channel="api")
    assert set(error.value.message_dict) == {
        "source_code", "concerns", "children.2.date_of_birth", "adults.1.role",
    }  # fmt: skip
    assert all(len(messages) == 1 for messages in error.value.message_dict.values())


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"children": []}, "children", "Name at least one child"),
        ({"children": None}, "children", "Name at least one child"),
        ({"children": "Alex"}, "children", "Send the children as a list"),
        ({"children": [{"family_name": "X", "estimated_age": 4}] * 11}, "children", "Name no more than 10 children"),
        ({"subject": {}}, "subject", "This field is not part of the referral dataset"),
        ({"cohort": "adult"}, "cohort", "This field is not part of the referral dataset"),
    ],
)
def test_the_shape_is_checked_field_by_field(mash, change, path, message):
    data = {**household_data(), **change}
    with pytest.raises(ValidationError) as error:
        household_create(hub=mash.hub, data=data, channel="api")
    assert error.value.message_dict[path][0].startswith(message)


def test_one_relationship_per_child(mash):
    data = household_data()
    data["adults"][0]["relationships"] = [{"child": 0, "role": "visitor"}, {"child": 0, "role": "household"}]
    with pytest.raises(ValidationError) as error:
        household_create(hub=mash.hub, data=data, channel="api")
    assert error.value.message_dict == {"adults.0.relationships.1.child": ["Give one relationship per child"]}


def test_one_child_and_no_adults_is_one_referral(mash):
    household = household_create(hub=mash.hub, data=household_data(1, 0), channel="api")
    [referral] = household.referrals.all()
    assert list(referral.persons.values_list("role", flat=True)) == [PersonRole.SUBJECT]
    assert not PersonLink.objects.exists()
