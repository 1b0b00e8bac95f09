"""The demo's plan of referrals (referrals/demo.py), whatever day `make run` builds it on."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from decisions.demo import HISTORY_DAYS
from referrals.demo import planned


@pytest.mark.parametrize("days_ago", [0, 37, 101, 200, 365])
def test_every_person_in_the_demo_is_born_before_they_are_referred(days_ago):
    """On 2026-12-06 `make run` stopped: a baby aged from the day the demo was built was born after its referral
    months earlier, and the referral was refused ("The date of birth must be in the past")."""
    end = timezone.now() - timedelta(days=days_ago)
    start = end - timedelta(days=HISTORY_DAYS)
    plan = planned(start, end, 300)
    assert len(plan) == 300
    for p in plan:
        born = date.fromisoformat(p["data"]["subject"]["date_of_birth"])
        on = timezone.localtime(p["received"]).date()
        assert born < on, (born, on)
        assert (on - born).days >= 100  # the youngest the demo refers
