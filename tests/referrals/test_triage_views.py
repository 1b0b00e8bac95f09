"""Triage pages as each person would use them: the queue, claiming and assigning, screening and re-rating, the
manager's dashboard and one's notifications — who reaches them, what bad input shows, and what each page logs."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies import services as hub_services
from agencies.models import Role
from audit.models import AuditEvent
from mash.errors import Conflict
from referrals import deadlines, selectors, triage
from referrals.models import Deadline, DeadlineKind, Notification, Referral, Screening, ThresholdVersion
from referrals.services import referral_create
from referrals.templatetags.triage import time_left
from tests.factories import CONSISTENT_LEVEL, HubFactory, UserFactory, member, referral_data

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _referral(hub, *, ago: timedelta = timedelta(0), family_name: str = "Example", **changes):
    subject = {**referral_data()["subject"], "family_name": family_name, **changes.pop("subject", {})}
    received = (timezone.now() - ago).isoformat()
    return referral_create(
        hub=hub, data=referral_data(received_at=received, subject=subject, **changes), channel="phone", history=True
    )


def _screen(referral, by, rating="red"):
    level = CONSISTENT_LEVEL[rating]  # a screening that does not contradict itself
    return triage.referral_screen(
        referral=referral, by=by, level=level, criteria=[f"{level}.1"], rating=rating, rationale="Bruising."
    )


def _queue(hub) -> str:
    return f"/hubs/{hub.id}/queue/"


def _listed(client, hub, **params) -> list[str]:
    """The ids the queue showed, in its order, as its audit event records them."""
    assert client.get(_queue(hub), params).status_code == 200
    return AuditEvent.objects.filter(action="triage_queue.listed").order_by("-id").first().data["ids"]


# ---- the queue ----


def test_the_queue_lists_open_referrals_most_urgent_first_with_the_rating_in_words(client, hub, practitioner):
    overdue = _referral(hub, ago=timedelta(days=14), family_name="Overdue")  # its decision deadline passed long ago
    red = _referral(hub, family_name="Redcase")
    _screen(red, practitioner, "red")  # due 4 clock hours after receipt
    waiting = _referral(hub, family_name="Waiting")  # its decision: at least a working day away
    closed = _referral(hub, family_name="Closedcase")
    Referral.objects.filter(pk=closed.pk).update(status="closed")  # no service closes a referral yet
    elsewhere = _referral(HubFactory(name="Southshire MASH", slug="south"), family_name="Elsewhere")
    unnamed = _referral(hub, ago=timedelta(days=1), family_name="Nameless")
    unnamed.persons.filter(role="subject").update(given_name="", family_name="")  # as a referrer may send it

    response = _login(client, practitioner).get(_queue(hub))
    page = response.content.decode()
    assert response.status_code == 200
    order = [m.group(1) for m in re.finditer(r'href="/hubs/[^/]+/referrals/[^/]+/">([^<]+)</a>', page)]
    assert order == [overdue.reference, red.reference, unnamed.reference, waiting.reference]
    assert "Unnamed person" in page  # the subject's row, named as the referral page names them
    assert closed.reference not in page and "Closedcase" not in page
    assert elsewhere.reference not in page and "Elsewhere" not in page
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in page
    assert page.count('<strong class="govuk-tag govuk-tag--grey">Not rated</strong>') == 3
    assert "Overdue by" in page and "3 h 59 min left" in page
    assert page.count("Unassigned") == 4 and page.count(">Claim<") == 4
    assert "Alex Overdue" in page
    event = AuditEvent.objects.get(action="triage_queue.listed")
    assert event.data["ids"] == [str(overdue.id), str(red.id), str(unnamed.id), str(waiting.id)]
    assert event.object_type == "referrals.referral" and event.data["page"] == 1


def test_the_filters_narrow_the_queue(client, hub, practitioner, manager):
    red = _referral(hub)
    _screen(red, practitioner, "red")
    green = _referral(hub)
    _screen(green, practitioner, "green")
    unrated = _referral(hub)
    adult = _referral(
        hub,
        subject={"date_of_birth": "1950-01-01", "nhs_number": ""},
        concerns=["financial"],
        adult_risk_location="own_home",
        adult_risk_source="known_to_individual",
        source_code="",
    )
    triage.referral_assign(referral=green, by=practitioner, to=practitioner)
    triage.referral_assign(referral=unrated, by=manager, to=manager)
    _login(client, practitioner)
    assert _listed(client, hub, rating="red") == [str(red.id)]
    assert set(_listed(client, hub, rating="none")) == {str(unrated.id), str(adult.id)}
    assert _listed(client, hub, mine="on") == [str(green.id)]
    assert _listed(client, hub, cohort="adult") == [str(adult.id)]
    assert set(_listed(client, hub, status="screened")) == {str(red.id), str(green.id)}
    assert _listed(client, hub, rating="green", mine="on") == [str(green.id)]
    # A value that is not a choice is shown as an error and filters nothing.
    response = client.get(_queue(hub), {"rating": "<b>purple</b>"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert "<b>purple</b>" not in response.content.decode()


def test_the_queue_refreshes_its_table_from_a_fragment_with_a_static_script(client, hub, practitioner):
    referral = _referral(hub)
    _login(client, practitioner)
    page = client.get(_queue(hub), {"rating": "none"}).content.decode()
    assert f'data-refresh-url="/hubs/{hub.id}/queue/?rating=none&amp;partial=1"' in page
    assert 'data-refresh-seconds="30"' in page and 'aria-live="polite"' in page
    assert '<script src="/static/js/refresh.js" defer></script>' in page
    assert all(" src=" in tag for tag in re.findall(r"<script[^>]*>", page))  # no inline script: the CSP forbids it

    fragment = client.get(_queue(hub), {"rating": "none", "partial": "1"}).content.decode()
    assert referral.reference in fragment and "<table" in fragment
    assert "<html" not in fragment and "Triage queue</h1>" not in fragment and 'id="queue-table"' not in fragment
    assert 'name="csrfmiddlewaretoken"' in fragment  # the Claim buttons still work after a refresh
    assert f'name="next" value="/hubs/{hub.id}/queue/?rating=none"' in fragment  # back to the page, not the fragment
    # The refresh shows what the page showed: no second read event (tests/referrals/test_queue_refresh.py).
    assert AuditEvent.objects.filter(action="triage_queue.listed").count() == 1


def test_the_queue_script_fetches_the_fragment_and_announces_the_update():
    script = (Path(__file__).resolve().parents[2] / "static" / "js" / "refresh.js").read_text()
    assert 'credentials: "same-origin"' in script and '"X-Requested-With": "fetch"' in script
    assert 'gettext("%(label)s updated %(time)s")' in script and "innerHTML" in script  # in the page's language


def test_the_queue_is_paginated_fifty_a_page(client, hub, practitioner):
    for _ in range(51):
        _referral(hub)
    _login(client, practitioner)
    first = client.get(_queue(hub)).content.decode()
    assert "51 open referrals" in first and "Page 1 of 2" in first
    assert len(AuditEvent.objects.get(action="triage_queue.listed").data["ids"]) == 50
    assert len(_listed(client, hub, page=2)) == 1


@pytest.mark.parametrize("who", ["outsider", "other hub's practitioner", "agency officer", "hub administrator"])
def test_people_without_the_hubs_case_data_see_none_of_it(client, hub, who):
    """A referral is outside their scope (404, as if there were none); the hub's own pages are 404 to people of
    other hubs and refused with the reason (403) to the hub's members who do not work its cases."""
    referral = _referral(hub)
    person = {
        "outsider": lambda: UserFactory(),
        "other hub's practitioner": lambda: member(HubFactory(), Role.PRACTITIONER),
        "agency officer": lambda: member(hub, Role.AGENCY_OFFICER),
        "hub administrator": lambda: member(hub, Role.HUB_ADMIN),
    }[who]()
    _login(client, person)
    base = f"/hubs/{hub.id}/referrals/{referral.id}"
    member_of_hub = who in ("agency officer", "hub administrator")
    pages = {
        _queue(hub): 403 if member_of_hub else 404,
        f"{_queue(hub)}?partial=1": 403 if member_of_hub else 404,
        f"{base}/screen/": 404,
        f"{base}/rating/": 404,
        f"/hubs/{hub.id}/dashboard/": 403 if member_of_hub else 404,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert referral.reference not in response.content.decode()
    assert client.post(f"{base}/assign/", {"to": "me"}).status_code == 404
    assert client.post(f"{base}/screen/", _screening()).status_code == 404
    referral.refresh_from_db()
    assert referral.assigned_to is None and referral.rating == ""


def test_another_hubs_referral_under_this_hubs_address_is_404(client, hub, practitioner):
    other_hub = HubFactory(name="Southshire MASH", slug="south")
    hub_services.role_grant(hub=other_hub, user=practitioner, role=Role.PRACTITIONER)
    theirs = _referral(other_hub)
    _login(client, practitioner)
    assert client.get(f"/hubs/{hub.id}/referrals/{theirs.id}/screen/").status_code == 404
    assert client.post(f"/hubs/{hub.id}/referrals/{theirs.id}/assign/", {"to": "me"}).status_code == 404
    assert theirs.reference not in client.get(_queue(hub)).content.decode()
    assert theirs.reference in client.get(_queue(other_hub)).content.decode()


def test_the_queue_query_count_does_not_grow_with_referrals(client, hub, practitioner, django_assert_num_queries):
    def add(n):
        for i in range(n):
            referral = _referral(hub, family_name=f"Case{i}")
            if i % 2:
                _screen(referral, practitioner, "amber")
                triage.referral_assign(referral=referral, by=practitioner, to=practitioner)

    add(3)
    _login(client, practitioner)
    # session, user, the practitioner's roles with their hubs (the access, the menu and the two-factor check share
    # them), count, the page of referrals with their assignees and subjects' names (one query; the subjects were a
    # prefetch of their own before issue 21), the listed event, session save (savepoint, update, release): 9,
    # whatever the number of referrals and assignees (16 before issue 15: hub scope, two hub permission checks, roles
    # in the hub, the user's groups and the menu's roles were each asked apart).
    with django_assert_num_queries(9):
        assert client.get(_queue(hub)).status_code == 200
    add(9)
    with django_assert_num_queries(9):
        assert client.get(_queue(hub)).status_code == 200
    # The background refresh asks the same questions, but showing what the page showed it writes no read event and
    # renews nothing in the session (mash/sessions.py): 5.
    with django_assert_num_queries(5):
        assert client.get(_queue(hub), {"partial": "1"}, HTTP_X_BACKGROUND_REQUEST="1").status_code == 200


def test_time_left_reads_as_words():
    now = timezone.now()
    assert time_left(None, now) == "No deadline"
    assert time_left(now + timedelta(hours=3, minutes=20, seconds=30), now) == "3 h 20 min left"
    assert time_left(now - timedelta(hours=1, minutes=5), now) == "Overdue by 1 h 5 min"
    assert time_left(now + timedelta(minutes=45), now) == "45 min left"
    assert time_left(now + timedelta(days=2, hours=3, minutes=1), now) == "2 d 3 h left"
    assert time_left(now + timedelta(seconds=20), now) == "less than 1 min left"


# ---- claiming and assigning ----


def test_claiming_from_the_queue_assigns_and_is_audited(client, hub, practitioner):
    referral = _referral(hub)
    _login(client, practitioner)
    back = f"{_queue(hub)}?rating=none"
    response = client.post(f"/hubs/{hub.id}/referrals/{referral.id}/assign/", {"to": "me", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    referral.refresh_from_db()
    assert referral.assigned_to == practitioner
    event = AuditEvent.objects.get(action="referral.assigned")
    assert event.object_id == str(referral.id) and event.data["claimed"] is True
    page = client.get(back).content.decode()
    assert f"You have claimed referral {referral.reference}" in page
    assert practitioner.get_full_name() in page and ">Claim<" not in page


def test_each_claim_form_on_the_queue_posts_as_a_browser_would_with_its_token(hub, practitioner):
    """The rows' Claim forms share one escaped token (written once per table); each, sent as it stands with CSRF
    checks on, claims its own referral."""
    first, second = _referral(hub, family_name="First"), _referral(hub, family_name="Second")
    browser = _login(Client(enforce_csrf_checks=True), practitioner)
    page = browser.get(_queue(hub)).content.decode()
    forms = re.findall(r'<form method="post" action="([^"]+/assign/)" class="app-inline-form">(.*?)</form>', page, re.S)
    assert [action for action, _ in forms] == [f"/hubs/{hub.id}/referrals/{r.id}/assign/" for r in (first, second)]
    fields = [dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)) for _, body in forms]
    assert all(len(f["csrfmiddlewaretoken"]) == 64 for f in fields)
    assert browser.post(forms[1][0], {"to": "me"}).status_code == 403  # without the token: refused
    response = browser.post(forms[1][0], fields[1])
    assert response.status_code == 302 and response["Location"] == _queue(hub)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.assigned_to == practitioner and first.assigned_to is None


def test_a_practitioner_cannot_assign_to_someone_else(client, hub, practitioner):
    referral = _referral(hub)
    colleague = member(hub, Role.PRACTITIONER)
    _login(client, practitioner)
    response = client.post(f"/hubs/{hub.id}/referrals/{referral.id}/assign/", {"to": colleague.pk})
    assert response["Location"] == f"/hubs/{hub.id}/referrals/{referral.id}/"
    page = client.get(response["Location"]).content.decode()
    assert "may assign a referral to someone else; you may claim it" in page
    assert "govuk-notification-banner--success" not in page  # an error is not shown as a success
    referral.refresh_from_db()
    assert referral.assigned_to is None
    assert not AuditEvent.objects.filter(action="referral.assigned").exists()


def test_the_manager_assigns_to_a_practitioner_and_next_must_be_on_this_site(client, hub, practitioner, manager):
    referral = _referral(hub)
    _login(client, manager)
    detail = f"/hubs/{hub.id}/referrals/{referral.id}/"
    assert f'<option value="{practitioner.pk}">' in client.get(detail).content.decode()
    response = client.post(f"{detail}assign/", {"to": practitioner.pk, "next": "https://evil.example/"})
    assert response["Location"] == detail
    referral.refresh_from_db()
    assert referral.assigned_to == practitioner
    assert AuditEvent.objects.get(action="referral.assigned").data["claimed"] is False
    for bad in ("someone", "", str(UserFactory().pk)):
        client.post(f"{detail}assign/", {"to": bad, "next": "//evil.example/"})
        referral.refresh_from_db()
        assert referral.assigned_to == practitioner
    assert "Choose a practitioner of this hub" in client.get(detail).content.decode()


# ---- screening ----


def _screening(**changes) -> dict:
    data = {"criteria": ["specialist.1", "specialist.2"], "level": "specialist", "rating": "red",
            "rationale": "Bruising seen by the school nurse; the child says a parent did it."}  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_screening_page_offers_the_hubs_thresholds(client, hub, practitioner):
    referral = _referral(hub)
    page = _login(client, practitioner).get(f"/hubs/{hub.id}/referrals/{referral.id}/screen/").content.decode()
    assert "Specialist: child protection (s47)" in page and "Reasonable cause to suspect significant harm" in page
    assert 'name="level" type="radio" value="specialist"' in page
    assert 'name="criteria" type="checkbox" value="specialist.1"' in page
    assert '<strong class="govuk-tag govuk-tag--blue">Blue</strong>' in page and "No MASH response" in page
    assert "Rationale (optional)" not in page


def test_a_screening_without_level_rating_or_rationale_shows_each_message_and_stores_nothing(client, hub, practitioner):
    referral = _referral(hub)
    _login(client, practitioner)
    response = client.post(
        f"/hubs/{hub.id}/referrals/{referral.id}/screen/", _screening(level=None, rating=None, rationale="  ")
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    expected = {
        "level": ("id_level_0", "Choose the threshold level that applies"),
        "rating": ("id_rating_0", "Choose a RAG rating"),
        "rationale": ("id_rationale", "Give the rationale for the level and rating"),
    }
    for field, (anchor, message) in expected.items():
        assert f'<a href="#{anchor}">{message}' in page, field
        assert message in page.split(f'id="id_{field}-error"', 1)[1].split("</p>", 1)[0], field
    assert 'value="specialist.1" checked' in page  # what was ticked is kept
    referral.refresh_from_db()
    assert referral.rating == "" and referral.status == "received"
    assert not Screening.objects.exists()
    assert not Deadline.objects.filter(kind=DeadlineKind.RATING).exists()
    assert not AuditEvent.objects.filter(action="referral.screened").exists()


def test_a_screening_rates_the_referral_and_sets_its_deadline(client, hub, practitioner):
    referral = _referral(hub)
    _login(client, practitioner)
    response = client.post(f"/hubs/{hub.id}/referrals/{referral.id}/screen/", _screening())
    assert response.status_code == 302 and response["Location"] == f"/hubs/{hub.id}/referrals/{referral.id}/"
    referral.refresh_from_db()
    assert (referral.rating, referral.threshold_level, referral.status) == ("red", "specialist", "screened")
    screening = Screening.objects.get()
    assert (screening.by, screening.criteria) == (practitioner, ["specialist.1", "specialist.2"])
    deadline = Deadline.objects.get(referral=referral, kind=DeadlineKind.RATING, state="open")
    assert deadline.rating == "red" and deadline.due_at == referral.received_at + timedelta(hours=4)
    event = AuditEvent.objects.get(action="referral.screened")
    assert event.object_id == str(referral.id) and event.data["rating"] == "red"

    page = client.get(response["Location"]).content.decode()
    assert "Referral screened: Red" in page
    assert "Specialist: child protection (s47)" in page and "Bruising seen by the school nurse" in page
    assert "Reasonable cause to suspect significant harm" in page and "Red timescale" in page


def test_a_closed_referral_cannot_be_screened(client, hub, practitioner):
    referral = _referral(hub)
    Referral.objects.filter(pk=referral.pk).update(status="closed")  # no service closes a referral yet
    _login(client, practitioner)
    response = client.post(f"/hubs/{hub.id}/referrals/{referral.id}/screen/", _screening())
    assert response["Location"] == f"/hubs/{hub.id}/referrals/{referral.id}/"
    assert not Screening.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "This referral is closed" in page and "Screen this referral" not in page


# ---- re-rating ----


def test_a_practitioner_cannot_reach_the_re_rating(client, hub, practitioner):
    referral = _referral(hub)
    _screen(referral, practitioner)
    _login(client, practitioner)
    url = f"/hubs/{hub.id}/referrals/{referral.id}/rating/"
    refused = client.get(url)
    assert refused.status_code == 403 and "may change a rating" in refused.content.decode()
    assert client.post(url, {"rating": "green", "reason": "Because."}).status_code == 403
    assert Referral.objects.get(pk=referral.pk).rating == "red"
    assert "Change rating" not in client.get(f"/hubs/{hub.id}/referrals/{referral.id}/").content.decode()


def test_the_manager_changes_red_to_amber_with_a_reason(client, hub, practitioner, manager):
    referral = _referral(hub)
    _screen(referral, practitioner, "red")
    red = Deadline.objects.get(referral=referral, kind=DeadlineKind.RATING, state="open")
    _login(client, manager)
    detail = f"/hubs/{hub.id}/referrals/{referral.id}/"
    assert "Change rating" in client.get(detail).content.decode()

    missing = client.post(f"{detail}rating/", {"rating": "amber", "reason": ""}).content.decode()
    assert '<a href="#id_reason">Give the reason for the change' in missing
    assert Referral.objects.get(pk=referral.pk).rating == "red"

    response = client.post(f"{detail}rating/", {"rating": "amber", "reason": "Police confirm the child is safe."})
    assert response["Location"] == detail
    referral.refresh_from_db()
    assert referral.rating == "amber"
    red.refresh_from_db()
    assert red.state == "cancelled"
    amber = Deadline.objects.get(referral=referral, kind=DeadlineKind.RATING, state="open")
    assert amber.rating == "amber" and amber.pk != red.pk
    event = AuditEvent.objects.get(action="referral.re_rated")
    assert (event.data["previous_rating"], event.data["rating"]) == ("red", "amber")
    page = client.get(detail).content.decode()
    assert "Rating changed from Red to Amber" in page and "Police confirm the child is safe." in page


# ---- the referral page ----


def test_the_referral_page_shows_triage_and_what_each_person_may_do(client, hub, practitioner, manager):
    referral = _referral(hub)
    detail = f"/hubs/{hub.id}/referrals/{referral.id}/"
    page = _login(client, practitioner).get(detail).content.decode()
    assert "Not screened yet" in page and "Unassigned" in page and "Decision" in page
    assert "Screen this referral" in page and ">Claim</button>" in page and "Change rating" not in page
    assert "Assign to" not in page  # only the manager assigns to others

    _screen(referral, practitioner, "green")
    triage.referral_assign(referral=referral, by=practitioner, to=practitioner)
    page = client.get(detail).content.decode()
    assert '<strong class="govuk-tag govuk-tag--green">Green</strong>' in page
    assert "Early help" in page and practitioner.get_full_name() in page
    assert ">Claim</button>" not in page and " timescale</td>" in page and "Open" in page

    page = _login(client, manager).get(detail).content.decode()
    assert "Change rating" in page and "Reassign to" in page


# ---- the manager's dashboard ----


def test_the_dashboard_is_the_managers_only(client, hub, practitioner):
    _login(client, practitioner)
    assert client.get(f"/hubs/{hub.id}/dashboard/").status_code == 403
    deputy_out_of_delegation = member(
        hub,
        Role.DEPUTY,
        delegation_starts=timezone.now() - timedelta(days=10),
        delegation_ends=timezone.now() - timedelta(days=3),
    )
    _login(client, deputy_out_of_delegation)
    refused = client.get(f"/hubs/{hub.id}/dashboard/")
    assert refused.status_code == 403 and "the deputy while the delegation runs" in refused.content.decode()
    assert client.get(f"/hubs/{hub.id}/referrals/").status_code == 200  # still sees the referrals


def test_the_dashboard_counts_and_warns_while_the_sweep_has_not_run(client, hub, practitioner, manager):
    oldest = _referral(hub, ago=timedelta(days=14))
    _screen(oldest, practitioner, "red")
    _referral(hub, ago=timedelta(hours=1))
    closed = _referral(hub, ago=timedelta(days=30))
    Referral.objects.filter(pk=closed.pk).update(status="closed")  # no service closes a referral yet
    _referral(HubFactory())  # another hub's
    _login(client, manager)

    page = client.get(f"/hubs/{hub.id}/dashboard/").content.decode()
    assert "2 open referrals by rating" in page
    assert 'id="rating-red">1<' in page and 'id="rating-none">1<' in page and 'id="rating-amber">0<' in page
    assert 'id="breached-today">0<' in page
    assert oldest.reference in page and closed.reference not in page
    assert "govuk-warning-text" in page and "The deadline sweep has never run" in page
    event = AuditEvent.objects.get(action="referral.listed")
    assert event.data["ids"] == [str(oldest.id)]

    # Breached now: the old referral's decision and Red deadlines, and the closed one's decision deadline (closing it
    # by hand met nothing).
    deadlines.deadlines_sweep()
    page = client.get(f"/hubs/{hub.id}/dashboard/").content.decode()
    assert "govuk-warning-text" not in page and "deadlines are not being checked" not in page
    assert 'id="breached-today">3<' in page and 'id="breached-week">3<' in page


def test_the_dashboard_names_the_last_run_when_the_sweep_is_stale(client, hub, manager, settings):
    deadlines.deadlines_sweep()
    settings.DEADLINE_SWEEP_STALE_SECONDS = 0
    page = _login(client, manager).get(f"/hubs/{hub.id}/dashboard/").content.decode()
    assert "The deadline sweep last ran at" in page and "deadlines are not being checked" in page


# ---- notifications ----


def test_notifications_show_only_ones_own(client, hub, practitioner, manager):
    mine = _referral(hub, ago=timedelta(days=14))
    other_hub = HubFactory(name="Southshire MASH", slug="south")
    other_manager = member(other_hub, Role.MANAGER)
    theirs = _referral(other_hub, ago=timedelta(days=14))
    deadlines.deadlines_sweep()  # breaches both decision deadlines: each hub's manager is told of their own
    assert Notification.objects.filter(recipient=other_manager).exists()

    page = _login(client, manager).get("/notifications/").content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert f'href="/hubs/{hub.id}/referrals/{mine.id}/"' in page
    event = AuditEvent.objects.get(action="notification.listed")
    own = Notification.objects.filter(recipient=manager)
    assert set(event.data["ids"]) == {str(n.id) for n in own} and event.object_type == "referrals.notification"

    page = _login(client, practitioner).get("/notifications/").content.decode()
    assert "You have no notifications" in page and mine.reference not in page


def test_home_links_to_the_queue_and_the_managers_dashboard(client, hub, practitioner, manager):
    page = _login(client, practitioner).get("/").content.decode()
    assert f'href="/hubs/{hub.id}/queue/"' in page and f'href="/hubs/{hub.id}/dashboard/"' not in page
    page = _login(client, manager).get("/").content.decode()
    assert f'href="/hubs/{hub.id}/queue/"' in page and f'href="/hubs/{hub.id}/dashboard/"' in page


def test_the_navigation_leads_each_role_to_its_triage_pages(client, hub, practitioner, manager):
    _login(client, practitioner)
    page = client.get(reverse("hub-profile", args=[hub.id])).content.decode()
    assert f'href="{_queue(hub)}"' in page
    assert reverse("notifications") in page
    assert reverse("manager-dashboard", args=[hub.id]) not in page
    _login(client, manager)
    page = client.get(reverse("hub-profile", args=[hub.id])).content.decode()
    assert reverse("manager-dashboard", args=[hub.id]) in page


def _thresholds(hub) -> str:
    return reverse("thresholds", args=[hub.id])


def _publish(hub, cohort="child") -> str:
    return reverse("thresholds-publish", args=[hub.id, cohort])


def test_every_member_reads_the_thresholds_and_only_an_administrator_publishes(client, hub, practitioner):
    _login(client, practitioner)
    page = client.get(_thresholds(hub)).content.decode()
    assert "Child: version 1" in page and "Reasonable cause to suspect significant harm" in page
    assert _publish(hub) not in page
    assert client.get(_publish(hub)).status_code == 403
    assert client.post(_publish(hub), {"levels": "x | X\n- y", "note": "n"}).status_code == 403
    assert not ThresholdVersion.objects.exists()  # reading the defaults publishes nothing
    _login(client, UserFactory())
    assert client.get(_thresholds(hub)).status_code == 404


def test_an_administrator_publishes_a_version_in_local_words(client, hub):
    admin = member(hub, Role.HUB_ADMIN)
    _login(client, admin)
    form = client.get(_publish(hub)).content.decode()
    assert "specialist | Specialist: child protection (s47)" in form  # the current version, ready to edit
    levels = "early_help | Early help\n- Parents ask for support\n\nspecialist | Child protection\n- Harm & <neglect>\n"
    response = client.post(_publish(hub), {"levels": levels, "note": "Board wording, November"})
    assert response.status_code == 302
    version = selectors.thresholds_current(hub, "child")
    assert version.number == 1 and version.published_by == admin  # nobody had screened: defaults never published
    assert version.levels[1] == {
        "code": "specialist", "name": "Child protection", "criteria": [{"code": "specialist.1", "text": "Harm & <neglect>"}]
    }  # fmt: skip
    page = client.get(_thresholds(hub)).content.decode()
    assert "Child: version 1" in page and "Harm &amp; &lt;neglect&gt;" in page and "Board wording" in page
    assert AuditEvent.objects.filter(action="thresholds.published", actor_id=str(admin.pk)).count() == 1


@pytest.mark.parametrize(
    "levels, message",
    [
        ("- A criterion first", "Line 1: a criterion comes under a level"),
        ("Early help\n- x", "Line 1: write a level as code | Name"),
        ("Early Help | Early help\n- x", "Line 1: the code"),
        ("early_help | Early help", "give at least one criterion"),
        ("a | A\n- x\na | Again\n- y", "its own code"),
        ("a | A\n-   ", "Line 2: write the criterion after the dash"),
    ],
)
def test_a_bad_thresholds_text_names_the_line_and_publishes_nothing(client, hub, levels, message):
    _login(client, member(hub, Role.HUB_ADMIN))
    response = client.post(_publish(hub), {"levels": levels, "note": "Try"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ThresholdVersion.objects.exists()


def test_the_manager_closes_a_blue_referral_with_a_reason_and_the_referrer_reads_it(client, hub, practitioner, manager):
    referral = referral_create(hub=hub, data=referral_data(), channel="web")
    triage.referral_screen(
        referral=referral, by=practitioner, level="universal", criteria=[], rating="blue", rationale="No concern."
    )
    url = reverse("referral-close-no-response", args=[hub.id, referral.id])
    _login(client, practitioner)
    assert client.get(url).status_code == 403  # the manager's step
    _login(client, manager)
    assert (
        "Close: no MASH response" in client.get(reverse("referral-detail", args=[hub.id, referral.id])).content.decode()
    )
    assert "Say why the hub gives no MASH response" in client.post(url, {"reason": ""}).content.decode()
    assert Referral.objects.get(pk=referral.pk).is_open
    assert client.post(url, {"reason": "Signposted to the school nurse"}).status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "no_mash_response") and referral.decided_at
    assert Deadline.objects.get(referral=referral, kind="decision").state == "met"
    assert AuditEvent.objects.filter(action="referral.closed_no_response").count() == 1


def test_only_a_blue_referral_is_closed_without_a_decision(hub, practitioner, manager):
    referral = referral_create(hub=hub, data=referral_data(), channel="web")
    triage.referral_screen(
        referral=referral, by=practitioner, level="specialist", criteria=[], rating="red", rationale="Harm."
    )
    with pytest.raises(Conflict, match="Only a referral rated Blue"):
        triage.referral_close_no_response(referral=referral, by=manager, reason="Busy")
    assert Referral.objects.get(pk=referral.pk).is_open
