"""Consent and sharing decisions (issue 19, part 2): what the practitioner records about telling the family and
their agreement, decisions to share without consent or not to share, and the manager's override."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from decisions import services
from decisions.models import ConsentRecord, SharingDecision
from mash.errors import Refused
from tests.factories import ScreenedReferralFactory
from tests.people import build_mash

pytestmark = pytest.mark.django_db

SHARE = {
    "kind": "without_consent",
    "what": "The mother's disclosure of domestic abuse",
    "with_whom": "Northshire Health",
    "rationale": "Asking the father would place the child at risk",
    "lawful_basis": "gdpr_6_1_e_dpa_sch1_18",
}


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_consent_record_keeps_who_when_and_the_reason(mash):
    referral = ScreenedReferralFactory(mash=mash)
    consent = services.consent_record(
        referral=referral, by=mash.practitioner, data={"told": False, "agreed": False, "reason": "would_place_at_risk"}
    )
    assert (consent.told, consent.agreed, consent.recorded_by) == (False, False, mash.practitioner)
    assert consent.at is not None
    assert consent.reason_words == "Telling them or asking would place the child or adult at risk"
    event = AuditEvent.objects.get(action="consent.recorded")
    assert event.data == {"referral_id": str(referral.pk), "told": False, "agreed": False,
                          "reason": "would_place_at_risk"}  # fmt: skip


def test_a_reason_is_asked_for_when_they_did_not_agree_field_by_field(mash):
    referral = ScreenedReferralFactory(mash=mash)
    with pytest.raises(ValidationError) as excinfo:
        services.consent_record(referral=referral, by=mash.practitioner, data={"told": True, "agreed": False})
    assert _errors(excinfo) == {"reason": ["Choose why they were not told or did not agree"]}
    with pytest.raises(ValidationError) as excinfo:
        services.consent_record(
            referral=referral, by=mash.practitioner, data={"told": True, "agreed": False, "reason": "other"}
        )
    assert _errors(excinfo) == {"reason_detail": ["Say what the other reason is"]}
    with pytest.raises(ValidationError) as excinfo:
        services.consent_record(
            referral=referral, by=mash.practitioner, data={"told": False, "agreed": False, "reason": "lacks_capacity"}
        )
    assert "Only an adult's referral" in _errors(excinfo)["reason"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.consent_record(referral=referral, by=mash.practitioner, data={})
    assert set(_errors(excinfo)) == {"told", "agreed"}
    assert not ConsentRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.recorded").exists()


def test_another_reason_is_recorded_in_the_practitioners_words(mash):
    referral = ScreenedReferralFactory(mash=mash)
    consent = services.consent_record(
        referral=referral, by=mash.practitioner,
        data={"told": True, "agreed": False, "reason": "other", "reason_detail": "Refused on the doorstep"},
    )  # fmt: skip
    assert consent.reason_words == "Refused on the doorstep"


def test_a_later_record_supersedes_the_earlier_which_is_kept(client, mash):
    referral = ScreenedReferralFactory(mash=mash)
    services.consent_record(
        referral=referral, by=mash.practitioner, data={"told": False, "agreed": False, "reason": "could_not_contact"}
    )
    services.consent_record(referral=referral, by=mash.manager, data={"told": True, "agreed": True})
    assert referral.consent_records.count() == 2
    client.force_login(mash.practitioner)
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Consent and sharing decisions" in page
    assert "Earlier records (1), superseded" in page
    assert "They could not be contacted" in page  # the history, still shown
    current = page.split("Earlier records")[0].split("Consent and sharing decisions")[1]
    assert "They could not be contacted" not in current  # the newest record is the current one
    assert AuditEvent.objects.filter(action="consent.viewed").exists()


def test_sharing_without_consent_needs_a_rationale_and_a_lawful_basis(mash):
    referral = ScreenedReferralFactory(mash=mash)
    with pytest.raises(ValidationError) as excinfo:
        services.sharing_decision_record(
            referral=referral, by=mash.practitioner, data={**SHARE, "rationale": "", "lawful_basis": ""}
        )
    assert _errors(excinfo) == {
        "rationale": ["Give the rationale for the decision"],
        "lawful_basis": ["Choose the lawful basis for sharing without consent"],
    }
    decision = services.sharing_decision_record(referral=referral, by=mash.practitioner, data=SHARE)
    assert (decision.lawful_basis, decision.recorded_by) == (SHARE["lawful_basis"], mash.practitioner)
    event = AuditEvent.objects.get(action="sharing_decision.recorded")
    assert event.data == {"referral_id": str(referral.pk), "kind": "without_consent",
                          "lawful_basis": SHARE["lawful_basis"]}  # fmt: skip


def test_a_decision_not_to_share_is_recorded_and_shown_in_the_disclosure_log(client, mash):
    referral = ScreenedReferralFactory(mash=mash)
    services.sharing_decision_record(
        referral=referral, by=mash.practitioner,
        data={"kind": "not_to_share", "what": "The <b>sister's</b> address", "with_whom": "Northshire Homes",
              "rationale": "Not relevant to the concern"},
    )  # fmt: skip
    client.force_login(mash.practitioner)
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    log = page.split("Disclosure log: decisions to share without consent and not to share")[1]
    assert "Not to share: Northshire Homes" in log
    assert "The &lt;b&gt;sister&#x27;s&lt;/b&gt; address" in log  # escaped
    assert "Not relevant to the concern" in log


def test_the_manager_overrides_with_a_reason_and_the_practitioner_is_refused(client, mash):
    referral = ScreenedReferralFactory(mash=mash)
    decision = services.sharing_decision_record(referral=referral, by=mash.practitioner, data=SHARE)
    with pytest.raises(Refused):
        services.sharing_decision_override(decision=decision, by=mash.practitioner, reason="I disagree")
    url = reverse("sharing-decision-override", args=[mash.hub.id, decision.id])
    client.force_login(mash.practitioner)
    assert client.get(url).status_code == 403
    client.force_login(mash.manager)
    response = client.post(url, {"reason": ""})
    assert "Give the reason for overriding this decision" in response.content.decode()
    response = client.post(url, {"reason": "Health already hold this: share a summary only"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.overridden_by, decision.override_reason) == (
        mash.manager,
        "Health already hold this: share a summary only",
    )
    assert AuditEvent.objects.filter(action="sharing_decision.overridden", object_id=str(decision.pk)).exists()
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Overridden by the manager" in page and "share a summary only" in page


def test_the_forms_record_and_give_field_errors(client, mash):
    referral = ScreenedReferralFactory(mash=mash)
    client.force_login(mash.practitioner)
    url = reverse("consent-record", args=[mash.hub.id, referral.id])
    response = client.post(url, {"told": "yes", "agreed": "no"})
    assert response.status_code == 200
    assert 'id="id_reason-error"' in response.content.decode()
    assert client.post(url, {"told": "no", "reason": "could_not_contact"}).status_code == 302
    assert ConsentRecord.objects.get().agreed is False
    url = reverse("sharing-decision-new", args=[mash.hub.id, referral.id])
    response = client.post(url, {**SHARE, "lawful_basis": ""})
    assert "Choose the lawful basis for sharing without consent" in response.content.decode()
    assert client.post(url, SHARE).status_code == 302
    assert SharingDecision.objects.count() == 1


def test_officers_and_other_hubs_do_not_see_them(client, mash):
    referral = ScreenedReferralFactory(mash=mash)
    decision = services.sharing_decision_record(referral=referral, by=mash.practitioner, data=SHARE)
    client.force_login(mash.officers["police"])
    assert client.get(reverse("consent-record", args=[mash.hub.id, referral.id])).status_code == 404
    assert client.get(reverse("sharing-decision-new", args=[mash.hub.id, referral.id])).status_code == 404
    assert client.get(reverse("sharing-decision-override", args=[mash.hub.id, decision.id])).status_code == 404
    other = build_mash("south")
    client.force_login(other.manager)
    assert client.get(reverse("sharing-decision-override", args=[other.hub.id, decision.id])).status_code == 404
    assert client.get(reverse("consent-record", args=[other.hub.id, referral.id])).status_code == 404
    with pytest.raises(Exception) as excinfo:
        services.sharing_decision_override(decision=decision, by=other.manager, reason="Not mine")
    assert excinfo.type.__name__ == "Http404"
    decision.refresh_from_db()
    assert not decision.overridden
