"""The manager's audit trail: who did what to a record, what one person did, and who has viewed a record."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role, RoleAssignment
from audit.context import Actor, acting
from audit.models import AuditEvent
from audit.services import log_read, record
from mash.csvsafe import cell
from tests.dates import typed_date
from tests.factories import HubFactory, ScreenedReferralFactory, UserFactory, member
from tests.journey import hub_names_its_levels
from tests.test_rendered_text import visible_text

pytestmark = pytest.mark.django_db


def _trail(client, hub, **params):
    return client.get(f"/hubs/{hub.id}/audit/", params)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.AGENCY_OFFICER, Role.STRATEGIC_LEAD, Role.HUB_ADMIN])
def test_only_the_acting_manager_sees_the_trail(client, hub, role):
    """The hub's other members are told why (403 with the reason); nothing of the trail is shown."""
    client.force_login(member(hub, role))
    refused = _trail(client, hub)
    assert refused.status_code == 403 and "may see the audit trail" in refused.content.decode()
    assert client.get(f"/hubs/{hub.id}/audit.csv").status_code == 403


def test_manager_of_another_hub_is_refused(client, hub):
    client.force_login(member(HubFactory(), Role.MANAGER))
    assert _trail(client, hub).status_code == 404


def test_deputy_sees_the_trail_only_inside_the_delegation(client, hub):
    now = timezone.now()
    deputy = member(
        hub, Role.DEPUTY, delegation_starts=now - timedelta(hours=1), delegation_ends=now + timedelta(hours=1)
    )
    client.force_login(deputy)
    assert _trail(client, hub).status_code == 200
    RoleAssignment.objects.filter(user=deputy).update(
        delegation_starts=now + timedelta(days=1), delegation_ends=now + timedelta(days=2)
    )
    assert _trail(client, hub).status_code == 403


def test_trail_shows_the_hubs_events_and_logs_the_ids_shown(client, hub, manager):
    other = HubFactory(name="Other hub")
    record("hub.updated", hub=other, obj=other, payload={"area": "secret_other"})
    client.force_login(manager)
    page = _trail(client, hub).content.decode()
    assert "Hub created" in page and "Role given" in page
    assert "secret_other" not in page
    viewed = AuditEvent.objects.filter(action="audit_trail.viewed").get()
    shown = set(AuditEvent.objects.filter(hub_id=hub.pk).exclude(pk=viewed.pk).values_list("id", flat=True))
    assert set(map(int, viewed.data["ids"])) == shown
    assert viewed.actor_id == str(manager.pk) and viewed.hub_id == hub.pk


def test_who_has_viewed_this_record(client, hub, manager):
    reader_a, reader_b = member(hub, Role.PRACTITIONER), member(hub, Role.AGENCY_OFFICER)
    for reader in (reader_a, reader_b):
        with acting(Actor("user", str(reader.pk))):
            log_read("audit_trail.viewed", hub=hub, object_type="referrals.referral", ids=["R-1"])
    with acting(Actor("user", str(reader_a.pk))):
        log_read("audit_trail.viewed", hub=hub, object_type="referrals.referral", ids=["R-2"])
    client.force_login(manager)
    page = _trail(client, hub, object_type="referrals.referral", object_id="R-1").content.decode()
    assert "2 events" in page
    assert reader_a.get_full_name() in page and reader_b.get_full_name() in page
    page = _trail(client, hub, person=reader_a.username).content.decode()
    assert "2 events" in page and reader_b.get_full_name() not in page


def test_bad_filters_are_explained(client, hub, manager):
    client.force_login(manager)
    dates = {**typed_date("since", "2026-02-01"), **typed_date("until", "2026-01-01")}
    page = _trail(client, hub, person="nobody", **dates).content.decode()
    assert "There is a problem" in page
    assert "There is no account with this username" in page
    assert "The end date must be the same as or after the start date" in page
    assert not AuditEvent.objects.filter(action="audit_trail.viewed").exists()


def test_trail_is_paginated(client, hub, manager):
    for i in range(120):
        record("hub.updated", hub=hub, obj=hub, payload={"red_hours": i})
    client.force_login(manager)
    response = _trail(client, hub, action="hub.updated", page=3)
    assert response.context["page"].number == 3 and len(response.context["rows"]) == 20
    assert "Page 3 of 3" in response.content.decode()


def test_trail_page_query_count_does_not_grow_with_events(client, hub, manager, django_assert_max_num_queries):
    people = [member(hub, Role.PRACTITIONER) for _ in range(5)]
    for person in people:
        with acting(Actor("user", str(person.pk))):
            record("hub.updated", hub=hub, obj=hub, payload={})
    client.force_login(manager)
    # session, user, hub scope, permission (2), manager check, count, page of events, users, agencies,
    # the audit insert for the read, navigation roles, session save
    with django_assert_max_num_queries(16):
        assert _trail(client, hub).status_code == 200


def test_csv_export_is_escaped_and_audited(client, hub, manager):
    user = UserFactory(first_name="=HYPERLINK(evil)", last_name="x")
    with acting(Actor("user", str(user.pk))):
        record("hub.updated", hub=hub, obj=hub, payload={"area": "+1 cmd"})
    client.force_login(manager)
    response = client.get(f"/hubs/{hub.id}/audit.csv", {"action": "hub.updated"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Event", "When", "What", "Who", "Agency", "Record type", "Record id", "Facts", "Web request", "IP address",
        "Action code", "Record type code",
    ]  # fmt: skip
    assert len(rows) == 2
    assert rows[1][2] == "Hub profile changed" and rows[1][5] == "Hub settings" and rows[1][6] == str(hub.pk)
    assert rows[1][10:] == ["hub.updated", "agencies.hub"]  # the ledger's codes, for matching by program
    assert rows[1][3] == "'=HYPERLINK(evil) x"
    assert rows[1][7] == "Area: +1 cmd"  # not at the start of the cell, so left as it is
    exported = AuditEvent.objects.get(action="audit_trail.exported")
    assert exported.data["count"] == 1 and exported.data["ids"] == [rows[1][0]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@sum", "'@sum"), ("\tx", "'\tx"), ("ok", "ok"), (None, "")],
)
def test_csv_cells_cannot_start_a_formula(value, expected):
    assert cell(value) == expected


def test_facts_name_the_agencies_and_people_they_refer_to(client, hub, manager):
    from tests.factories import MembershipFactory

    agency = MembershipFactory(hub=hub).agency
    person = member(hub, Role.AGENCY_OFFICER, agency=agency)
    client.force_login(manager)
    page = _trail(client, hub, action="role.granted").content.decode()
    assert f"Agency: {agency.name}" in page
    assert f"Person: {person.get_full_name()}" in page


def test_the_record_type_is_chosen_in_words_and_shown_in_words(client, hub, manager):
    """The filter offers "Referral", "Hub settings"…, sending the ledger's code; each row names its record in words."""
    record("hub.updated", hub=hub, obj=hub, payload={})
    log_read("referral.viewed", hub=hub, object_type="referrals.referral", ids=["R-1"])
    client.force_login(manager)

    page = _trail(client, hub).content.decode()
    choices = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page.split('name="object_type"')[1])
    offered = dict(choices[: choices.index(("", "Any action"))] if ("", "Any action") in choices else choices)
    assert offered[""] == "Any record"
    assert offered["referrals.referral"] == "Referral" and offered["agencies.hub"] == "Hub settings"
    assert offered["decisions.informationrequest"] == "Agency request for information"
    assert not [words for words in offered.values() if "." in words or "_" in words]
    text = visible_text(page)
    assert "Hub settings" in text and "Referral R-1" in text
    assert "agencies.hub" not in text and "referrals.referral" not in text

    only_hub = _trail(client, hub, object_type="agencies.hub").content.decode()
    assert '<option value="agencies.hub" selected>Hub settings</option>' in only_hub
    assert "Hub profile changed" in only_hub and "Referral viewed</td>" not in only_hub
    wrong = _trail(client, hub, object_type="agencies.nothing").content.decode()
    assert "Choose a record type from the list" in wrong


def test_an_event_not_done_by_a_person_says_who_did_it_in_words(client, hub, manager):
    with acting(Actor("system", "system")):
        record("hub.updated", hub=hub, obj=hub, payload={})
    client.force_login(manager)
    page = visible_text(_trail(client, hub, action="hub.updated").content.decode())
    assert "The service (automatic)" in page and "system system" not in page


def test_facts_name_threshold_levels_and_criteria_as_the_hub_does(client, mash):
    hub_names_its_levels(mash.hub)
    ScreenedReferralFactory(mash=mash, rating="red")  # at the specialist level, its first criterion
    client.force_login(mash.manager)
    page = visible_text(_trail(client, mash.hub, action="referral.screened").content.decode())
    assert "Criteria: Reasonable cause to suspect significant harm" in page
    assert "Level: Level 4: child protection (s47)" in page
    assert "specialist" not in page.lower()


def test_facts_say_their_codes_in_words(client, mash):
    ScreenedReferralFactory(mash=mash)  # sent by the police's system
    client.force_login(mash.manager)
    page = visible_text(_trail(client, mash.hub, action="referral.received").content.decode())
    assert "Channel: agency system (API)" in page and "Channel: api" not in page
