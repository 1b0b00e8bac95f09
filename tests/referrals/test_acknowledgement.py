"""Telling the referrer (issue 19, part 7): the receipt at once (an email for web, phone and email referrals with an
email address; a change-feed event and a `referral.received` webhook notice for an agency's system), the outcome by
email within one working day of the decision, both in the ledger and on the referral page."""

from datetime import timedelta

import pytest
from django.core import mail

from audit.models import AuditEvent
from decisions import services, webhooks
from decisions.models import WebhookDelivery
from referrals import acknowledgement, deadlines, tasks, triage
from referrals.models import Deadline, Notice, Notification, Referral
from referrals.services import referral_create
from tests.decisions.test_webhooks import receiver, register, verified  # noqa: F401 - the receiver fixture
from tests.factories import referral_data
from tests.referrals.test_change_feed import EVENTS, _auth
from tests.referrals.test_views import _form

pytestmark = pytest.mark.django_db


def _web(mash, contact="pat.jones@school.example", channel="web", **changes) -> Referral:
    data = referral_data(referrer={"name": "Pat Jones", "role": "Teacher", "contact": contact}, **changes)
    return referral_create(hub=mash.hub, data=data, channel=channel, recorded_by=mash.practitioner)


def _told(referral, action) -> list[str]:
    return [e.data["channel"] for e in AuditEvent.objects.filter(action=action, object_id=str(referral.pk))]


def _page(client, mash, referral) -> str:
    client.force_login(mash.practitioner)
    return client.get(f"/hubs/{mash.hub.id}/referrals/{referral.id}/").content.decode()


def _sign_off(mash, referral):
    triage.referral_screen(
        referral=referral, by=mash.practitioner, level="specialist", criteria=["specialist.1"], rating="red",
        rationale="Bruising reported by school.",
    )  # fmt: skip
    for request in services.information_request(referral=referral, by=mash.practitioner):
        key = next(k for k in ("police", "social_care", "health") if getattr(mash, k).pk == request.agency_id)
        services.contribution_add(request=request, by=mash.officers[key], data={"known": False})
    proposal = services.decision_propose(
        referral=referral, by=mash.practitioner, outcome="s47_strategy", threshold_level="specialist",
        rationale="Significant harm suspected.", participants=[mash.police, mash.social_care, mash.health], actions=[],
    )  # fmt: skip
    services.decision_sign_off(decision=proposal, by=mash.manager)
    referral.refresh_from_db()
    return referral


def test_a_web_referral_with_an_email_address_is_acknowledged_at_once_without_the_childs_name(
    client, mash, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        referral = _web(mash)
    assert queued  # the worker is asked as soon as the referral commits
    assert mail.outbox == []  # written to the outbox, sent by the worker
    assert tasks.notices_deliver() == 1
    (email,) = mail.outbox
    assert email.to == ["pat.jones@school.example"]
    assert referral.reference in email.subject and referral.reference in email.body
    assert mash.hub.name in email.body and "within one working day" in email.body
    for name in ("Alex", "Example", "Sam"):  # the child and the parent named in the referral
        assert name not in email.subject and name not in email.body
    assert "neglect" not in email.body and "unkempt" not in email.body  # nothing of the case
    assert tasks.notices_deliver() == 0  # once
    assert _told(referral, "referral.acknowledged") == ["email"]
    page = _page(client, mash, referral)
    assert "Referrer told it was received" in page and " by email" in page
    assert "Not yet: the referral is not decided" in page


def test_a_referral_recorded_through_the_form_with_a_phone_number_sends_nothing_and_says_so(client, mash):
    client.force_login(mash.practitioner)
    response = client.post(f"/hubs/{mash.hub.id}/referrals/new/", _form())  # contact: 01234 567890
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert not Notification.objects.filter(referral=referral, recipient=None).exists()
    tasks.notices_deliver()
    assert all(m.to != ["01234 567890"] for m in mail.outbox)  # only the staff's own alerts (immediate risk)
    assert _told(referral, "referral.acknowledged") == []
    assert "the referrer has no email address on record" in client.get(response["Location"]).content.decode()


def test_something_that_only_looks_like_an_address_is_not_one():
    assert acknowledgement.email_of(" pat@school.example ") == "pat@school.example"
    for contact in ("01234 567890", "Pat at the school", "pat@", "pat@school", "a@b.example\nBcc: x@y.example"):
        assert acknowledgement.email_of(contact) == ""


def test_an_agency_system_hears_of_its_referral_in_its_feed_and_by_a_webhook(client, mash, receiver):  # noqa: F811
    secret = register(client, mash, mash.police, receiver.url("/police"))
    register(client, mash, mash.health, receiver.url("/health"))  # not the referrer
    referral = mash.referral()  # sent by the police's system
    (delivery,) = WebhookDelivery.objects.filter(event="referral.received")
    assert delivery.webhook.agency == mash.police
    assert _told(referral, "referral.acknowledged") == ["feed"]

    assert webhooks.deliveries_send() == 1
    (notice,) = receiver.received
    assert notice["path"] == "/police"
    payload = verified(secret, notice)
    assert payload["type"] == "referral.received"
    assert payload["data"]["referral"] == {"id": str(referral.pk), "reference": referral.reference}
    assert "Alex" not in notice["body"].decode()
    assert _told(referral, "referral.acknowledged") == ["feed", "webhook"]

    feed = client.get(EVENTS, **_auth(client, mash.hub, mash.police)).json()["results"]
    assert ("referral.received", str(referral.pk)) in [(e["type"], e["referral"]["id"]) for e in feed]
    assert mail.outbox == []  # an agency's system is not emailed
    page = _page(client, mash, referral)
    assert "in the agency&#x27;s feed and by a notice to the agency&#x27;s system" in page


def test_the_receipt_notice_is_withheld_from_an_agency_without_an_agreement(client, mash, receiver):  # noqa: F811
    register(client, mash, mash.police, receiver.url("/police"))
    referral = mash.referral(source_code="4")  # housing's code: housing has not signed the agreement
    assert referral.referring_agency == mash.housing
    assert not WebhookDelivery.objects.filter(event="referral.received").exists()
    assert _told(referral, "referral.acknowledged") == []  # nor does it read its feed


def test_the_outcome_is_emailed_after_sign_off_in_words_to_a_professional(client, mash):
    referral = _web(mash)
    tasks.notices_deliver()
    mail.outbox.clear()
    referral = _sign_off(mash, referral)
    deadline = Deadline.objects.get(referral=referral, kind="outcome")
    assert deadline.state == "open" and deadline.due_at > referral.decided_at
    assert "Not yet — due by" in _page(client, mash, referral)

    assert tasks.notices_deliver() == 1
    (email,) = mail.outbox
    assert email.to == ["pat.jones@school.example"] and referral.reference in email.subject
    assert "Section 47" in email.body or "strategy" in email.body.lower()
    assert "mash@localhost" in email.body  # where to ask
    assert "Alex" not in email.body and "Example" not in email.body
    deadline.refresh_from_db()
    assert deadline.state == "met"
    (event,) = AuditEvent.objects.filter(action="referral.outcome_sent", object_id=str(referral.pk))
    assert event.data == {"reference": referral.reference, "channel": "email", "outcome": "s47_strategy",
                          "detail": True}  # fmt: skip
    page = _page(client, mash, referral)
    assert "Referrer told the outcome" in page and "Not yet — due by" not in page


def test_a_member_of_the_public_is_told_it_was_dealt_with_not_the_outcome(client, mash):
    referral = _sign_off(mash, _web(mash, contact="neighbour@home.example", source_code="1B"))
    tasks.notices_deliver()
    outcome = next(m for m in mail.outbox if "dealt with" in m.body)
    assert referral.reference in outcome.subject
    assert "Section 47" not in outcome.body and "strategy" not in outcome.body.lower()
    assert AuditEvent.objects.get(action="referral.outcome_sent").data["detail"] is False
    assert "by email (that it was dealt with, not what was decided)" in _page(client, mash, referral)


def test_a_referral_closed_blue_is_an_outcome_the_referrer_is_told_too(mash):
    referral = _web(mash)
    triage.referral_screen(
        referral=referral, by=mash.practitioner, level="universal", criteria=["universal.1"], rating="blue",
        rationale="Universal services can help.",
    )  # fmt: skip
    triage.referral_close_no_response(referral=referral, by=mash.manager, reason="No MASH response needed.")
    assert tasks.notices_deliver() == 2
    assert "No MASH response" in mail.outbox[-1].body
    assert _told(referral, "referral.outcome_sent") == ["email"]


def test_an_email_the_mail_server_refused_is_sent_again_by_the_next_run(mash, monkeypatch):
    referral = _sign_off(mash, _web(mash))

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(acknowledgement, "send_mail", refused)
    assert tasks.notices_deliver() == 0  # nothing lost: both emails wait
    assert Notification.objects.filter(referral=referral, emailed_at=None).count() == 2
    monkeypatch.undo()
    assert tasks.notices_deliver() == 2  # the beat's catch-up run
    assert Deadline.objects.get(referral=referral, kind="outcome").state == "met"


def test_an_outcome_not_sent_within_a_working_day_is_a_breach_the_managers_hear_of(client, mash, monkeypatch):
    referral = _sign_off(mash, _web(mash))
    monkeypatch.setattr(acknowledgement, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    tasks.notices_deliver()
    deadline = Deadline.objects.get(referral=referral, kind="outcome")
    assert deadline.due_at - referral.decided_at >= timedelta(hours=8)  # a working day of the hub's hours
    deadlines.deadlines_sweep(now=deadline.due_at + timedelta(seconds=1))
    deadline.refresh_from_db()
    assert deadline.state == "breached"
    assert Notice.objects.filter(deadline=deadline, kind="breach").exists()
    breach = Notification.objects.filter(notice__deadline=deadline)
    assert mash.manager in {n.recipient for n in breach}
    assert "(overdue)" in _page(client, mash, referral)


def test_a_hub_that_writes_in_welsh_sends_its_emails_in_welsh(mash):
    """Issue 22: the hub's language is its emails' (hub profile); a practitioner's page language is not."""
    mash.hub.language = "cy"
    mash.hub.save(update_fields=["language"])
    referral = _web(mash)
    _sign_off(mash, referral)
    tasks.notices_deliver()
    to_referrer = [m for m in mail.outbox if m.to == ["pat.jones@school.example"]]
    assert len(to_referrer) == 2  # the receipt and the outcome
    for email in to_referrer:
        assert referral.reference in email.subject and mash.hub.name in email.body
        assert "ffoniwch 999" in email.body and "call 999" not in email.body, email.body
    assert "o fewn un diwrnod gwaith" in to_referrer[0].body  # "within one working day"
    staff = [m for m in mail.outbox if m.to != ["pat.jones@school.example"]]
    assert all("Open the referral" not in m.body for m in staff)
