"""The triage queue left open on a PC: its background refresh writes a ledger read only when what it shows changed,
and never keeps the session alive (mash/sessions.py)."""

import pytest

from audit.models import AuditEvent
from referrals.services import referral_create
from tests.factories import referral_data

pytestmark = pytest.mark.django_db
BACKGROUND = {"HTTP_X_BACKGROUND_REQUEST": "1"}  # what static/js/refresh.js sends


def _reads():
    return list(AuditEvent.objects.filter(action="triage_queue.listed").order_by("id"))


def _refresh(client, hub, **params):
    response = client.get(f"/hubs/{hub.id}/queue/", {**params, "partial": "1"}, **BACKGROUND)
    assert response.status_code == 200
    return response


def test_a_refresh_showing_the_same_rows_writes_no_read_and_a_changed_one_writes_one(client, hub, practitioner):
    first = referral_create(hub=hub, data=referral_data(), channel="phone")
    client.force_login(practitioner)
    client.get(f"/hubs/{hub.id}/queue/")
    assert [e.data["ids"] for e in _reads()] == [[str(first.id)]]

    for _ in range(3):  # 90 seconds of a PC left on the queue
        assert first.reference in _refresh(client, hub).content.decode()
    assert len(_reads()) == 1

    second = referral_create(hub=hub, data=referral_data(), channel="phone")
    body = _refresh(client, hub).content.decode()
    assert second.reference in body
    reads = _reads()
    assert len(reads) == 2 and set(reads[-1].data["ids"]) == {str(first.id), str(second.id)}
    _refresh(client, hub)
    assert len(_reads()) == 2  # and quiet again


def test_the_person_loading_the_page_again_is_always_a_read(client, hub, practitioner):
    referral_create(hub=hub, data=referral_data(), channel="phone")
    client.force_login(practitioner)
    client.get(f"/hubs/{hub.id}/queue/")
    client.get(f"/hubs/{hub.id}/queue/")
    assert len(_reads()) == 2


def test_each_filter_is_compared_with_what_it_showed_itself(client, hub, practitioner):
    referral_create(hub=hub, data=referral_data(), channel="phone")
    client.force_login(practitioner)
    client.get(f"/hubs/{hub.id}/queue/")
    client.get(f"/hubs/{hub.id}/queue/", {"rating": "none"})
    _refresh(client, hub)
    _refresh(client, hub, rating="none")
    assert len(_reads()) == 2  # two pages (say, two tabs) refreshing in turn: neither has changed
