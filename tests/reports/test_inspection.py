"""Ofsted inspection lists (Annex A): list 1 (contacts) and list 3 (referrals) as CSV for the accountable manager, with
the template's headings and codes (the workbook: tests/reports/test_annex_a.py)."""

import csv
import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Role
from audit.models import AuditEvent
from decisions import services as decision_services
from referrals import matching, triage
from referrals.models import PersonRole, Referral
from referrals.serializers import EXAMPLE_REFERRAL
from referrals.services import referral_create
from reports import inspection
from reports.annex_a import LISTS
from tests.dates import typed_date, typed_dates
from tests.factories import HubFactory, member, referral_data
from tests.people import build_mash

pytestmark = pytest.mark.django_db

URL = "/hubs/{}/inspection-lists/"
MARCH = {**typed_date("since", "2026-03-01"), **typed_date("until", "2026-03-31")}


@pytest.fixture
def mash():
    return build_mash()


def _child(given_name, family_name, date_of_birth, gender, ethnicity, postcode, **changes) -> dict:
    """A subject other than the example's Alex: no NHS number, another name and address."""
    names = {"given_name": given_name, "family_name": family_name, "date_of_birth": date_of_birth}
    about = {"gender": gender, "ethnicity": ethnicity, "postcode": postcode, "nhs_number": ""}
    return {**EXAMPLE_REFERRAL["subject"], **names, **about, **changes}


def _decide(mash, referral, outcome):
    decision_services.gate_override(referral=referral, by=mash.manager, reason="Decided in the morning meeting")
    decision = decision_services.decision_propose(
        referral=referral, by=mash.practitioner, outcome=outcome, threshold_level="specialist",
        rationale="Agreed by the core agencies.", participants=[mash.police], actions=[],
    )  # fmt: skip
    decision_services.decision_sign_off(decision=decision, by=mash.manager)


@pytest.fixture
def known(mash):
    """Alex (born 4 May 2018) referred in December 2024, September 2025 and March 2026 (the same child, confirmed),
    decided NFA; Blake (no birth date, about 9) screened, allocated, undecided; Casey (16 on the day) a contact only;
    Drew decided early help, allocated to someone with no name on record; outside the list: an adult in March, and
    a child received at 00:30 on 1 April (23:30 on 31 March UTC)."""
    User = get_user_model()
    User.objects.filter(pk=mash.practitioner.pk).update(first_name="Pat", last_name="Worker")
    nameless = member(mash.hub, Role.PRACTITIONER)
    User.objects.filter(pk=nameless.pk).update(first_name="", last_name="")
    r = {
        "alex_2024": mash.referral(received_at="2024-12-01T10:00:00+00:00"),
        "alex_2025": mash.referral(received_at="2025-09-10T10:00:00+00:00"),
        "alex": mash.referral(rating="amber", received_at="2026-03-05T09:00:00+00:00"),
        "blake": mash.referral(
            rating="green",
            received_at="2026-03-10T12:00:00+00:00",
            source_code="2A",
            subject=_child(
                "Blake", "Other", None, "Male", '=HYPERLINK("http://evil.example")', "NT2 2BB", estimated_age=9
            ),
        ),
        "casey": referral_create(
            hub=mash.hub,
            channel="web",
            history=True,
            recorded_by=mash.practitioner,
            data=referral_data(
                received_at="2026-03-20T15:00:00+00:00",
                source_code="1A",
                subject=_child("Casey", "Third", "2010-03-20", "Female", "Mixed", "NT3 3DF"),
            ),
        ),
        "drew": mash.referral(
            received_at="2026-03-25T08:00:00+00:00",
            source_code="3A",
            subject=_child("Drew", "Fourth", "2015-12-31", "male", "apkn", "NT4 4EG"),
        ),
        "adult": mash.referral(received_at="2026-03-12T10:00:00+00:00"),
        "april": mash.referral(received_at="2026-03-31T23:30:00+00:00"),
    }
    # Only the cohort matters to the lists, so the adult is a screened referral moved to the adult cohort.
    Referral.objects.filter(pk=r["adult"].pk).update(cohort="adult")
    matching.subject_matches_find(referral_id=r["alex"].pk)
    for match in r["alex"].matches.filter(candidate__role=PersonRole.SUBJECT):
        matching.subject_match_decide(
            match=match, kind="same_person", by=mash.practitioner, reason="Same child", confirmed=True
        )
    triage.referral_assign(referral=r["blake"], by=mash.practitioner, to=mash.practitioner)
    triage.referral_assign(referral=r["drew"], by=mash.manager, to=nameless)
    _decide(mash, r["alex"], "nfa")
    _decide(mash, r["drew"], "early_help")
    r["nameless"] = nameless
    return r


def _child_id(referral) -> str:
    """The person index's id for the referral's child (the record's own before the index has it)."""
    child = referral.persons.get(role=PersonRole.SUBJECT)
    return str(child.index_person_id or child.pk)


def _download(client, mash, number, **dates):
    return client.get(URL.format(mash.hub.id), {"list": number, **(typed_dates(dates, "since", "until") or MARCH)})


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_list_1_is_every_child_contact_in_the_range_oldest_first(client, mash, known):
    client.force_login(mash.manager)
    response = _download(client, mash, 1)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ofsted-list-1-north-2026-03-01-2026-03-31.csv"'
    assert _rows(response) == [
        [
            "Child Unique ID",
            "Gender",
            "Ethnicity",
            "Date of Birth",
            "Age of Child (Years)",
            "Date of Contact",
            "Contact Source",
        ],
        # Ethnicity in words or as the census code maps to its code; words naming no one census group ("Mixed") and
        # anything else typed (a formula) are "not obtained".
        [_child_id(known["alex"]), "b) Female", "a) WBRI", "04/05/2018", "7", "05/03/2026", "q) 6: Police"],
        [_child_id(known["blake"]), "a) Male", "s) NOBT", "", "9", "10/03/2026", "e) 2A: Schools"],
        [_child_id(known["casey"]), "b) Female", "s) NOBT", "20/03/2010", "16", "20/03/2026", "a) 1A: Individual"],
        [_child_id(known["drew"]), "a) Male", "k) APKN", "31/12/2015", "10", "25/03/2026", "g) 3A: Health services"],
    ]


def test_list_3_is_the_screened_ones_with_decision_history_and_allocation(client, mash, known):
    client.force_login(mash.manager)
    rows = _rows(_download(client, mash, 3))
    assert rows == [
        ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Date of referral",
         "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months", "Allocated Team",
         "Allocated Worker"],
        # The September 2025 referral is within 12 months; December 2024 is not. NFA is blank until decided.
        [_child_id(known["alex"]), "b) Female", "a) WBRI", "04/05/2018", "7", "05/03/2026", "q) 6: Police",
         "a) Yes", "1", "North MASH", ""],
        [_child_id(known["blake"]), "a) Male", "s) NOBT", "", "9", "10/03/2026", "e) 2A: Schools",
         "", "0", "North MASH", "Pat Worker"],
        [_child_id(known["drew"]), "a) Male", "k) APKN", "31/12/2015", "10", "25/03/2026", "g) 3A: Health services",
         "b) No", "0", "North MASH", known["nameless"].username],
    ]  # fmt: skip


def test_a_rejected_or_unanswered_match_is_not_an_earlier_referral(mash):
    earlier = mash.referral(received_at="2026-01-05T10:00:00+00:00")
    later = mash.referral(received_at="2026-02-05T10:00:00+00:00")
    matching.subject_matches_find(referral_id=later.pk)
    match = later.matches.get(candidate__referral=earlier, candidate__role=PersonRole.SUBJECT)
    assert [r.earlier_referrals for r in inspection.referrals(mash.hub, date(2026, 2, 1), date(2026, 2, 28))] == [0]
    matching.subject_match_decide(match=match, kind="not_related", by=mash.practitioner, reason="Another child")
    assert [r.earlier_referrals for r in inspection.referrals(mash.hub, date(2026, 2, 1), date(2026, 2, 28))] == [0]


def test_each_download_is_audited_with_its_referrals(client, mash, known):
    client.force_login(mash.manager)
    _download(client, mash, 3)
    event = AuditEvent.objects.get(action="inspection_list.exported")
    assert event.hub_id == mash.hub.pk and event.actor_id == str(mash.manager.pk)
    assert event.object_type == "referrals.referral"
    assert event.data == {
        "ids": [str(known[k].pk) for k in ("alex", "blake", "drew")],
        "count": 3,
        "format": "csv",
        "list": 3,
        "since": "2026-03-01",
        "until": "2026-03-31",
    }


def test_the_download_takes_the_same_queries_whatever_the_rows(client, mash, known, django_assert_num_queries):
    client.force_login(mash.manager)
    # session, user, the second factor's device, the manager's roles (the access), the referrals with their
    # allocated workers, their subjects, their subjects' confirmed earlier matches, the audit event's insert, the
    # session's save (savepoint, update, release): 11 (14 before issue 15: the hub, two permission checks and the
    # manager's roles were asked apart)
    with django_assert_num_queries(11):
        response = _download(client, mash, 3)
    assert len(_rows(response)) == 4
    # list 1: the same without the matches, and without the session's save (written at most every 15 s)
    with django_assert_num_queries(7):
        response = _download(client, mash, 1)
    assert len(_rows(response)) == 5


@pytest.mark.parametrize("who", ["practitioner", "strategic lead", "police officer", "hub administrator"])
def test_nobody_else_in_the_hub_may_see_the_lists(client, mash, who):
    people = {
        "practitioner": mash.practitioner,
        "police officer": mash.officers["police"],
        "hub administrator": mash.admin,
    }
    client.force_login(people.get(who) or member(mash.hub, Role.STRATEGIC_LEAD))
    refused = client.get(URL.format(mash.hub.id))
    assert refused.status_code == 403 and "which name children" in refused.content.decode()
    assert _download(client, mash, 1).status_code == 403
    assert not AuditEvent.objects.filter(action="inspection_list.exported").exists()


def test_another_hubs_manager_is_refused(client, mash):
    client.force_login(member(HubFactory(), Role.MANAGER))
    assert _download(client, mash, 1).status_code == 404


def test_the_manager_sees_the_form_and_the_link_to_it(client, mash):
    client.force_login(mash.manager)
    response = client.get(URL.format(mash.hub.id))
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in page
    assert f'href="{URL.format(mash.hub.id)}"' in page  # the navigation
    assert 'name="list"' in page and 'name="since_day"' in page and 'name="until_year"' in page


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"list": "1"}, {"since": ["Enter the start date"], "until": ["Enter the end date"]}),
        (MARCH, {"list": ["Choose which list to download"]}),
        ({"list": "2", **MARCH}, {"list": ["Select a valid choice. 2 is not one of the available choices."]}),
        ({"list": "workbook"}, {"since": ["Enter the start date"], "until": ["Enter the end date"]}),
        (
            {
                "list": "1",
                "since_day": "30",
                "since_month": "2",
                "since_year": "2026",
                **typed_date("until", "2026-03-31"),
            },
            {"since": ["The start date must be a real date"]},
        ),
        (
            {"list": "1", "since_day": "1", "since_month": "3", "until_month": "March", "until_year": "2026"},
            {"since": ["The start date must include a year"], "until": ["The end date must include a day"]},
        ),
        (
            {
                "list": "1",
                "since_day": "1",
                "since_month": "3",
                "since_year": "26",
                **typed_date("until", "2026-03-31"),
            },
            {"since": ["The year in the start date must include 4 numbers"]},
        ),
        (
            {"list": "3", "since": "2026-03-31", "until": "2026-03-01"},
            {"until": ["The end date must be the same as or after the start date"]},
        ),
        (
            {"list": "3", "since": "2025-03-01", "until": "2026-03-01"},
            {"until": ["The dates can be no more than 12 months apart: end on 28 February 2026 or before"]},
        ),
    ],
)
def test_bad_answers_are_explained_field_by_field(client, mash, params, errors):
    client.force_login(mash.manager)
    response = client.get(URL.format(mash.hub.id), typed_dates(params, "since", "until"))
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert response.context["form"].errors == errors
    assert "There is a problem" in response.content.decode()
    assert not AuditEvent.objects.filter(action="inspection_list.exported").exists()


def test_twelve_months_to_the_day_is_allowed(client, mash):
    client.force_login(mash.manager)
    response = _download(client, mash, 1, since="2025-03-01", until="2026-02-28")
    assert response["Content-Disposition"].endswith('-2025-03-01-2026-02-28.csv"')
    assert _rows(response) == [LISTS[1].headings]
