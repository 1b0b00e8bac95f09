"""/api/v1/: every route answers an anonymous caller with 401 (the schema and docs excepted), not a sign-in page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from oauth2_provider.views import RevokeTokenView, TokenView

from referrals.api import ReferralCollection, ReferralItem

app_name = "api-v1"


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
    path("oauth/token/", _open(TokenView.as_view()), name="token"),
    path("oauth/revoke/", _open(RevokeTokenView.as_view()), name="revoke"),
    path("schema/", _open(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", _open(SpectacularSwaggerView.as_view(url_name="api-v1:schema")), name="docs"),
]
