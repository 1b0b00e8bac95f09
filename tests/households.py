"""A household for tests, made as a practitioner's contact would make it: `referrals.households.household_create`
(one `Household`, a referral per child naming the other children as siblings and the adults with their
relationship, each member's records one index person, the children linked as siblings and each adult to each child),
then each child's referral screened by the hub's practitioner."""

from referrals import triage
from referrals.households import household_create
from referrals.models import Household, PersonRole
from tests.factories import CONSISTENT_LEVEL, referral_data

CHILDREN = [("Ava", "2016-03-02"), ("Ben", "2018-07-14"), ("Cara", "2020-11-30"), ("Dan", "2022-01-09")]
ADULTS = [("Sam", 34, PersonRole.PARENT_CARER), ("Jo", 36, PersonRole.PARENT_CARER), ("Lee", 40, PersonRole.VISITOR)]
SHARED = ("referrer", "source_code", "concerns", "narrative", "immediate_risk", "consent", "consent_reason")


def household_of(mash, children: int = 3, adults: int = 2, ratings=None, family_name: str = "Example") -> Household:
    """`children` screened child referrals of one household (rated `ratings[i]`, Amber unless given) and `adults`
    adults named on each (parents or carers, the third a regular visitor), sent by the police."""
    ratings = list(ratings or ["amber"] * children)
    base = referral_data()
    data = {k: base[k] for k in SHARED if k in base}
    data["children"] = [
        {"given_name": given, "family_name": family_name, "date_of_birth": born, "gender": "Female",
         "ethnicity": "White British", "address": "1 High Street, Northtown", "postcode": "NT1 1AA"}
        for given, born in CHILDREN[:children]
    ]  # fmt: skip
    data["adults"] = [{"role": role.value, "given_name": g, "family_name": family_name, "estimated_age": age}
                      for g, age, role in ADULTS[:adults]]  # fmt: skip
    household = household_create(hub=mash.hub, data=data, channel="api", referring_agency=mash.police, history=True)
    for referral, rating in zip(household.created, ratings, strict=True):
        level = CONSISTENT_LEVEL[rating]
        triage.referral_screen(
            referral=referral, by=mash.practitioner, level=level, criteria=[f"{level}.1"], rating=rating,
            rationale="Bruising reported by school.",
        )  # fmt: skip
    return household
