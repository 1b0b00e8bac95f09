"""A household for tests, built from the existing factories until the household contact's service
(`referrals.households.household_create`) is there: one `Household`, a screened referral per child naming the other
children as siblings and the adults as parents or carers (and regular visitors), and the links between the records
that one contact would type once (same person across each member's records, sibling between the subjects, parent or
carer from each adult to each child). The integrator switches this to `household_create`."""

from itertools import count

from django.utils import timezone

from referrals.models import Household, LinkKind, PersonRole, Referral
from referrals.people_index import link_create
from tests.factories import ScreenedReferralFactory

CHILDREN = [("Ava", "2016-03-02"), ("Ben", "2018-07-14"), ("Cara", "2020-11-30"), ("Dan", "2022-01-09")]
ADULTS = [("Sam", 34, PersonRole.PARENT_CARER), ("Jo", 36, PersonRole.PARENT_CARER), ("Lee", 40, PersonRole.VISITOR)]
_numbers = count(1)


def household_of(mash, children: int = 3, adults: int = 2, ratings=None, family_name: str = "Example") -> Household:
    """`children` screened child referrals of one household (rated `ratings[i]`, Amber unless given) and `adults`
    adults named on each (parents or carers, the third a regular visitor)."""
    ratings = list(ratings or ["amber"] * children)
    number = next(_numbers)
    household = Household.objects.create(
        hub=mash.hub, reference=f"HH-{timezone.now():%Y}-{number:05d}", created_at=timezone.now(),
        recorded_by=mash.practitioner,
    )  # fmt: skip
    kids, grown = CHILDREN[:children], ADULTS[:adults]
    referrals = []
    for i, (given, born) in enumerate(kids):
        subject = {"given_name": given, "family_name": family_name, "date_of_birth": born, "gender": "Female",
                   "ethnicity": "White British", "nhs_number": "", "address": "1 High Street, Northtown",
                   "postcode": "NT1 1AA"}  # fmt: skip
        others = [{"role": "sibling", "given_name": g, "family_name": family_name, "date_of_birth": b}
                  for j, (g, b) in enumerate(kids) if j != i]  # fmt: skip
        others += [{"role": role.value, "given_name": g, "family_name": family_name, "estimated_age": age}
                   for g, age, role in grown]  # fmt: skip
        referrals.append(
            ScreenedReferralFactory(mash=mash, rating=ratings[i], changes={"subject": subject, "others": others})
        )
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(household=household)
    _link(referrals, kids, grown)
    for referral in referrals:
        referral.refresh_from_db()
    return household


def _link(referrals, kids, grown) -> None:
    def link(a, b, kind):
        for record in (a, b):  # an earlier same-person link may have moved it to another index person
            record.refresh_from_db(fields=["index_person"])
        link_create(person=a, other=b, kind=kind, by=None, reason="One contact about the household", audit=False)

    records = [{(p.role, p.given_name): p for p in r.persons.all()} for r in referrals]
    subjects = [recs[(PersonRole.SUBJECT, given)] for recs, (given, _) in zip(records, kids, strict=True)]
    for i, recs in enumerate(records):
        for j, (given, _) in enumerate(kids):
            if j != i:  # this referral's sibling record is the other child's subject
                link(recs[(PersonRole.SIBLING, given)], subjects[j], LinkKind.SAME_PERSON)
                if j > i:
                    link(subjects[i], subjects[j], LinkKind.SIBLING)
        for given, _, role in grown:
            kind = LinkKind.PARENT_CARER if role == PersonRole.PARENT_CARER else LinkKind.HOUSEHOLD
            link(recs[(role, given)], subjects[i], kind)
            if i:
                link(records[0][(role, given)], recs[(role, given)], LinkKind.SAME_PERSON)
