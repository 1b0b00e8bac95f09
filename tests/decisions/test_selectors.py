"""The multi-agency reads: the order an officer's queue shows."""

import pytest

from agencies.access import access_for
from decisions import selectors, services
from decisions.models import RequestState

pytestmark = pytest.mark.django_db


def test_the_officers_queue_shows_what_waits_for_them_first_then_what_they_answered_newest_first(mash):
    def health_request(rating):
        made = services.information_request(referral=mash.referral(rating=rating), by=mash.practitioner)
        return next(r for r in made if r.agency_id == mash.health.pk)

    answered_first, answered_last = health_request("green"), health_request("green")
    for request in (answered_first, answered_last):
        services.contribution_add(request=request, by=mash.officers["health"], data={"known": False})
    due_later, due_sooner = health_request("green"), health_request("red")  # red is due sooner than green

    queue = list(selectors.officer_requests(access_for(mash.officers["health"], mash.hub.pk)))

    # "answered" sorts before "open" as text: the open ones must still come first.
    assert [r.pk for r in queue] == [due_sooner.pk, due_later.pk, answered_last.pk, answered_first.pk]
    assert [r.state for r in queue] == [RequestState.OPEN] * 2 + [RequestState.ANSWERED] * 2
