"""Handing the case to the service that works it (README, "Handover to the service that works the case"): the
package written at sign-off, delivered to the receiving agency's real local receiver (verified with the
`standardwebhooks` library), acknowledged through the API with the receiving system's token (idempotent, 404 to
anyone else), overdue on the manager's dashboard, and its state on the referral page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEvent
from decisions import handover as handovers
from decisions import services, webhooks
from decisions.models import Handover, HandoverState, StrategyDiscussion, WebhookDelivery
from tests.decisions import test_webhooks
from tests.decisions.test_api import api_token
from tests.decisions.test_webhooks import register, sign_off, verified

pytestmark = pytest.mark.django_db
HANDOVERS = "/api/v1/handovers/"
receiver = test_webhooks.receiver  # the real local HTTP receiver (a fixture)


def _auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _decide(mash, outcome, referral=None, actions=()):
    referral = referral or mash.referral()
    for request in services.information_request(referral=referral, by=mash.practitioner):
        key = next(k for k in ("police", "social_care", "health") if getattr(mash, k).pk == request.agency_id)
        services.contribution_add(request=request, by=mash.officers[key], data={"known": False})
    proposal = services.decision_propose(
        referral=referral, by=mash.practitioner, outcome=outcome, threshold_level="specialist",
        rationale="Significant harm suspected.", participants=[mash.police, mash.social_care, mash.health],
        actions=list(actions),
    )  # fmt: skip
    return services.decision_sign_off(decision=proposal, by=mash.manager)


def test_an_s47_decision_is_handed_to_childrens_social_care_with_its_package(mash):
    due = timezone.localdate() + timedelta(days=3)
    decision = _decide(
        mash, "s47_strategy", actions=[{"owner": mash.social_care, "description": "Visit", "due_on": due}]
    )
    handover = Handover.objects.get()
    referral = decision.referral
    assert handover.decision == decision and handover.agency == mash.social_care
    assert handover.state == HandoverState.SENT and handover.ack_due_at > handover.sent_at
    package = handover.package
    assert package["schema"] == "mash.handover" and package["version"] == 1
    assert package["handover_id"] == str(handover.pk)
    assert package["referral"]["reference"] == referral.reference
    assert package["receiving_agency"]["name"] == mash.social_care.name
    episode = package["social_care_episodes"][0]
    assert episode["referral_date"] == timezone.localdate(referral.received_at).isoformat()
    assert episode["referral_source"]["code"] == referral.source_code
    assert episode["referral_no_further_action_flag"] is False
    assert package["decision"]["outcome"] == {"code": "s47_strategy", "label": "Strategy discussion (s47)"}
    assert package["decision"]["signed_off_by"] == (mash.manager.get_full_name() or mash.manager.username)
    assert package["decision"]["agreed_actions"] == [
        {"owner": mash.social_care.name, "description": "Visit", "due_on": due.isoformat()}
    ]
    subject = referral.persons.get(role="subject")
    assert package["la_child_id"] == str(subject.pk)
    assert package["child_details"]["first_name"] == subject.given_name
    assert package["child_details"]["date_of_birth"] == (subject.date_of_birth and subject.date_of_birth.isoformat())
    assert {"sex", "ethnicity", "nhs_number", "unique_pupil_number", "postcode"} <= set(package["child_details"])
    assert subject.ethnicity == "White British" and subject.gender == "Female"  # as the referrer gave them
    assert package["child_details"]["ethnicity"] == {"code": "WBRI", "label": "White British"}
    assert package["child_details"]["sex"] == {"code": "F", "label": "Female"}
    parent = package["household"][0]
    assert parent["relationship"] == {"code": "parent_carer", "label": "Parent or carer"}
    assert AuditEvent.objects.filter(action="handover.sent", object_id=str(handover.pk)).count() == 1


def test_the_s47_start_of_the_strategy_discussion_is_in_the_package(mash):
    referral = mash.referral()
    started = timezone.localdate() - timedelta(days=1)
    StrategyDiscussion.objects.create(
        referral=referral, held_at=timezone.now(), mode="phone", decision="s47_joint_police", s47_started_on=started,
        recorded_by=mash.practitioner, recorded_at=timezone.now(),
    )  # fmt: skip
    _decide(mash, "s47_strategy", referral=referral)
    episode = Handover.objects.get().package["social_care_episodes"][0]
    assert episode["section_47_assessments"] == [{"start_date": started.isoformat()}]


@pytest.mark.parametrize("outcome", ["nfa", "information_advice", "early_help"])
def test_outcomes_that_do_not_pass_the_case_on_are_not_handed_over(mash, outcome):
    _decide(mash, outcome)
    assert not Handover.objects.exists()


def test_the_handover_reaches_a_real_receiver_and_is_acknowledged_with_the_receivers_token(client, mash, receiver):
    secret = register(client, mash, mash.social_care, receiver.url("/csc"))
    referral, decision = sign_off(mash)  # s47, referred by the police
    handover = Handover.objects.get()
    assert webhooks.deliveries_send() == 1  # the handover (the police have no webhook here)
    (notice,) = receiver.posts_to("/csc")
    payload = verified(secret, notice)  # the standardwebhooks library accepts the signature
    assert payload["type"] == "referral.handed_over"
    assert payload["data"] == handover.package
    assert WebhookDelivery.objects.get(event="referral.handed_over").delivered_at is not None

    token = api_token(client, mash.hub, mash.social_care, scopes="handovers:write")
    listed = client.get(HANDOVERS, **_auth(token)).json()["results"]
    assert [(h["id"], h["state"]) for h in listed] == [(str(handover.pk), "sent")]
    detail = client.get(f"{HANDOVERS}{handover.pk}/", **_auth(token)).json()
    assert detail["package"] == handover.package and detail["reference"] == referral.reference
    first = client.post(f"{HANDOVERS}{handover.pk}/acknowledgement/", content_type="application/json", **_auth(token))
    assert first.status_code == 200, first.content
    assert first.json()["state"] == "acknowledged" and "Case system" in first.json()["acknowledged_by"]
    again = client.post(f"{HANDOVERS}{handover.pk}/acknowledgement/", content_type="application/json", **_auth(token))
    assert again.status_code == 200 and again.json() == first.json()  # idempotent
    assert AuditEvent.objects.filter(action="handover.acknowledged").count() == 1
    handover.refresh_from_db()
    assert handover.state == HandoverState.ACKNOWLEDGED and handover.acknowledged_by_client is not None


def test_another_agency_sees_nothing_and_a_token_without_the_scope_is_refused(client, mash):
    _decide(mash, "s47_strategy")
    handover = Handover.objects.get()
    police = api_token(client, mash.hub, mash.police, scopes="handovers:write")
    assert client.get(HANDOVERS, **_auth(police)).json()["results"] == []
    assert client.get(f"{HANDOVERS}{handover.pk}/", **_auth(police)).status_code == 404
    refused = client.post(
        f"{HANDOVERS}{handover.pk}/acknowledgement/", content_type="application/json", **_auth(police)
    )
    assert refused.status_code == 404
    assert refused["Content-Type"].startswith("application/problem+json")
    unscoped = api_token(client, mash.hub, mash.social_care, scopes="webhooks:write")
    assert (
        client.post(
            f"{HANDOVERS}{handover.pk}/acknowledgement/", content_type="application/json", **_auth(unscoped)
        ).status_code
        == 403
    )
    assert Handover.objects.get().state == HandoverState.SENT


def test_the_receiving_officer_acknowledges_and_the_referral_page_says_so(client, mash):
    decision = _decide(mash, "s17_assessment")
    handover = Handover.objects.get()
    officer = mash.officers["social_care"]
    handovers.handover_acknowledge(handover=handover, by=officer)
    client.force_login(mash.practitioner)
    page = client.get(f"/hubs/{mash.hub.pk}/referrals/{decision.referral_id}/").content.decode()
    assert f"Handed to {escape(mash.social_care.name)}" in page
    assert "acknowledged at" in page and (officer.get_full_name() or officer.username) in page


def test_an_unacknowledged_handover_shows_on_the_managers_dashboard_after_the_hubs_time(client, mash):
    decision = _decide(mash, "s47_strategy")
    client.force_login(mash.manager)
    assert decision.referral.reference not in client.get(f"/hubs/{mash.hub.pk}/dashboard/").content.decode()
    Handover.objects.update(
        ack_due_at=timezone.now() - timedelta(minutes=1), sent_at=timezone.now() - timedelta(hours=5)
    )
    page = client.get(f"/hubs/{mash.hub.pk}/dashboard/").content.decode()
    assert decision.referral.reference in page and escape(mash.social_care.name) in page
    assert "5 hours" in page


def test_the_receiving_officer_acknowledges_from_their_page_and_no_other_officer_can(client, mash):
    decision = _decide(mash, "s47_strategy")
    handover = Handover.objects.get()
    police = mash.officers["police"]
    client.force_login(police)
    assert client.post(f"/hubs/{mash.hub.pk}/handovers/{handover.pk}/acknowledge/").status_code == 404
    assert decision.referral.reference not in client.get(f"/hubs/{mash.hub.pk}/handovers/").content.decode()
    client.force_login(mash.practitioner)
    assert client.get(f"/hubs/{mash.hub.pk}/handovers/").status_code == 403
    officer = mash.officers["social_care"]
    client.force_login(officer)
    page = client.get(f"/hubs/{mash.hub.pk}/handovers/").content.decode()
    assert decision.referral.reference in page and "Strategy discussion (s47)" in page and "Acknowledge" in page
    response = client.post(f"/hubs/{mash.hub.pk}/handovers/{handover.pk}/acknowledge/", follow=True)
    assert f"Handover of {decision.referral.reference} acknowledged" in response.content.decode()
    handover.refresh_from_db()
    assert handover.state == HandoverState.ACKNOWLEDGED and handover.acknowledged_by == officer


def test_an_adults_s42_enquiry_is_handed_to_adult_social_care_and_without_one_nothing_is(mash):
    from agencies import services as hub_services
    from tests.decisions.test_adult_voice import adult_referral, decided

    decided(mash, adult_referral(mash))  # the hub has no adult social care agency yet
    assert not Handover.objects.exists()
    adults = hub_services.agency_create(name="Northshire Adult Social Care", slug="north-asc", kind="adult_social_care")
    hub_services.membership_set(hub=mash.hub, agency=adults, kind="contributing")
    decision = decided(mash, adult_referral(mash))
    handover = Handover.objects.get()
    assert handover.agency == adults and handover.decision == decision
    package = handover.package
    assert "child_details" not in package and package["person_details"]["first_name"] == "Ada"
    assert package["decision"]["outcome"] == {"code": "s42_enquiry", "label": "Safeguarding enquiry (s42)"}
    assert "section_47_assessments" not in package["social_care_episodes"][0]


def test_a_handover_is_due_to_be_acknowledged_after_the_hubs_working_hours(mash):
    from datetime import datetime

    friday_four_pm = timezone.make_aware(datetime(2026, 12, 4, 16, 0))  # a Friday, an hour before the day ends
    assert handovers.ack_due(mash.hub, friday_four_pm) == timezone.make_aware(datetime(2026, 12, 7, 12, 0))
    mash.hub.handover_ack_hours = 8
    assert handovers.ack_due(mash.hub, friday_four_pm) == timezone.make_aware(datetime(2026, 12, 7, 16, 0))


def test_the_receiving_officer_reads_the_case_handed_over_in_words_and_no_other_officer_can(client, mash):
    due = timezone.localdate() + timedelta(days=2)
    decision = _decide(
        mash, "s47_strategy", actions=[{"owner": mash.social_care, "description": "Visit the child", "due_on": due}]
    )
    handover = Handover.objects.get()
    url = f"/hubs/{mash.hub.pk}/handovers/{handover.pk}/"
    client.force_login(mash.officers["police"])
    assert client.get(url).status_code == 404  # another agency's handover
    client.force_login(mash.officers["social_care"])
    listing = client.get(f"/hubs/{mash.hub.pk}/handovers/").content.decode()
    assert f'href="{url}">{decision.referral.reference}</a>' in listing
    page = client.get(url).content.decode()
    subject = decision.referral.persons.get(role="subject")
    for words in (
        f"Handover of {decision.referral.reference}", "Not yet acknowledged", "Strategy discussion (s47)",
        "Significant harm suspected.", f"Visit the child (due {due.day} {due:%B %Y})",
        f"{subject.given_name} {subject.family_name}", "Acknowledge: your service has the case",
    ):  # fmt: skip
        assert words in page, words
    assert "s47_strategy" not in page  # words, not codes
    assert AuditEvent.objects.filter(action="handover.viewed", object_id=str(handover.pk)).exists()
