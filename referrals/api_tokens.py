"""An agency system's bearer token, resolved cheaply on every request.

Resolving a token means one query of five tables and the agreement's subqueries, whose building by the ORM costs
about 2 ms of CPU: a fifth of a small API request. A web process keeps what it resolved for each token (by its
SHA-256 checksum, as django-oauth-toolkit stores it) for API_AUTH_CACHE_SECONDS, and on each request that finds it
reads again, in one simpler query, everything but the agreement: the client with its hub and agency, only if the
token still exists and has not expired and the client has not been revoked. So a revoked client or token is refused
on its next request in every process, and the hub's and agency's settings are always the current ones.

What may be stale, for at most API_AUTH_CACHE_SECONDS in another process: whether the agency's information sharing
agreement is current (its start and review dates are days; a signature withdrawn takes effect within those
seconds). The process that changes an agreement forgets every kept token at once; an entry never outlives the day it
was read, nor its token. 0 turns keeping off.
"""

import copy
import time

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from agencies.models import ApiClient
from mash.prepared import Prepared

_kept: dict[str, tuple[float, object, object]] = {}  # checksum -> (monotonic deadline, day read, token)
MAX_KEPT = 10_000


def kept(checksum: str):
    """The token resolved earlier in this process, if it is still fresh, else None. Its client is read again with its
    hub and agency, in one query that also checks the token still exists and has not expired and the client is not
    revoked: only the agreement's answer is kept. The request gets copies of the token and its application."""
    entry = _kept.get(checksum)
    if entry is None:
        return None
    deadline, day, token = entry
    now = timezone.now()
    if time.monotonic() > deadline or day != timezone.localdate(now) or token.expires <= now:
        _kept.pop(checksum, None)
        return None
    client = _client_live(token.application_id, token.pk, now)
    if client is None:
        _kept.pop(checksum, None)
        return None
    found, application = copy.copy(token), copy.copy(token.application)
    application.mash_client = client
    found.application = application
    return found


def _client_live(application_id, token_id, now) -> ApiClient | None:
    """The token's client with its hub and agency, if the token still exists and has not expired and the client is
    not revoked: one statement written once per process (mash/prepared.py), because building the same query with the
    ORM on every request cost ~1 ms of CPU."""
    found = _live(application_id, token_id, now)
    return found[0] if found else None


def _live_query(application_id, token_id, now):
    tokens = get_access_token_model().objects.filter(
        pk=token_id, application_id=OuterRef("application_id"), expires__gt=now
    )
    live = ApiClient.objects.filter(Exists(tokens), application_id=application_id, revoked_at__isnull=True)
    return live.select_related("hub", "agency")


_live = Prepared(
    _live_query,
    ApiClient._meta.get_field("application"),
    get_access_token_model()._meta.pk,
    get_access_token_model()._meta.get_field("expires"),
)


def keep(checksum: str, token) -> None:
    """Keep a token whose client is live (a refused one is looked up in full each time it is sent)."""
    seconds = settings.API_AUTH_CACHE_SECONDS
    client = getattr(getattr(token, "application", None), "mash_client", None)
    if seconds <= 0 or client is None or client.revoked_at is not None:
        return
    if len(_kept) >= MAX_KEPT:
        _kept.clear()
    _kept[checksum] = (time.monotonic() + seconds, timezone.localdate(), copy.copy(token))


def forget_all(**kwargs) -> None:
    _kept.clear()


def forget_on_change_of(*models) -> None:
    """Forget every kept token when one of `models` is saved or deleted in this process."""
    for model in models:
        post_save.connect(forget_all, sender=model, dispatch_uid=f"api-tokens-{model._meta.label}-save")
        post_delete.connect(forget_all, sender=model, dispatch_uid=f"api-tokens-{model._meta.label}-delete")
