"""Counting by the dates that matter: a referral counts in the month it was received, whenever it was recorded
(before the build); the return says how many were recorded late and the rule, and rebuilt from the same cutoff it
gives the same figures and digest. Month-to-date returns: at most one an hour per hub."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from referrals.services import referral_create
from reports import services
from reports.figures import monthly_figures
from reports.models import MonthlyReturn, ReturnState
from tests.factories import referral_data
from tests.people import build_mash
from tests.test_rendered_text import visible_text

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")
NOVEMBER = datetime(2026, 11, 1).date()
DECEMBER = datetime(2026, 12, 1).date()


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def _received(m, when: datetime) -> None:
    """A referral received at `when`, recorded now (the clock's time)."""
    referral_create(
        hub=m.hub, data=referral_data(received_at=when.isoformat()), channel="api", referring_agency=m.police
    )


def _build(m, month, by=None):
    row = services.return_request(hub=m.hub, month=month, by=by or m.manager)
    return services.return_build(return_id=row.pk)


@pytest.fixture
def north():
    with time_machine.travel(at(11, 2, 9), tick=False):
        return build_mash("north")


def test_a_referral_received_on_the_30th_and_recorded_on_the_1st_counts_in_the_month_received(client, north):
    with time_machine.travel(at(11, 10, 9), tick=False):
        _received(north, at(11, 10, 9))  # received and recorded in November
    with time_machine.travel(at(11, 30, 23, 50), tick=False):
        early = _build(north, NOVEMBER)  # before the late one was recorded: it cannot count it
    with time_machine.travel(at(12, 1, 9), tick=False):
        _received(north, at(11, 30, 15))  # received 30 November, recorded 1 December
    with time_machine.travel(at(12, 1, 10), tick=False) as clock:
        november = _build(north, NOVEMBER)
        december = monthly_figures(north.hub, DECEMBER)
        clock.move_to(at(12, 1, 10, 5))
        client.force_login(north.manager)
        page = visible_text(client.get(reverse("return-detail", args=[north.hub.id, november.pk])).content.decode())

    assert early.figures["referrals"]["total"] == 1 and early.figures["provisional"]
    assert november.state == ReturnState.READY, november.error
    assert november.cutoff == at(12, 1, 10) and not november.figures["provisional"]
    assert november.figures["referrals"]["total"] == 2
    assert november.figures["referrals"]["recorded_late"] == 1
    assert [w["count"] for w in november.figures["referrals"]["by_week"]] == [0, 1, 0, 0, 1]  # the 10th and the 30th
    assert december["referrals"]["total"] == 0
    assert "Referrals count in the month they were received, whichever day they were recorded" in page
    assert "1 referral received in November was recorded after the month ended." in page
    assert "recorded after 1 December 2026 10:00 are not counted: a return built later may count them" in page

    # Another November referral recorded on 2 December: the return built on the 1st, rebuilt from its cutoff, gives
    # the same figures and digest; built now, it counts both late referrals.
    with time_machine.travel(at(12, 2, 9), tick=False):
        _received(north, at(11, 29, 12))
    with time_machine.travel(at(12, 2, 10), tick=False):
        same = monthly_figures(north.hub, NOVEMBER, november.cutoff)
        later = _build(north, NOVEMBER)
    assert same == november.figures and services.figures_digest(same) == november.figures_digest
    assert later.figures["referrals"]["total"] == 3 and later.figures["referrals"]["recorded_late"] == 2
    assert later.figures_digest != november.figures_digest


def test_a_month_to_date_return_at_most_once_an_hour_per_hub_whoever_asks(client, north):
    page = reverse("returns", args=[north.hub.id])
    with time_machine.travel(at(12, 2, 10), tick=False) as clock:
        client.force_login(north.lead)
        assert client.post(page, {"month": "2026-12-01"}).status_code == 302
        assert client.post(page, {"month": "2026-11-01"}).status_code == 302  # a month that ended: no limit

        clock.move_to(at(12, 2, 10, 40))
        client.force_login(north.manager)
        refused = client.post(page, {"month": "2026-12-01"})
        body = visible_text(refused.content.decode())
        assert refused.status_code == 400 and 'id="id_month-error"' in refused.content.decode()
        assert (
            "A return for this month to date was asked for at 10:00: one may be built each hour, "
            "so the next from 11:00 on 2 December"
        ) in body
        assert MonthlyReturn.objects.filter(hub=north.hub, month=DECEMBER).count() == 1

        clock.move_to(at(12, 2, 11, 1))
        assert client.post(page, {"month": "2026-12-01"}).status_code == 302
    assert MonthlyReturn.objects.filter(hub=north.hub, month=DECEMBER).count() == 2
