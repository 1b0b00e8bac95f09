"""PostgreSQL: referrals recorded at the same moment get distinct references."""

import threading

import pytest
from django.db import connections

from referrals.models import Referral
from referrals.services import referral_create
from tests.concurrent import two_posts_at_once
from tests.factories import HubFactory, referral_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_intake_takes_distinct_references():
    hub = HubFactory()
    start = threading.Barrier(4)
    failures = []

    def intake():
        try:
            start.wait(timeout=10)
            for _ in range(5):
                referral_create(hub=hub, data=referral_data(), channel="api")
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=intake) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    references = list(Referral.objects.filter(hub=hub).values_list("reference", flat=True))
    assert len(references) == 20 and len(set(references)) == 20


def test_two_concurrent_requests_with_one_key_create_one_referral():
    from django.test import Client

    from agencies import services
    from tests.factories import MembershipFactory
    from tests.referrals.test_api import _basic

    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    _, client_id, secret = services.api_client_create(hub=hub, agency=agency, name="x")
    token = (
        Client()
        .post(
            "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=_basic(client_id, secret)
        )
        .json()["access_token"]
    )
    answers = two_posts_at_once("/api/v1/referrals/", referral_data(), token)
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert Referral.objects.filter(hub=hub).count() == 1
