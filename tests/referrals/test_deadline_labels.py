"""Each deadline on the referral page says whose it is: "Northshire Police's information, Red", not "Agency's
information (Red)" once per agency."""

import pytest

from referrals.models import DeadlineKind
from tests.factories import AskedReferralFactory
from tests.referrals.test_triage_views import _login

pytestmark = pytest.mark.django_db


def test_request_deadlines_name_their_agency(client, mash):
    referral = AskedReferralFactory(mash=mash)
    _login(client, mash.practitioner)
    page = client.get(f"/hubs/{mash.hub.id}/referrals/{referral.id}/").content.decode().replace("&#x27;", "'")
    assert "Northshire Police (north)'s information, Red" in page
    assert "Northshire Children's Services (north)'s information, Red" in page
    assert "Agency's information" not in page
    assert "Red timescale" in page


def test_the_label_uses_the_possessive_of_a_name_ending_in_s(mash):
    referral = AskedReferralFactory(mash=mash)
    deadline = referral.deadlines.filter(kind=DeadlineKind.REQUEST).first()
    agency = deadline.information_request.agency
    agency.name = "Northshire Children's Services"
    assert deadline.label == "Northshire Children's Services' information, Red"
