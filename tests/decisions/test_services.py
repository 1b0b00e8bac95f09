"""Requests, contributions, the agreement gate, joint decisions and sign-off, through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from agencies import services as hub_services
from agencies.models import MembershipKind
from audit.models import AuditEvent
from decisions import services
from decisions.models import Contribution, Decision, DisclosureEntry, InformationRequest, WebhookDelivery
from mash.errors import Conflict, Refused
from referrals.models import Deadline, Referral
from tests.factories import answer_core, ask

pytestmark = pytest.mark.django_db

KNOWN = {"known": True, "summary": "Two call-outs to the address this year.", "risk_indicators": ["domestic_abuse"]}
NO_TRACE = {"known": False}


def _propose(mash, referral, by=None, **changes):
    args = {
        "outcome": "s47_strategy", "threshold_level": "specialist", "rationale": "Significant harm suspected.",
        "participants": [mash.police, mash.social_care, mash.health],
        "actions": [{"owner": mash.social_care, "description": "Strategy meeting",
                     "due_on": timezone.localdate() + timedelta(days=2)}],
        **changes,
    }  # fmt: skip
    return services.decision_propose(referral=referral, by=by or mash.practitioner, **args)


def test_a_request_goes_to_every_core_agency_and_the_contributing_ones_chosen(mash):
    referral = mash.referral()
    requests = ask(mash, referral, extra=[mash.school])
    assert set(requests) == {mash.police.pk, mash.social_care.pk, mash.health.pk, mash.school.pk}
    red = requests[mash.police.pk].deadline
    assert red.kind == "request" and red.due_at - red.starts_at == timedelta(hours=2)  # Red partner timescale
    assert Referral.objects.get(pk=referral.pk).status == "awaiting_information"
    assert AuditEvent.objects.filter(action="information.requested").count() == 4
    with pytest.raises(Conflict, match="already been asked"):
        services.information_request(referral=referral, by=mash.practitioner, agencies=[mash.school])


def test_an_unrated_or_blue_referral_cannot_ask_and_officers_cannot_ask(mash):
    blue = mash.referral(rating="blue")
    with pytest.raises(Conflict, match="Blue has no MASH response"):
        services.information_request(referral=blue, by=mash.practitioner)
    with pytest.raises(Http404):  # an officer does not see the hub's referrals at all
        services.information_request(referral=mash.referral(), by=mash.officers["police"])
    assert not InformationRequest.objects.exists()


def test_a_contribution_meets_the_request_and_logs_the_disclosure(mash):
    referral = mash.referral()
    requests = ask(mash, referral)
    contribution = services.contribution_add(request=requests[mash.police.pk], by=mash.officers["police"], data=KNOWN)
    assert contribution.lawful_basis == "dpa_part3_sch8_4"  # police share under DPA 2018 Part 3
    assert Deadline.objects.get(pk=requests[mash.police.pk].deadline_id).state == "met"
    entry = DisclosureEntry.objects.get(contribution=contribution)
    assert "decision-makers" in entry.shared_with and referral.reference in entry.purpose
    health = services.contribution_add(request=requests[mash.health.pk], by=mash.officers["health"], data=NO_TRACE)
    assert health.lawful_basis == "gdpr_6_1_e_dpa_sch1_18" and health.no_trace
    with pytest.raises(Conflict, match="already answered"):
        services.contribution_add(request=requests[mash.police.pk], by=mash.officers["police"], data=KNOWN)


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "known"),
        ({"known": True}, "summary"),
        ({"known": True, "summary": "x", "risk_indicators": ["vibes"]}, "risk_indicators"),
        ({"known": True, "summary": "x", "lawful_basis": "because"}, "lawful_basis"),
        ({"known": True, "summary": "x", "disclosure": "secret"}, "disclosure"),
    ],
)
def test_a_bad_contribution_names_the_field_and_stores_nothing(mash, data, field):
    requests = ask(mash, mash.referral())
    with pytest.raises(ValidationError) as error:
        services.contribution_add(request=requests[mash.police.pk], by=mash.officers["police"], data=data)
    assert field in error.value.message_dict
    assert not Contribution.objects.exists()
    assert InformationRequest.objects.get(pk=requests[mash.police.pk].pk).state == "open"


def test_only_the_agency_asked_answers_and_an_agency_without_an_agreement_is_told_which(mash):
    requests = ask(mash, mash.referral(), extra=[mash.housing])
    with pytest.raises(Http404):  # another agency's request is no request at all to health
        services.contribution_add(request=requests[mash.police.pk], by=mash.officers["health"], data=KNOWN)
    with pytest.raises(Refused, match=r"has not signed Information sharing agreement \(version 1\)"):
        services.contribution_add(request=requests[mash.housing.pk], by=mash.officers["housing"], data=KNOWN)
    assert not Contribution.objects.exists()


def test_a_restricted_contribution_is_released_only_with_consent(mash):
    requests = ask(mash, mash.referral())
    restricted = services.contribution_add(
        request=requests[mash.police.pk], by=mash.officers["police"], data={**KNOWN, "disclosure": "restricted"}
    )
    assert not restricted.is_shared
    with pytest.raises(Http404):  # restricted: the practitioner does not see it, let alone release it
        services.contribution_release(contribution=restricted, by=mash.practitioner, consent="DS Lee agreed")
    with pytest.raises(ValidationError) as error:
        services.contribution_release(contribution=restricted, by=mash.manager, consent="")
    assert "consent" in error.value.message_dict
    released = services.contribution_release(contribution=restricted, by=mash.manager, consent="DS Lee, 10:05")
    assert released.is_shared and released.disclosures.count() == 2


def test_no_decision_until_every_core_agency_answers_unless_the_manager_overrides(mash):
    referral = mash.referral()
    requests = ask(mash, referral)
    services.contribution_add(request=requests[mash.police.pk], by=mash.officers["police"], data=KNOWN)
    with pytest.raises(Conflict, match="Still waiting for: .*Children's Services.*Health"):
        _propose(mash, referral)
    with pytest.raises(Refused, match="accountable manager"):
        services.gate_override(referral=referral, by=mash.practitioner, reason="Urgent")
    services.gate_override(referral=referral, by=mash.manager, reason="Child at immediate risk tonight")
    decision = _propose(mash, referral, participants=[mash.police])
    assert decision.state == "proposed" and decision.version == 1
    assert AuditEvent.objects.get(action="decision.proposed").data["gate_overridden"] is True


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"outcome": "lock_them_up"}, "outcome"),
        ({"threshold_level": "enquiry"}, "threshold_level"),
        ({"rationale": " "}, "rationale"),
        ({"participants": []}, "participants"),
        ({"participants": ["not-a-member"]}, "participants"),
        ({"actions": [{"owner": None, "description": "x", "due_on": "2030-01-01"}]}, "actions.0.owner"),
        ({"actions": [{"description": "", "due_on": "2030-01-01"}]}, "actions.0.description"),
        ({"actions": [{"description": "x", "due_on": "2001-01-01"}]}, "actions.0.due_on"),
    ],
)
def test_a_bad_proposal_names_the_field_and_stores_nothing(mash, changes, field):
    referral = mash.referral()
    answer_core(mash, ask(mash, referral))
    with pytest.raises(ValidationError) as error:
        _propose(mash, referral, **changes)
    assert field in error.value.message_dict
    assert not Decision.objects.exists()


def test_core_agencies_take_part_in_every_decision(mash):
    referral = mash.referral()
    answer_core(mash, ask(mash, referral))
    with pytest.raises(ValidationError, match="add Northshire Health"):
        _propose(mash, referral, participants=[mash.police, mash.social_care])


def test_return_revise_and_sign_off_close_the_referral_and_meet_the_decision_deadline(mash):
    referral = mash.referral()
    answer_core(mash, ask(mash, referral))
    first = _propose(mash, referral)
    returned = services.decision_return(decision=first, by=mash.manager, comments="Add the school's view")
    assert returned.state == "returned" and Referral.objects.get(pk=referral.pk).status == "awaiting_decision"
    second = _propose(mash, referral, rationale="Significant harm; school confirms bruising.")
    assert second.version == 2
    with pytest.raises(Conflict, match="not awaiting sign-off"):
        services.decision_sign_off(decision=first, by=mash.manager)
    signed = services.decision_sign_off(decision=second, by=mash.manager)
    referral.refresh_from_db()
    assert (signed.state, referral.status, referral.outcome) == ("signed", "closed", "s47_strategy")
    assert Deadline.objects.get(referral=referral, kind="decision").state == "met"
    action = signed.actions.get()
    assert action.deadline.kind == "action" and action.deadline.state == "open"
    actions = [e.action for e in AuditEvent.objects.order_by("id")]
    for step in ("decision.proposed", "decision.returned", "decision.signed_off", "contribution.added"):
        assert step in actions


def test_nobody_signs_off_their_own_proposal(mash):
    referral = mash.referral()
    answer_core(mash, ask(mash, referral))
    decision = _propose(mash, referral, by=mash.manager)
    with pytest.raises(Refused, match="You proposed this decision"):
        services.decision_sign_off(decision=decision, by=mash.manager)
    with pytest.raises(Refused, match="accountable manager"):
        services.decision_sign_off(decision=decision, by=mash.practitioner)
    assert Decision.objects.get(pk=decision.pk).state == "proposed"


def test_a_signed_decision_is_amended_only_as_a_new_version_with_a_reason(mash):
    referral = mash.referral()
    answer_core(mash, ask(mash, referral))
    signed = services.decision_sign_off(decision=_propose(mash, referral), by=mash.manager)
    with pytest.raises(ValidationError) as error:
        _propose(mash, referral, outcome="s17_assessment")
    assert "amendment_reason" in error.value.message_dict
    amended = _propose(mash, referral, outcome="s17_assessment", amendment_reason="Strategy found no s47 threshold")
    services.decision_sign_off(decision=amended, by=mash.manager)
    signed.refresh_from_db()
    assert signed.state == "superseded" and signed.outcome == "s47_strategy"  # kept as it was
    assert Referral.objects.get(pk=referral.pk).outcome == "s17_assessment"


def test_sign_off_queues_a_webhook_notice_for_the_referring_agency(mash):
    from decisions.models import Webhook

    Webhook.objects.create(hub=mash.hub, agency=mash.police, url="https://police.example/hook", secret="s")
    Webhook.objects.create(hub=mash.hub, agency=mash.health, url="https://health.example/hook", secret="s")
    referral = mash.referral()
    answer_core(mash, ask(mash, referral))
    signed = services.decision_sign_off(decision=_propose(mash, referral), by=mash.manager)
    delivery = WebhookDelivery.objects.get(event="referral.decided")  # the police referred: only its webhook hears
    assert delivery.webhook.agency == mash.police and delivery.payload["type"] == "referral.decided"
    assert delivery.payload["data"]["outcome"] == "s47_strategy"
    assert delivery.payload["data"]["referral"] == {"id": str(referral.pk), "reference": referral.reference}
    assert delivery.decision == signed


def test_completing_an_action_meets_its_deadline(mash):
    referral = mash.referral()
    answer_core(mash, ask(mash, referral))
    action = services.decision_sign_off(decision=_propose(mash, referral), by=mash.manager).actions.get()
    with pytest.raises(Http404):  # another agency's action is outside the police officer's scope
        services.action_complete(action=action, by=mash.officers["police"])
    done = services.action_complete(action=action, by=mash.officers["social_care"])
    assert done.completed_at and Deadline.objects.get(pk=action.deadline_id).state == "met"


def test_an_agency_without_an_agreement_cannot_mark_its_action_done(mash):
    referral = mash.referral()
    answer_core(mash, ask(mash, referral))
    decision = _propose(
        mash, referral,
        actions=[{"owner": mash.housing, "description": "Check tenancy", "due_on": timezone.localdate()}],
    )  # fmt: skip
    action = services.decision_sign_off(decision=decision, by=mash.manager).actions.get()
    with pytest.raises(Refused, match="has not signed"):
        services.action_complete(action=action, by=mash.officers["housing"])
    assert services.action_complete(action=action, by=mash.practitioner).completed_at  # the hub's staff may


def test_only_agencies_with_a_current_agreement_are_asked_and_one_posted_anyway_is_refused_by_name(mash):
    referral = mash.referral()
    with pytest.raises(ValidationError) as refused:
        services.information_request(referral=referral, by=mash.practitioner, agencies=[mash.school, mash.housing])
    [message] = refused.value.message_dict["agencies"]
    assert message.startswith("Northshire Homes (")
    assert message.endswith("has not signed Information sharing agreement (version 1). "
                            "Ask the hub administrator to record a current signature.")  # fmt: skip
    assert not InformationRequest.objects.exists()  # nothing asked, not even the agencies that could be
    made = services.information_request(referral=referral, by=mash.practitioner, agencies=[mash.school])
    assert {r.agency_id for r in made} == {mash.police.pk, mash.social_care.pk, mash.health.pk, mash.school.pk}


def test_a_core_agency_without_a_current_agreement_is_left_out_rather_than_asked_for_ever(mash):
    hub_services.membership_set(hub=mash.hub, agency=mash.housing, kind=MembershipKind.CORE)
    made = services.information_request(referral=mash.referral(), by=mash.practitioner)
    assert {r.agency_id for r in made} == {mash.police.pk, mash.social_care.pk, mash.health.pk}
