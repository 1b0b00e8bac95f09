"""The OAuth2 authorization server for agencies' systems: client credentials only (RFC 6749 §4.4), token revocation
(RFC 7009, django-oauth-toolkit's view) and the server's metadata (RFC 8414).

Any other grant — password, authorization_code, refresh_token, a missing or unknown one — answers the same
`unsupported_grant_type` before anything else is read: no user account is looked up, no password checked, and the
sign-in lockout (django-axes) is never touched, so the endpoint is no oracle for staff passwords. The token
endpoint's own errors are RFC 6749's JSON (`error`, `error_description`); its 404, 405 and 500 are problem+json like
the rest of /api/ (mash/api_http.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from oauth2_provider.views import TokenView

GRANT = "client_credentials"
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@method_decorator(login_not_required, name="dispatch")
class ClientCredentialsTokenView(TokenView):
    def post(self, request, *args, **kwargs):
        if request.POST.getlist("grant_type") != [GRANT]:
            body = {
                "error": "unsupported_grant_type",
                "error_description": "This server issues tokens only for grant_type=client_credentials",
            }
            return _no_store(JsonResponse(body, status=400))
        return super().post(request, *args, **kwargs)


@login_not_required
@require_safe
def authorization_server_metadata(request):
    """RFC 8414: where the endpoints are and what the server supports, for clients that configure themselves."""
    issuer = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(
        {
            "issuer": issuer,
            "token_endpoint": request.build_absolute_uri(reverse("api-v1:token")),
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
            "revocation_endpoint": request.build_absolute_uri(reverse("api-v1:revoke")),
            "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
            "grant_types_supported": [GRANT],
            "response_types_supported": [],
            "scopes_supported": sorted(settings.OAUTH2_PROVIDER["SCOPES"]),
            "service_documentation": request.build_absolute_uri(reverse("api-v1:docs")),
        }
    )
