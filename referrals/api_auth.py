"""Agency systems authenticate with OAuth2 client credentials (django-oauth-toolkit). A token is accepted only for
a client that is not revoked; the client's own scopes bound what it may ask for; requests are throttled per client
and recorded in the ledger as the client."""

import hashlib
import logging
import math

from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from agencies.access import access_for_client, with_agreement
from agencies.agreements import current_agreement
from agencies.models import ApiClient
from agencies.policy import rule_of
from audit import context
from mash.bearer import InsufficientScope, InvalidToken, invalid_token_challenge
from mash.outage import OUTAGES
from referrals import api_tokens

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
            if _bearer_sent(request):
                raise InvalidToken()  # RFC 6750: a token that was sent and failed is invalid_token, not "no token"
            return None
        _, token = result
        client = _client_of(token)
        if client is None or client.revoked_at is not None:
            raise InvalidToken(gettext("This client has been revoked: its tokens are no longer valid"))
        request.client = client
        actor = context.current()
        context.replace(context.Actor("client", str(client.pk), actor.request_id, actor.client_ip))
        return ClientPrincipal(client), token

    def authenticate_header(self, request):
        return invalid_token_challenge() if _bearer_sent(request) else 'Bearer realm="api"'


def _client_of(token) -> ApiClient | None:
    """The token's client with its hub, its agency and whether that agency's agreement is current: read with the
    token itself (`ClientScopeValidator._load_access_token`), or in one more query for a token loaded otherwise."""
    if not hasattr(token, "agreement_current"):
        return (
            with_agreement(ApiClient.objects.select_related("hub", "agency"))
            .filter(application_id=token.application_id)
            .first()
        )
    client = getattr(token.application, "mash_client", None)  # not-found on a reverse one-to-one is an AttributeError
    if client is not None:
        client.agreement_current = token.agreement_current
    return client


def _bearer_sent(request) -> bool:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


class HasScope(BasePermission):
    """The token carries the OAuth scope that the policy gives the action this method takes (`actions` on the view:
    method -> agencies.policy.Action). HEAD needs GET's scope (it answers GET's headers); OPTIONS only a valid token
    (it describes the endpoint, no data). A missing scope is RFC 6750's insufficient_scope, naming the scope."""

    message = _("The token does not carry the scope this request needs")

    def has_permission(self, request, view):
        if request.method == "OPTIONS":
            return request.auth is not None
        method = "GET" if request.method == "HEAD" else request.method
        action = view.actions.get(method)
        if action is None:
            # A method the view does not handle gets its 405; one it handles without a declared action is refused.
            return request.method.lower() not in view.http_method_names or not hasattr(view, request.method.lower())
        needed = rule_of(action).api_scope
        if needed is None:
            return False
        token = request.auth
        if token is None or not token.is_valid([needed]):
            raise InsufficientScope(needed)
        return True


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
            allowed = super().allow_request(request, view)
        except OUTAGES as error:
            logger.warning("API throttle skipped: the cache is unreachable (%s)", type(error).__name__)
            return True
        if getattr(self, "history", None) is not None and self.rate:
            # What the answer's RateLimit headers say (mash/api_http.py writes them, on 429 too).
            remaining = max(0, self.num_requests - len(self.history))
            oldest = self.history[-1] if self.history else self.now
            reset = max(1, math.ceil(self.duration - (self.now - oldest)))
            getattr(request, "_request", request).rate_limit = (
                self.scope,
                self.num_requests,
                self.duration,
                remaining,
                reset,
            )
        return allowed

    def get_cache_key(self, request, view):
        client = getattr(request, "client", None)
        return None if client is None else f"throttle:client:{client.pk}"


class ClientScopeValidator(OAuth2Validator):
    """A client may be given only the scopes its ApiClient record allows, and only while it is not revoked."""

    def _client(self, client_id):
        return ApiClient.objects.filter(application__client_id=client_id, revoked_at__isnull=True).first()

    def _load_access_token(self, token):
        """The bearer token as django-oauth-toolkit loads it (by its SHA-256 checksum), with its application's client,
        the client's hub and agency, and whether the agency's agreement is current: authentication in one query.
        Kept for a few seconds by this process (referrals/api_tokens.py), checked live on each request, so a revoked
        client or token is refused on its next request."""
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        if (found := api_tokens.kept(checksum)) is not None:
            return found
        found = (
            AccessToken.objects.select_related(
                "application", "user", "application__mash_client__hub", "application__mash_client__agency"
            )
            .annotate(
                agreement_current=current_agreement(
                    OuterRef("application__mash_client__hub_id"),
                    OuterRef("application__mash_client__agency_id"),
                    timezone.localdate(),
                )
            )
            .filter(token_checksum=checksum)
            .first()
        )
        api_tokens.keep(checksum, found)
        return found

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        record = self._client(client_id)
        return record is not None and set(scopes) <= record.scope_set

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        record = self._client(client_id)
        return sorted(record.scope_set) if record else []
