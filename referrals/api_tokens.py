"""An agency system's bearer token, resolved cheaply on every request.

Resolving a token means one query of five tables and the agreement's subqueries, whose building by the ORM costs
about 2 ms of CPU: a fifth of a small API request. A web process keeps what it resolved for each token (by its
SHA-256 checksum, as django-oauth-toolkit stores it) for API_AUTH_CACHE_SECONDS, and on each request that finds it
asks the database, in one plain statement, only what must never be stale: that the token still exists and has not
expired, and that its client has not been revoked. So a revoked client or a revoked token is refused on its next
request in every process, as before.

What the kept entry may hold stale, for at most API_AUTH_CACHE_SECONDS in another process: the hub's and the
agency's settings, and whether the agency's information sharing agreement is current (its start and review dates
are days; a signature withdrawn takes effect within those seconds). The process that makes such a change forgets
every kept token at once; an entry never outlives the day it was read, nor its token. 0 turns keeping off.
Requests share a kept token's client, hub and agency objects: they read them and never change them.
"""

import copy
import time

from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

_kept: dict[str, tuple[float, object, object]] = {}  # checksum -> (monotonic deadline, day read, token)
LIVE = """
SELECT 1 FROM oauth2_provider_accesstoken t JOIN agencies_apiclient c ON c.application_id = t.application_id
WHERE t.id = %s AND t.expires > %s AND c.revoked_at IS NULL
"""
MAX_KEPT = 10_000


def kept(checksum: str):
    """The token resolved earlier in this process, if it is still fresh and still live, else None. A shallow copy:
    the request's own token, sharing its client, hub and agency (read, never changed, by a request) with the next."""
    entry = _kept.get(checksum)
    if entry is None:
        return None
    deadline, day, token = entry
    now = timezone.now()
    if time.monotonic() > deadline or day != timezone.localdate(now) or token.expires <= now:
        _kept.pop(checksum, None)
        return None
    with connection.cursor() as cursor:
        cursor.execute(LIVE, [token.pk, now])
        if cursor.fetchone() is None:
            _kept.pop(checksum, None)
            return None
    return copy.copy(token)


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
