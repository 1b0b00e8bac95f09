"""Subject matching: the hub's earlier records of the same person are suggested, a practitioner decides, and a
child referred again within twelve months is flagged."""

from datetime import timedelta

import pytest
from celery.signals import after_task_publish
from django.conf import settings
from django.utils import timezone

from agencies.models import Role
from audit.models import AuditEvent
from mash.celery import app
from mash.errors import Conflict
from referrals import tasks
from referrals.matching import matching_sweep, name_key, subject_match_decide, subject_matches_find
from referrals.models import MatchState, Referral, SubjectMatch
from referrals.services import referral_create
from tests.factories import HubFactory, member, referral_data
from tests.referrals.test_views import _form

pytestmark = pytest.mark.django_db


def _refer(hub, days_ago, **subject):
    base = referral_data()["subject"]
    received = (timezone.now() - timedelta(days=days_ago)).isoformat()
    return referral_create(
        hub=hub, data=referral_data(subject={**base, **subject}, received_at=received), channel="web", history=True
    )


def _answer(match, kind, reason="Same NHS number and date of birth", **more):
    """The referral page's answer to one suggestion, as the browser posts it."""
    return {f"match-{match.id}-kind": kind, f"match-{match.id}-reason": reason, **more}


def _matches(referral):
    subject_matches_find(referral_id=referral.pk)
    return {str(m.candidate.referral_id): m.reasons for m in SubjectMatch.objects.filter(referral=referral)}


def test_names_match_whatever_their_case_spaces_and_punctuation():
    assert name_key("O'Brien-Smith", "Zoë") == name_key("obriensmith", "ZOË") == "obriensmith|zoë"


def test_the_scorer_suggests_earlier_records_with_its_reasons_in_words(hub):
    by_nhs = _refer(hub, 200, given_name="Other", family_name="Name", postcode="")
    by_name = _refer(hub, 100, nhs_number="", postcode="")
    sibling = _refer(hub, 50, given_name="Sibling", date_of_birth="2015-03-03", nhs_number="")
    stranger = _refer(hub, 20, given_name="Nobody", family_name="Else", nhs_number="", postcode="SW1A 2AA")
    new = _refer(hub, 0)
    found = _matches(new)
    assert found[str(by_name.pk)] == [
        "family names equal", "given names equal", "date of birth equal", "address the same"
    ]  # fmt: skip
    # The same NHS number and date of birth under other names: worth a look, no more.
    assert found[str(by_nhs.pk)][0] == "NHS number equal"
    assert SubjectMatch.objects.get(referral=new, candidate__referral=by_nhs).verdict == "possible"
    assert SubjectMatch.objects.get(referral=new, candidate__referral=by_name).verdict == "match"
    assert str(sibling.pk) not in found and str(stranger.pk) not in found
    new.refresh_from_db()
    assert new.matched_at is not None


def test_only_earlier_referrals_of_the_same_hub_are_searched(hub):
    _refer(HubFactory(), 30)  # the same child, in another hub
    new = _refer(hub, 1)
    _refer(hub, 0)  # received afterwards: not an earlier record of `new`
    assert _matches(new) == {}


def test_the_request_queues_matching_for_the_worker_and_the_task_finds_the_match(
    hub, practitioner, client, django_capture_on_commit_callbacks
):
    earlier = _refer(hub, 30, given_name="Robin", family_name="Testcase", date_of_birth="2017-03-09")
    client.force_login(practitioner)
    published = []  # what the broker (Redis, or the filesystem one) accepted: Celery's own signal after publishing

    def seen(sender=None, headers=None, **kwargs):
        published.append((sender, headers.get("argsrepr", "")))

    after_task_publish.connect(seen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/hubs/{hub.id}/referrals/new/", _form())
    finally:
        after_task_publish.disconnect(seen)
    new = Referral.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302
    # Nothing matched in the request: the task waits in the broker for the worker.
    assert not SubjectMatch.objects.filter(referral=new).exists() and new.matched_at is None
    assert any(task == "referrals.tasks.subject_matches_find" and str(new.pk) in args for task, args in published)
    page = client.get(f"/hubs/{hub.id}/referrals/{new.id}/").content.decode()
    assert "still being checked" in page
    tasks.subject_matches_find(str(new.pk))  # what the worker runs
    assert SubjectMatch.objects.get(referral=new).candidate.referral == earlier
    page = client.get(f"/hubs/{hub.id}/referrals/{new.id}/").content.decode()
    assert "NHS number equal; family names equal; given names equal; date of birth equal" in page


def test_beat_runs_the_matching_sweep_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["matching-sweep"]
    assert entry["task"] in app.tasks and entry["schedule"] == timedelta(minutes=1)
    assert "referrals.tasks.subject_matches_find" in app.tasks


def test_the_sweep_matches_referrals_whose_task_was_lost(hub):
    earlier = _refer(hub, 30)
    new = _refer(hub, 0)
    assert matching_sweep() == 0  # received and recorded under a minute ago: its task is still on its way
    later = timezone.now() + timedelta(minutes=2)
    assert matching_sweep(now=later) == 2  # both unmatched (no worker ran in this test)
    assert SubjectMatch.objects.get(referral=new).candidate.referral == earlier
    assert matching_sweep(now=later) == 0


def test_matching_again_updates_open_suggestions_and_leaves_answered_ones(hub, practitioner):
    first, second = _refer(hub, 30), _refer(hub, 20, nhs_number="")
    new = _refer(hub, 0)
    subject_matches_find(referral_id=new.pk)
    one = SubjectMatch.objects.get(referral=new, candidate__referral=first)
    subject_match_decide(match=one, kind="not_related", reason="A different child", by=practitioner)
    SubjectMatch.objects.filter(referral=new, candidate__referral=second).update(score=0, reasons=["stale"])
    subject_matches_find(referral_id=new.pk)
    rows = {m.candidate.referral_id: m for m in SubjectMatch.objects.filter(referral=new)}
    assert len(rows) == 2 and rows[first.pk].state == MatchState.REJECTED
    assert rows[second.pk].score > 10 and rows[second.pk].reasons[0] == "family names equal"


def test_confirming_links_the_earlier_referral_and_flags_a_re_referral(hub, client):
    earlier = _refer(hub, 100)
    new = _refer(hub, 0)
    subject_matches_find(referral_id=new.pk)
    match = SubjectMatch.objects.get(referral=new)
    practitioner = member(hub, Role.PRACTITIONER)
    client.force_login(practitioner)
    page = client.get(f"/hubs/{hub.id}/referrals/{new.id}/").content.decode()
    assert earlier.reference in page and "NHS number equal; family names equal" in page and "Re-referral" not in page
    response = client.post(f"/hubs/{hub.id}/referrals/{new.id}/matches/{match.id}/", _answer(match, "same_person"))
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.state, match.decided_by) == (MatchState.CONFIRMED, practitioner)
    page = client.get(f"/hubs/{hub.id}/referrals/{new.id}/").content.decode()
    assert "Re-referral: this child was referred to the hub within the last 12 months" in page
    assert "Other referrals of this person" in page
    event = AuditEvent.objects.get(action="subject_match.confirmed")
    assert event.data["re_referral"] is True and event.data["candidate_referral_id"] == str(earlier.pk)
    assert event.actor_id == str(practitioner.pk)


def test_more_than_twelve_months_apart_is_not_a_re_referral(hub, practitioner):
    _refer(hub, 400)
    new = _refer(hub, 0)
    subject_matches_find(referral_id=new.pk)
    match = subject_match_decide(
        match=SubjectMatch.objects.get(referral=new), kind="same_person", by=practitioner, reason="Same NHS number"
    )
    assert AuditEvent.objects.get(action="subject_match.confirmed").data["re_referral"] is False
    assert match.state == MatchState.CONFIRMED


def test_rejecting_records_it_and_an_answer_is_final(hub, practitioner):
    _refer(hub, 10)
    new = _refer(hub, 0)
    subject_matches_find(referral_id=new.pk)
    match = subject_match_decide(
        match=SubjectMatch.objects.get(referral=new), kind="not_related", by=practitioner, reason="Another child"
    )
    assert match.state == MatchState.REJECTED
    assert AuditEvent.objects.filter(action="subject_match.rejected").count() == 1
    with pytest.raises(Conflict, match="already been answered"):
        subject_match_decide(match=match, kind="same_person", by=practitioner, reason="Same NHS number")


def test_people_outside_the_referral_cannot_answer(hub, client):
    _refer(hub, 10)
    new = _refer(hub, 0)
    subject_matches_find(referral_id=new.pk)
    match = SubjectMatch.objects.get(referral=new)
    client.force_login(member(hub, Role.STRATEGIC_LEAD))
    assert (
        client.post(f"/hubs/{hub.id}/referrals/{new.id}/matches/{match.id}/", _answer(match, "same_person")).status_code
        == 404
    )
    client.force_login(member(HubFactory(), Role.PRACTITIONER))
    assert (
        client.post(f"/hubs/{hub.id}/referrals/{new.id}/matches/{match.id}/", _answer(match, "same_person")).status_code
        == 404
    )
    match.refresh_from_db()
    assert match.state == MatchState.SUGGESTED


def test_only_the_most_recent_earlier_records_are_suggested(hub, monkeypatch):
    monkeypatch.setattr("referrals.matching.MAX_CANDIDATES", 3)
    earlier = [_refer(hub, days) for days in (50, 40, 30, 20, 10)]
    new = _refer(hub, 0)
    assert set(_matches(new)) == {str(r.pk) for r in earlier[-3:]}
