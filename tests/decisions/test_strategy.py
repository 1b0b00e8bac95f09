"""Strategy discussions (issue 19 part 1): recorded on a referral with who took part, what was shared, the decision
and the actions agreed; flagged without a required agency until the manager's reason; audited; in the chronology and
on the referral page; refused to people outside the hub's staff."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from decisions import services
from decisions.models.strategy import StrategyDiscussion
from mash.errors import Refused
from referrals.models import Deadline, Referral
from tests.factories import ask

pytestmark = pytest.mark.django_db


def _received_days_ago(referral, days=2):
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - timedelta(days=days))
    referral.refresh_from_db()
    return referral


def _data(mash, *, agencies=("police", "social_care", "health", "school"), **changes):
    held = timezone.localtime() - timedelta(hours=1)
    return {
        "held_on": held.date().isoformat(), "held_time": held.strftime("%H:%M"), "mode": "virtual",
        "participants": [{"agency": getattr(mash, key), "role": f"{key} lead"} for key in agencies],
        "decision": "s47_joint_police", "reason": "", "s47_started_on": timezone.localdate().isoformat(),
        "actions": [{"owner": mash.social_care, "description": "Visit the child with the police",
                     "due_on": (timezone.localdate() + timedelta(days=1)).isoformat()}],
        **changes,
    }  # fmt: skip


def test_a_discussion_with_every_required_agency_is_complete_and_audited(mash):
    referral = _received_days_ago(mash.referral())
    discussion = services.strategy_discussion_record(referral=referral, by=mash.practitioner, data=_data(mash))
    assert discussion.complete and not discussion.flagged
    assert discussion.s47_started_on == timezone.localdate()  # Annex A List 5
    assert {p.agency_id for p in discussion.participants.all()} == {
        mash.police.pk, mash.social_care.pk, mash.health.pk, mash.school.pk
    }  # fmt: skip
    assert [a.owner_id for a in discussion.actions.all()] == [mash.social_care.pk]
    event = AuditEvent.objects.get(action="strategy_discussion.recorded")
    assert event.data["decision"] == "s47_joint_police" and event.data["missing_kinds"] == []
    assert event.data["s47_started_on"] == timezone.localdate().isoformat()


def test_without_health_it_is_flagged_and_incomplete_until_the_managers_reason(mash):
    referral = _received_days_ago(mash.referral())
    data = _data(mash, agencies=("police", "social_care"))
    discussion = services.strategy_discussion_record(referral=referral, by=mash.practitioner, data=data)
    assert discussion.flagged and not discussion.complete
    assert discussion.missing_labels == ["Health"]
    with pytest.raises(Refused):  # the practitioner cannot give the manager's reason
        services.strategy_reason_give(discussion=discussion, by=mash.practitioner, reason="Health was on leave")
    with pytest.raises(ValidationError) as refused:
        services.strategy_reason_give(discussion=discussion, by=mash.manager, reason="  ")
    assert "reason" in refused.value.error_dict
    services.strategy_reason_give(discussion=discussion, by=mash.manager, reason="The GP could not be reached")
    discussion.refresh_from_db()
    assert discussion.complete and discussion.manager_reason_by == mash.manager
    event = AuditEvent.objects.get(action="strategy_discussion.reason_given")
    assert event.data["missing_kinds"] == ["health"]


def test_bad_input_is_refused_field_by_field(mash):
    referral = _received_days_ago(mash.referral())
    future = timezone.localtime() + timedelta(days=1)
    data = _data(
        mash, held_on=future.date().isoformat(), decision="no_s47", reason="",
        participants=[{"agency": mash.police, "role": ""}],
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.strategy_discussion_record(referral=referral, by=mash.practitioner, data=data)
    errors = refused.value.message_dict
    assert errors["held_on"] == ["The discussion cannot be in the future: record it once it has been held"]
    assert errors["reason"] == ["Give the reason no enquiry will be made"]
    assert "participants.0.role" in errors
    before = (referral.received_at - timedelta(days=3)).date().isoformat()
    with pytest.raises(ValidationError) as refused:
        services.strategy_discussion_record(
            referral=referral, by=mash.practitioner, data=_data(mash, s47_started_on=before, decision="bad")
        )
    assert set(refused.value.message_dict) == {"decision"}  # a decision the cohort does not have
    with pytest.raises(ValidationError) as refused:
        services.strategy_discussion_record(
            referral=referral, by=mash.practitioner, data=_data(mash, s47_started_on=before)
        )
    assert refused.value.message_dict["s47_started_on"] == [
        "The section 47 enquiry cannot start before the referral was received"
    ]
    assert not StrategyDiscussion.objects.exists()


def test_an_officer_cannot_record_or_see_it_and_another_hub_is_outside_scope(mash, client):
    from tests.people import build_mash

    referral = _received_days_ago(mash.referral())
    with pytest.raises(Http404):
        services.strategy_discussion_record(referral=referral, by=mash.officers["police"], data=_data(mash))
    discussion = services.strategy_discussion_record(
        referral=referral, by=mash.practitioner, data=_data(mash, agencies=("police", "social_care"))
    )
    client.force_login(mash.officers["police"])
    hub = mash.hub.id
    assert client.get(reverse("strategy-new", args=[hub, referral.id])).status_code == 404
    assert client.get(reverse("strategy-reason", args=[hub, discussion.id])).status_code == 404
    assert client.get(reverse("referral-detail", args=[hub, referral.id])).status_code == 404
    other = build_mash("south")
    client.force_login(other.manager)
    assert client.get(reverse("strategy-reason", args=[other.hub.id, discussion.id])).status_code == 404
    assert client.get(reverse("strategy-new", args=[other.hub.id, referral.id])).status_code == 404


def test_recorded_through_the_page_shown_on_the_referral_and_in_the_chronology(mash, client):
    referral = _received_days_ago(mash.referral())
    requests = ask(mash, referral)
    police = services.contribution_add(
        request=requests[mash.police.pk], by=mash.officers["police"],
        data={"known": True, "summary": "Two call-outs this year."},
    )  # fmt: skip
    client.force_login(mash.practitioner)
    page = reverse("referral-detail", args=[mash.hub.id, referral.id])
    shown = client.get(page).content.decode()
    assert "Strategy discussion due by" in shown and "Overdue" not in shown
    url = reverse("strategy-new", args=[mash.hub.id, referral.id])
    assert client.get(url).status_code == 200
    held = timezone.localtime() - timedelta(hours=2)
    form = {
        "held_on_day": held.day, "held_on_month": held.month, "held_on_year": held.year,
        "held_time": held.strftime("%H:%M"), "mode": "meeting", "participant_0_agency": str(mash.police.pk),
        "participant_0_role": "DS Khan", "participant_1_agency": str(mash.social_care.pk),
        "participant_1_role": "Team manager", "shared": [str(police.pk)], "decision": "s47_single_agency",
        "s47_started_on_day": held.day, "s47_started_on_month": held.month, "s47_started_on_year": held.year,
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    discussion = StrategyDiscussion.objects.get()
    assert [c.pk for c in discussion.shared.all()] == [police.pk]
    shown = client.get(page).content.decode()
    assert "Health did not take part" in shown and "Incomplete: needs the manager" in shown
    assert "Strategy discussion due by" not in shown
    assert "Give the reason it went ahead without them" not in shown  # the practitioner may not
    response = client.post(reverse("strategy-reason", args=[mash.hub.id, discussion.id]), {"reason": "No"})
    assert response.status_code == 403
    client.force_login(mash.manager)
    assert "Give the reason it went ahead without them" in client.get(page).content.decode()
    reason_url = reverse("strategy-reason", args=[mash.hub.id, discussion.id])
    response = client.post(reason_url, {"reason": ""})
    assert "Give the reason the discussion went ahead without every required agency" in response.content.decode()
    client.post(reason_url, {"reason": "Health's safeguarding nurse was unavailable; the GP was briefed"})
    shown = client.get(page).content.decode()
    assert "Without every required agency" in shown and "the GP was briefed" in shown
    chronology = client.get(reverse("chronology", args=[mash.hub.id, referral.id])).content.decode()
    assert "Strategy discussion (meeting)" in chronology
    assert "Section 47 enquiry by children&#x27;s social care alone" in chronology
    assert "Manager&#x27;s reason for the strategy discussion" in chronology


def test_the_form_shows_bad_input_by_its_field(mash, client):
    referral = _received_days_ago(mash.referral())
    client.force_login(mash.practitioner)
    url = reverse("strategy-new", args=[mash.hub.id, referral.id])
    response = client.post(url, {"decision": "no_s47", "participant_1_role": "Someone"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Enter the date of the discussion" in text
    assert "Give the reason no enquiry will be made" in text
    assert "Choose the agency of the person who took part" in text


def test_a_red_referral_without_a_discussion_shows_it_overdue(mash, client):
    referral = _received_days_ago(mash.referral(), days=5)
    rated = timezone.now() - timedelta(hours=mash.hub.strategy_discussion_hours + 1)
    referral.screenings.update(at=rated)  # the Red rating, and the deadline it set, that long ago
    Deadline.objects.filter(referral=referral, kind="strategy").update(
        starts_at=rated, warn_at=rated, due_at=rated + timedelta(hours=mash.hub.strategy_discussion_hours)
    )
    client.force_login(mash.practitioner)
    shown = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Overdue" in shown and "Strategy discussion due by" in shown


def test_a_red_referral_lowered_to_amber_no_longer_shows_a_discussion_due(mash, client):
    from referrals import triage

    referral = mash.referral()
    triage.referral_re_rate(referral=referral, by=mash.manager, rating="amber", reason="Father arrested.")
    client.force_login(mash.practitioner)
    shown = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Strategy discussion due by" not in shown


def test_an_adults_discussion_decides_on_a_section_42_enquiry(mash):
    from decisions.services.common import memberships_by_agency
    from decisions.strategy_schemas import StrategyDiscussionSchema
    from mash.schemas import validated

    context = {"cohort": "adult", "members": memberships_by_agency(mash.hub), "contributions": set(),
               "received_at": timezone.now() - timedelta(days=2)}  # fmt: skip
    data = _data(mash, decision="s42_enquiry")
    data["participants"] = [{"agency": str(mash.police.pk), "role": "PC Lee"}]
    data["actions"] = []
    clean = validated(StrategyDiscussionSchema, data, **context)
    assert clean["decision"] == "s42_enquiry" and clean["s47_started_on"] is None  # no s47 for an adult
    with pytest.raises(ValidationError) as refused:
        validated(StrategyDiscussionSchema, {**data, "decision": "s47_joint_police"}, **context)
    assert refused.value.message_dict["decision"] == ["Choose what the discussion decided"]
    with pytest.raises(ValidationError) as refused:
        validated(StrategyDiscussionSchema, {**data, "decision": "no_enquiry"}, **context)
    assert refused.value.message_dict["reason"] == ["Give the reason no enquiry will be made"]
