"""Matching that scores, on the hub's records: siblings are never a match, spelling variants and swapped dates are
found with the reasons in words, a pair already decided is not suggested again, and the cost of matching one
referral does not grow with the hub's history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.matching import subject_matches_find
from referrals.models import LinkKind, PersonRole, SubjectMatch
from referrals.people_index import link_create
from referrals.services import referral_create
from tests.factories import referral_data

pytestmark = pytest.mark.django_db

HOME = {"address": "14 Mill Lane, Northtown", "postcode": "NT2 4QB", "nhs_number": ""}


def _refer(hub, days_ago, **subject):
    received = (timezone.now() - timedelta(days=days_ago)).isoformat()
    data = referral_data(subject={**referral_data()["subject"], **HOME, **subject}, received_at=received, others=[])
    return referral_create(hub=hub, data=data, channel="web", history=True)


def _found(referral):
    subject_matches_find(referral_id=referral.pk)
    return {m.candidate.referral_id: m for m in SubjectMatch.objects.filter(referral=referral)}


def test_a_sibling_at_the_same_address_is_possible_at_most_never_a_match(hub):
    sister = _refer(hub, 40, given_name="Maisie", family_name="Okafor", date_of_birth="2016-02-11")
    twin = _refer(hub, 30, given_name="Ruby", family_name="Okafor", date_of_birth="2018-09-01")
    new = _refer(hub, 0, given_name="Lily", family_name="Okafor", date_of_birth="2018-09-01")
    found = _found(new)
    assert all(m.verdict == "possible" for m in found.values())
    assert sister.pk not in found  # a different name and date of birth: nothing to check
    assert found[twin.pk].verdict == "possible" and "given names differ" in found[twin.pk].reasons


def test_mohammed_and_muhammad_born_the_same_day_at_the_same_postcode_is_a_match(hub, client, practitioner):
    earlier = _refer(hub, 60, given_name="Mohammed", family_name="Khan", date_of_birth="2015-07-21")
    new = _refer(hub, 0, given_name="Muhammad", family_name="Khan", date_of_birth="2015-07-21")
    match = _found(new)[earlier.pk]
    assert match.verdict == "match" and match.score >= 10
    assert match.reasons[:4] == [
        "family names equal", "given names are variants of one name", "date of birth equal", "postcode equal"
    ]  # fmt: skip
    client.force_login(practitioner)
    page = client.get(f"/hubs/{hub.id}/referrals/{new.id}/").content.decode()
    assert "Family names equal; given names are variants of one name; date of birth equal; postcode equal" in page


def test_a_date_of_birth_with_day_and_month_swapped_is_found(hub):
    earlier = _refer(hub, 10, given_name="Jessica", family_name="Wright", date_of_birth="2014-03-07")
    new = _refer(hub, 0, given_name="Jessica", family_name="Wright", date_of_birth="2014-07-03")
    match = _found(new)[earlier.pk]
    assert "date of birth day and month swapped" in match.reasons and match.verdict == "match"


def test_the_match_is_shown_before_the_possible(hub, client, practitioner):
    _refer(hub, 5, given_name="Ruby", family_name="Okafor", date_of_birth="2018-09-01")  # a twin: possible
    _refer(hub, 90, given_name="Lily", family_name="Okafor", date_of_birth="2018-09-01")  # older, but a match
    new = _refer(hub, 0, given_name="Lily", family_name="Okafor", date_of_birth="2018-09-01")
    subject_matches_find(referral_id=new.pk)
    client.force_login(practitioner)
    page = client.get(f"/hubs/{hub.id}/referrals/{new.id}/").content.decode()
    assert page.index("Lily Okafor in referral") < page.index("Ruby Okafor in referral")


@pytest.mark.parametrize("kind", [LinkKind.SIBLING, LinkKind.NOT_RELATED])
def test_a_record_already_linked_to_the_subject_is_not_suggested_again(hub, practitioner, kind):
    twin = _refer(hub, 30, given_name="Ruby", family_name="Okafor", date_of_birth="2018-09-01")
    first = _refer(hub, 20, given_name="Lily", family_name="Okafor", date_of_birth="2018-09-01")
    new = _refer(hub, 0, given_name="Lily", family_name="Okafor", date_of_birth="2018-09-01")
    # The twin was told apart from Lily's earlier record; Lily's new record is the same person as that one.
    ruby, lily = (r.persons.get(role=PersonRole.SUBJECT) for r in (twin, first))
    link_create(person=lily, other=ruby, kind=kind, by=practitioner, reason="Checked with the school")
    link_create(person=new.persons.get(role=PersonRole.SUBJECT), other=lily, kind=LinkKind.SAME_PERSON,
                by=practitioner, reason="Confirmed")  # fmt: skip
    assert _found(new) == {}


GIVEN = "Oliver George Harry Noah Jack Leo Arthur Oscar Theo Alfie Ava Isla Freya Mia Grace Ivy Rosie Evie".split()  # noqa: SIM905 - names read best as words
FAMILY = "Patel Jones Taylor Brown Wilson Evans Thomas Roberts Walker Wright Robinson Thompson White Hughes Clarke Hall"


def _strangers(hub, count, offset=0):
    """`count` people the new subject does not resemble, some sharing a date of birth or a name with each other."""
    family = FAMILY.split()
    for n in range(offset, offset + count):
        subject = {
            **referral_data()["subject"], "given_name": GIVEN[n % len(GIVEN)],
            "family_name": family[(n // len(GIVEN)) % len(family)], "nhs_number": "",
            "date_of_birth": f"{2010 + n % 7}-{1 + n % 12:02d}-{1 + n % 27:02d}",
            "address": f"{n} Station Road", "postcode": f"NE{1 + n % 9} {n % 9}XY",
        }  # fmt: skip
        received = (timezone.now() - timedelta(days=400 + n)).isoformat()
        referral_create(hub=hub, data=referral_data(subject=subject, received_at=received, others=[]),
                        channel="web", history=True)  # fmt: skip


def test_matching_one_referral_takes_the_same_queries_whatever_the_hub_holds(hub):
    counts = []
    rounds = ((0, 30, "Amelia", "Nowak"), (30, 270, "Beatrice", "Kowalczyk"))  # 30 people in the history, then 300
    for offset, strangers, given, family in rounds:
        _strangers(hub, strangers, offset)
        child = {"given_name": given, "family_name": family, "date_of_birth": "2016-06-16", "postcode": "NT9 9ZZ"}
        earlier, new = _refer(hub, 10, **child), _refer(hub, 0, **child)
        with CaptureQueriesContext(connection) as queries:
            subject_matches_find(referral_id=new.pk)
        counts.append(len(queries))
        assert SubjectMatch.objects.get(referral=new).candidate.referral == earlier
        SubjectMatch.objects.filter(referral=new).delete()
    assert counts[0] == counts[1] <= 10, counts
