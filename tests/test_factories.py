"""The factories give the states they name, through the services (so each state is one people reach)."""

import pytest

from audit.models import AuditEvent
from tests.factories import (
    AnsweredReferralFactory,
    AskedReferralFactory,
    ProposedDecisionFactory,
    ScreenedReferralFactory,
    SignedOffDecisionFactory,
    requests_of,
)

pytestmark = pytest.mark.django_db


def test_each_factory_gives_the_state_it_names(mash):
    screened = ScreenedReferralFactory(mash=mash, rating="amber")
    assert (screened.status, screened.rating, screened.referring_agency) == ("screened", "amber", mash.police)
    asked = AskedReferralFactory(mash=mash, extra=[mash.school])
    assert asked.status == "awaiting_information"
    assert set(requests_of(asked)) == {mash.police.pk, mash.social_care.pk, mash.health.pk, mash.school.pk}
    answered = AnsweredReferralFactory(mash=mash)
    assert answered.status == "awaiting_decision"
    proposed = ProposedDecisionFactory(mash=mash)
    assert proposed.state == "proposed" and proposed.referral.status == "awaiting_sign_off"
    signed = SignedOffDecisionFactory(mash=mash)
    signed.referral.refresh_from_db()
    assert (signed.state, signed.reviewed_by, signed.referral.status) == ("signed", mash.manager, "closed")
    assert AuditEvent.objects.filter(action="decision.signed_off", object_id=str(signed.pk)).exists()


def test_factories_only_create_through_the_services(mash):
    with pytest.raises(NotImplementedError):
        ScreenedReferralFactory.build(mash=mash)
