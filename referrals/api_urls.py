"""The referrals app's routes under /api/v1/ (composed with the other apps' into the "api-v1" namespace by
mash/api_urls.py). Every route answers an anonymous caller with 401, not a sign-in page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from referrals.api import ReferralCollection, ReferralItem
from referrals.events_api import EventCollection
from referrals.households_api import HouseholdCollection


def _open(view):
    """The API authenticates with bearer tokens, so the site's sign-in redirect does not apply."""
    return login_not_required(view)


referral_routes = (
    [
        path("", _open(ReferralCollection.as_view()), name="list"),
        path("<uuid:referral_id>/", _open(ReferralItem.as_view()), name="detail"),
    ],
    "referrals",
)

urlpatterns = [
    path("referrals/", include(referral_routes)),
    path("households/", include(([path("", _open(HouseholdCollection.as_view()), name="list")], "households"))),
    path("events/", include(([path("", _open(EventCollection.as_view()), name="list")], "events"))),
]
