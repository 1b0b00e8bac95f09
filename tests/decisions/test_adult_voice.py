"""The adult's voice (issue 19, part 3): what an adult wants, their mental capacity and advocacy; whether the desired
outcomes were met at the decision, counted in the return; children's social care not asked by default about an
adult naming no child."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from decisions import services
from decisions.models import AdultVoice
from mash.errors import Conflict
from referrals import triage
from referrals.services import referral_create
from reports.figures import monthly_figures
from tests.factories import referral_data, requests_of

pytestmark = pytest.mark.django_db

WISHES = {
    "asked": True, "desired_outcomes": "I want to stay in my flat and for my nephew to stop taking my money.",
    "capacity": "has", "assessor_name": "Priya Shah", "assessor_role": "Social worker",
    "assessed_on": timezone.localdate() - timedelta(days=1), "advocacy_needed": True, "advocacy_offered": True,
    "advocacy_provided": True, "advocate": "Northshire Advocacy Service",
}  # fmt: skip


def adult_referral(mash, others=()):
    subject = {**referral_data()["subject"], "given_name": "Ada", "family_name": "Older", "nhs_number": "",
               "date_of_birth": "1948-02-03"}  # fmt: skip
    data = referral_data(subject=subject, others=list(others), consent="obtained", consent_reason="",
                         source_code="3A", concerns=["financial"], adult_risk_location="own_home",
                         adult_risk_source="known_to_individual")  # fmt: skip
    referral = referral_create(hub=mash.hub, data=data, channel="email")
    triage.referral_screen(referral=referral, by=mash.practitioner, level="enquiry", criteria=["enquiry.1"],
                           rating="red", rationale="Financial abuse by a relative.")  # fmt: skip
    referral.refresh_from_db()
    return referral


def decided(mash, referral, voice=None, met="", sign=True):
    """The adult's voice recorded (if given), police and health asked and answering, a decision proposed (and signed)."""
    if voice is not None:
        services.adult_voice_record(referral=referral, by=mash.practitioner, data=voice)
    made = services.information_request(referral=referral, by=mash.practitioner)
    for r in made:
        key = "police" if r.agency == mash.police else "health"
        services.contribution_add(request=r, by=mash.officers[key], data={"known": False})
    decision = services.decision_propose(
        referral=referral, by=mash.practitioner, outcome="s42_enquiry", threshold_level="enquiry",
        rationale="An enquiry under section 42.", participants=[mash.police, mash.health], actions=[],
        outcomes_met=met,
    )  # fmt: skip
    return services.decision_sign_off(decision=decision, by=mash.manager) if sign else decision


def test_the_adults_wishes_capacity_and_advocacy_are_recorded_and_audited(mash):
    referral = adult_referral(mash)
    services.adult_voice_record(referral=referral, by=mash.practitioner, data=WISHES)
    voice = AdultVoice.objects.get(referral=referral)
    assert voice.desired_outcomes.startswith("I want to stay in my flat")
    assert (voice.capacity, voice.assessor_name, voice.assessor_role) == ("has", "Priya Shah", "Social worker")
    assert voice.advocate == "Northshire Advocacy Service" and voice.recorded_by == mash.practitioner
    event = AuditEvent.objects.get(action="adult_voice.recorded")
    assert event.data == {
        "referral_id": str(referral.pk), "asked": True, "outcomes_expressed": True, "capacity": "has",
        "advocacy_needed": True, "advocacy_offered": True, "advocacy_provided": True,
    }  # fmt: skip
    assert "flat" not in event.payload  # facts only, never the adult's words
    # Not asked (with the reason), capacity assumed: the earlier words and assessor are not kept.
    services.adult_voice_record(referral=referral, by=mash.practitioner, data={
        "asked": False, "not_asked_reason": "In hospital and unconscious", "capacity": "assumed",
        "advocacy_needed": False,
    })  # fmt: skip
    voice.refresh_from_db()
    assert (voice.asked, voice.desired_outcomes, voice.assessor_name, voice.advocate) == (False, "", "", "")
    assert AuditEvent.objects.filter(action="adult_voice.recorded").count() == 2


@pytest.mark.parametrize(
    "changes, errors",
    [
        ({"capacity": "lacks"}, {"best_interests_decision", "best_interests_reasons"}),
        ({"capacity": "lacks", "best_interests_decision": "Move to respite care"}, {"best_interests_reasons"}),
        ({"assessor_name": "", "assessor_role": "", "assessed_on": None},
         {"assessor_name", "assessor_role", "assessed_on"}),
        ({"assessed_on": timezone.localdate() + timedelta(days=1)}, {"assessed_on"}),
        ({"assessed_on": "2026-13-01"}, {"assessed_on"}),
        ({"asked": True, "desired_outcomes": ""}, {"desired_outcomes"}),
        ({"asked": False, "not_asked_reason": ""}, {"not_asked_reason"}),
        ({"asked": None, "capacity": "", "advocacy_needed": None}, {"asked", "capacity", "advocacy_needed"}),
        ({"advocate": ""}, {"advocate"}),
    ],
)  # fmt: skip
def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(mash, changes, errors):
    referral = adult_referral(mash)
    with pytest.raises(ValidationError) as refused:
        services.adult_voice_record(referral=referral, by=mash.practitioner, data={**WISHES, **changes})
    assert set(refused.value.message_dict) == errors
    assert not AdultVoice.objects.exists() and not AuditEvent.objects.filter(action="adult_voice.recorded").exists()


def test_lacking_capacity_with_the_best_interests_decision_and_reasons_is_recorded(mash):
    referral = adult_referral(mash)
    services.adult_voice_record(referral=referral, by=mash.practitioner, data={
        **WISHES, "capacity": "lacks", "best_interests_decision": "Respite care while the enquiry runs",
        "best_interests_reasons": "She cannot weigh the risk from her nephew; her daughter agrees.",
    })  # fmt: skip
    voice = AdultVoice.objects.get()
    assert voice.capacity == "lacks" and voice.best_interests_reasons.startswith("She cannot weigh")


def test_the_page_records_it_and_the_referral_page_shows_it_for_an_adult_only(client, mash):
    referral = adult_referral(mash)
    client.force_login(mash.practitioner)
    url = reverse("adult-voice", args=[mash.hub.id, referral.id])
    page = client.post(url, {"asked": "yes", "capacity": "lacks", "advocacy_needed": "no"}).content.decode()
    assert 'id="id_desired_outcomes-error"' in page and 'id="id_best_interests_reasons-error"' in page
    assert 'id="id_assessor_name-error"' in page and 'id="id_assessed_on-error"' in page
    assert "(optional)" not in page
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(url, {
        "asked": "yes", "desired_outcomes": "<b>Stay home</b>", "capacity": "has", "assessor_name": "Priya Shah",
        "assessor_role": "Social worker", "assessed_on_day": yesterday.day, "assessed_on_month": yesterday.month,
        "assessed_on_year": yesterday.year, "advocacy_needed": "no",
    })  # fmt: skip
    assert response.status_code == 302
    detail = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert 'id="adult-voice"' in detail and "&lt;b&gt;Stay home&lt;/b&gt;" in detail
    assert "Priya Shah (Social worker)" in detail and "Assessed: has capacity" in detail
    # A child's referral: no panel, no page, and the service refuses.
    child = mash.referral()
    assert "adult-voice" not in client.get(reverse("referral-detail", args=[mash.hub.id, child.id])).content.decode()
    assert client.get(reverse("adult-voice", args=[mash.hub.id, child.id])).status_code == 404
    with pytest.raises(Conflict):
        services.adult_voice_record(referral=child, by=mash.practitioner, data=WISHES)
    # An agency officer does not see the referral at all.
    client.force_login(mash.officers["police"])
    assert client.get(url).status_code == 404


def test_the_decision_says_whether_the_desired_outcomes_were_met(mash):
    referral = adult_referral(mash)
    with pytest.raises(ValidationError) as refused:
        decided(mash, referral, voice=WISHES, met="")
    assert set(refused.value.message_dict) == {"outcomes_met"}
    decision = services.decision_propose(
        referral=referral, by=mash.practitioner, outcome="s42_enquiry", threshold_level="enquiry",
        rationale="An enquiry under section 42.", participants=[mash.police, mash.health], actions=[],
        outcomes_met="partly",
    )  # fmt: skip
    assert decision.outcomes_met == "partly"
    assert AuditEvent.objects.get(action="decision.proposed").data["outcomes_met"] == "partly"
    services.decision_sign_off(decision=decision, by=mash.manager)
    signed = AuditEvent.objects.get(action="decision.signed_off").data
    assert (signed["adult_asked"], signed["outcomes_expressed"], signed["outcomes_met"]) == (True, True, "partly")


def test_without_expressed_outcomes_the_decision_asks_nothing_of_them(mash):
    not_asked = {"asked": False, "not_asked_reason": "Could not be reached", "capacity": "assumed",
                 "advocacy_needed": False}  # fmt: skip
    decision = decided(mash, adult_referral(mash), voice=not_asked, met="fully")
    assert decision.outcomes_met == ""  # ignored: there were none to meet
    signed = AuditEvent.objects.get(action="decision.signed_off").data
    assert signed["adult_asked"] is False and "outcomes_met" not in signed


def test_childrens_services_are_not_asked_by_default_about_an_adult_without_children(client, mash):
    referral = adult_referral(mash, others=[{"role": "household", "given_name": "Ned", "family_name": "Older",
                                             "estimated_age": 40}])  # fmt: skip
    made = services.information_request(referral=referral, by=mash.practitioner)
    assert {r.agency for r in made} == {mash.police, mash.health}
    assert mash.social_care not in services.missing_core_agencies(referral)  # the decision does not wait for it
    # The page offers it to tick, and says why it is not asked.
    client.force_login(mash.practitioner)
    page = client.get(reverse("request-new", args=[mash.hub.id, referral.id])).content.decode()
    assert "not asked by default: this referral is about an adult and names no child" in page
    assert f'value="{mash.social_care.pk}"' in page
    # Ticked, it is asked, and then its answer is awaited like any core agency's.
    services.information_request(referral=referral, by=mash.practitioner, agencies=[mash.social_care])
    assert mash.social_care.pk in requests_of(referral)
    assert mash.social_care in services.missing_core_agencies(referral)


@pytest.mark.parametrize("child", [
    {"role": "household", "given_name": "Kit", "family_name": "Older", "estimated_age": 9},
    {"role": "sibling", "given_name": "Bo", "family_name": "Older", "date_of_birth": "2015-06-01"},
    {"role": "other", "given_name": "Gil", "family_name": "Older", "date_of_birth": "2020-01-01"},
])  # fmt: skip
def test_childrens_services_are_asked_when_the_adults_referral_names_a_child(mash, child):
    referral = adult_referral(mash, others=[child])
    made = services.information_request(referral=referral, by=mash.practitioner)
    assert {r.agency for r in made} == {mash.police, mash.health, mash.social_care}


def test_the_return_counts_adults_asked_expressed_and_outcomes_met(mash):
    not_asked = {"asked": False, "not_asked_reason": "Could not be reached", "capacity": "assumed",
                 "advocacy_needed": False}  # fmt: skip
    decided(mash, adult_referral(mash), voice=WISHES, met="fully")
    decided(mash, adult_referral(mash), voice=WISHES, met="not")
    decided(mash, adult_referral(mash), voice=WISHES, met="not")
    decided(mash, adult_referral(mash), voice=not_asked)
    decided(mash, adult_referral(mash))  # no voice recorded: not counted
    decided(mash, adult_referral(mash), voice=WISHES, met="partly", sign=False)  # not signed: not counted
    figures = monthly_figures(mash.hub, timezone.localdate().replace(day=1))["adults"]["desired_outcomes"]
    assert (figures["decisions"], figures["asked"], figures["expressed"]) == (4, 3, 3)
    assert {row["code"]: row["count"] for row in figures["met"]} == {"fully": 1, "partly": 0, "not": 2}
    assert [row["label"] for row in figures["met"]] == ["Fully met", "Partly met", "Not met"]


def test_the_decision_page_asks_whether_the_outcomes_were_met_by_its_field(client, mash):
    referral = adult_referral(mash)
    with pytest.raises(ValidationError):
        decided(mash, referral, voice=WISHES)  # asked and answered; the decision itself refused without it
    client.force_login(mash.practitioner)
    url = reverse("decision-propose", args=[mash.hub.id, referral.id])
    page = client.get(url).content.decode()
    assert "Were the outcomes the adult wanted met?" in page and "Partly met" in page
    form = {"outcome": "s42_enquiry", "threshold_level": "enquiry", "rationale": "An enquiry.",
            "participants": [str(mash.police.pk), str(mash.health.pk)]}  # fmt: skip
    page = client.post(url, form).content.decode()
    assert 'id="id_outcomes_met-error"' in page and "adult wanted met? (optional)" not in page
    assert client.post(url, {**form, "outcomes_met": "fully"}).status_code == 302
    detail = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Fully met" in detail
    # A child's decision page does not ask it.
    child = mash.referral()
    assert "outcomes_met" not in client.get(reverse("decision-propose", args=[mash.hub.id, child.id])).content.decode()
