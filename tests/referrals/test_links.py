"""Typed links between records on the referral page: each answer to a suggestion recorded with why; "same person"
between records that differ asks for confirmation naming the differences; links undone with a reason; the chronology
follows same-person links only, and the returns forget a re-referral whose link was undone."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from agencies.access import access_for
from agencies.models import Role
from audit.events.actions import AuditAction
from audit.events.payloads import MatchConfirmed
from audit.models import AuditEvent
from audit.services import record
from decisions.selectors import chronology
from mash.errors import Refused
from referrals import people_index
from referrals.matching import subject_match_decide, subject_matches_find
from referrals.models import LinkKind, MatchState, PersonLink, PersonRole, SubjectMatch
from referrals.services import referral_create
from reports.figures import monthly_figures
from tests.factories import HubFactory, member, referral_data

pytestmark = pytest.mark.django_db


def _refer(hub, days_ago, **subject):
    base = referral_data()["subject"]
    received = (timezone.now() - timedelta(days=days_ago)).isoformat()
    return referral_create(
        hub=hub, data=referral_data(subject={**base, **subject}, received_at=received), channel="web", history=True
    )


def _suggested(earlier_subject: dict, days_ago=30, new_days_ago=0, **new_subject):
    """An earlier referral and a new one whose subject is suggested as the earlier one's (same NHS number, or same
    family name at the same postcode)."""
    hub = HubFactory(name="Northshire MASH", slug="north")
    earlier = _refer(hub, days_ago, **earlier_subject)
    new = _refer(hub, new_days_ago, **new_subject)
    subject_matches_find(referral_id=new.pk)
    return hub, earlier, new, SubjectMatch.objects.get(referral=new)


def _answer(match, kind, reason="Checked with the school", **more):
    return {f"match-{match.id}-kind": kind, f"match-{match.id}-reason": reason, **more}


def _url(hub, referral, tail=""):
    return f"/hubs/{hub.id}/referrals/{referral.id}/{tail}"


def _chronology_referrals(user, referral):
    return {e["referral"].reference for e in chronology(access_for(user, referral.hub_id), referral)}


@pytest.mark.parametrize("kind", [k for k in LinkKind.values if k != LinkKind.SAME_PERSON])
def test_each_relation_is_recorded_with_its_reason_and_rejects_the_suggestion(client, kind):
    hub, earlier, new, match = _suggested({"given_name": "Ben", "nhs_number": ""})
    practitioner = member(hub, Role.PRACTITIONER)
    client.force_login(practitioner)
    response = client.post(_url(hub, new, f"matches/{match.id}/"), _answer(match, kind, "Mother says so"))
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.state, match.decided_by) == (MatchState.REJECTED, practitioner)
    link = PersonLink.objects.get(match=match)
    assert (link.kind, link.reason, link.decided_by, link.other) == (
        kind,
        "Mother says so",
        practitioner,
        match.candidate,
    )
    linked = AuditEvent.objects.get(action="person.linked")
    assert linked.data == {"link_id": str(link.pk), "kind": kind, "other_referral_id": str(earlier.pk),
                           "reason": "Mother says so"}  # fmt: skip
    assert AuditEvent.objects.filter(action="subject_match.rejected").count() == 1
    page = client.get(_url(hub, new)).content.decode()
    assert f"{LinkKind(kind).label}: Ben Example in referral" in page and "Mother says so" in page
    assert f"<strong>Answer:</strong> {LinkKind(kind).label} (" in page
    assert "Undo" in page


def test_same_person_is_confirmed_and_links_at_once_when_nothing_differs(client):
    hub, earlier, new, match = _suggested({})
    client.force_login(member(hub, Role.PRACTITIONER))
    assert client.post(_url(hub, new, f"matches/{match.id}/"), _answer(match, "same_person")).status_code == 302
    match.refresh_from_db()
    assert match.state == MatchState.CONFIRMED
    confirmed = AuditEvent.objects.get(action="subject_match.confirmed")
    assert confirmed.data["link_id"] == str(PersonLink.objects.get(match=match).pk)
    assert confirmed.data["re_referral"] is True


def test_every_answer_needs_a_kind_and_a_reason(client):
    hub, earlier, new, match = _suggested({})
    client.force_login(member(hub, Role.PRACTITIONER))
    page = client.post(_url(hub, new, f"matches/{match.id}/"), _answer(match, "", "")).content.decode()
    assert "Choose what this record is to the subject" in page and "Say why you decided this" in page
    match.refresh_from_db()
    assert match.state == MatchState.SUGGESTED and not PersonLink.objects.exists()
    with pytest.raises(ValidationError, match="Say why you decided this"):
        subject_match_decide(match=match, kind="sibling", by=member(hub, Role.PRACTITIONER), reason="  ")


def test_same_person_with_another_given_name_and_date_of_birth_asks_for_confirmation_naming_them(client):
    hub, earlier, new, match = _suggested(
        {"given_name": "Amy", "date_of_birth": "2018-04-05"}, given_name="Ava", date_of_birth="2018-05-04"
    )
    client.force_login(member(hub, Role.PRACTITIONER))
    url = _url(hub, new, f"matches/{match.id}/")
    page = client.post(url, _answer(match, "same_person", "Same NHS number")).content.decode()
    assert "You said Ava Example (the subject of this referral) is the same person as Amy Example" in page
    assert "Given name: Ava on one record, Amy on the other" in page
    assert "Date of birth: 4 May 2018 on one record, 5 April 2018 on the other" in page
    assert "Yes, they are the same person" in page
    match.refresh_from_db()
    assert match.state == MatchState.SUGGESTED and not PersonLink.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["person.linked", "subject_match.confirmed"]).exists()

    assert client.post(url, _answer(match, "same_person", "Same NHS number", confirmed="yes")).status_code == 302
    match.refresh_from_db()
    assert match.state == MatchState.CONFIRMED
    subject = new.persons.get(role=PersonRole.SUBJECT)
    assert subject.index_person_id == match.candidate.index_person_id


def test_the_service_refuses_an_unconfirmed_same_person_link_between_records_that_differ():
    hub, earlier, new, match = _suggested({"given_name": "Amy"}, given_name="Ava")
    someone = member(hub, Role.PRACTITIONER)
    with pytest.raises(people_index.Unconfirmed, match="Given name: Ava on one record, Amy on the other"):
        subject_match_decide(match=match, kind="same_person", by=someone, reason="Same NHS number")
    subject = new.persons.get(role=PersonRole.SUBJECT)
    with pytest.raises(people_index.Unconfirmed):
        people_index.link_create(person=subject, other=match.candidate, kind="same_person", by=someone, reason="x")
    assert not PersonLink.objects.exists()


def test_undo_needs_a_reason_records_who_when_why_and_separates_the_chronology(client):
    hub, earlier, new, match = _suggested({"given_name": "Amy"}, given_name="Ava")
    practitioner = member(hub, Role.PRACTITIONER)
    client.force_login(practitioner)
    client.post(_url(hub, new, f"matches/{match.id}/"), _answer(match, "same_person", confirmed="yes"))
    assert _chronology_referrals(practitioner, new) == {new.reference, earlier.reference}
    assert earlier.reference in client.get(_url(hub, new, "chronology/")).content.decode()
    assert new.reference in client.get(_url(hub, earlier, "chronology/")).content.decode()
    link = PersonLink.objects.get(match=match)

    undo = _url(hub, new, f"links/{link.id}/undo/")
    assert "Why is this link wrong?" in client.get(undo).content.decode()
    page = client.post(undo, {"reason": ""}).content.decode()
    assert "Say why this link is wrong" in page
    assert client.post(undo, {"reason": "Twins: the school knows them both"}).status_code == 302

    link.refresh_from_db()
    assert (link.undone_by, link.undo_reason) == (practitioner, "Twins: the school knows them both")
    assert link.undone_at is not None
    subject, candidate = new.persons.get(role=PersonRole.SUBJECT), match.candidate
    candidate.refresh_from_db()
    assert subject.index_person_id != candidate.index_person_id
    assert _chronology_referrals(practitioner, new) == {new.reference}
    assert earlier.reference not in client.get(_url(hub, new, "chronology/")).content.decode()
    page = client.get(_url(hub, new)).content.decode()
    assert "Undone links" in page and "Twins: the school knows them both" in page
    assert "Same person (link since undone)" in page
    assert "Other referrals of this person" not in page
    event = AuditEvent.objects.get(action="person.link_undone")
    assert (event.data["link_id"], event.actor_id) == (str(link.pk), str(practitioner.pk))
    assert client.post(undo, {"reason": "Again"}).status_code == 404  # an undone link is no longer offered


def test_a_sibling_is_a_related_person_never_part_of_the_chronology(client):
    hub, earlier, new, match = _suggested({"given_name": "Ben", "nhs_number": ""})
    practitioner = member(hub, Role.PRACTITIONER)
    subject_match_decide(match=match, kind="sibling", by=practitioner, reason="Brothers, same school")
    assert _chronology_referrals(practitioner, new) == {new.reference}
    client.force_login(practitioner)
    page = client.get(_url(hub, new)).content.decode()
    related = page[page.index("Related people") : page.index("Links between records")]
    assert "Ben Example" in related and earlier.reference in related
    assert "Other referrals of this person" not in page
    # Seen from the sibling's referral, the link shows the other way round.
    assert "Sibling: Alex Example in referral" in client.get(_url(hub, earlier)).content.decode()


def test_people_outside_the_referral_get_404_and_other_roles_are_refused(client):
    hub, earlier, new, match = _suggested({}, days_ago=60, new_days_ago=30)
    practitioner = member(hub, Role.PRACTITIONER)
    subject_match_decide(match=match, kind="household", by=practitioner, reason="Lodger at the address")
    link = PersonLink.objects.get()
    # A second suggestion to answer: a third referral of the same child.
    third = _refer(hub, 0)
    subject_matches_find(referral_id=third.pk)
    pending = SubjectMatch.objects.filter(referral=third).first()
    for outsider in (member(HubFactory(), Role.PRACTITIONER), member(hub, Role.STRATEGIC_LEAD)):
        client.force_login(outsider)
        assert client.post(_url(hub, third, f"matches/{pending.id}/"), _answer(pending, "sibling")).status_code == 404
        assert client.get(_url(hub, third, f"matches/{pending.id}/")).status_code == 404
        assert client.post(_url(hub, new, f"links/{link.id}/undo/"), {"reason": "No"}).status_code == 404
    client.force_login(practitioner)
    assert client.get(_url(hub, third, f"links/{link.id}/undo/")).status_code == 404  # not a link of that subject
    officer = member(hub, Role.STRATEGIC_LEAD)
    with pytest.raises((Refused, Http404)):
        subject_match_decide(match=pending, kind="sibling", by=officer, reason="No")
    with pytest.raises((Refused, Http404)):
        people_index.link_undo(link=link, by=officer, reason="No")
    pending.refresh_from_db()
    link.refresh_from_db()
    assert pending.state == MatchState.SUGGESTED and link.is_active


def test_a_manager_may_link_and_undo(client):
    hub, earlier, new, match = _suggested({})
    manager = member(hub, Role.MANAGER)
    subject_match_decide(match=match, kind="not_related", by=manager, reason="Another Alex")
    people_index.link_undo(link=PersonLink.objects.get(), by=manager, reason="It was her after all")
    assert PersonLink.objects.get().undone_by == manager


def test_a_re_referral_whose_link_is_undone_leaves_returns_built_afterwards():
    hub, earlier, new, match = _suggested({}, days_ago=0)
    practitioner = member(hub, Role.PRACTITIONER)
    month = timezone.localdate().replace(day=1)
    subject_match_decide(match=match, kind="same_person", by=practitioner, reason="Same NHS number")
    assert monthly_figures(hub, month)["re_referrals"]["count"] == 1
    people_index.link_undo(link=PersonLink.objects.get(), by=practitioner, reason="Twins")
    assert monthly_figures(hub, month)["re_referrals"]["count"] == 0


def test_a_match_confirmed_before_links_had_ids_is_left_out_by_its_referrals_once_undone():
    hub, earlier, new, match = _suggested({}, days_ago=0)
    practitioner = member(hub, Role.PRACTITIONER)
    legacy = MatchConfirmed(candidate_referral_id=str(earlier.pk), reasons=["nhs_number"], re_referral=True,
                            days_since_earlier=0)  # fmt: skip
    record(AuditAction.SUBJECT_MATCH_CONFIRMED, hub=hub, obj=new, payload=legacy)
    subject = new.persons.get(role=PersonRole.SUBJECT)
    link = people_index.link_create(person=subject, other=match.candidate, kind="same_person", by=practitioner,
                                    reason="Confirmed as the same person")  # fmt: skip
    assert monthly_figures(hub, timezone.localdate().replace(day=1))["re_referrals"]["count"] == 1
    people_index.link_undo(link=link, by=practitioner, reason="Twins")
    assert monthly_figures(hub, timezone.localdate().replace(day=1))["re_referrals"]["count"] == 0
