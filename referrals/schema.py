"""How the OpenAPI schema describes the agencies' authentication: OAuth2 client credentials with the API's scopes, and
each operation's one scope, the one the policy's rule for the view's action names (agencies/policy.py)."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from agencies.policy import rule_of


class AgencyClientScheme(OpenApiAuthenticationExtension):
    target_class = "referrals.api_auth.AgencyClientAuthentication"
    name = "oauth2"

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

    def get_security_requirement(self, auto_schema):
        action = getattr(auto_schema.view, "actions", {}).get(auto_schema.method.upper())
        scope = rule_of(action).api_scope if action is not None else None
        return {self.name: [scope] if scope else []}
