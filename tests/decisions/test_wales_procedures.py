"""Issue 22, item 4: a hub in Wales works under the Wales Safeguarding Procedures. Its administrator says so on the
hub's profile (the existing local configuration); then its default thresholds and its outcomes use the Social
Services and Well-being (Wales) Act 2014's words (a child or an adult at risk, the duty to report under s.128 and
s.130, an enquiry under s.126), in English and in Welsh, while the codes stay England's so every count is alike."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import Role
from audit.models import AuditEvent
from reports.figures import monthly_figures
from reports.templatetags.return_tags import outcome_words
from tests.agencies.test_views import _hub_form
from tests.decisions.test_adult_voice import adult_referral, decided
from tests.factories import ScreenedReferralFactory, member

pytestmark = pytest.mark.django_db


def _outcomes(page: str) -> dict[str, str]:
    """The decision form's outcome radios: {code: label}."""
    found = re.findall(r'name="outcome" type="radio" value="([a-z0-9_]+)"[^>]*>\s*<label[^>]*>([^<]+)</label>', page)
    return {code: unescape(label).strip() for code, label in found}


def _in_wales(hub):
    hub.procedures = "wales"
    hub.save(update_fields=["procedures"])


def test_the_administrator_puts_the_hub_under_the_wales_procedures(client, mash):
    hub = mash.hub
    client.force_login(member(hub, Role.HUB_ADMIN))
    form = client.get(f"/hubs/{hub.id}/edit/").content.decode()
    assert "Safeguarding procedures" in form and "Wales Safeguarding Procedures" in form
    wrong = client.post(f"/hubs/{hub.id}/edit/", _hub_form(hub, procedures="scotland")).content.decode()
    assert "Select a valid choice" in wrong or "Choose" in wrong
    hub.refresh_from_db()
    assert hub.procedures == "england"

    assert client.post(f"/hubs/{hub.id}/edit/", _hub_form(hub, procedures="wales")).status_code == 302
    hub.refresh_from_db()
    assert hub.procedures == "wales"
    changed = AuditEvent.objects.filter(action="hub.updated").latest("occurred_at").data
    assert changed["procedures"] == "wales"
    profile = client.get(f"/hubs/{hub.id}/").content.decode()
    assert "Wales: the Wales Safeguarding Procedures" in profile

    # A form sent without the setting (an older page, the admin) keeps it.
    kept = {k: v for k, v in _hub_form(hub).items() if k != "procedures"}
    assert client.post(f"/hubs/{hub.id}/edit/", kept).status_code == 302
    hub.refresh_from_db()
    assert hub.procedures == "wales"


def test_a_hub_in_wales_screens_against_the_duty_to_report(client, mash):
    _in_wales(mash.hub)
    client.force_login(mash.practitioner)
    thresholds = client.get(reverse("thresholds", args=[mash.hub.id]) + "?cohort=adult").content.decode()
    assert "Adult at risk: duty to report (s.128), enquiry (s.126)" in thresholds
    assert "Safeguarding enquiry (s42)" not in thresholds

    # The first screening publishes the Wales defaults as the hub's version 1, which it may then reword.
    referral = ScreenedReferralFactory(mash=mash, rating="red")
    version = referral.screenings.get().threshold_version
    names = [level["name"] for level in version.levels]
    assert names[-1] == "Child at risk: duty to report (s.130), enquiry (s.47)"
    assert [level["code"] for level in version.levels] == ["universal", "early_help", "targeted", "specialist"]


def test_a_hub_in_welsh_and_in_wales_publishes_its_defaults_in_welsh(mash):
    mash.hub.language = "cy"
    mash.hub.save(update_fields=["language"])
    _in_wales(mash.hub)
    referral = ScreenedReferralFactory(mash=mash, rating="red")
    top = referral.screenings.get().threshold_version.levels[-1]["name"]
    assert top == "Plentyn sy'n wynebu risg: dyletswydd i adrodd (adran 130), ymholiad (adran 47)"


def test_a_hub_in_wales_decides_in_the_wales_words_and_counts_the_same_codes(client, mash):
    referral = adult_referral(mash)
    client.force_login(mash.practitioner)
    propose = reverse("decision-propose", args=[mash.hub.id, referral.id])
    outcomes = _outcomes(client.get(propose).content.decode())
    assert outcomes["s42_enquiry"] == "Safeguarding enquiry (s42)"

    _in_wales(mash.hub)
    outcomes = _outcomes(client.get(propose).content.decode())
    assert outcomes["s42_enquiry"] == "Adult at risk enquiry (s.126)"  # the same code: returns and systems read codes
    assert outcomes["care_needs_assessment"] == "Care and support assessment (s.19)"
    assert outcomes["information_signposting"] == "Information, advice and assistance"

    decision = decided(mash, referral)
    assert decision.outcome_label == "Adult at risk enquiry (s.126)"
    with translation.override("cy"):
        assert str(decision.outcome_label) == "Ymholiad oedolyn sy'n wynebu risg (adran 126)"
    assert (
        "Adult at risk enquiry (s.126)" in client.get(f"/hubs/{mash.hub.id}/referrals/{referral.id}/").content.decode()
    )

    # The month's figures count the code (with England's words, so the digest is the hub's setting's either way);
    # a return shows the Wales words (tests/reports/test_return_language.py).
    rows = monthly_figures(mash.hub, timezone.localdate().replace(day=1))["outcomes"]["rows"]
    enquiry = next(r for r in rows if r["cohort"] == "adult" and r["code"] == "s42_enquiry")
    assert enquiry["count"] == 1 and outcome_words(enquiry, mash.hub.procedures) == "Adult at risk enquiry (s.126)"
