"""Immediate risk is a fast lane: first in the queue, decided within the hub's immediate-risk hours, everyone who must
act told at once, and counted on the manager's dashboard."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from referrals import deadlines
from referrals.models import Deadline, DeadlineKind, Notification, Referral
from referrals.services import referral_create
from tests.decisions.test_api import api_token
from tests.factories import referral_data

pytestmark = pytest.mark.django_db


def _urgent(mash, **changes):
    return referral_create(
        hub=mash.hub, data=referral_data(immediate_risk=True, **changes), channel="api", referring_agency=mash.police
    )


def _send(client, token, body):
    return client.post(
        "/api/v1/referrals/", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )  # fmt: skip


def test_the_api_requires_an_answer_about_immediate_risk(client, mash):
    token = api_token(client, mash.hub, mash.police)
    body = referral_data()
    del body["immediate_risk"]
    response = _send(client, token, body)
    assert response.status_code == 422
    assert {"field": "immediate_risk", "detail": "Say whether anyone is at immediate risk of harm"} in (
        response.json()["errors"]
    )
    assert not Referral.objects.exists()
    assert _send(client, token, referral_data(immediate_risk=True)).status_code == 201


def test_the_decision_is_due_within_the_hubs_immediate_risk_hours(mash):
    mash.hub.immediate_risk_hours = 2
    mash.hub.save()
    referral = _urgent(mash)
    decision = Deadline.objects.get(referral=referral, kind=DeadlineKind.DECISION)
    assert decision.due_at == referral.received_at + timedelta(hours=2)  # clock hours, whatever the working day
    ordinary = referral_create(hub=mash.hub, data=referral_data(), channel="api", referring_agency=mash.police)
    later = Deadline.objects.get(referral=ordinary, kind=DeadlineKind.DECISION)
    assert later.due_at > decision.due_at


def test_it_heads_the_queue_above_referrals_due_sooner(client, mash):
    overdue = mash.referral(rating="red")
    Referral.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(days=3))
    urgent = _urgent(mash)
    client.force_login(mash.practitioner)
    page = client.get(reverse("triage-queue", args=[mash.hub.id])).content.decode()
    assert page.index(urgent.reference) < page.index(overdue.reference)
    first_row = page[page.index("govuk-table__body") :].split("</tr>")[0]
    assert urgent.reference in first_row and "Immediate risk" in first_row
    only = client.get(reverse("triage-queue", args=[mash.hub.id]), {"immediate": "on"}).content.decode()
    assert urgent.reference in only and overdue.reference not in only


def test_the_manager_deputy_and_practitioners_are_told_at_once_without_a_name_in_email(mash, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    deputy = mash.deputy  # inside the delegation: acts as manager now
    referral = _urgent(mash, subject={**referral_data()["subject"], "family_name": "Zebedee"})
    told = set(Notification.objects.filter(referral=referral).values_list("recipient_id", flat=True))
    assert told == {mash.manager.pk, deputy.pk, mash.practitioner.pk}
    assert all("immediate risk" in n.subject for n in Notification.objects.filter(referral=referral))
    deadlines.notices_deliver()
    sent = [m for m in mail.outbox if referral.reference in m.subject]
    assert {m.to[0] for m in sent} == {mash.manager.email, deputy.email, mash.practitioner.email}
    assert all("Zebedee" not in m.subject + m.body for m in sent)
    # Told once: the sweep's warnings and breaches are other notices.
    deadlines.notices_deliver()
    assert len([m for m in mail.outbox if referral.reference in m.subject]) == len(sent)


def test_the_dashboard_counts_open_immediate_risk_and_those_past_their_time(client, mash):
    on_time, late = _urgent(mash), _urgent(mash)
    Referral.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    mash.referral()  # not immediate
    client.force_login(mash.manager)
    page = client.get(reverse("manager-dashboard", args=[mash.hub.id])).content.decode()
    assert 'id="immediate-open"' in page and ">2<" in page.split('id="immediate-open"')[1][:300]
    assert '<dd class="govuk-summary-list__value" id="immediate-late">1</dd>' in page
    assert "is past its time to decide" in page
    assert on_time.immediate_risk


def test_the_alert_says_the_time_on_the_hubs_clock_in_summer_time(mash):
    """In British Summer Time the decision's time is the hub's (UTC + 1), not the stored UTC one."""
    import time_machine

    with time_machine.travel(datetime(2026, 7, 14, 9, 0, tzinfo=UTC), tick=False):  # 10:00 in London
        mash.hub.immediate_risk_hours = 2
        mash.hub.save()
        referral = _urgent(mash)
    subjects = set(Notification.objects.filter(referral=referral).values_list("subject", flat=True))
    assert subjects == {f"{referral.reference}: someone is at immediate risk of harm: decide by 14 Jul 12:00"}
