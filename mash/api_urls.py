"""/api/v1/: one "api-v1" namespace for every app's routes (api-v1:referrals:detail, api-v1:contributions:list …),
with the OAuth2 token endpoints (client credentials only, mash/oauth.py), the schema and the problem types. Each app lists its own routes (referrals/api_urls.py,
decisions/api_urls.py); they are included here by name, so no app imports another's URLs. Every route answers an
anonymous caller with 401 (the schema and docs excepted), not a sign-in page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import RevokeTokenView

from mash.api_http import problem_type, problem_types
from mash.oauth import ClientCredentialsTokenView

app_name = "api-v1"

urlpatterns = [
    path("", include("referrals.api_urls")),
    path("", include("decisions.api_urls")),
    path("oauth/token/", ClientCredentialsTokenView.as_view(), name="token"),
    path("oauth/revoke/", login_not_required(RevokeTokenView.as_view()), name="revoke"),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("problems/", problem_types, name="problems"),
    path("problems/<slug:kind>", problem_type, name="problem"),
    path("docs/", login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-v1:schema")), name="docs"),
]
