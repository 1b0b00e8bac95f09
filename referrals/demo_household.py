"""The demo hub's household and its likely match, loaded by `manage.py load_demo` after the history.

One household contact by phone from a school (`household_create`): three children — Mohammed, Amira and Zain
Hussain — their mother and a regular visitor. Each child's referral is screened (Mohammed Red, Amira Amber, Zain
Green; Mohammed's claimed by the practitioner), so the household page shows ratings and the practitioner can ask the
agencies about the household straight away. Six weeks earlier (planned with the history: `earlier_plan`), a health
visitor referred "Muhammad Hussain" with the same date of birth and postcode: matching (run here, as the worker
would) suggests that record on Mohammed's referral, with its reasons, for the practitioner to confirm or reject.
"""

from datetime import date, timedelta

from django.utils import timezone

from referrals import selectors, triage
from referrals.demo import screening_for
from referrals.households import household_create
from referrals.matching import subject_matches_find
from referrals.models import Channel, Household, PersonRole, Referral

FAMILY, POSTCODE, ADDRESS = "Hussain", "NE6 1SR", "14 Shields Road, Newcastle"
CHILDREN = [("Mohammed", date(2014, 3, 9), "red"), ("Amira", date(2017, 11, 2), "amber"),
            ("Zain", date(2021, 6, 20), "green")]  # fmt: skip
SHARED = {
    "referrer": {"name": "Ms Grace Okafor", "role": "Designated safeguarding lead", "contact": "0191 496 0000"},
    "source_code": "2A",
    "concerns": ["neglect"],
    "narrative": (
        "Demo household: the three children arrive at school hungry and in the same clothes all week. Mohammed says "
        "his mother is unwell and a friend of hers, Dean, stays most nights and shouts at them."
    ),
    "immediate_risk": False,
    "consent": "not_obtained",
    "consent_reason": "Demo: the mother could not be reached before the end of the school day.",
}


def _child(given: str, born: date) -> dict:
    return {"given_name": given, "family_name": FAMILY, "date_of_birth": born.isoformat(), "gender": "",
            "address": ADDRESS, "postcode": POSTCODE}  # fmt: skip


def earlier_plan(now) -> dict:
    """The health visitor's referral of "Muhammad Hussain", six weeks before `now`: planned with the demo's other
    referrals (referrals/demo.py `planned`), so the history works it through to a decision at its moment."""
    data = {
        **SHARED,
        "referrer": {"name": "Nurse Ruth Bell", "role": "Health visitor", "contact": "0191 496 0101"},
        "source_code": "3A",
        "narrative": "Demo: a health visitor found the boy alone at home after school twice in one week.",
        "subject": {**_child("Muhammad", CHILDREN[0][1]), "gender": "Male"},
    }
    received = (now - timedelta(days=42)).replace(hour=15, minute=40, second=0, microsecond=0)
    return {"received": received, "agency": None, "channel": Channel.PHONE, "adult": False, "month_end": False,
            "data": {**data, "received_at": received.isoformat()}}  # fmt: skip


def load(hub, practitioner, *, stdout) -> None:
    """The household (received two hours ago) and its children screened, and the match with the earlier referral
    (made by the history); once."""
    if Household.objects.filter(hub=hub).exists():
        return
    now = timezone.now()
    earlier = Referral.objects.filter(hub=hub, persons__given_name="Muhammad", persons__family_name=FAMILY).first()
    household = household_create(
        hub=hub, channel=Channel.PHONE, recorded_by=practitioner, history=True,
        data={
            **SHARED,
            "received_at": (now - timedelta(hours=2)).isoformat(),
            "children": [_child(given, born) for given, born, _ in CHILDREN],
            "adults": [
                {"given_name": "Samira", "family_name": FAMILY, "estimated_age": 38, "role": PersonRole.PARENT_CARER,
                 "address": ADDRESS, "postcode": POSTCODE},
                {"given_name": "Dean", "family_name": "Walker", "estimated_age": 44, "role": PersonRole.VISITOR},
            ],
        },
    )  # fmt: skip
    referrals = {r.persons.get(role=PersonRole.SUBJECT).given_name: r for r in household.referrals.all()}
    for given, _, rating in CHILDREN:
        referral = referrals[given]
        version = selectors.thresholds_current(hub, referral.cohort)
        triage.referral_screen(
            referral=referral, by=practitioner, **screening_for(version, rating, False),
            rationale="Demo screening: three children of one household, hungry at school all week.",
        )  # fmt: skip
        if rating == "red":
            triage.referral_assign(referral=referral, by=practitioner, to=practitioner)
    for referral in [*([earlier] if earlier else []), *referrals.values()]:
        subject_matches_find(referral_id=referral.pk)
    stdout.write(f"Demo household: {household.reference}, 3 children and 2 adults; an earlier referral "
                 f"{earlier.reference if earlier else '(none)'} may be about Mohammed")  # fmt: skip
