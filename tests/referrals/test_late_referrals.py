"""The web form keeps to the hub's late-referral window as the API does (README, "Input rules"): a practitioner who
types a date received further back than the hub allows is told so on that field, and nothing is stored."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Hub
from referrals.models import Referral
from tests.journey import child_form, record_on_the_web

pytestmark = pytest.mark.django_db


def test_a_date_received_beyond_the_hubs_window_is_refused_on_the_web_form(client, mash):
    Hub.objects.filter(pk=mash.hub.pk).update(late_referral_days=14)
    client.force_login(mash.practitioner)
    before = Referral.objects.count()
    too_late = child_form(received_date=(timezone.localdate() - timedelta(days=20)).isoformat())
    page = client.post(reverse("referral-new", args=[mash.hub.id]), too_late)
    assert page.status_code == 200
    text = page.content.decode()
    assert "There is a problem" in text and "14 days" in text
    assert Referral.objects.count() == before


def test_a_date_received_within_the_window_is_taken(client, mash):
    Hub.objects.filter(pk=mash.hub.pk).update(late_referral_days=14)
    referral = record_on_the_web(
        client, mash, child_form(received_date=(timezone.localdate() - timedelta(days=10)).isoformat())
    )
    assert referral.received_at.date() == timezone.localdate() - timedelta(days=10)
