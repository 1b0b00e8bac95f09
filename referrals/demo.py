"""The demo hub's referrals and API clients, loaded by `manage.py load_demo`.

About 300 referrals over the past months, planned here (`planned`) and sent through `referral_create` at their
moment by the demo's history (decisions/demo.py), as an agency's system or a practitioner would, with a realistic
source mix (shared/DOMAIN.md): police about a third, schools about a
fifth, health about a seventh. One API client per agency; its secret is generated once and kept in
var/demo-passwords.json so every run can print working credentials.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from agencies import services
from agencies.models import AgencyKind, ApiClient
from referrals.models import Channel

# What a demo agency system may do: send referrals, read their outcomes, answer requests, manage its webhooks.
DEMO_SCOPES = "referrals:write referrals:read contributions:write webhooks:write"
# The social care agencies' systems also take the cases handed to them (decisions/handover.py): list, read, acknowledge.
HANDOVER_SCOPE = "handovers:write"
HANDOVER_KINDS = (AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE)


def demo_scopes(agency) -> str:
    """The demo client's scopes for `agency`: a social care agency's may also acknowledge handovers."""
    return f"{DEMO_SCOPES} {HANDOVER_SCOPE}" if agency.kind in HANDOVER_KINDS else DEMO_SCOPES


# (weight, source code, agency slug or None, channel)
SOURCES = [
    (30, "6", "police", Channel.API),
    (20, "2A", "education", Channel.API),
    (5, "3A", "health", Channel.API),
    (4, "3B", "health", Channel.API),
    (5, "3E", "health", Channel.API),
    (8, "1A", None, Channel.PHONE),
    (4, "1B", None, Channel.PHONE),
    (6, "5A", "childrens-services", Channel.EMAIL),
    (5, "4", "housing", Channel.EMAIL),
    (4, "7", "probation", Channel.EMAIL),
    (3, "9", None, Channel.PHONE),
    (3, "8", None, Channel.EMAIL),
    (3, "10", None, Channel.PHONE),
]
GIVEN = ["Alex", "Sam", "Jordan", "Taylor", "Riley", "Casey", "Jamie", "Morgan", "Charlie", "Robin", "Ashley", "Drew"]
FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan", "Evans"]
POSTCODES = ["NE1 4ST", "NE2 1AA", "NE3 3HD", "NE4 5TF", "NE6 1SR", "SR1 1RE", "DH1 3LE", "TS1 2AA"]
CHILD_CONCERNS = ["neglect", "physical", "sexual", "emotional"]
ADULT_TYPES = ["physical", "psychological", "financial", "neglect", "domestic", "self_neglect"]
LOCATIONS = ["own_home", "community", "care_home_residential", "hospital_acute"]
# Source of risk by where the risk is: at home and in the community mostly someone the person knows; in a care home
# or hospital mostly the service provider. Illustrative weights, not published SAC figures.
RISK_SOURCES = ["service_provider", "known_to_individual", "unknown_to_individual"]
SOURCE_WEIGHTS = {
    "own_home": [20, 70, 10],
    "community": [10, 60, 30],
    "care_home_residential": [75, 20, 5],
    "hospital_acute": [70, 20, 10],
}


def _referral(rng: random.Random, hub, source: str, received) -> dict:
    adult = rng.random() < 0.15
    location = rng.choice(LOCATIONS) if adult else ""
    risk_source = rng.choices(RISK_SOURCES, weights=SOURCE_WEIGHTS[location])[0] if adult else ""
    # The age is the person's on the day they are referred: a baby of 100 days is born before that day, whenever the
    # demo is built (from today's date, a baby referred months ago would be born after its referral, and refused).
    on = timezone.localtime(received).date()
    dob = on - timedelta(days=rng.randint(20 * 365, 85 * 365) if adult else rng.randint(100, 17 * 365))
    return {
        "received_at": received.isoformat(),
        "referrer": {
            "name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            "role": "Referrer",
            "contact": "01632 960000",
        },
        "source_code": "" if adult else source,
        "concerns": rng.sample(ADULT_TYPES if adult else CHILD_CONCERNS, k=rng.randint(1, 2)),
        "adult_risk_location": location,
        "adult_risk_source": risk_source,
        "narrative": "Synthetic demo referral: concerns reported about the person named below.",
        "immediate_risk": rng.random() < 0.1,
        "consent": (consent := rng.choice(["obtained", "not_obtained", "dispensed_with"])),
        "consent_reason": "" if consent == "obtained" else "Demo: seeking consent could increase the risk.",
        "subject": {
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "date_of_birth": dob.isoformat(),
            "postcode": rng.choice(POSTCODES),
            **_recorded_as(received),
        },
    }


def _recorded_as(received) -> dict:
    """Gender and ethnicity as a referrer types them, now and then not known (drawn apart from the plan's sequence,
    so the plan stays the same)."""
    rng = random.Random(received.isoformat())  # noqa: S311 - repeatable synthetic data, not security
    gender = rng.choices(["Female", "Male", "", "Neither"], weights=[48, 47, 4, 1])[0]
    ethnicity = rng.choices(ETHNICITIES, weights=[w for _, w in ETHNICITIES_WEIGHTED])[0]
    return {"gender": gender, "ethnicity": ethnicity}


# England's population by the census ethnic groups, roughly, as a referrer might type them.
ETHNICITIES_WEIGHTED = [
    ("White British", 70), ("White Irish", 1), ("Any other White background", 6), ("Mixed White and Black Caribbean", 2),
    ("Mixed White and Asian", 2), ("Indian", 3), ("Pakistani", 3), ("Bangladeshi", 1), ("Black African", 3),
    ("Black Caribbean", 1), ("Chinese", 1), ("Any other ethnic group", 1), ("Refused", 1), ("", 5),
]  # fmt: skip
ETHNICITIES = [name for name, _ in ETHNICITIES_WEIGHTED]


def planned(start, end, count: int, month_ends: int = 3) -> list[dict]:
    """`count` referrals received between `start` and `end`, in time order, each {received, source agency slug,
    channel, adult, data}: mostly in working hours, police at any hour, and `month_ends` sent by email on a month's
    last evening (recorded the next morning, decisions/demo.py). Repeatable: the same arguments give the same plan."""
    rng = random.Random(2026)  # noqa: S311 - repeatable synthetic data, not security
    weights = [w for w, *_ in SOURCES]
    span = int((end - start).total_seconds() // 60)
    evenings = _month_end_evenings(start, end)[-month_ends:]
    seen, plan = set(), []
    for i in range(count):
        _, source, agency_slug, channel = rng.choices(SOURCES, weights=weights)[0]
        if i < len(evenings):
            received, channel = evenings[i] + timedelta(minutes=rng.randint(0, 150)), Channel.EMAIL
        else:
            received = start + timedelta(minutes=rng.randint(0, span))
            local = timezone.localtime(received)
            if agency_slug != "police" and (local.weekday() >= 5 or not 8 <= local.hour < 18) and rng.random() < 0.7:
                received -= timedelta(hours=rng.choice([10, 14, 48]))  # most contacts come in the working day
        received = received.replace(second=0, microsecond=0)
        while received in seen or received <= start:
            received += timedelta(minutes=1)
        seen.add(received)
        data = _referral(rng, None, source, received)
        plan.append({"received": received, "agency": agency_slug, "channel": channel, "data": data,
                     "adult": not data["source_code"], "month_end": i < len(evenings)})  # fmt: skip
    return sorted(plan, key=lambda p: p["received"])


def _month_end_evenings(start, end) -> list:
    """19:30 on the last day of each month between `start` and `end`."""
    out, day = [], timezone.localtime(start).date()
    while day <= timezone.localtime(end).date():
        nxt = day + timedelta(days=1)
        if nxt.day == 1:
            moment = timezone.make_aware(datetime.combine(day, time(19, 30)))
            if start < moment < end - timedelta(hours=16):
                out.append(moment)
        day = nxt
    return out


def screening_for(version, rating: str, immediate_risk: bool) -> dict:
    """A demo screening that does not contradict itself: the level follows the rating (Blue the lowest, Red the
    highest), and someone at immediate risk is Red at the highest level."""
    if immediate_risk:
        rating = "red"
    levels = version.levels
    index = {"blue": 0, "green": 1, "amber": len(levels) - 2, "red": len(levels) - 1}[rating]
    level = levels[min(index, len(levels) - 1)]
    return {"level": level["code"], "criteria": [level["criteria"][0]["code"]], "rating": rating}


def api_clients(hub, agencies: dict, secrets: dict, *, stdout) -> dict:
    """One client per agency; returns {slug: (client_id, secret)} and updates `secrets` with new ones."""
    credentials = {}
    for slug, agency in agencies.items():
        key = f"api:{slug}"
        scopes = demo_scopes(agency)
        client = (
            ApiClient.objects.filter(hub=hub, agency=agency, revoked_at__isnull=True)
            .select_related("application")
            .first()
        )
        if client is None or key not in secrets or secrets[key][0] != client.application.client_id:
            if client is not None:
                services.api_client_revoke(client=client)  # its secret is unknown here: issue a fresh one
            _, client_id, secret = services.api_client_create(
                hub=hub, agency=agency, name="Demo case system", scopes=scopes
            )
            secrets[key] = [client_id, secret]
        elif client.scopes != scopes:  # a demo loaded before the scopes grew: the same credentials, new scopes
            client.scopes = scopes
            client.save(update_fields=["scopes"])
        credentials[slug] = tuple(secrets[key])
    return credentials
