"""Consent and sharing decisions in the referral's disclosure log and in the chronology (issue 19 part 2): beside
what each agency's information was shared with, in time order, for the hub's staff; escaped."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from decisions import services
from tests.factories import ScreenedReferralFactory, answer_core, ask

pytestmark = pytest.mark.django_db

SHARE = {"kind": "without_consent", "what": "The mother's <b>disclosure</b> of domestic abuse",
         "with_whom": "Northshire Health", "rationale": "Asking the father would place the child at risk",
         "lawful_basis": "gdpr_6_1_e_dpa_sch1_18"}  # fmt: skip
WITHHELD = {"kind": "not_to_share", "what": "The sister's address", "with_whom": "Northshire Homes",
            "rationale": "Not relevant to the concern"}  # fmt: skip


def test_the_referral_page_log_and_the_chronology_hold_consent_and_sharing_decisions_in_order(client, mash):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        referral = ScreenedReferralFactory(mash=mash)
        answer_core(mash, ask(mash, referral))
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        services.consent_record(referral=referral, by=mash.practitioner,
                                data={"told": False, "agreed": False, "reason": "would_place_at_risk"})  # fmt: skip
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        shared = services.sharing_decision_record(referral=referral, by=mash.practitioner, data=SHARE)
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        services.sharing_decision_record(referral=referral, by=mash.practitioner, data=WITHHELD)
    with time_machine.travel(start + timedelta(minutes=40), tick=False):
        services.sharing_decision_override(decision=shared, by=mash.manager, reason="Share a summary only")

    client.force_login(mash.practitioner)
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    log = page.split('id="disclosure-log"')[1].split("</details>")[0]
    order = [
        "Northshire Police (north)&#x27;s information shared</strong>: With ",
        "<strong>Consent</strong>: Not told of the referral: Telling them or asking would place the child or adult at risk",
        "<strong>Decision to share without consent</strong>: The mother&#x27;s &lt;b&gt;disclosure&lt;/b&gt; of "
        "domestic abuse, with Northshire Health (",
        "<strong>Decision not to share</strong>: The sister&#x27;s address, with Northshire Homes. Why: Not relevant",
        "<strong>Manager&#x27;s override of the decision (share without consent)</strong>: Share a summary only",
    ]  # fmt: skip
    at = [log.find(text) for text in order]
    assert -1 not in at, dict(zip(order, at, strict=True))
    assert at == sorted(at)

    chronology = client.get(reverse("chronology", args=[mash.hub.id, referral.id])).content.decode()
    for text in ("Decision to share without consent", "Decision not to share", "Share a summary only",
                 "Not told of the referral"):  # fmt: skip
        assert text in chronology, text
