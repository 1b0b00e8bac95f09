"""Agency systems authenticate with OAuth2 client credentials (django-oauth-toolkit). A token is accepted only for
a client that is not revoked; the client's own scopes bound what it may ask for; requests are throttled per client
and recorded in the ledger as the client."""

import logging

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.oauth2_validators import OAuth2Validator
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from agencies.access import access_for_client, with_agreement
from agencies.models import ApiClient
from agencies.policy import rule_of
from audit import context
from mash.outage import OUTAGES

logger = logging.getLogger("mash.api")


class ClientPrincipal:
    """request.user for an API call: the agency's client, never a person."""

    is_authenticated = True
    is_active = True
    is_superuser = False

    def __init__(self, client: ApiClient):
        self.client = client
        self.pk = client.pk

    def __str__(self):
        return str(self.client)


class AgencyClientAuthentication(OAuth2Authentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        _, token = result
        # The client with its hub, its agency and whether that agency's agreement is current: one query.
        client = (
            with_agreement(ApiClient.objects.select_related("hub", "agency"))
            .filter(application_id=token.application_id, revoked_at__isnull=True)
            .first()
        )
        if client is None:
            raise exceptions.AuthenticationFailed("This client has been revoked")
        request.client = client
        actor = context.current()
        context.replace(context.Actor("client", str(client.pk), actor.request_id, actor.client_ip))
        return ClientPrincipal(client), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HasScope(BasePermission):
    """The token carries the OAuth scope that the policy gives the action this method takes (`actions` on the view:
    method -> agencies.policy.Action)."""

    message = "The token does not carry the scope this request needs"

    def has_permission(self, request, view):
        action = view.actions.get(request.method)
        if action is None:
            # A method the view does not handle gets its 405; one it handles without a declared action is refused.
            return request.method.lower() not in view.http_method_names or not hasattr(view, request.method.lower())
        needed = rule_of(action).api_scope
        token = request.auth
        return needed is not None and token is not None and token.is_valid([needed])


def client_access(request):
    """The calling agency's system, resolved once for the request: its agency, its hub, its agreement."""
    if not hasattr(request, "access"):
        request.access = access_for_client(request.client)
    return request.access


class ClientRateThrottle(SimpleRateThrottle):
    """Per API client, counted in the shared cache (Redis in production). If the cache cannot be reached the request
    goes through unthrottled, with a warning: the database is the truth, and an agency's referral should not wait
    for the cache."""

    scope = "client"

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except OUTAGES as error:
            logger.warning("API throttle skipped: the cache is unreachable (%s)", type(error).__name__)
            return True

    def get_cache_key(self, request, view):
        client = getattr(request, "client", None)
        return None if client is None else f"throttle:client:{client.pk}"


class ClientScopeValidator(OAuth2Validator):
    """A client may be given only the scopes its ApiClient record allows, and only while it is not revoked."""

    def _client(self, client_id):
        return ApiClient.objects.filter(application__client_id=client_id, revoked_at__isnull=True).first()

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        record = self._client(client_id)
        return record is not None and set(scopes) <= record.scope_set

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        record = self._client(client_id)
        return sorted(record.scope_set) if record else []
