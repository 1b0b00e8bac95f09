"""A full journey through the service, built as people build it, and every page each person then opens: what the
must-show content tests (tests/test_rendered_text.py) and the narrow-screen browser test read.

A child's referral and an adult's are recorded on the web form by the practitioner; the child's is screened, the
agencies asked and answered, a decision proposed, returned by the manager, revised and signed off with agreed
actions; another referral waits at each earlier stage, so that every page has rows to show."""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from decisions import services as decisions
from referrals.default_thresholds import default_levels
from referrals.models import Referral
from tests.dates import typed_dates
from tests.factories import AnsweredReferralFactory, AskedReferralFactory, ProposedDecisionFactory, requests_of


def child_form(**changes) -> dict:
    """The web form as a practitioner fills it for a phone call about a child, with a parent named."""
    data = {
        "channel": "phone", "received_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "received_time": "14:30", "referrer_name": "Ms Kay Teacher", "referrer_role": "Designated safeguarding lead",
        "referrer_contact": "01234 567890", "subject_given_name": "Robin", "subject_family_name": "Testcase",
        "subject_date_of_birth": "2017-03-09", "subject_gender": "Male", "subject_address": "2 Low Road, Northtown",
        "subject_postcode": "nt1 1aa", "other_0_role": "parent_carer", "other_0_given_name": "Jo",
        "other_0_family_name": "Testcase", "other_0_estimated_age": "41", "concerns": ["child:neglect", "child:emotional"],
        "source_code": "2A", "narrative": "Robin came to school hungry again and said there was no food at home.",
        "immediate_risk": "yes", "consent": "obtained",
    }  # fmt: skip
    return typed_dates({**data, **changes}, "received_date", "subject_date_of_birth")


def adult_form() -> dict:
    """An email about an 84-year-old at home, the risk from a paid carer."""
    return child_form(
        channel="email", subject_given_name="Edna", subject_date_of_birth="", subject_estimated_age="84",
        subject_gender="Female", other_0_role="", other_0_given_name="", other_0_family_name="", other_0_estimated_age="",
        concerns=["adult:financial", "adult:neglect"], adult_risk_location="own_home",
        adult_risk_source="service_provider", source_code="", immediate_risk="no",
        # Addresses wider than a phone: they wrap (tests/browser/test_narrow_screens.py).
        narrative="Money missing; the bank wrote from fraud.prevention.northshirebuildingsociety@example.org.uk.",
        referrer_contact="safeguarding.lead.northshireprimaryacademy@example.org.uk",
    )  # fmt: skip


@dataclass
class Journey:
    child: Referral
    adult: Referral
    asked: Referral
    proposed: object
    signed: object
    pages: dict = field(default_factory=dict)  # who -> [(name, url)]
    people: dict = field(default_factory=dict)  # who -> user


def record_on_the_web(client, mash, form: dict) -> Referral:
    client.force_login(mash.practitioner)
    before = set(Referral.objects.values_list("pk", flat=True))
    response = client.post(reverse("referral-new", args=[mash.hub.id]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Referral.objects.exclude(pk__in=before).get()


# The hub names its levels its own way (the codes stay): a page naming a level by its code's words ("Specialist")
# instead of the hub's name shows it.
HUB_LEVEL_NAMES = {
    "universal": "Level 1: every child's services",
    "early_help": "Level 2: extra help",
    "targeted": "Level 3: child in need (s17)",
    "specialist": "Level 4: child protection (s47)",
}
# The codes as they are or as their words ("Early help" is an outcome too; "universal services" a criterion's words).
CODE_WORDS = re.compile(r"\b(?:Universal|[Tt]argeted|[Ss]pecialist)\b")


def hub_names_its_levels(hub) -> None:
    """The hub publishes its children's thresholds with its own names for the levels (HUB_LEVEL_NAMES)."""
    from referrals import triage

    levels = [{**level, "name": HUB_LEVEL_NAMES[level["code"]]} for level in default_levels("england", "child")]
    triage.thresholds_publish(hub=hub, cohort="child", levels=levels, note="The hub's own names")


def build_journey(client, mash) -> Journey:
    from referrals import triage

    hub_names_its_levels(mash.hub)
    child = record_on_the_web(client, mash, child_form())
    adult = record_on_the_web(client, mash, adult_form())
    triage.referral_screen(
        referral=child, by=mash.practitioner, level="specialist", criteria=["specialist.1"], rating="red",
        rationale="No food at home, again.",
    )  # fmt: skip
    made = decisions.information_request(referral=child, by=mash.practitioner, agencies=[mash.school])
    for request in made:
        officer = next(mash.officers[key] for key in mash.officers if getattr(mash, key) == request.agency)
        known = {"known": True, "risk_indicators": ["domestic_abuse"], "summary": "Known to us since 2024."}
        decisions.contribution_add(request=request, by=officer, data=known if request.agency == mash.health else {
            "known": False})  # fmt: skip
    actions = [{"owner": mash.health, "description": "Health visitor to call", "due_on": timezone.localdate()}]
    first = ProposedDecisionFactory(mash=mash, referral=child, changes={"outcome": "early_help"})
    decisions.decision_return(decision=first, by=mash.manager, comments="Say who will see Robin this week.")
    revised = ProposedDecisionFactory(mash=mash, referral=child, changes={"outcome": "early_help", "actions": actions})
    signed = decisions.decision_sign_off(decision=revised, by=mash.manager)
    proposed = ProposedDecisionFactory(mash=mash)
    asked = AskedReferralFactory(mash=mash, extra=[mash.school])
    AnsweredReferralFactory(mash=mash, rating="amber")
    journey = Journey(child=child, adult=adult, asked=asked, proposed=proposed, signed=signed)
    _pages(journey, mash)
    return journey


def _pages(j: Journey, mash) -> None:
    h = mash.hub.id
    health = requests_of(j.asked)[mash.health.pk]
    action = j.signed.actions.first()
    everyone = [("Home", reverse("home")), ("Notifications", reverse("notifications"))]
    hub = [
        ("Hub", reverse("hub-profile", args=[h])), ("Agencies", reverse("hub-agencies", args=[h])),
        ("Agreements", reverse("hub-agreements", args=[h])), ("Funding", reverse("hub-funding", args=[h])),
        ("People", reverse("hub-people", args=[h])),
    ]  # fmt: skip
    referral_pages = [
        ("Referrals", reverse("referral-list", args=[h])),
        ("Triage queue", reverse("triage-queue", args=[h])),
        ("Find a person", reverse("people-search", args=[h])),
        ("People found", reverse("people-search", args=[h]) + "?name=Testcase&postcode=NT1"),
        ("Thresholds", reverse("thresholds", args=[h])),
        ("New referral", reverse("referral-new", args=[h])),
        ("Child's referral", reverse("referral-detail", args=[h, j.child.id])),
        ("Adult's referral", reverse("referral-detail", args=[h, j.adult.id])),
        ("Screening", reverse("referral-screen", args=[h, j.adult.id])),
        ("Request information", reverse("request-new", args=[h, j.adult.id])),
        ("Chronology", reverse("chronology", args=[h, j.child.id])),
        ("Propose a decision", reverse("decision-propose", args=[h, j.proposed.referral.id])),
    ]
    j.people = {
        "practitioner": mash.practitioner, "manager": mash.manager, "admin": mash.admin, "lead": mash.lead,
        "health officer": mash.officers["health"], "police officer": mash.officers["police"],
    }  # fmt: skip
    j.pages = {
        "practitioner": everyone + hub + referral_pages,
        "manager": everyone
        + hub
        + referral_pages
        + [
            ("Dashboard", reverse("manager-dashboard", args=[h])),
            ("Sign-off queue", reverse("sign-off-queue", args=[h])),
            ("Decision review", reverse("decision-review", args=[h, j.proposed.id])),
            ("Signed decision", reverse("decision-review", args=[h, j.signed.id])),
            ("Re-rating", reverse("referral-re-rate", args=[h, j.child.id])),
            ("Gate override", reverse("gate-override", args=[h, j.asked.id])),
            ("Audit trail", reverse("audit-trail", args=[h])),
            ("Inspection lists", reverse("inspection-lists", args=[h])),
            ("Returns", reverse("returns", args=[h])),
        ],
        "admin": everyone
        + hub
        + [
            ("Change hub profile", reverse("hub-edit", args=[h])),
            ("Add an agency", reverse("hub-agency-add", args=[h])),
            ("Add funding", reverse("funding-add", args=[h])),
            ("Give a role", reverse("role-grant", args=[h])),
        ],
        "lead": everyone + [("Returns", reverse("returns", args=[h])), ("Compare", reverse("returns-compare"))],
        "health officer": everyone
        + [
            ("Requests", reverse("officer-queue", args=[h])),
            ("Request", reverse("officer-request", args=[h, health.id])),
            ("Actions", reverse("officer-actions", args=[h])),
        ],
        "police officer": everyone + [("Sent", reverse("officer-sent", args=[h]))],
    }
    assert action is not None
