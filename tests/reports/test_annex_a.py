"""The Ofsted Annex A workbook (issue 20 part 4): sheets List 1, List 3 and List 5 read back with openpyxl cell by
cell against shared/DOMAIN.md (headings in the template's order, coded values, dd/mm/yyyy date cells, one row per
child of a household, a List 5 row from a strategy discussion that started a section 47 enquiry, formula-looking text
escaped), downloaded by the manager from the inspection-lists page and written by `manage.py annex_a`."""

import io
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Role
from audit.models import AuditEvent
from decisions import services as decision_services
from referrals import matching, people_index, triage
from referrals.households import household_create
from referrals.models import PersonRole
from reports import annex_a, inspection
from tests.dates import typed_date
from tests.factories import member
from tests.people import build_mash
from tests.referrals.test_households import household_data
from tests.reports.test_inspection import MARCH, URL, known  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# shared/DOMAIN.md, "Ofsted inspection lists (Annex A)", word for word.
CHILD = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
HEADINGS = {
    "List 1": [*CHILD, "Date of Contact", "Contact Source"],
    "List 3": [*CHILD, "Date of referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months",
               "Allocated Team", "Allocated Worker"],
    "List 5": [*CHILD, "Does the Child have a Disability", "Strategy discussion initiating Section 47 Enquiry Start Date",
               "Was an Initial Child Protection Conference deemed unnecessary?",
               "Date of Initial Child Protection Conference",
               "Did the Initial Child Protection Conference Result in a Child Protection Plan",
               "Number of Section 47 Enquiries in the last 12 months", "Number of ICPCs in the last 12 months",
               "Allocated Team", "Allocated Worker"],
}  # fmt: skip


@pytest.fixture
def mash():
    return build_mash()


def _book(content: bytes):
    return load_workbook(io.BytesIO(content))


def _values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _child_id(referral) -> str:
    """The person index's id for the referral's child (the record's own before the index has it)."""
    child = referral.persons.get(role=PersonRole.SUBJECT)
    return str(child.index_person_id or child.pk)


def _workbook(client, mash, params=None):
    client.force_login(mash.manager)
    return client.get(URL.format(mash.hub.id), params or {"list": "workbook", **MARCH})


def test_the_codes_follow_the_census_lists_in_their_order():
    assert list(annex_a.SOURCE_CODES.values()) == [
        "a) 1A: Individual", "b) 1B: Individual", "c) 1C: Individual", "d) 1D: Individual", "e) 2A: Schools",
        "f) 2B: Education services", "g) 3A: Health services", "h) 3B: Health services", "i) 3C: Health services",
        "j) 3D: Health services", "k) 3E: Health services", "l) 3F: Health services", "m) 4: Housing",
        "n) 5A: LA services", "o) 5B: LA services", "p) 5C: LA services", "p1) 5D: LA services", "q) 6: Police",
        "r) 7: Other legal agency", "s) 8: Other", "t) 9: Anonymous", "u) 10: Unknown",
    ]  # fmt: skip
    assert " ".join(annex_a.ETHNICITY_LETTERS.values()) == (
        "a) WBRI b) WIRI c) WIRT d) WOTH e) WROM f) MWBC g) MWBA h) MWAS i) MOTH j) AIND k) APKN l) ABAN m) AOTH "
        "n) BCRB o) BAFR p) BOTH q) CHNE r) OOTH s) REFU s) NOBT"
    )


@pytest.mark.parametrize(
    ("typed", "gender"),
    [("Male", "a) Male"), (" female ", "b) Female"), ("F", "b) Female"), ("Neither", "d) Neither"),
     ("", "c) Not stated/recorded"), ("Unknown", "c) Not stated/recorded"), ("=1+1", "c) Not stated/recorded")],
)  # fmt: skip
def test_gender_as_typed_becomes_its_code(typed, gender):
    assert annex_a.gender_code(typed) == gender


@pytest.mark.parametrize(
    ("typed", "ethnicity"),
    [("White British", "a) WBRI"), ("wbri", "a) WBRI"), ("Gypsy/Roma", "e) WROM"), ("Black  African", "o) BAFR"),
     ("Mixed White and Black Caribbean", "f) MWBC"), ("Mixed: White and Asian", "h) MWAS"),
     ("Asian or Asian British - Pakistani", "k) APKN"), ("Refused", "s) REFU"), ("declined", "s) REFU"), ("", "s) NOBT"), ("Mixed", "s) NOBT"), ("Asian", "s) NOBT")],
)  # fmt: skip
def test_ethnicity_as_typed_becomes_its_code_and_unknown_is_not_obtained(typed, ethnicity):
    assert annex_a.ethnicity_code(typed) == ethnicity


def test_the_manager_downloads_the_workbook_with_the_templates_headings_codes_and_dates(client, mash, known):  # noqa: F811
    response = _workbook(client, mash)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="ofsted-annex-a-north-2026-03-01-2026-03-31.xlsx"'
    book = _book(response.content)
    assert book.sheetnames == ["List 1", "List 3", "List 5"]
    for name, headings in HEADINGS.items():
        sheet = book[name]
        assert [cell.value for cell in sheet[1]] == headings
        assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
        assert all(sheet.column_dimensions[cell.column_letter].width >= 12 for cell in sheet[1])

    contacts = book["List 1"]
    assert _values(contacts)[1:] == [
        [_child_id(known["alex"]), "b) Female", "a) WBRI", datetime(2018, 5, 4), 7, datetime(2026, 3, 5),
         "q) 6: Police"],
        [_child_id(known["blake"]), "a) Male", "s) NOBT", None, 9, datetime(2026, 3, 10), "e) 2A: Schools"],
        [_child_id(known["casey"]), "b) Female", "s) NOBT", datetime(2010, 3, 20), 16, datetime(2026, 3, 20),
         "a) 1A: Individual"],
        [_child_id(known["drew"]), "a) Male", "k) APKN", datetime(2015, 12, 31), 10, datetime(2026, 3, 25),
         "g) 3A: Health services"],
    ]  # fmt: skip
    for cell in ("D2", "F2", "F3"):
        assert contacts[cell].is_date and contacts[cell].number_format == "dd/mm/yyyy"
    assert contacts["E2"].data_type == "n"  # the age is a number

    referrals = book["List 3"]
    assert _values(referrals)[1:] == [
        [_child_id(known["alex"]), "b) Female", "a) WBRI", datetime(2018, 5, 4), 7, datetime(2026, 3, 5),
         "q) 6: Police", "a) Yes", 1, "North MASH", None],
        [_child_id(known["blake"]), "a) Male", "s) NOBT", None, 9, datetime(2026, 3, 10), "e) 2A: Schools", None, 0,
         "North MASH", "Pat Worker"],
        [_child_id(known["drew"]), "a) Male", "k) APKN", datetime(2015, 12, 31), 10, datetime(2026, 3, 25),
         "g) 3A: Health services", "b) No", 0, "North MASH", known["nameless"].username],
    ]  # fmt: skip
    assert referrals["F4"].number_format == "dd/mm/yyyy"
    assert _values(book["List 5"]) == [HEADINGS["List 5"]]  # no strategy discussion started an enquiry

    event = AuditEvent.objects.get(action="inspection_list.exported")
    assert event.actor_id == str(mash.manager.pk)
    assert event.data == {
        "ids": [str(known[k].pk) for k in ("alex", "blake", "casey", "drew")],
        "count": 4,
        "format": "xlsx",
        "since": "2026-03-01",
        "until": "2026-03-31",
    }


def test_a_household_contact_is_one_row_per_child(client, mash):
    household = household_create(hub=mash.hub, data=household_data(3, 2), channel="api", referring_agency=mash.police)
    today = timezone.localdate()
    response = _workbook(client, mash, {"list": "workbook", **typed_date("since", today), **typed_date("until", today)})
    rows = _values(_book(response.content)["List 1"])[1:]
    children = household.referrals.order_by("reference")
    assert [row[0] for row in rows] == [_child_id(r) for r in children]
    assert [row[3] for row in rows] == [datetime(2010, 5, 4), datetime(2011, 5, 4), datetime(2012, 5, 4)]
    assert len({row[0] for row in rows}) == 3


def test_a_child_referred_twice_and_linked_as_one_person_keeps_one_child_unique_id(client, mash):
    first, second = (_received(mash, days_ago=d) for d in (3, 1))
    child, again = (r.persons.get(role=PersonRole.SUBJECT) for r in (first, second))
    today = timezone.localdate()
    dates = {**typed_date("since", today - timedelta(days=5)), **typed_date("until", today)}
    before = [
        row[0] for row in _values(_book(_workbook(client, mash, {"list": "workbook", **dates}).content)["List 1"])[1:]
    ]
    assert len(set(before)) == 2
    people_index.link_create(person=again, other=child, kind="same_person", by=mash.practitioner,
                             reason="Same child: the school confirmed", confirmed=True)  # fmt: skip
    after = [
        row[0] for row in _values(_book(_workbook(client, mash, {"list": "workbook", **dates}).content)["List 1"])[1:]
    ]
    assert len(after) == 2 and len(set(after)) == 1


def _s47(mash, referral, *, days_ago: int, decision="s47_joint_police"):
    """A strategy discussion held `days_ago` at 10:00 that started a section 47 enquiry that day."""
    held = timezone.localdate() - timedelta(days=days_ago)
    data = {
        "held_on": held.isoformat(), "held_time": "10:00", "mode": "meeting",
        "participants": [{"agency": getattr(mash, key), "role": "Lead"} for key in ("police", "social_care", "health")],
        "decision": decision, "reason": "" if decision != "no_s47" else "Not needed", "s47_started_on": held.isoformat(),
        "actions": [],
    }  # fmt: skip
    return decision_services.strategy_discussion_record(referral=referral, by=mash.practitioner, data=data)


def _received(mash, days_ago: int, **changes):
    when = timezone.now().replace(hour=9, minute=0) - timedelta(days=days_ago)
    return mash.referral(received_at=when.isoformat(), **changes)


def test_list_5_is_the_children_whose_strategy_discussion_started_an_s47_enquiry(
    client, mash, django_assert_num_queries
):
    # Alex's enquiry 90 days ago (outside the dates, but within the 12 months before the next), and again 4 days ago;
    # another child's discussion decided no s47 enquiry.
    earlier, later = _received(mash, 100), _received(mash, 5)
    _s47(mash, earlier, days_ago=90)
    _s47(mash, later, days_ago=4)
    _s47(mash, _received(mash, 6, source_code="2A"), days_ago=4, decision="no_s47")
    matching.subject_matches_find(referral_id=later.pk)
    match = later.matches.get(candidate__referral=earlier, candidate__role=PersonRole.SUBJECT)
    matching.subject_match_decide(match=match, kind="same_person", by=mash.practitioner, reason="Same NHS number")
    today = timezone.localdate()
    since = today - timedelta(days=30)
    # the referrals with their allocated workers, their subjects, their s47 discussions, their subjects' confirmed
    # earlier matches (with those referrals), and those referrals' s47 discussions
    with django_assert_num_queries(5):
        assert len(inspection.s47_enquiries(mash.hub, since, today)) == 1

    response = _workbook(client, mash, {"list": "workbook", **typed_date("since", since), **typed_date("until", today)})

    sheet = _book(response.content)["List 5"]
    start = today - timedelta(days=4)
    age = start.year - 2018 - ((start.month, start.day) < (5, 4))
    assert _values(sheet)[1:] == [
        [_child_id(later), "b) Female", "a) WBRI", datetime(2018, 5, 4), age, None,
         datetime(start.year, start.month, start.day), None, None, None, 1, None, "North MASH", None],
    ]  # fmt: skip
    assert sheet["G2"].number_format == "dd/mm/yyyy"
    csv = client.get(URL.format(mash.hub.id), {"list": "5", **typed_date("since", since), **typed_date("until", today)})
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode().splitlines()
    assert lines[0].split(",")[:7] == HEADINGS["List 5"][:7]
    assert lines[1].endswith(f",,{start:%d/%m/%Y},,,,1,,North MASH,")


def test_text_that_looks_like_a_formula_is_escaped_in_the_workbook_and_the_csv(client, mash):
    worker = member(mash.hub, Role.PRACTITIONER)
    get_user_model().objects.filter(pk=worker.pk).update(first_name='=HYPERLINK("http://evil.example")', last_name="")
    referral = _received(mash, 1)
    triage.referral_assign(referral=referral, by=mash.manager, to=worker)
    today = timezone.localdate()
    dates = {**typed_date("since", today - timedelta(days=2)), **typed_date("until", today)}

    sheet = _book(_workbook(client, mash, {"list": "workbook", **dates}).content)["List 3"]
    assert sheet["K2"].value == '\'=HYPERLINK("http://evil.example")' and sheet["K2"].data_type == "s"
    csv = client.get(URL.format(mash.hub.id), {"list": "3", **dates}).content.decode()
    assert csv.splitlines()[1].endswith(',"\'=HYPERLINK(""http://evil.example"")"')


@pytest.mark.parametrize("who", ["practitioner", "strategic lead"])
def test_only_the_manager_downloads_the_workbook(client, mash, who):
    client.force_login(mash.practitioner if who == "practitioner" else member(mash.hub, Role.STRATEGIC_LEAD))
    response = client.get(URL.format(mash.hub.id), {"list": "workbook", **MARCH})
    # The hub's own people are told why (agencies/policy.py); anyone outside the hub gets 404.
    assert response.status_code == 403 and "Content-Disposition" not in response
    assert not AuditEvent.objects.filter(action="inspection_list.exported").exists()


def test_bad_dates_for_the_workbook_are_explained_field_by_field(client, mash):
    params = {"list": "workbook", "since_day": "31", "since_month": "2", "since_year": "2026",
              "until_day": "1", "until_month": "", "until_year": "2026"}  # fmt: skip
    response = _workbook(client, mash, params)
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert response.context["form"].errors == {
        "since": ["The start date must be a real date"],
        "until": ["The end date must include a month"],
    }


def test_the_command_writes_the_workbook_and_records_it(mash, known, tmp_path):  # noqa: F811
    out = tmp_path / "annex-a.xlsx"
    stdout = io.StringIO()
    call_command("annex_a", "--hub", "north", "--from", "2026-03-01", "--to", "2026-03-31", str(out), stdout=stdout)
    assert stdout.getvalue().strip() == (
        f"Wrote {out}: 7 rows (lists 1, 3 and 5) for North MASH, 2026-03-01 to 2026-03-31"
    )
    book = load_workbook(out)
    assert book.sheetnames == ["List 1", "List 3", "List 5"]
    assert [c.value for c in book["List 3"][1]] == HEADINGS["List 3"]
    assert book["List 1"]["G2"].value == "q) 6: Police" and book["List 1"]["F2"].value == datetime(2026, 3, 5)
    event = AuditEvent.objects.get(action="inspection_list.exported")
    assert event.actor_type == "system" and event.data["format"] == "xlsx" and event.data["count"] == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hub", "south"], "There is no hub 'south' (hubs: north)"),
        (["--from", "1/3/2026"], "--from must be a date as YYYY-MM-DD, not '1/3/2026'"),
        (["--to", "2026-02-30"], "--to must be a date as YYYY-MM-DD, not '2026-02-30'"),
        (["--to", "2026-02-01"], "The end date must be the same as or after the start date"),
        (["--to", "2027-03-01"], "The dates can be no more than 12 months apart: end on 28 February 2027 or before"),
        (["OUT.csv"], "OUT.csv must end in .xlsx: it is an Excel workbook"),
        (["/no/such/folder/a.xlsx"], "There is no folder /no/such/folder to write a.xlsx into"),
    ],
)
def test_the_command_explains_bad_arguments(mash, tmp_path, args, message):
    given = {"--hub": "north", "--from": "2026-03-01", "--to": "2026-03-31"}
    out = str(tmp_path / "a.xlsx")
    for flag, value in zip(args[::2], args[1::2], strict=False):
        given[flag] = value
    if len(args) == 1:
        out = args[0]
    with pytest.raises(CommandError) as error:
        call_command("annex_a", *[x for pair in given.items() for x in pair], out)
    assert str(error.value) == message
    assert not AuditEvent.objects.filter(action="inspection_list.exported").exists()
