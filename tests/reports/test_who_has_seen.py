"""The referral page gives the manager a "Who has seen this record" link: the audit trail filtered to the
referral's views and exports, with no type or id to type."""

import pytest

from tests.factories import ScreenedReferralFactory

pytestmark = pytest.mark.django_db

LINK = "Who has seen this record"


def _page(client, user, mash, referral):
    client.force_login(user)
    return client.get(f"/hubs/{mash.hub.id}/referrals/{referral.id}/").content.decode()


def test_the_manager_follows_the_link_to_who_has_seen_the_referral(client, mash):
    referral = ScreenedReferralFactory(mash=mash)
    _page(client, mash.practitioner, mash, referral)  # the practitioner reads it
    page = _page(client, mash.manager, mash, referral)
    assert LINK in page
    href = page.split(LINK)[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert f"object_type=referrals.referral&object_id={referral.id}&seen=on" in href  # the ledger's code, in words:
    trail = client.get(href).content.decode()
    assert '<option value="referrals.referral" selected>Referral</option>' in trail
    assert "Referral viewed" in trail
    assert (mash.practitioner.get_full_name() or mash.practitioner.username) in trail
    assert trail.count("Referral screened and rated") == 1  # in the action filter only: changes are not views


def test_the_practitioner_has_no_link(client, mash):
    referral = ScreenedReferralFactory(mash=mash)
    assert LINK not in _page(client, mash.practitioner, mash, referral)
