"""PostgreSQL: two answers sent at the same moment with one Idempotency-Key store one contribution, and both get
its response."""

import pytest
from django.test import Client

from decisions import services
from decisions.models import Contribution
from tests.concurrent import two_posts_at_once
from tests.decisions.test_api import KNOWN, api_token, contributions_url
from tests.people import build_mash

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_answers_with_one_key_store_one_contribution():
    mash = build_mash()
    referral = mash.referral()
    services.information_request(referral=referral, by=mash.practitioner)
    token = api_token(Client(), mash.hub, mash.police)
    answers = two_posts_at_once(contributions_url(referral.pk), KNOWN, token)
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert Contribution.objects.filter(referral=referral).count() == 1
