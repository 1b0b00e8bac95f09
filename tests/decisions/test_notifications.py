"""The practitioner who proposed a decision hears when the manager returns it; the referral's assignee hears when
a decision is signed off. In the app (the notifications page) and by email, naming no person."""

import pytest
from django.core import mail

from agencies.models import Role
from decisions import services
from referrals.deadlines import notices_deliver
from referrals.models import Notification
from referrals.triage import referral_assign
from tests.factories import AnsweredReferralFactory, ProposedDecisionFactory, member

pytestmark = pytest.mark.django_db


def test_the_proposer_is_told_the_decision_was_returned(client, mash):
    decision = ProposedDecisionFactory(mash=mash)
    services.decision_return(decision=decision, by=mash.manager, comments="Add the school's view")
    note = Notification.objects.get(recipient=mash.practitioner)
    reference = decision.referral.reference
    assert note.subject == f"{reference}: the manager returned your proposed decision"
    assert note.notice is None and note.referral_id == decision.referral_id
    assert not Notification.objects.filter(recipient=mash.manager).exists()

    client.force_login(mash.practitioner)
    page = client.get("/notifications/").content.decode()
    assert "the manager returned your proposed decision" in page

    mash.practitioner.email = "practitioner@example.org"
    mash.practitioner.save()
    assert notices_deliver() == 1
    (email,) = mail.outbox
    assert email.to == ["practitioner@example.org"] and reference in email.subject
    subject = decision.referral.persons.get(role="subject")
    for name in (subject.given_name, subject.family_name, mash.manager.username, mash.practitioner.username):
        assert name not in email.subject + email.body


def test_the_assignee_is_told_the_decision_was_signed_off(mash):
    referral = AnsweredReferralFactory(mash=mash)
    colleague = member(mash.hub, Role.PRACTITIONER)
    referral_assign(referral=referral, by=mash.manager, to=colleague)
    decision = ProposedDecisionFactory(mash=mash, referral=referral)
    services.decision_sign_off(decision=decision, by=mash.manager)
    note = Notification.objects.get(recipient=colleague)
    assert note.subject == f"{referral.reference}: the decision was signed off"
    assert not Notification.objects.filter(recipient=mash.manager).exists()


def test_nobody_is_told_of_their_own_sign_off(mash):
    referral = AnsweredReferralFactory(mash=mash)
    referral_assign(referral=referral, by=mash.manager, to=mash.manager)
    decision = ProposedDecisionFactory(mash=mash, referral=referral)
    services.decision_sign_off(decision=decision, by=mash.manager)
    assert not Notification.objects.exists()
