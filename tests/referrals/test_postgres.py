"""PostgreSQL: referrals recorded at the same moment get distinct references."""

import threading

import pytest
from django.db import connections

from referrals.models import Referral
from referrals.services import referral_create
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
