"""Screening cannot contradict itself, anyone may raise concern, only the acting manager lowers it (with a reason),
and someone found at immediate risk at screening puts the referral in the fast lane."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.events.actions import AuditAction
from audit.models import AuditEvent
from referrals import triage
from referrals.models import Deadline, DeadlineKind, Notification, Referral
from referrals.services import referral_create
from tests.factories import referral_data

pytestmark = pytest.mark.django_db

CONTRADICTORY = {
    "level": "universal",
    "criteria": ["specialist.1", "specialist.2"],  # significant harm; immediate risk to the child's safety
    "rating": "blue",
    "rationale": "x",
    "immediate_risk": True,
}


def _new(mash):
    return referral_create(hub=mash.hub, data=referral_data(), channel="api", referring_agency=mash.police)


def _screen(referral, by, **screening):
    return triage.referral_screen(referral=referral, by=by, **screening)


def test_a_contradictory_screening_is_refused_naming_each_contradiction(mash):
    referral = _new(mash)
    with pytest.raises(ValidationError) as error:
        _screen(referral, mash.practitioner, **CONTRADICTORY)
    errors = error.value.message_dict
    assert (
        "“Reasonable cause to suspect significant harm” is a criterion of Specialist: child protection (s47), above "
        "the level chosen (Universal)" in errors["level"]
    )
    assert "Someone is at immediate risk of harm: the level Universal contradicts it" in errors["level"]
    assert "Someone is at immediate risk of harm: a Blue rating contradicts it" in errors["rating"]
    assert errors["rating"][-1] == "If it is right, ask the accountable manager to confirm it"
    referral.refresh_from_db()
    assert referral.rating == "" and not referral.screenings.exists() and not referral.immediate_risk


def test_what_to_do_is_said_once_after_the_last_contradiction_as_the_form_shows_them(mash):
    """Immediate risk alone (no criterion) names the rating's contradiction first and the level's after: the form
    shows the level above the rating, so the advice still comes last, under the rating."""
    referral = _new(mash)
    low = {"level": "universal", "criteria": [], "rating": "green", "rationale": "x", "immediate_risk": True}
    with pytest.raises(ValidationError) as error:
        _screen(referral, mash.practitioner, **low)
    errors = error.value.message_dict
    assert errors["level"] == ["Someone is at immediate risk of harm: the level Universal contradicts it"]
    assert errors["rating"] == [
        "Someone is at immediate risk of harm: a Green rating contradicts it",
        "If it is right, ask the accountable manager to confirm it",
    ]


def test_the_manager_may_confirm_it_only_with_a_reason(mash):
    referral = _new(mash)
    with pytest.raises(ValidationError) as error:
        _screen(referral, mash.manager, **CONTRADICTORY)
    assert error.value.message_dict["rating"][-1] == "If it is right, confirm it with your reason below"
    screening = _screen(referral, mash.manager, **CONTRADICTORY, confirm_reason="Child already in hospital care")
    assert screening.confirm_reason == "Child already in hospital care" and screening.rating == "blue"
    event = AuditEvent.objects.filter(action=AuditAction.REFERRAL_SCREENED, object_id=str(referral.pk)).get()
    assert '"contradictions_confirmed":true' in event.payload and "hospital" not in event.payload


def test_a_practitioner_raises_blue_to_red_but_cannot_lower_it_back(mash):
    referral = _new(mash)
    _screen(
        referral, mash.practitioner, level="universal", criteria=["universal.1"], rating="blue", rationale="No need"
    )
    _screen(referral, mash.practitioner, level="specialist", criteria=["specialist.1"], rating="red", rationale="New")
    referral.refresh_from_db()
    assert (referral.rating, referral.threshold_level) == ("red", "specialist")
    with pytest.raises(ValidationError) as error:
        _screen(
            referral, mash.practitioner, level="targeted", criteria=["targeted.1"], rating="amber", rationale="Less"
        )
    assert set(error.value.message_dict) == {"rating", "level"}
    assert (
        "Lowering the level from Specialist: child protection (s47) to Targeted" in error.value.message_dict["level"][0]
    )
    lower = {"level": "targeted", "criteria": ["targeted.1"], "rating": "amber", "rationale": "Checked"}
    with pytest.raises(ValidationError) as error:  # the manager may lower it, with their reason
        _screen(referral, mash.manager, **lower)
    assert error.value.message_dict["confirm_reason"][0].startswith("Give your reason for lowering the rating from")
    _screen(referral, mash.manager, **lower, confirm_reason="Police found no injury; father left the home")
    referral.refresh_from_db()
    assert (referral.rating, referral.threshold_level) == ("amber", "targeted")


def test_immediate_risk_found_at_screening_is_the_fast_lane_and_only_the_manager_clears_it(mash):
    referral = _new(mash)
    before = Deadline.objects.get(referral=referral, kind=DeadlineKind.DECISION, state="open").due_at
    red = {"level": "specialist", "criteria": ["specialist.2"], "rating": "red", "rationale": "Threats tonight"}
    _screen(referral, mash.practitioner, **red, immediate_risk=True)
    referral.refresh_from_db()
    assert referral.immediate_risk
    decision = Deadline.objects.get(referral=referral, kind=DeadlineKind.DECISION, state="open")
    assert decision.due_at < before and decision.due_at <= timezone.now() + timedelta(hours=1)
    assert Notification.objects.filter(
        referral=referral, recipient=mash.manager, subject__contains="immediate"
    ).exists()
    with pytest.raises(ValidationError) as error:
        _screen(referral, mash.practitioner, **red, immediate_risk=False)
    assert "only the accountable manager may say no one is now" in error.value.message_dict["immediate_risk"][0]
    with pytest.raises(ValidationError) as error:
        _screen(referral, mash.manager, **red, immediate_risk=False)
    assert error.value.message_dict["confirm_reason"] == [
        "Give your reason for saying no one is now at immediate risk of harm"
    ]
    _screen(referral, mash.manager, **red, immediate_risk=False, confirm_reason="Child in hospital, safe")
    assert not Referral.objects.get(pk=referral.pk).immediate_risk


def test_the_manager_changes_rating_and_level_together(mash):
    referral = mash.referral(rating="red")
    triage.referral_re_rate(referral=referral, by=mash.manager, rating="amber", level="targeted", reason="Police")
    referral.refresh_from_db()
    assert (referral.rating, referral.threshold_level) == ("amber", "targeted")
    triage.referral_re_rate(referral=referral, by=mash.manager, rating="amber", level="early_help", reason="Level")
    assert Referral.objects.get(pk=referral.pk).threshold_level == "early_help"
    with pytest.raises(ValidationError) as error:
        triage.referral_re_rate(referral=referral, by=mash.manager, rating="amber", level="", reason="Nothing")
    assert error.value.message_dict["rating"] == ["Choose a rating or a level different from the current ones"]


def test_the_web_form_shows_the_contradiction_and_only_the_manager_sees_the_confirmation(client, mash):
    referral = _new(mash)
    url = reverse("referral-screen", args=[mash.hub.id, referral.id])
    client.force_login(mash.practitioner)
    assert "Your reason as accountable manager" not in client.get(url).content.decode()
    form = {**CONTRADICTORY, "immediate_risk": "on"}
    page = client.post(url, form).content.decode()
    assert "There is a problem" in page and "a Blue rating contradicts it" in page
    client.force_login(mash.manager)
    assert "Your reason as accountable manager" in client.get(url).content.decode()
    assert client.post(url, {**form, "confirm_reason": "Known to the hospital"}).status_code == 302
    history = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Accountable manager’s reason" in history and "Known to the hospital" in history
