"""How the OpenAPI schema describes the agencies' authentication: OAuth2 client credentials with the API's scopes."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AgencyClientScheme(OpenApiAuthenticationExtension):
    target_class = "referrals.api_auth.AgencyClientAuthentication"
    name = "agencyClient"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": reverse("api-v1:token"),
                    "scopes": settings.OAUTH2_PROVIDER["SCOPES"],
                }
            },
        }
