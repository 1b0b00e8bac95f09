"""Idempotency-Key for the API's writes: a retry with the same key and body gets the first response again and stores
nothing twice; the same key with another body is refused (422). Used by every endpoint that writes.

The key is claimed by inserting its row (unique per client, endpoint and key) in the write's own transaction: a
concurrent request with the same key waits on the unique index until the first commits, then replays it; if the
first rolled back, the key was never taken. A write that raises (bad input, 404, 403) stores nothing, key included,
so the corrected request may reuse the key. Rows are pruned after IDEMPOTENCY_KEEP_HOURS (at least 24).
"""

import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from mash.problem import problem
from referrals.models import IdempotencyRecord

logger = logging.getLogger(__name__)
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MINIMUM_KEEP_HOURS = 24
# 1 to 255 visible ASCII characters, spaces allowed inside (HTTP trims them at the ends): a UUID fits, and so does
# any key a client library makes. The schema publishes this pattern; `key_of` accepts exactly what it matches.
KEY_MAX_LENGTH = 255
KEY_PATTERN = r"^[!-~]([ -~]{0,253}[!-~])?$"
_KEY = re.compile(KEY_PATTERN)


def key_parameter(what: str) -> OpenApiParameter:
    """The header as the OpenAPI schema documents it, for an endpoint that writes one `what` per call."""
    return OpenApiParameter(
        HEADER,
        {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH, "pattern": KEY_PATTERN},
        OpenApiParameter.HEADER,
        required=True,
        description=f"A unique value per {what} (a UUID, say). Retrying with the same key and body replays the first "
        "response; the same key with a different body is refused (422). Keys are kept for at least 24 hours.",
    )


def key_of(request) -> str | None:
    """The request's key, or None when it is missing or not 1 to 255 visible ASCII characters (KEY_PATTERN)."""
    key = request.headers.get(HEADER, "")
    return key if _KEY.fullmatch(key) else None


# What each endpoint writes once per key, in the words of `missing_key`'s message.
WHAT = {
    "referral": _("referral"),
    "household contact": _("household contact"),
    "contribution": _("contribution"),
    "file": _("file"),
}


def missing_key(what: str) -> Response:
    detail = gettext(
        "Send an %(header)s header (1 to 255 visible ASCII characters, a UUID say): a new one for each %(what)s"
    ) % {"header": HEADER, "what": str(WHAT.get(what, what))}
    return problem(400, detail, errors=[{"field": HEADER, "detail": detail}], kind="idempotency-key-missing")


def request_hash(data) -> str:
    """What "the same body" means: the parsed JSON, keys sorted, so spacing and key order do not matter."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def run_once(*, client, endpoint: str, key: str, body_hash: str, write: Callable[[], tuple[int, object]]) -> Response:
    """Run `write` (which returns the response's status and JSON body) once per key, storing its response in the
    same transaction; answer a retry with the stored response (`Idempotent-Replayed: true`), and the same key with
    another body with 422. An exception from `write` rolls everything back, the key's row included."""
    with transaction.atomic():
        claimed = _claim(client, endpoint, key, body_hash)
        if claimed is None:
            # The first request with this key has committed (a concurrent one waited for it on the index).
            return _replay(client, endpoint, key, body_hash)
        status, body = write()
        IdempotencyRecord.objects.filter(pk=claimed).update(response_status=status, response_body=body)
    return Response(body, status=status)


def _claim(client, endpoint: str, key: str, body_hash: str) -> int | None:
    """The key's row inserted, or None when it exists: one statement (`ON CONFLICT DO NOTHING`, which waits for a
    concurrent insert of the same key to commit or roll back), with no savepoint for an IntegrityError to undo."""
    meta = IdempotencyRecord._meta
    client_id = meta.get_field("client").get_db_prep_value(client.pk, connection)
    now = meta.get_field("created_at").get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {meta.db_table} (client_id, endpoint, key, request_hash, created_at) "  # noqa: S608 - our own table
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (client_id, endpoint, key) DO NOTHING RETURNING id",
            [client_id, endpoint, key, body_hash, now],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def _replay(client, endpoint: str, key: str, body_hash: str) -> Response:
    first = IdempotencyRecord.objects.get(client=client, endpoint=endpoint, key=key)
    if first.request_hash != body_hash:
        detail = gettext("This Idempotency-Key was already used with a different request body; nothing was stored")
        return problem(422, detail, errors=[{"field": HEADER, "detail": detail}], kind="idempotency-key-reused")
    return Response(first.response_body, status=first.response_status, headers={REPLAYED: "true"})


def idempotency_prune(*, now=None) -> int:
    """Forget keys older than IDEMPOTENCY_KEEP_HOURS (never fewer than 24); returns how many were deleted. A key
    once forgotten may be used again: clients are told keys last at least 24 hours."""
    hours = max(settings.IDEMPOTENCY_KEEP_HOURS, MINIMUM_KEEP_HOURS)
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    if deleted:
        logger.info("Pruned %d idempotency keys older than %d hours", deleted, hours)
    return deleted


def create_once(request, *, what: str, endpoint: str, allowed: Callable[[], None],
                write: Callable[[], tuple[int, object]]) -> Response:  # fmt: skip
    """An agency's create (a referral, a household): 400 without a valid key, then `allowed()` (which raises when the
    client may not), then `write` run once per key and body (`run_once`)."""
    key = key_of(request)
    if key is None:
        return missing_key(what)
    allowed()
    return run_once(
        client=request.client, endpoint=endpoint, key=key, body_hash=request_hash(request.data), write=write
    )


# What a create answers besides its 201 (RFC 9457 problem details each), for the OpenAPI document.
CREATE_PROBLEMS = (400, 401, 403, 405, 413, 422)
