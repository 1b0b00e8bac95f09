"""The decisions app's routes under /api/v1/ (composed into the "api-v1" namespace by mash/api_urls.py). Every route
answers an anonymous caller with 401, not a sign-in page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from decisions.api import ContributionCollection, InformationRequestCollection, WebhookCollection


def _open(view):
    """The API authenticates with bearer tokens, so the site's sign-in redirect does not apply."""
    return login_not_required(view)


def _routes(view, namespace: str):
    return include(([path("", _open(view.as_view()), name="list")], namespace))


urlpatterns = [
    path("referrals/<uuid:referral_id>/contributions/", _routes(ContributionCollection, "contributions")),
    path("information-requests/", _routes(InformationRequestCollection, "information-requests")),
    path("webhooks/", _routes(WebhookCollection, "webhooks")),
]
